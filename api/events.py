"""Events: what happened, with its participants, place and citations."""

import uuid

from flask import url_for
from flask.views import MethodView
from psycopg import sql

from api import actors, formats, geo, locations, render
from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.query import Conditions, Driver, export_query, list_records
from api.records import (
    Problems,
    check_exist,
    citations_json,
    exists,
    insert_citations,
    locate_quotes,
    merge_patch,
    refuse_if_referenced,
    summary,
    touch_embedders,
)
from schemas.events import EventPatchSchema, EventQueryArgsSchema, EventSchema

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="What happened, when, where, to whom, and on whose word.",
)

# One row per event, with its location, participants and citations embedded,
# so a page of events is one query.
COLUMNS = """
    e.id, e.title, e.summary, e.event_type, e.mode, e.start_date, e.end_date,
        e.date_precision, e.location_id,
        (SELECT json_build_object('id', l.id, 'name', l.name, 'kind', l.kind,
                'country', l.country, 'latitude', l.latitude, 'longitude', l.longitude)
            FROM locations l WHERE l.id = e.location_id) AS location,
        COALESCE((SELECT json_agg(json_build_object('actor_id', p.actor_id,
                'actor', json_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
                    'country', a.country),
                'role', p.role) ORDER BY p.position)
            FROM event_participants p JOIN actors a ON a.id = p.actor_id
            WHERE p.event_id = e.id), '[]') AS participants,
        e.certainty,
        CASE WHEN e.fatalities_low IS NOT NULL THEN
            json_build_object('low', e.fatalities_low, 'high', e.fatalities_high) END
            AS fatalities,
        CASE WHEN e.injuries_low IS NOT NULL THEN
            json_build_object('low', e.injuries_low, 'high', e.injuries_high) END AS injuries,
        e.notes,
        COALESCE((SELECT json_agg(json_build_object('source_id', c.source_id,
                'source', json_build_object('id', s.id, 'title', s.title),
                'quote', c.quote, 'start', c.start_offset, 'end', c.end_offset)
                ORDER BY c.position)
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id = e.id), '[]') AS citations,
        e.created_at, e.updated_at
"""
SELECT_EVENTS = "SELECT " + COLUMNS + " FROM events e"
# The same, as the JSON text the API sends (api/render.py): EventSchema's
# fields in its order, each as marshmallow would write it.
JSON_MEMBERS = [
    *render.record_members("e"),
    ("title", "e.title"),
    ("summary", "e.summary"),
    ("event_type", "e.event_type"),
    ("mode", "e.mode"),
    ("start_date", "e.start_date"),
    ("end_date", "e.end_date"),
    ("date_precision", "e.date_precision"),
    ("location_id", "e.location_id"),
    (
        "location",
        render.nested_object(
            locations.summary_members("l"), "locations l WHERE l.id = e.location_id"
        ),
    ),
    (
        "participants",
        render.nested_list(
            [
                ("actor_id", "p.actor_id"),
                (
                    "actor",
                    render.nested_object(render.columns("a", ("id", *actors.SUMMARY_FIELDS))),
                ),
                ("role", "p.role"),
            ],
            "event_participants p JOIN actors a ON a.id = p.actor_id WHERE p.event_id = e.id",
            "p.position",
        ),
    ),
    ("certainty", "e.certainty"),
    (
        "fatalities",
        "CASE WHEN e.fatalities_low IS NOT NULL THEN "
        + render.nested_object([("low", "e.fatalities_low"), ("high", "e.fatalities_high")])
        + " END",
    ),
    (
        "injuries",
        "CASE WHEN e.injuries_low IS NOT NULL THEN "
        + render.nested_object([("low", "e.injuries_low"), ("high", "e.injuries_high")])
        + " END",
    ),
    ("notes", "e.notes"),
    ("citations", citations_json("event_id", "e.id")),
]
# What a list selects besides the JSON: the values its keyset cursors are made of.
SORT_COLUMNS = "e.id, e.start_date, e.end_date, e.created_at, e.updated_at, e.title"
# What statements embed of an event, and the statements that embed it.
SUMMARY_FIELDS = ("title", "event_type", "start_date", "certainty")
EMBEDDED_IN = (
    "UPDATE statements SET updated_at = now()"
    " WHERE id IN (SELECT statement_id FROM statement_events WHERE event_id = %(id)s)",
)
REFERRERS = """
    SELECT DISTINCT 'statement' AS kind, statement_id AS id FROM statement_events
    WHERE event_id = %(id)s ORDER BY id LIMIT 100
"""
WRITE_EVENT = """
    INSERT INTO events (id, title, summary, event_type, mode, start_date, end_date,
        date_precision, location_id, certainty, fatalities_low, fatalities_high,
        injuries_low, injuries_high, notes)
    VALUES (%(id)s, %(title)s, %(summary)s, %(event_type)s, %(mode)s, %(start_date)s,
        %(end_date)s, %(date_precision)s, %(location_id)s, %(certainty)s, %(fatalities_low)s,
        %(fatalities_high)s, %(injuries_low)s, %(injuries_high)s, %(notes)s)
    ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, summary = EXCLUDED.summary,
        event_type = EXCLUDED.event_type, mode = EXCLUDED.mode,
        start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
        date_precision = EXCLUDED.date_precision, location_id = EXCLUDED.location_id,
        certainty = EXCLUDED.certainty, fatalities_low = EXCLUDED.fatalities_low,
        fatalities_high = EXCLUDED.fatalities_high, injuries_low = EXCLUDED.injuries_low,
        injuries_high = EXCLUDED.injuries_high, notes = EXCLUDED.notes, updated_at = now()
"""


UPDATE_SEARCH = """
    UPDATE events e SET search = eventdata_event_search(e.title, e.summary,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.event_id = e.id))
    WHERE e.id = %(id)s
"""


def fetch(conn, event_id, *, lock=False):
    if lock and not exists(conn, "events", event_id, lock=True):
        return None
    return conn.execute(SELECT_EVENTS + " WHERE e.id = %(id)s", {"id": event_id}).fetchone()


FETCH_JSON = (
    "SELECT " + render.json_object(JSON_MEMBERS) + " AS json FROM events e WHERE e.id = %(id)s"
)


def fetch_json(conn, event_id):
    """The event as the API sends it (JSON text), or None."""
    row = conn.execute(FETCH_JSON, {"id": event_id}).fetchone()
    return row["json"] if row else None


# Filters that are one condition on one parameter of the same name.
SIMPLE_FILTERS = {
    "event_type": "e.event_type = ANY(%(event_type)s)",
    "mode": "e.mode = ANY(%(mode)s)",
    "certainty": "e.certainty = ANY(%(certainty)s)",
    "country": "e.location_id IN (SELECT l.id FROM locations l WHERE l.country = ANY(%(country)s))",
    "fatalities_min": "e.fatalities_low >= %(fatalities_min)s",
    "injuries_min": "e.injuries_low >= %(injuries_min)s",
    "source_id": "e.id IN (SELECT c.event_id FROM citations c"
    " WHERE c.source_id = ANY(%(source_id)s) AND c.event_id IS NOT NULL)",
    "q": "e.search @@ websearch_to_tsquery('english', %(q)s)",
    "updated_since": "e.updated_at >= %(updated_since)s",
}
# The actor filters: which participants an event must have, by parameter.
PARTICIPANT_FILTERS = {
    "actor_id": "p.actor_id = ANY(%(actor_id)s)",
    "initiator_id": "p.actor_id = ANY(%(initiator_id)s) AND p.role = 'initiator'",
    "target_id": "p.actor_id = ANY(%(target_id)s) AND p.role = 'target'",
}
# A participant carries its event's dates (migration 0005), so that an actor's
# events in a date range come from one index, event_participants_actor_dates_idx,
# rather than from all of the actor's events checked against their dates.
PARTICIPANT_DATES = (
    "daterange(p.start_date, p.end_date, '[]')"
    " && daterange(%(date_from)s::date, %(date_to)s::date, '[]')"
)


def participants_clause(name, dated):
    """The condition of actor filter `name` on a participant `p`, with the dates if `dated`."""
    clause = PARTICIPANT_FILTERS[name]
    return f"{clause} AND {PARTICIPANT_DATES}" if dated else clause


def conditions(args, where=None):
    """The SQL conditions for the filters in `args` (an EventQueryArgsSchema load)."""
    where = where or Conditions()
    if args.get("date_from") or args.get("date_to"):
        where.add(
            "daterange(e.start_date, e.end_date, '[]')"
            " && daterange(%(date_from)s::date, %(date_to)s::date, '[]')",
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
        )
    # The bounds the overlap implies, spelt out: the planner estimates them
    # far better than the range operator, and picks the right index.
    if args.get("date_from"):
        where.add("e.end_date >= %(date_from)s", date_from=args["date_from"])
    if args.get("date_to"):
        where.add("e.start_date <= %(date_to)s", date_to=args["date_to"])
    for name, clause in SIMPLE_FILTERS.items():
        if name in args:
            where.add(clause, **{name: args[name]})
    dated = bool(args.get("date_from") or args.get("date_to"))
    for name in PARTICIPANT_FILTERS:
        if name in args:
            where.add(
                "e.id IN (SELECT p.event_id FROM event_participants p WHERE "
                + participants_clause(name, dated)
                + ")",
                **{name: args[name]},
            )
    if "location_id" in args:
        where.add("e.location_id IN (" + locations.INSIDE + ")", inside_ids=args["location_id"])
    if "bbox" in args:
        boxes, params = geo.in_boxes("l", geo.split_box(*args["bbox"]), "bbox")
        where.add(
            sql.SQL("e.location_id IN (SELECT l.id FROM locations l WHERE {})").format(boxes),
            **params,
        )
    if "near" in args:
        near, params = geo.within_radius("l", *args["near"], args["radius_km"])
        where.add(
            sql.SQL("e.location_id IN (SELECT l.id FROM locations l WHERE {})").format(near),
            **params,
        )
    return where


# Every filter conditions() applies.
FILTERS = {
    "date_from",
    "date_to",
    *SIMPLE_FILTERS,
    *PARTICIPANT_FILTERS,
    "location_id",
    "bbox",
    "near",
}


def lone_participant_filter(args):
    """The actor filter of `args` when it is their only filter besides the dates, else None."""
    given = FILTERS.intersection(args) - {"date_from", "date_to"}
    if len(given) == 1 and given <= PARTICIPANT_FILTERS.keys():
        return given.pop()
    return None


def participants_driver(args):
    """The Driver of a list filtered by one actor filter alone (and dates), in date order.

    "The events of these actors in this range", the commonest question, then
    finds its page and count among the actors' participations, which carry the
    dates, without reading an event that is not on the page.
    """
    name = lone_participant_filter(args)
    sort = args.get("sort") or EventQueryArgsSchema.DEFAULT_SORT
    if name is None or sort.removeprefix("-") != "start_date":
        return None
    dated = bool(args.get("date_from") or args.get("date_to"))
    where = Conditions()
    where.add(
        participants_clause(name, dated),
        **{name: args[name], "date_from": args.get("date_from"), "date_to": args.get("date_to")},
    )
    return Driver("event_participants p", "p.event_id", "p.start_date", where)


RANK = sql.SQL("ts_rank_cd(e.search, websearch_to_tsquery('english', %(q)s))")


# The columns of a CSV export: one row per event, lists joined with "; ".
EXPORT_COLUMNS = [
    ("id", lambda e: e["id"]),
    ("title", lambda e: e["title"]),
    ("summary", lambda e: e["summary"]),
    ("event_type", lambda e: e["event_type"]),
    ("mode", lambda e: e["mode"]),
    ("start_date", lambda e: e["start_date"]),
    ("end_date", lambda e: e["end_date"]),
    ("date_precision", lambda e: e["date_precision"]),
    ("certainty", lambda e: e["certainty"]),
    ("location_id", lambda e: e["location_id"]),
    ("location_name", lambda e: (e["location"] or {}).get("name")),
    ("location_country", lambda e: (e["location"] or {}).get("country")),
    ("latitude", lambda e: (e["location"] or {}).get("latitude")),
    ("longitude", lambda e: (e["location"] or {}).get("longitude")),
    ("initiators", lambda e: _names(e, "initiator")),
    ("targets", lambda e: _names(e, "target")),
    (
        "participants",
        lambda e: formats.joined(f"{p['actor']['name']} ({p['role']})" for p in e["participants"]),
    ),
    ("fatalities_low", lambda e: (e["fatalities"] or {}).get("low")),
    ("fatalities_high", lambda e: (e["fatalities"] or {}).get("high")),
    ("injuries_low", lambda e: (e["injuries"] or {}).get("low")),
    ("injuries_high", lambda e: (e["injuries"] or {}).get("high")),
    ("source_ids", lambda e: formats.joined(dict.fromkeys(c["source_id"] for c in e["citations"]))),
    ("quotes", lambda e: formats.joined(c["quote"] for c in e["citations"])),
    ("notes", lambda e: e["notes"]),
    ("created_at", lambda e: e["created_at"]),
    ("updated_at", lambda e: e["updated_at"]),
]


def _names(event, role):
    return formats.joined(p["actor"]["name"] for p in event["participants"] if p["role"] == role)


def respond(args, where=None):
    """The events `args` select, as JSON, GeoJSON or a CSV export."""

    def export():
        query, params = export_query(
            columns=COLUMNS,
            source="events e",
            conditions=conditions(args, where),
            args=args,
            schema_cls=EventQueryArgsSchema,
            alias="e",
            rank=RANK,
        )
        return query, params, EXPORT_COLUMNS, "events.csv"

    return formats.respond(
        blp,
        args,
        schema=EventSchema,
        allowed=("json", "geojson", "csv"),
        list_page=lambda conn, args: list_events(conn, args, where),
        json_page=lambda conn, args: list_events(conn, args, where, rendered=True),
        export=export,
        geometry=("location", lambda event: event.get("location")),
    )


def list_events(conn, args, where=None, *, rendered=False):
    """One page of the events `args` select (plus any `where` conditions).

    `rendered`: each event as the JSON text the API sends (its `json`).
    """
    columns = COLUMNS
    if rendered:
        columns = render.list_columns(SORT_COLUMNS, JSON_MEMBERS, args.get("fields_"))
    return list_records(
        conn,
        columns=columns,
        rendered=rendered,
        source="events e",
        conditions=conditions(args, where),
        args=args,
        schema_cls=EventQueryArgsSchema,
        alias="e",
        rank=RANK,
        recent="e.start_date DESC, e.id DESC",
        driver=participants_driver(args) if where is None else None,
    )


def write(conn, event, *, event_id=None):
    """Create the event, or replace it when `event_id` exists; return its id."""
    event_id = event_id or uuid.uuid4()
    problems = Problems()
    check_exist(
        conn, problems, "locations", [("location_id", event.get("location_id"))], "location"
    )
    check_exist(
        conn,
        problems,
        "actors",
        [
            (f"participants.{index}.actor_id", participant["actor_id"])
            for index, participant in enumerate(event["participants"])
        ],
        "actor",
    )
    citations = locate_quotes(conn, problems, event["citations"])
    problems.raise_any()
    before = summary(conn, "events", SUMMARY_FIELDS, event_id)

    fatalities = event.get("fatalities") or {}
    injuries = event.get("injuries") or {}
    conn.execute(
        WRITE_EVENT,
        {
            "id": event_id,
            **{
                name: event.get(name)
                for name in (
                    "title",
                    "summary",
                    "event_type",
                    "mode",
                    "start_date",
                    "end_date",
                    "date_precision",
                    "location_id",
                    "certainty",
                    "notes",
                )
            },
            "fatalities_low": fatalities.get("low"),
            "fatalities_high": fatalities.get("high"),
            "injuries_low": injuries.get("low"),
            "injuries_high": injuries.get("high"),
        },
    )
    conn.execute("DELETE FROM event_participants WHERE event_id = %(id)s", {"id": event_id})
    conn.execute("DELETE FROM citations WHERE event_id = %(id)s", {"id": event_id})
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO event_participants (event_id, position, actor_id, role)"
            " VALUES (%(event_id)s, %(position)s, %(actor_id)s, %(role)s)",
            [
                {"event_id": event_id, "position": position, **participant}
                for position, participant in enumerate(event["participants"])
            ],
        )
    insert_citations(conn, "event_id", event_id, citations)
    conn.execute(UPDATE_SEARCH, {"id": event_id})
    touch_embedders(conn, before, event, EMBEDDED_IN, event_id)
    return event_id


def delete(conn, event_id):
    refuse_if_referenced(conn, "event", REFERRERS, event_id)
    conn.execute("DELETE FROM events WHERE id = %(id)s", {"id": event_id})


# Events seen from another record: /v1/actors/{id}/events, /v1/locations/{id}/events.
related_blp = Blueprint(
    "related_events",
    __name__,
    url_prefix="/v1",
    description="The events of an actor or a place.",
)


@blp.route("")
class Events(MethodView):
    @blp.etag
    @blp.arguments(EventQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, EventSchema(many=True))
    @blp.doc(**formats.alternatives_doc("geojson", "csv"))
    @blp.listing()
    def get(self, args):
        """List events, latest first, filtered, searched and sorted as asked.

        ---
        Also GeoJSON (format=geojson or Accept: application/geo+json) and a
        streamed CSV export of every match (format=csv or Accept: text/csv).
        """
        return respond(args)

    @blp.etag
    @blp.arguments(EventSchema)
    @blp.response(201, EventSchema)
    @blp.errors(422)
    def post(self, event):
        """Create an event with its participants and citations."""
        with get_db().transaction() as conn:
            event_id = write(conn, event)
            body = fetch_json(conn, event_id)
        created_at(url_for("events.EventById", event_id=event_id))
        return render.response(body, 201)


@blp.route("/<uuid:event_id>")
class EventById(MethodView):
    @blp.etag
    @blp.response(200, EventSchema)
    @blp.errors(404)
    def get(self, event_id):
        """Get an event."""
        with get_db().single_statement() as conn:
            return render.response(fetch_json(conn, event_id) or not_found("event", event_id))

    @blp.etag
    @blp.arguments(EventSchema)
    @blp.response(200, EventSchema)
    @blp.errors(404, 412, 422)
    def put(self, event, event_id):
        """Replace an event, its participants and its citations."""
        with get_db().transaction() as conn:
            check_current(conn, event_id)
            return render.response(fetch_json(conn, write(conn, event, event_id=event_id)))

    @blp.etag
    @blp.arguments(EventPatchSchema(partial=True))
    @blp.response(200, EventSchema)
    @blp.errors(404, 412, 422)
    def patch(self, changes, event_id):
        """Change some fields of an event; a list given replaces the whole list."""
        with get_db().transaction() as conn:
            check_current(conn, event_id)
            merged = merge_patch(EventSchema(), fetch(conn, event_id), changes)
            return render.response(fetch_json(conn, write(conn, merged, event_id=event_id)))

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 409, 412)
    def delete(self, event_id):
        """Delete an event that no statement is about."""
        with get_db().transaction() as conn:
            check_current(conn, event_id)
            delete(conn, event_id)


def check_current(conn, event_id):
    """Lock the event for a write, or answer 404; answer 412 if If-Match names another version."""
    if not exists(conn, "events", event_id, lock=True):
        not_found("event", event_id)
    blp.check_etag_of_body(lambda: fetch_json(conn, event_id))


@related_blp.route("/actors/<uuid:actor_id>/events", tags=["events"])
class ActorEvents(MethodView):
    @related_blp.etag
    @related_blp.arguments(EventQueryArgsSchema, location="query", as_kwargs=False)
    @related_blp.response(200, EventSchema(many=True))
    @related_blp.doc(**formats.alternatives_doc("geojson", "csv"))
    @related_blp.errors(404)
    @related_blp.listing()
    def get(self, args, actor_id):
        """List the events an actor takes part in; takes the filters of /v1/events."""
        with get_db().transaction() as conn:
            if not exists(conn, "actors", actor_id):
                not_found("actor", actor_id)
        where = Conditions()
        dated = args.get("date_from") or args.get("date_to")
        where.add(
            "e.id IN (SELECT p.event_id FROM event_participants p WHERE p.actor_id = %(of_actor)s"
            + (f" AND {PARTICIPANT_DATES})" if dated else ")"),
            of_actor=actor_id,
        )
        return respond(args, where)


@related_blp.route("/locations/<uuid:location_id>/events", tags=["events"])
class LocationEvents(MethodView):
    @related_blp.etag
    @related_blp.arguments(EventQueryArgsSchema, location="query", as_kwargs=False)
    @related_blp.response(200, EventSchema(many=True))
    @related_blp.doc(**formats.alternatives_doc("geojson", "csv"))
    @related_blp.errors(404)
    @related_blp.listing()
    def get(self, args, location_id):
        """List the events at a place or anywhere inside it; takes the filters of /v1/events."""
        with get_db().transaction() as conn:
            if not exists(conn, "locations", location_id):
                not_found("location", location_id)
        where = Conditions()
        where.add(
            "e.location_id IN (" + locations.INSIDE.replace("inside_ids", "of_location") + ")",
            of_location=[location_id],
        )
        return respond(args, where)
