"""Statements in PostgreSQL: the Record, its filters, and a write with its links and citations."""

import uuid

from psycopg import sql

from api.resources.actors import store as actors
from api.resources.events import store as events
from api.store import render, reports
from api.store.citations import citations_json
from api.store.query import Conditions
from api.store.record import Record, column, columns, embedded, joined
from api.store.references import Problems, check_exist
from api.store.search import TextSearch, Tie
from schemas.statements import StatementQueryArgsSchema

ACTOR_SUMMARY = actors.summary_members("a")
# About events: event_id and stance hold of the same link between statement and event.
ABOUT_EVENTS = "s.id IN (SELECT se.statement_id FROM statement_events se WHERE {})"


def about_events(where, events_param, event_ids, stances_param, stances):
    """Add: statements about any of `event_ids` (if given) with any of `stances` (if given)."""
    tests, params = [], {}
    if event_ids is not None:
        tests.append(sql.SQL("se.event_id = ANY({})").format(sql.Placeholder(events_param)))
        params[events_param] = event_ids
    if stances is not None:
        tests.append(sql.SQL("se.stance = ANY({})").format(sql.Placeholder(stances_param)))
        params[stances_param] = stances
    where.add(sql.SQL(ABOUT_EVENTS).format(sql.SQL(" AND ").join(tests)), **params)


def more_conditions(args, where):
    if "event_id" in args or "stance" in args:
        about_events(where, "event_id", args.get("event_id"), "stance", args.get("stance"))


RECORD = Record(
    kind="statement",
    table="statements",
    alias="s",
    members=[
        column("s", "speaker_id"),
        embedded(
            "speaker",
            render.nested_object(ACTOR_SUMMARY, "actors a WHERE a.id = s.speaker_id"),
            csv=[("speaker", lambda statement: statement["speaker"]["name"])],
        ),
        *columns(
            "s",
            "text",
            "is_direct_quote",
            "statement_type",
            "stated_on",
            "date_precision",
            "medium",
        ),
        embedded(
            "addressees",
            render.nested_list(
                ACTOR_SUMMARY,
                "statement_addressees sa JOIN actors a ON a.id = sa.actor_id"
                " WHERE sa.statement_id = s.id",
                "sa.position",
            ),
            csv=[
                (
                    "addressees",
                    lambda statement: joined(a["name"] for a in statement["addressees"]),
                )
            ],
        ),
        embedded(
            "addressee_ids",
            "COALESCE((SELECT array_agg(sa.actor_id ORDER BY sa.position)"
            " FROM statement_addressees sa WHERE sa.statement_id = s.id), '{}')",
        ),
        embedded(
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
                "statement_events se JOIN events e ON e.id = se.event_id"
                " WHERE se.statement_id = s.id",
                "se.position",
            ),
            csv=[
                (
                    "event_ids",
                    lambda statement: joined(e["event_id"] for e in statement["events"]),
                ),
                (
                    "events",
                    lambda statement: joined(
                        f"{e['event']['title']} ({e['stance']})" for e in statement["events"]
                    ),
                ),
            ],
        ),
        column("s", "notes"),
        embedded(
            "source_count", "(SELECT count(*) FROM reports r WHERE r.statement_id = s.id)"
        ),
        embedded(
            "reports",
            reports.reports_json("statement_id", "s.id"),
            csv=[
                (
                    "sources",
                    lambda statement: joined(
                        report["source"]["title"] for report in statement["reports"]
                    ),
                )
            ],
        ),
        embedded(
            "citations",
            citations_json("statement_id", "s.id"),
            csv=[
                (
                    "source_ids",
                    lambda statement: joined(
                        dict.fromkeys(c["source_id"] for c in statement["citations"])
                    ),
                ),
                (
                    "quotes",
                    lambda statement: joined(c["quote"] for c in statement["citations"]),
                ),
            ],
        ),
    ],
    args_schema=StatementQueryArgsSchema,
    # Undated statements sort as the earliest: their cursors carry -infinity.
    sorts={"stated_on": "coalesce(s.stated_on, '-infinity')"},
    filters={
        "speaker_id": "s.speaker_id = ANY(%(speaker_id)s)",
        "addressee_id": "s.id IN (SELECT sa.statement_id FROM statement_addressees sa"
        " WHERE sa.actor_id = ANY(%(addressee_id)s))",
        "statement_type": "s.statement_type = ANY(%(statement_type)s)",
        "is_direct_quote": "s.is_direct_quote = %(is_direct_quote)s",
        "date_from": "s.stated_on >= %(date_from)s",
        "date_to": "s.stated_on <= %(date_to)s",
        "updated_since": "s.updated_at >= %(updated_since)s",
    },
    more_conditions=more_conditions,
    more_filters=("event_id", "stance"),
    text_search=TextSearch(
        "s.search",
        ties=(
            Tie("s.speaker_id", "q_actors"),
            Tie(
                "s.id",
                "q_actors",
                via="SELECT sa.statement_id FROM statement_addressees sa"
                " WHERE sa.actor_id = ANY(%(q_actors)s::uuid[])",
                one="EXISTS (SELECT 1 FROM statement_addressees sa"
                " WHERE sa.statement_id = s.id AND sa.actor_id = ANY(%(q_actors)s::uuid[]))",
            ),
        ),
        tie_names=(
            "ARRAY(SELECT a.name FROM actors a"
            " WHERE a.id = s.speaker_id AND a.id = ANY(%(q_actors)s::uuid[]))",
            "ARRAY(SELECT a.name FROM statement_addressees sa JOIN actors a ON a.id = sa.actor_id"
            " WHERE sa.statement_id = s.id AND a.id = ANY(%(q_actors)s::uuid[])"
            " ORDER BY sa.position)",
        ),
    ),
    recent="coalesce(s.stated_on, '-infinity') DESC, s.id DESC",
)

UPDATE_SEARCH = """
    UPDATE statements s SET search = eventdata_event_search(s.text, s.medium,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.statement_id = s.id))
    WHERE s.id = %(id)s
"""
CHILD_TABLES = ("statement_addressees", "statement_events")


def write(conn, statement, *, record_id=None):
    """Create the statement, or replace it when `record_id` exists; return its id."""
    record_id = record_id or uuid.uuid4()
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
    reports.locate(conn, problems, statement)
    problems.raise_any()

    RECORD.store(conn, statement, record_id)
    for table in CHILD_TABLES:
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE statement_id = %(id)s").format(sql.Identifier(table)),
            {"id": record_id},
        )
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO statement_addressees (statement_id, position, actor_id)"
            " VALUES (%(statement_id)s, %(position)s, %(actor_id)s)",
            [
                {"statement_id": record_id, "position": position, "actor_id": actor_id}
                for position, actor_id in enumerate(statement["addressee_ids"])
            ],
        )
        cursor.executemany(
            "INSERT INTO statement_events (statement_id, position, event_id, stance)"
            " VALUES (%(statement_id)s, %(position)s, %(event_id)s, %(stance)s)",
            [
                {"statement_id": record_id, "position": position, **about}
                for position, about in enumerate(statement["events"])
            ],
        )
    reports.write(conn, "statement_id", record_id, statement)
    conn.execute(UPDATE_SEARCH, {"id": record_id})
    return record_id


def about_event(args, event_id):
    """The conditions of /v1/events/{id}/statements: with stance, taking it towards this event."""
    where = Conditions()
    about_events(where, "of_event", [event_id], "of_event_stance", args.get("stance"))
    return where


def made_by(args, actor_id):
    """The conditions of /v1/actors/{id}/statements: statements the actor made."""
    where = Conditions()
    where.add("s.speaker_id = %(of_actor)s", of_actor=actor_id)
    return where
