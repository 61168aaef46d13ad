"""Events: what happened, with its participants, place and citations."""

import uuid

from flask import url_for
from flask.views import MethodView

from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.records import (
    Problems,
    check_exist,
    insert_citations,
    locate_quotes,
    lock_row,
    merge_patch,
    page_window,
    refuse_if_referenced,
)
from schemas.events import EventPatchSchema, EventSchema

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="What happened, when, where, to whom, and on whose word.",
)

# One row per event, with its location, participants and citations embedded,
# so a page of events is one query.
SELECT_EVENTS = """
    SELECT e.id, e.title, e.summary, e.event_type, e.mode, e.start_date, e.end_date,
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
    FROM events e
"""
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


def fetch(conn, event_id, *, lock=False):
    if lock and not lock_row(conn, "events", event_id):
        return None
    return conn.execute(SELECT_EVENTS + " WHERE e.id = %(id)s", {"id": event_id}).fetchone()


def count(conn):
    return conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"]


def list_page(conn, *, limit, offset):
    query = SELECT_EVENTS + " ORDER BY e.start_date DESC, e.id LIMIT %(limit)s OFFSET %(offset)s"
    return conn.execute(query, {"limit": limit, "offset": offset}).fetchall()


def write(conn, event, *, event_id=None):
    """Create the event, or replace it when `event_id` exists; return it as stored."""
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
    return fetch(conn, event_id)


def delete(conn, event_id):
    refuse_if_referenced(conn, "event", REFERRERS, event_id)
    conn.execute("DELETE FROM events WHERE id = %(id)s", {"id": event_id})


@blp.route("")
class Events(MethodView):
    @blp.etag
    @blp.response(200, EventSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List events, latest first."""
        with get_db().transaction() as conn:
            pagination_parameters.item_count = count(conn)
            return list_page(conn, **page_window(pagination_parameters))

    @blp.etag
    @blp.arguments(EventSchema)
    @blp.response(201, EventSchema)
    @blp.errors(422)
    def post(self, event):
        """Create an event with its participants and citations."""
        with get_db().transaction() as conn:
            created = write(conn, event)
        created_at(url_for("events.EventById", event_id=created["id"]))
        return created


@blp.route("/<uuid:event_id>")
class EventById(MethodView):
    @blp.etag
    @blp.response(200, EventSchema)
    @blp.errors(404)
    def get(self, event_id):
        """Get an event."""
        with get_db().transaction() as conn:
            return fetch(conn, event_id) or not_found("event", event_id)

    @blp.etag
    @blp.arguments(EventSchema)
    @blp.response(200, EventSchema)
    @blp.errors(404, 412, 422)
    def put(self, event, event_id):
        """Replace an event, its participants and its citations."""
        with get_db().transaction() as conn:
            current = fetch(conn, event_id, lock=True) or not_found("event", event_id)
            blp.check_etag(current, EventSchema)
            return write(conn, event, event_id=event_id)

    @blp.etag
    @blp.arguments(EventPatchSchema(partial=True))
    @blp.response(200, EventSchema)
    @blp.errors(404, 412, 422)
    def patch(self, changes, event_id):
        """Change some fields of an event; a list given replaces the whole list."""
        with get_db().transaction() as conn:
            current = fetch(conn, event_id, lock=True) or not_found("event", event_id)
            blp.check_etag(current, EventSchema)
            return write(conn, merge_patch(EventSchema(), current, changes), event_id=event_id)

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 409, 412)
    def delete(self, event_id):
        """Delete an event that no statement is about."""
        with get_db().transaction() as conn:
            current = fetch(conn, event_id, lock=True) or not_found("event", event_id)
            blp.check_etag(current, EventSchema)
            delete(conn, event_id)
