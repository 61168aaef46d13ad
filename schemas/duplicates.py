"""Same event: the candidates that may duplicate an event, and a merge of duplicates."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas import query
from schemas.codes import Message
from schemas.common import ActorSummarySchema, LocationSummarySchema
from schemas.vocabularies import CERTAINTIES, EVENT_TYPES, STANCES

# Events one merge folds into another, at most.
MAX_MERGED = 50
# What a candidate must share with the event, besides its type and dates, and more.
REASONS = {
    "same_type": "The same PLOVER event type (every candidate has it).",
    "same_mode": "The same PLOVER mode.",
    "dates_overlap": "Their dates overlap.",
    "dates_near": "Their dates are a day apart or less: day-precision dates of one event"
    " often differ by a day between sources.",
    "same_location": "The same location.",
    "location_contains": "The candidate's location contains the event's (the region of its town).",
    "location_within": "The candidate's location is inside the event's (a town in its region).",
    "nearby": "The candidate's location is within radius_km of the event's (great-circle).",
    "shared_participants": "Actors take part in both.",
}
# The default radius of `nearby`, in kilometres.
NEARBY_KM = 25.0
DEFAULT_SIMILAR = 10


class ReasonSchema(ma.Schema):
    """Why a candidate matched: a code a program branches on, and words for a person."""

    code = f.one_of(tuple(REASONS), "What the two events share.", required=True, example="nearby")
    message = fields.String(
        required=True,
        metadata={"description": "The same in words.", "example": "Locations 3.2 km apart."},
    )


class SimilarEventSummarySchema(ma.Schema):
    """A candidate event, summarised for a card."""

    id = f.identifier("The event's id.", required=True)
    title = f.text("The event's title.", required=True)
    event_type = f.one_of(EVENT_TYPES, "The PLOVER event type.", required=True)
    mode = fields.String(
        required=True, allow_none=True, metadata={"description": "The PLOVER mode."}
    )
    # Embedded from JSON built in SQL, so already strings.
    start_date = fields.String(
        required=True, metadata={"description": "The first day it happened.", "format": "date"}
    )
    end_date = fields.String(
        required=True, metadata={"description": "The last day it happened.", "format": "date"}
    )
    certainty = f.one_of(CERTAINTIES, "How far it is established.", required=True)
    location = f.nested(
        LocationSummarySchema, "Where it happened, summarised.", required=True, allow_none=True
    )


class SimilarEventSchema(ma.Schema):
    """An event that may be the same as another: how alike they are, and why."""

    event = f.nested(SimilarEventSummarySchema, "The candidate, summarised.", required=True)
    score = fields.Float(
        required=True,
        metadata={
            "description": "How alike the two events are, from 0 to 1: 0.25 for dates that"
            " overlap (0.125 a day apart), 0.3 for the same place (0.2 one inside the other,"
            " up to 0.24 nearby, less the farther), 0.35 for the share of their actors"
            " that take part in both, 0.1 for the same mode. Best first.",
            "example": 0.87,
        },
    )
    reasons = fields.List(
        fields.Nested(ReasonSchema),
        required=True,
        metadata={"description": "Each thing the two events share."},
    )
    distance_km = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Great-circle distance between the two events' locations, in"
            " kilometres; null when either has no coordinates.",
            "example": 3.2,
        },
    )
    shared_participants = fields.List(
        fields.Nested(ActorSummarySchema),
        required=True,
        metadata={"description": "The actors that take part in both, in any role."},
    )


class SimilarArgsSchema(ma.Schema):
    """Which candidates: a page of them, best first."""

    class Meta:
        unknown = ma.RAISE

    page = fields.Integer(
        validate=validate.Range(min=1, max=query.MAX_PAGE),
        metadata={"description": "The page to return, from 1.", "example": 1},
    )
    page_size = fields.Integer(
        load_default=DEFAULT_SIMILAR,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Candidates per page, at most 100.", "example": DEFAULT_SIMILAR},
    )
    radius_km = fields.Float(
        load_default=NEARBY_KM,
        validate=validate.Range(min=0, max=500, min_inclusive=False),
        metadata={
            "description": "How far apart two locations may be to count as nearby, in"
            " kilometres (great-circle), at most 500.",
            "example": NEARBY_KM,
        },
    )


class StanceChoiceSchema(ma.Schema):
    """The stance a statement keeps towards the merged event."""

    class Meta:
        unknown = ma.RAISE

    statement_id = f.identifier("A statement about events being merged.", required=True)
    stance = f.one_of(
        STANCES, "The stance it keeps towards the event kept.", required=True, example="denies"
    )


class EventMergeSchema(ma.Schema):
    """The events to fold into the one kept."""

    class Meta:
        unknown = ma.RAISE

    merge = fields.List(
        f.identifier("An event to merge into this one."),
        required=True,
        validate=validate.Length(min=1, max=MAX_MERGED),
        metadata={
            "description": "The events to merge into this one, each once (at most"
            f" {MAX_MERGED}). Their participants and reports join this event's (each"
            " participant once, one report per source), the statements about them come to"
            " be about this event, the figures are derived again, and they are"
            " deleted: their ids answer 308 to this event, and /v1/deletions lists them"
            " with merged_into.",
            "example": ["9aacaccd-dc05-56c6-827b-c8ad46d81d32"],
            "uniqueItems": True,
        },
    )
    stances = f.nested_list(
        StanceChoiceSchema,
        "The stance each statement keeps when its stances towards the events merged"
        " differ (it asserts one and denies another): without it, such a merge answers"
        " 409 naming them. refers_to gives way to any other stance without being asked.",
        load_default=list,
    )

    @ma.validates_schema
    def each_once(self, data, **kwargs):
        errors = {}
        for name, key in (("merge", None), ("stances", "statement_id")):
            seen = set()
            for index, item in enumerate(data.get(name) or ()):
                value = item if key is None else item[key]
                if value in seen:
                    path = str(index) if key is None else f"{index}.{key}"
                    errors[f"{name}.{path}"] = [Message("duplicate", "Already listed.")]
                seen.add(value)
        if errors:
            raise ma.ValidationError(errors)
