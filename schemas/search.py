"""GET /v1/search: one q, the best hits of every kind of record, and the words each matched."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas import query
from schemas.common import ActorSummarySchema, LocationSummarySchema
from schemas.statements import EventSummarySchema

MAX_HITS = 20


def _matched():
    return fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "The words of the search it matched: q, or the names and aliases"
            " of the actors and places q names (Terter for q=Tartar), in its text or as"
            " what it is tied to (its place, its participants, its speaker).",
            "example": ["Terter", "Tartar"],
        },
    )


class ActorHitSchema(ActorSummarySchema):
    """An actor whose name or alias holds q."""

    matched = _matched()


class LocationHitSchema(LocationSummarySchema):
    """A place whose name or alias holds q."""

    matched = _matched()


class EventHitSchema(EventSummarySchema):
    """An event whose text matches q, or that is tied to what q names."""

    matched = _matched()


class StatementHitSchema(ma.Schema):
    """A statement whose text matches q, or made by or to an actor q names."""

    id = f.identifier("The statement's id.", required=True)
    text = fields.String(required=True, metadata={"description": "What was said."})
    statement_type = fields.String(
        required=True, metadata={"description": "What kind of statement it is."}
    )
    stated_on = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The day it was said.", "format": "date"},
    )
    speaker = fields.Nested(
        ActorSummarySchema, required=True, metadata={"description": "Who said it."}
    )
    matched = _matched()


class SourceHitSchema(ma.Schema):
    """A source whose title or text matches q."""

    id = f.identifier("The source's id.", required=True)
    title = fields.String(required=True, metadata={"description": "The document's title."})
    published_on = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The day it was published.", "format": "date"},
    )
    matched = _matched()


def _hits(schema, description):
    return fields.List(
        fields.Nested(schema), required=True, metadata={"description": description}
    )


class SearchSchema(ma.Schema):
    """The best hits of every kind of record for q, best first within each kind."""

    q = fields.String(required=True, metadata={"description": "The q searched for."})
    actors = _hits(ActorHitSchema, "Actors by name or alias, typos tolerated; best first.")
    locations = _hits(LocationHitSchema, "Places by name or alias, typos tolerated; best first.")
    events = _hits(
        EventHitSchema,
        "Events by their text, and by the actors and places q names; most relevant first.",
    )
    statements = _hits(
        StatementHitSchema,
        "Statements by their text, and by their speakers and addressees; most relevant first.",
    )
    sources = _hits(SourceHitSchema, "Sources by their title and text; newest first.")


class SearchArgsSchema(ma.Schema):
    """What to search for, and how many hits of each kind."""

    class Meta:
        unknown = ma.RAISE

    q = query.search_text(
        "What to search for: a name (an alias and a typo will do) or words. Actors and"
        " places match by name; events, statements and sources by their text in English"
        " (stemmed, websearch syntax), and through the actors and places q names.",
        "Terter",
    )
    q.required = True
    limit = fields.Integer(
        load_default=5,
        validate=validate.Range(min=1, max=MAX_HITS),
        metadata={"description": f"Hits of each kind, at most {MAX_HITS}.", "example": 5},
    )
