"""Migration 0007: the citations of a database that predates reports become reports, without
loss, and the seed loader then brings the seeded article up to date without taking the
migration's changes for people's edits."""

import json

import psycopg
import pytest
from psycopg.rows import dict_row

from api.resources.events import store as events
from api.resources.statements import store as statements
from api.store import database
from seeds import loader

REPORTS = "0007_reports"
# Undo what 0007 added, as a database made before it was: the figures keep their
# low and high only, and each revision's state its fields of then.
BEFORE_REPORTS = """
    ALTER TABLE citations DROP CONSTRAINT citations_event_report_fkey,
        DROP CONSTRAINT citations_statement_report_fkey;
    DROP TABLE reports;
    DROP INDEX events_source_count_idx;
    ALTER TABLE events DROP CONSTRAINT events_fatalities_estimate,
        DROP CONSTRAINT events_injuries_estimate,
        DROP COLUMN fatalities_best, DROP COLUMN fatalities_civilians_low,
        DROP COLUMN fatalities_civilians_best, DROP COLUMN fatalities_civilians_high,
        DROP COLUMN injuries_best, DROP COLUMN injuries_civilians_low,
        DROP COLUMN injuries_civilians_best, DROP COLUMN injuries_civilians_high,
        DROP COLUMN figures_set_by_hand, DROP COLUMN source_count;
    DROP FUNCTION eventdata_estimate_ordered;
    DELETE FROM schema_migrations WHERE version = '0007_reports';
"""
ADDED = ("reports", "figures_set_by_hand", "source_count")
SAYS = (
    "start_date",
    "end_date",
    "date_precision",
    "location_id",
    "location",
    "certainty",
    "fatalities",
    "injuries",
)


def as_before(state):
    """A record's state as the API sent it before reports."""
    state = {name: value for name, value in state.items() if name not in ADDED}
    for name in ("fatalities", "injuries"):
        if state.get(name):
            state[name] = {"low": state[name]["low"], "high": state[name]["high"]}
    for citation in state.get("citations", ()):
        citation["source"] = {key: citation["source"][key] for key in ("id", "title")}
    return state


def range_only(estimate):
    return estimate and {**estimate, "best": None, "civilians": None}


@pytest.fixture
def migrated_to_reports(monkeypatch):
    """Apply the migrations up to 0007 only: those after it are not this test's."""
    upto = [(version, script) for version, script in database.migrations() if version <= REPORTS]
    monkeypatch.setattr(database, "migrations", lambda: upto)


def records(conn):
    return {
        kind: {
            row["id"]: json.loads(row["json"])
            for row in conn.execute(f"SELECT {store.RECORD.json} AS json, id FROM {table} {alias}")
        }
        for kind, store, table, alias in (
            ("events", events, "events", "e"),
            ("statements", statements, "statements", "s"),
        )
    }


def test_citations_become_reports_without_loss(empty_database_url, migrated_to_reports):
    database.upgrade(empty_database_url)
    with psycopg.connect(empty_database_url, row_factory=dict_row, autocommit=True) as conn:
        with conn.transaction():
            loader.load(conn, loader.ARTICLE_SEED)
        seeded = records(conn)
        conn.execute(BEFORE_REPORTS)
        for row in conn.execute("SELECT kind, record_id, number, state FROM revisions").fetchall():
            conn.execute(
                "UPDATE revisions SET state = %(state)s"
                " WHERE kind = %(kind)s AND record_id = %(record_id)s AND number = %(number)s",
                {**row, "state": json.dumps(as_before(row["state"]))},
            )

        assert database.upgrade(empty_database_url) == [REPORTS]

        migrated = records(conn)
        assert migrated.keys() == seeded.keys()
        for kind, by_id in seeded.items():
            assert migrated[kind].keys() == by_id.keys()
            for record_id, record in by_id.items():
                now = migrated[kind][record_id]
                # The flat citations are as they were, and each source's quotes are a report.
                assert now["citations"] == record["citations"]
                expected_reports = [
                    {**report, **dict.fromkeys(SAYS)} if kind == "events" else report
                    for report in record["reports"]
                ]
                assert now["reports"] == expected_reports
                assert now["source_count"] == len(record["reports"])
                if kind == "events":
                    # Figures coded before reports were the coder's: kept, and set by hand.
                    had_figures = record["fatalities"] or record["injuries"]
                    assert now["figures_set_by_hand"] == bool(had_figures)
                    assert now["fatalities"] == range_only(record["fatalities"])
                    assert now["injuries"] == range_only(record["injuries"])

        # The loader sees no one's edits in what the migration did, and brings the
        # records whose figures the seed now says in reports up to date.
        with conn.transaction():
            report = loader.load(conn, loader.ARTICLE_SEED)
        assert report.edited == {}
        assert report.deleted == {}
        with_figures = {
            f"event/{key}"
            for key in (
                "fighting-2020-09-27-to-30",
                "alleged-f16-shoot-down-of-armenian-su25",
                "wounded-soldier-carried-to-erebouni-medical-center",
            )
        }
        assert set(report.updated.get("events", [])) == with_figures
        assert set(report.updated) <= {"events"}
        again = records(conn)
        for kind, by_id in seeded.items():
            for record_id, record in by_id.items():
                assert {**again[kind][record_id], "updated_at": None} == {
                    **record,
                    "updated_at": None,
                }
