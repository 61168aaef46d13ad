"""Statements: what an actor said — claims, accusations, denials, appeals, quotes."""

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas import query
from schemas.codes import Message
from schemas.common import ActorSummarySchema, CitationSchema, RecordSchema
from schemas.reports import ReportedSchema, StatementReportSchema
from schemas.vocabularies import DATE_PRECISIONS, STANCES, STATEMENT_TYPES


class EventSummarySchema(ma.Schema):
    """An event as embedded in a statement."""

    id = f.identifier("The event's id.", required=True)
    title = f.text("The event's title.", required=True)
    event_type = fields.String(required=True, metadata={"description": "The PLOVER event type."})
    # Embedded from JSON built in SQL, so already a string.
    start_date = fields.String(
        required=True, metadata={"description": "The first day it happened.", "format": "date"}
    )
    certainty = fields.String(
        required=True, metadata={"description": "How far it is established."}
    )


class StatementEventSchema(ma.Schema):
    """An event a statement is about, and the statement's stance towards it."""

    class Meta:
        unknown = ma.RAISE

    event_id = f.identifier("The event the statement is about.", required=True)
    event = f.nested(EventSummarySchema, "The event, summarised.", dump_only=True)
    stance = f.one_of(
        STANCES, "What the statement does with the event.", required=True, example="asserts"
    )


class StatementSchema(RecordSchema, ReportedSchema):
    """Something an actor said, with the evidence that they said it."""

    speaker_id = f.identifier("The actor who said it.", required=True)
    speaker = f.nested(ActorSummarySchema, "The speaker, summarised.", dump_only=True)
    text = f.text(
        "What was said: the words when quoted, a faithful paraphrase otherwise.",
        max_length=f.LONG_TEXT,
        required=True,
        example="We strongly condemn the use of force",
    )
    is_direct_quote = f.boolean("Whether text is the speaker's own words.", required=True)
    statement_type = f.one_of(
        STATEMENT_TYPES, "What kind of statement it is.", required=True, example="condemnation"
    )
    stated_on = f.date("The day it was said.", allow_none=True, example="2020-09-27")
    date_precision = f.one_of(
        DATE_PRECISIONS, "How exactly stated_on is known.", allow_none=True, example="day"
    )
    medium = f.text(
        "Where it was said: a joint statement, a broadcast.",
        allow_none=True,
        example="joint statement",
    )
    addressees = f.nested_list(ActorSummarySchema, "The actors it was directed at.", dump_only=True)
    addressee_ids = fields.List(
        f.identifier("An actor the statement was directed at."),
        load_default=list,
        validate=ma.validate.Length(max=100),
        metadata={"description": "The actors it was directed at, each once.", "uniqueItems": True},
    )
    events = f.nested_list(
        StatementEventSchema, "The events it is about, each with a stance.", load_default=list
    )
    notes = f.text(
        "Editorial notes: ambiguities or apparent errors in the sources.",
        max_length=f.LONG_TEXT,
        allow_none=True,
    )
    source_count = fields.Integer(
        dump_only=True,
        metadata={"description": "How many sources report it: its reports.", "example": 1},
    )
    reports = f.nested_list(
        StatementReportSchema,
        "The sources that report it, one report each, with its quotes."
        " A write gives reports or citations (or both, as read).",
    )
    citations = f.nested_list(
        CitationSchema,
        "Every report's quotes in one list, each with its source: derived from reports,"
        " and taken on a write as one report per source quoted (for clients that predate"
        " reports).",
    )

    @ma.validates_schema
    def consistent(self, data, partial=False, **kwargs):
        if partial:
            return
        if data.get("date_precision") is not None and data.get("stated_on") is None:
            raise ma.ValidationError(
                Message("without_value", "Only a date has a precision."), "date_precision"
            )
        if len(set(data.get("addressee_ids") or ())) != len(data.get("addressee_ids") or ()):
            raise ma.ValidationError(
                Message("duplicate", "An actor is listed twice."), "addressee_ids"
            )
        seen = set()
        for index, about in enumerate(data.get("events") or ()):
            if about["event_id"] in seen:
                listed = Message("duplicate", "This event is already listed.")
                raise ma.ValidationError({str(index): {"event_id": [listed]}}, "events")
            seen.add(about["event_id"])

    @ma.post_load
    def complete(self, data, partial=False, **kwargs):
        if partial:
            return data
        if data.get("stated_on") and data.get("date_precision") is None:
            data["date_precision"] = "day"
        self.reported(data)
        return data



class StatementQueryArgsSchema(query.ListArgsSchema):
    """Which statements to list, in what order and shape."""

    SORTS = {
        "stated_on": query.Sort("date", null="-infinity"),
        "created_at": query.Sort("timestamptz"),
        "updated_at": query.Sort("timestamptz"),
        "relevance": query.Sort("real"),
    }
    DEFAULT_SORT = "-stated_on"
    FIELDS = tuple(StatementSchema().fields)

    format = query.format_of(("json", "csv"))

    speaker_id = query.uuids("Only statements this actor made.")
    addressee_id = query.uuids("Only statements directed at this actor.")
    event_id = query.uuids(
        "Only statements about this event; with stance, taking that stance towards it."
    )
    stance = query.words(
        STANCES,
        "Only statements taking this stance towards an event (towards the events of"
        " event_id, or the route's event, when given).",
        "denies",
    )
    statement_type = query.words(
        STATEMENT_TYPES, "Only statements of this kind.", "accusation,denial"
    )
    is_direct_quote = fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: only the speaker's own words; false: only paraphrases.",
            "example": "true",
        },
    )
    date_from = f.date(
        "Only statements made on this day or later (undated ones never match).",
        example="2020-09-27",
    )
    date_to = f.date(
        "Only statements made on this day or earlier (undated ones never match).",
        example="2020-09-30",
    )
    q = query.search_text(
        "Full-text search (English stemming) over the text, the medium and cited quotes;"
        " ranked when sort is relevance, the default with q. A q that names actors or"
        " places (by a name or an alias, a typo tolerated: Pashinian) also finds what says"
        " their other names, and the statements those actors made or were addressed.",
        "condemn use of force",
        pooled=True,
    )

    @ma.validates_schema
    def consistent_filters(self, data, **kwargs):
        query.check_range(data, "date_from", "date_to")
        query.check_export(data)
