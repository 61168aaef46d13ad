"""Migration 0008 (doubt) on data written before it: nothing a client sees changes."""

import uuid

import psycopg
from psycopg.rows import dict_row

from api.store import database

BEFORE = "0008"


def migrate_before(url):
    """Apply the migrations before 0008, as upgrade() would have."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version text PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for version, script in database.migrations():
            if version < BEFORE:
                with conn.transaction():
                    conn.execute(script)
                    conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", [version])


def test_an_event_a_statement_denied_keeps_its_certainty_set_by_hand(empty_database_url):
    migrate_before(empty_database_url)
    actor, statement = uuid.uuid4(), uuid.uuid4()
    events = {name: uuid.uuid4() for name in ("alleged", "confirmed", "undenied")}
    with psycopg.connect(empty_database_url) as conn:
        conn.execute("INSERT INTO actors (id, name, kind) VALUES (%s, 'Armenia', 'state')", [actor])
        for name, event_id in events.items():
            conn.execute(
                "INSERT INTO events (id, title, event_type, start_date, end_date,"
                " date_precision, certainty) VALUES (%s, %s, 'ASSAULT', '2020-09-29',"
                " '2020-09-29', 'day', %s)",
                [event_id, name, "alleged" if name == "undenied" else name],
            )
        conn.execute(
            "INSERT INTO statements (id, speaker_id, text, is_direct_quote, statement_type)"
            " VALUES (%s, %s, 'No.', false, 'denial')",
            [statement, actor],
        )
        for position, name in enumerate(("alleged", "confirmed")):
            conn.execute(
                "INSERT INTO statement_events (statement_id, position, event_id, stance)"
                " VALUES (%s, %s, %s, 'denies')",
                [statement, position, events[name]],
            )

    assert database.upgrade(empty_database_url)[0].startswith(BEFORE)

    with psycopg.connect(empty_database_url, row_factory=dict_row) as conn:
        rows = {
            row["title"]: row
            for row in conn.execute(
                "SELECT title, certainty, certainty_set_by_hand, reported_as FROM events"
            )
        }
        statements = conn.execute("SELECT attribution, attribution_note FROM statements").fetchall()
    assert rows == {
        # The rule would make it disputed: it keeps alleged, set by hand.
        "alleged": {
            "title": "alleged",
            "certainty": "alleged",
            "certainty_set_by_hand": True,
            "reported_as": "event",
        },
        "confirmed": {
            "title": "confirmed",
            "certainty": "confirmed",
            "certainty_set_by_hand": False,
            "reported_as": "event",
        },
        "undenied": {
            "title": "undenied",
            "certainty": "alleged",
            "certainty_set_by_hand": False,
            "reported_as": "event",
        },
    }
    assert statements == [{"attribution": "clear", "attribution_note": None}]
