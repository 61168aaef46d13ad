"""Events: what happened, when, where, to whom, and on whose word."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas import query
from schemas.codes import Message
from schemas.common import (
    ActorSummarySchema,
    CitationSchema,
    EstimateSchema,
    LocationSummarySchema,
    RecordSchema,
)
from schemas.reports import (
    FIGURES,
    FIGURES_RULE,
    EventReportSchema,
    ReportedSchema,
    derived_figures,
)
from schemas.vocabularies import (
    CERTAINTIES,
    DATE_PRECISIONS,
    EVENT_MODES,
    EVENT_TYPES,
    PARTICIPANT_ROLES,
    PLOVER_MODES,
    REPORTED_AS,
    SET_APART,
)


class ParticipantSchema(ma.Schema):
    """An actor taking part in an event, in a role."""

    class Meta:
        unknown = ma.RAISE

    actor_id = f.identifier("The actor taking part.", required=True)
    actor = f.nested(ActorSummarySchema, "The actor, summarised.", dump_only=True)
    role = f.one_of(
        PARTICIPANT_ROLES, "The actor's part in the event.", required=True, example="initiator"
    )


class EventSchema(RecordSchema, ReportedSchema):
    """Something that happened, coded with PLOVER, as the sources that report it say."""

    PATCH_REPLACES = {
        **ReportedSchema.PATCH_REPLACES,
        # Figures given without the flag are set by hand (the flag's rule on a write).
        "fatalities": ("figures_set_by_hand",),
        "injuries": ("figures_set_by_hand",),
    }

    title = f.text(
        "A one-line title.",
        required=True,
        example="Azerbaijan accuses Armenian forces of shelling Tartar",
    )
    summary = f.text("What happened, in a few sentences.", max_length=f.LONG_TEXT, allow_none=True)
    event_type = f.one_of(
        EVENT_TYPES,
        "The PLOVER event type (labels and definitions: GET /v1/vocabularies).",
        required=True,
        example="ASSAULT",
    )
    mode = f.one_of(
        EVENT_MODES,
        "The PLOVER mode, one of those of its event type (GET /v1/vocabularies).",
        allow_none=True,
        example="heavy-weapons",
    )
    start_date = f.date("The first day it happened.", required=True, example="2020-09-27")
    end_date = f.date("The last day it happened; start_date when left out.", example="2020-09-30")
    date_precision = f.one_of(
        DATE_PRECISIONS, "How exactly the dates are known.", load_default="day", example="day"
    )
    location_id = f.identifier("Where it happened.", allow_none=True)
    location = f.nested(
        LocationSummarySchema, "Where it happened, summarised.", dump_only=True, allow_none=True
    )
    participants = f.nested_list(
        ParticipantSchema, "The actors taking part, in their roles.", load_default=list
    )
    reported_as = f.one_of(
        REPORTED_AS,
        "How the source tells it: an ordinary event, background (history told for context)"
        " or a scene (what a photo shows, dated and placed where it was taken). Maps,"
        " timelines and statistics leave background and scenes out unless asked (include).",
        load_default="event",
        example="event",
    )
    certainty = f.one_of(
        CERTAINTIES,
        "How far the sources establish that it happened. It follows the statements about"
        " the event: while one denies it, a reported or alleged event is disputed, unless"
        " certainty_set_by_hand. Written, the certainty its own sources give it; a write"
        " that sends the certainty the event shows keeps the one it was given.",
        required=True,
        example="alleged",
    )
    certainty_set_by_hand = f.boolean(
        "Whether certainty is exactly what was written, whatever the statements about the"
        " event say; false: it follows them.",
        load_default=False,
        example=False,
    )
    fatalities = f.nested(
        EstimateSchema,
        "People killed: low, best and high estimates, and how many were civilians."
        " Derived from the reports unless figures_set_by_hand.",
        allow_none=True,
    )
    injuries = f.nested(
        EstimateSchema,
        "People injured: low, best and high estimates, and how many were civilians."
        " Derived from the reports unless figures_set_by_hand.",
        allow_none=True,
    )
    figures_set_by_hand = f.boolean(
        "Whether fatalities and injuries are as written rather than derived from the"
        f" reports. {FIGURES_RULE} While false, the figures a write sends are replaced by"
        " the derived ones. Left out of a write, true when it gives fatalities or injuries"
        " other than null (as clients wrote before reports), false otherwise.",
        example=False,
    )
    source_count = fields.Integer(
        dump_only=True,
        metadata={"description": "How many sources report it: its reports.", "example": 2},
    )
    notes = f.text(
        "Editorial notes: ambiguities or apparent errors in the sources.",
        max_length=f.LONG_TEXT,
        allow_none=True,
    )
    reports = f.nested_list(
        EventReportSchema,
        "The sources that report it, one report each: its quotes and what it says."
        " A write gives reports or citations (or both, as read).",
    )
    citations = f.nested_list(
        CitationSchema,
        "Every report's quotes in one list, each with its source: derived from reports,"
        " and taken on a write as one report per source quoted, whose figures and dates"
        " stay as stored (for clients that predate reports).",
    )

    @ma.validates_schema
    def consistent(self, data, partial=False, **kwargs):
        if partial:
            return
        end_date = data.get("end_date")
        if end_date is not None and end_date < data["start_date"]:
            raise ma.ValidationError(
                Message("before_start", "Must not be before start_date."), "end_date"
            )
        mode = data.get("mode")
        if mode is not None and mode not in PLOVER_MODES[data["event_type"]]:
            allowed = ", ".join(PLOVER_MODES[data["event_type"]]) or "none"
            raise ma.ValidationError(
                Message(
                    "mode_not_of_type",
                    f"Not a mode of {data['event_type']} (its modes: {allowed}).",
                ),
                "mode",
            )
        seen = set()
        for index, participant in enumerate(data.get("participants") or ()):
            key = (participant["actor_id"], participant["role"])
            if key in seen:
                listed = Message("duplicate", "This actor is already listed in this role.")
                raise ma.ValidationError({str(index): {"actor_id": [listed]}}, "participants")
            seen.add(key)

    @ma.pre_load
    def figures_flag(self, data, partial=False, **kwargs):
        if not partial and isinstance(data, dict) and "figures_set_by_hand" not in data:
            given = any(data.get(name) is not None for name in FIGURES)
            data = {**data, "figures_set_by_hand": given}
        return data

    @ma.post_load
    def complete(self, data, partial=False, **kwargs):
        if partial:
            return data
        if data.get("end_date") is None:
            data["end_date"] = data["start_date"]
        self.reported(data)
        derive_figures(data)
        return data


def derive_figures(event):
    """Set the event's source_count, and its figures unless they are set by hand."""
    event["source_count"] = len(event["reports"])
    if not event["figures_set_by_hand"]:
        event.update(derived_figures(event["reports"]))



class EventFiltersSchema(ma.Schema):
    """Which events: the filters that lists, exports and statistics of events share."""

    class Meta:
        unknown = ma.RAISE

    date_from = f.date(
        "Only events that last until this day or later (their dates overlap the range).",
        example="2020-09-27",
    )
    date_to = f.date(
        "Only events that began on this day or earlier (their dates overlap the range).",
        example="2020-09-30",
    )
    event_type = query.words(EVENT_TYPES, "Only events of this PLOVER type.", "ASSAULT,COERCE")
    mode = query.words(EVENT_MODES, "Only events of this PLOVER mode.", "heavy-weapons")
    certainty = query.words(CERTAINTIES, "Only events this certain.", "alleged,disputed")
    certainty_set_by_hand = fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: only events whose certainty was set by hand;"
            " false: only those whose certainty follows the statements about them.",
            "example": "true",
        },
    )
    reported_as = query.words(
        REPORTED_AS,
        "Only events the source tells so (event, background, scene). Given, it also says what"
        " maps (format=geojson) and statistics count, instead of include.",
        "background,scene",
    )
    include = query.words(
        SET_APART,
        "Maps (format=geojson), timelines and statistics count only ordinary events"
        " (reported_as=event): include background, scenes or both as well. Lists in JSON"
        " and CSV keep every event whatever this says.",
        "background,scene",
    )
    actor_id = query.uuids("Only events this actor takes part in, in any role.")
    initiator_id = query.uuids("Only events this actor initiated.")
    target_id = query.uuids("Only events this actor was the target of.")
    country = query.one_or_more(
        f.country("An ISO 3166-1 alpha-3 code."),
        "Only events at a location in this country (ISO 3166-1 alpha-3).",
        "AZE",
    )
    location_id = query.uuids("Only events at this location or any place inside it.")
    bbox = query.bbox("Only events at a location inside min_lon,min_lat,max_lon,max_lat (WGS 84).")
    near = query.near("Only events at a location within radius_km of lat,lon.")
    radius_km = query.radius_km()
    fatalities_min = query.at_least("Only events whose low estimate of deaths is at least this.")
    injuries_min = query.at_least("Only events whose low estimate of injuries is at least this.")
    source_id = query.uuids("Only events this source reports.")
    min_sources = query.at_least(
        "Only events reported by at least this many sources (source_count).", example=2
    )
    q = query.search_text(
        "Full-text search (English stemming) over titles, summaries and cited quotes;"
        " ranked best first by sort=relevance, the default with q when paging by page"
        " (keyset paging keeps the date order). A q that names actors or places (by a"
        " name or an alias, a typo tolerated: Terter, Pashinian) also finds what says"
        " their other names, and the events at those places or with those actors.",
        "shelling Tartar",
        pooled=True,
    )

    @ma.validates_schema
    def consistent_filters(self, data, **kwargs):
        query.check_near(data)
        query.check_range(data, "date_from", "date_to")


class EventQueryArgsSchema(query.ListArgsSchema, EventFiltersSchema):
    """Which events to list, in what order and shape."""

    SORTS = {
        "start_date": query.Sort("date"),
        "end_date": query.Sort("date"),
        "created_at": query.Sort("timestamptz"),
        "updated_at": query.Sort("timestamptz"),
        "title": query.Sort("text"),
        "relevance": query.Sort("real"),
    }
    DEFAULT_SORT = "-start_date"
    FIELDS = tuple(EventSchema().fields)

    format = query.format_of(("json", "geojson", "csv"))
    profile = fields.String(
        validate=validate.OneOf(("flat",)),
        metadata={
            "description": "A CSV in other columns: implies format=csv, and refuses (422)"
            " another format. flat: one row per event in the columns of ACLED and UCDP GED"
            " (event_date, actor1, actor2, country, admin1, admin2, time_precision,"
            " geo_precision, date_prec, where_prec, fatalities_low/best/high,"
            " source_count...); README, 'Analyst outputs', gives every column and code.",
            "example": "flat",
        },
    )

    @ma.validates_schema
    def exported_whole(self, data, **kwargs):
        query.check_profile(data)
        query.check_export(data)
