"""Statements: what actors said, to whom, about which events, on whose report."""

import uuid

from flask import url_for
from flask.views import MethodView
from psycopg import sql

from api import actors, events, formats, render
from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.query import Conditions, export_query, list_records
from api.records import (
    Problems,
    check_exist,
    citations_json,
    exists,
    insert_citations,
    locate_quotes,
    merge_patch,
)
from schemas.statements import StatementPatchSchema, StatementQueryArgsSchema, StatementSchema

blp = Blueprint(
    "statements",
    __name__,
    url_prefix="/v1/statements",
    description="What actors said: claims, accusations, denials, appeals and quotes.",
)

# One row per statement with its speaker, addressees, events and citations embedded.
COLUMNS = """
    s.id, s.speaker_id,
        (SELECT json_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
                'country', a.country)
            FROM actors a WHERE a.id = s.speaker_id) AS speaker,
        s.text, s.is_direct_quote, s.statement_type, s.stated_on, s.date_precision, s.medium,
        COALESCE((SELECT json_agg(json_build_object('id', a.id, 'name', a.name,
                'kind', a.kind, 'country', a.country) ORDER BY sa.position)
            FROM statement_addressees sa JOIN actors a ON a.id = sa.actor_id
            WHERE sa.statement_id = s.id), '[]') AS addressees,
        COALESCE((SELECT array_agg(sa.actor_id ORDER BY sa.position)
            FROM statement_addressees sa WHERE sa.statement_id = s.id), '{}') AS addressee_ids,
        COALESCE((SELECT json_agg(json_build_object('event_id', se.event_id,
                'event', json_build_object('id', e.id, 'title', e.title,
                    'event_type', e.event_type, 'start_date', e.start_date,
                    'certainty', e.certainty),
                'stance', se.stance) ORDER BY se.position)
            FROM statement_events se JOIN events e ON e.id = se.event_id
            WHERE se.statement_id = s.id), '[]') AS events,
        s.notes,
        COALESCE((SELECT json_agg(json_build_object('source_id', c.source_id,
                'source', json_build_object('id', src.id, 'title', src.title),
                'quote', c.quote, 'start', c.start_offset, 'end', c.end_offset)
                ORDER BY c.position)
            FROM citations c JOIN sources src ON src.id = c.source_id
            WHERE c.statement_id = s.id), '[]') AS citations,
        s.created_at, s.updated_at
"""
SELECT_STATEMENTS = "SELECT " + COLUMNS + " FROM statements s"
ACTOR_SUMMARY = render.columns("a", ("id", *actors.SUMMARY_FIELDS))
# The same, as the JSON text the API sends (api/render.py), for lists.
JSON_MEMBERS = [
    *render.record_members("s"),
    ("speaker_id", "s.speaker_id"),
    ("speaker", render.nested_object(ACTOR_SUMMARY, "actors a WHERE a.id = s.speaker_id")),
    ("text", "s.text"),
    ("is_direct_quote", "s.is_direct_quote"),
    ("statement_type", "s.statement_type"),
    ("stated_on", "s.stated_on"),
    ("date_precision", "s.date_precision"),
    ("medium", "s.medium"),
    (
        "addressees",
        render.nested_list(
            ACTOR_SUMMARY,
            "statement_addressees sa JOIN actors a ON a.id = sa.actor_id"
            " WHERE sa.statement_id = s.id",
            "sa.position",
        ),
    ),
    (
        "addressee_ids",
        "COALESCE((SELECT array_agg(sa.actor_id ORDER BY sa.position)"
        " FROM statement_addressees sa WHERE sa.statement_id = s.id), '{}')",
    ),
    (
        "events",
        render.nested_list(
            [
                ("event_id", "se.event_id"),
                (
                    "event",
                    render.nested_object(render.columns("e", ("id", *events.SUMMARY_FIELDS))),
                ),
                ("stance", "se.stance"),
            ],
            "statement_events se JOIN events e ON e.id = se.event_id WHERE se.statement_id = s.id",
            "se.position",
        ),
    ),
    ("notes", "s.notes"),
    ("citations", citations_json("statement_id", "s.id")),
]
# What a list selects besides the JSON: the values its keyset cursors are made of.
SORT_COLUMNS = "s.id, s.stated_on, s.created_at, s.updated_at"
WRITE_STATEMENT = """
    INSERT INTO statements (id, speaker_id, text, is_direct_quote, statement_type, stated_on,
        date_precision, medium, notes)
    VALUES (%(id)s, %(speaker_id)s, %(text)s, %(is_direct_quote)s, %(statement_type)s,
        %(stated_on)s, %(date_precision)s, %(medium)s, %(notes)s)
    ON CONFLICT (id) DO UPDATE SET speaker_id = EXCLUDED.speaker_id, text = EXCLUDED.text,
        is_direct_quote = EXCLUDED.is_direct_quote, statement_type = EXCLUDED.statement_type,
        stated_on = EXCLUDED.stated_on, date_precision = EXCLUDED.date_precision,
        medium = EXCLUDED.medium, notes = EXCLUDED.notes, updated_at = now()
"""
FIELDS = (
    "speaker_id",
    "text",
    "is_direct_quote",
    "statement_type",
    "stated_on",
    "date_precision",
    "medium",
    "notes",
)


def fetch(conn, statement_id, *, lock=False):
    if lock and not exists(conn, "statements", statement_id, lock=True):
        return None
    return conn.execute(SELECT_STATEMENTS + " WHERE s.id = %(id)s", {"id": statement_id}).fetchone()


UPDATE_SEARCH = """
    UPDATE statements s SET search = eventdata_event_search(s.text, s.medium,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.statement_id = s.id))
    WHERE s.id = %(id)s
"""

# Filters that are one condition on one parameter of the same name.
SIMPLE_FILTERS = {
    "speaker_id": "s.speaker_id = ANY(%(speaker_id)s)",
    "addressee_id": "s.id IN (SELECT sa.statement_id FROM statement_addressees sa"
    " WHERE sa.actor_id = ANY(%(addressee_id)s))",
    "statement_type": "s.statement_type = ANY(%(statement_type)s)",
    "is_direct_quote": "s.is_direct_quote = %(is_direct_quote)s",
    "date_from": "s.stated_on >= %(date_from)s",
    "date_to": "s.stated_on <= %(date_to)s",
    "q": "s.search @@ websearch_to_tsquery('english', %(q)s)",
    "updated_since": "s.updated_at >= %(updated_since)s",
}
# About events: event_id and stance hold of the same link between statement and event.
ABOUT_EVENTS = "s.id IN (SELECT se.statement_id FROM statement_events se WHERE {})"
EVENT_IN = "se.event_id = ANY(%({})s)"
STANCE_IN = "se.stance = ANY(%({})s)"


def about_events(where, events_param, event_ids, stances_param, stances):
    """Add: statements about any of `event_ids` (if given) with any of `stances` (if given)."""
    tests, params = [], {}
    if event_ids is not None:
        tests.append(EVENT_IN.format(events_param))
        params[events_param] = event_ids
    if stances is not None:
        tests.append(STANCE_IN.format(stances_param))
        params[stances_param] = stances
    where.add(ABOUT_EVENTS.format(" AND ".join(tests)), **params)


def conditions(args, where=None):
    """The SQL conditions for the filters in `args` (a StatementQueryArgsSchema load)."""
    where = where or Conditions()
    for name, clause in SIMPLE_FILTERS.items():
        if name in args:
            where.add(clause, **{name: args[name]})
    if "event_id" in args or "stance" in args:
        about_events(where, "event_id", args.get("event_id"), "stance", args.get("stance"))
    return where


RANK = sql.SQL("ts_rank_cd(s.search, websearch_to_tsquery('english', %(q)s))")


# The columns of a CSV export: one row per statement, lists joined with "; ".
EXPORT_COLUMNS = [
    ("id", lambda s: s["id"]),
    ("speaker_id", lambda s: s["speaker_id"]),
    ("speaker", lambda s: s["speaker"]["name"]),
    ("text", lambda s: s["text"]),
    ("is_direct_quote", lambda s: s["is_direct_quote"]),
    ("statement_type", lambda s: s["statement_type"]),
    ("stated_on", lambda s: s["stated_on"]),
    ("date_precision", lambda s: s["date_precision"]),
    ("medium", lambda s: s["medium"]),
    ("addressees", lambda s: formats.joined(a["name"] for a in s["addressees"])),
    ("event_ids", lambda s: formats.joined(e["event_id"] for e in s["events"])),
    (
        "events",
        lambda s: formats.joined(f"{e['event']['title']} ({e['stance']})" for e in s["events"]),
    ),
    ("source_ids", lambda s: formats.joined(dict.fromkeys(c["source_id"] for c in s["citations"]))),
    ("quotes", lambda s: formats.joined(c["quote"] for c in s["citations"])),
    ("notes", lambda s: s["notes"]),
    ("created_at", lambda s: s["created_at"]),
    ("updated_at", lambda s: s["updated_at"]),
]


def respond(args, where=None):
    """The statements `args` select, as JSON or a CSV export."""

    def export():
        query, params = export_query(
            columns=COLUMNS,
            source="statements s",
            conditions=conditions(args, where),
            args=args,
            schema_cls=StatementQueryArgsSchema,
            alias="s",
            rank=RANK,
        )
        return query, params, EXPORT_COLUMNS, "statements.csv"

    return formats.respond(
        blp,
        args,
        schema=StatementSchema,
        allowed=("json", "csv"),
        list_page=lambda conn, args: list_statements(conn, args, where),
        json_page=lambda conn, args: list_statements(conn, args, where, rendered=True),
        export=export,
    )


def list_statements(conn, args, where=None, *, rendered=False):
    """One page of the statements `args` select (plus any `where` conditions).

    `rendered`: each statement as the JSON text the API sends (its `json`).
    """
    columns = COLUMNS
    if rendered:
        columns = render.list_columns(SORT_COLUMNS, JSON_MEMBERS, args.get("fields_"))
    return list_records(
        conn,
        columns=columns,
        rendered=rendered,
        source="statements s",
        conditions=conditions(args, where),
        args=args,
        schema_cls=StatementQueryArgsSchema,
        alias="s",
        rank=RANK,
        recent="coalesce(s.stated_on, '-infinity') DESC, s.id DESC",
    )


def write(conn, statement, *, statement_id=None):
    """Create the statement, or replace it when `statement_id` exists; return it as stored."""
    statement_id = statement_id or uuid.uuid4()
    problems = Problems()
    check_exist(
        conn,
        problems,
        "actors",
        [("speaker_id", statement["speaker_id"])]
        + [
            (f"addressee_ids.{index}", actor_id)
            for index, actor_id in enumerate(statement["addressee_ids"])
        ],
        "actor",
    )
    check_exist(
        conn,
        problems,
        "events",
        [
            (f"events.{index}.event_id", about["event_id"])
            for index, about in enumerate(statement["events"])
        ],
        "event",
    )
    citations = locate_quotes(conn, problems, statement["citations"])
    problems.raise_any()

    conn.execute(
        WRITE_STATEMENT, {"id": statement_id, **{name: statement.get(name) for name in FIELDS}}
    )
    for table in ("statement_addressees", "statement_events", "citations"):
        conn.execute(f"DELETE FROM {table} WHERE statement_id = %(id)s", {"id": statement_id})
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO statement_addressees (statement_id, position, actor_id)"
            " VALUES (%(statement_id)s, %(position)s, %(actor_id)s)",
            [
                {"statement_id": statement_id, "position": position, "actor_id": actor_id}
                for position, actor_id in enumerate(statement["addressee_ids"])
            ],
        )
        cursor.executemany(
            "INSERT INTO statement_events (statement_id, position, event_id, stance)"
            " VALUES (%(statement_id)s, %(position)s, %(event_id)s, %(stance)s)",
            [
                {"statement_id": statement_id, "position": position, **about}
                for position, about in enumerate(statement["events"])
            ],
        )
    insert_citations(conn, "statement_id", statement_id, citations)
    conn.execute(UPDATE_SEARCH, {"id": statement_id})
    return fetch(conn, statement_id)


def delete(conn, statement_id):
    conn.execute("DELETE FROM statements WHERE id = %(id)s", {"id": statement_id})


# Statements seen from another record: /v1/events/{id}/statements, /v1/actors/{id}/statements.
related_blp = Blueprint(
    "related_statements",
    __name__,
    url_prefix="/v1",
    description="The statements about an event or made by an actor.",
)


@blp.route("")
class Statements(MethodView):
    @blp.etag
    @blp.arguments(StatementQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, StatementSchema(many=True))
    @blp.doc(**formats.alternatives_doc("csv"))
    @blp.listing()
    def get(self, args):
        """List statements, latest first, filtered, searched and sorted as asked.

        ---
        Also a streamed CSV export of every match (format=csv or Accept: text/csv).
        """
        return respond(args)

    @blp.etag
    @blp.arguments(StatementSchema)
    @blp.response(201, StatementSchema)
    @blp.errors(422)
    def post(self, statement):
        """Create a statement with its addressees, events and citations."""
        with get_db().transaction() as conn:
            created = write(conn, statement)
        created_at(url_for("statements.StatementById", statement_id=created["id"]))
        return created


@blp.route("/<uuid:statement_id>")
class StatementById(MethodView):
    @blp.etag
    @blp.response(200, StatementSchema)
    @blp.errors(404)
    def get(self, statement_id):
        """Get a statement."""
        with get_db().single_statement() as conn:
            return fetch(conn, statement_id) or not_found("statement", statement_id)

    @blp.etag
    @blp.arguments(StatementSchema)
    @blp.response(200, StatementSchema)
    @blp.errors(404, 412, 422)
    def put(self, statement, statement_id):
        """Replace a statement, its addressees, events and citations."""
        with get_db().transaction() as conn:
            current = fetch(conn, statement_id, lock=True) or not_found("statement", statement_id)
            blp.check_etag(current, StatementSchema)
            return write(conn, statement, statement_id=statement_id)

    @blp.etag
    @blp.arguments(StatementPatchSchema(partial=True))
    @blp.response(200, StatementSchema)
    @blp.errors(404, 412, 422)
    def patch(self, changes, statement_id):
        """Change some fields of a statement; a list given replaces the whole list."""
        with get_db().transaction() as conn:
            current = fetch(conn, statement_id, lock=True) or not_found("statement", statement_id)
            blp.check_etag(current, StatementSchema)
            return write(
                conn, merge_patch(StatementSchema(), current, changes), statement_id=statement_id
            )

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 412)
    def delete(self, statement_id):
        """Delete a statement."""
        with get_db().transaction() as conn:
            current = fetch(conn, statement_id, lock=True) or not_found("statement", statement_id)
            blp.check_etag(current, StatementSchema)
            delete(conn, statement_id)


@related_blp.route("/events/<uuid:event_id>/statements", tags=["statements"])
class EventStatements(MethodView):
    @related_blp.etag
    @related_blp.arguments(StatementQueryArgsSchema, location="query", as_kwargs=False)
    @related_blp.response(200, StatementSchema(many=True))
    @related_blp.doc(**formats.alternatives_doc("csv"))
    @related_blp.errors(404)
    @related_blp.listing()
    def get(self, args, event_id):
        """List the statements about an event; takes the filters of /v1/statements.

        ---
        With stance, only statements taking that stance towards this event.
        """
        with get_db().transaction() as conn:
            if not exists(conn, "events", event_id):
                not_found("event", event_id)
        where = Conditions()
        about_events(where, "of_event", [event_id], "of_event_stance", args.get("stance"))
        return respond(args, where)


@related_blp.route("/actors/<uuid:actor_id>/statements", tags=["statements"])
class ActorStatements(MethodView):
    @related_blp.etag
    @related_blp.arguments(StatementQueryArgsSchema, location="query", as_kwargs=False)
    @related_blp.response(200, StatementSchema(many=True))
    @related_blp.doc(**formats.alternatives_doc("csv"))
    @related_blp.errors(404)
    @related_blp.listing()
    def get(self, args, actor_id):
        """List the statements an actor made; takes the filters of /v1/statements."""
        with get_db().transaction() as conn:
            if not exists(conn, "actors", actor_id):
                not_found("actor", actor_id)
        where = Conditions()
        where.add("s.speaker_id = %(of_actor)s", of_actor=actor_id)
        return respond(args, where)
