"""The benchmark data set: a tiny one, loaded into a throwaway database, is complete and sound."""

import datetime as dt
import json
import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from api import embedded
from api.resources.events import store as events
from api.store.database import upgrade
from bench.data import END_DAY, START_DAY, Generator, generate
from bench.http import date_range
from schemas.reports import derived_figures

# It generates a data set into a database of its own.
pytestmark = pytest.mark.slow

N = 300


@pytest.fixture(scope="module")
def bench_database(server_url):
    """A migrated database holding the data set for N events, dropped afterwards."""
    name = f"eventdata_bench_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = embedded.with_database(server_url, name)
    try:
        upgrade(url)
        counts = generate(url, N, log=lambda line: None)
        yield url, counts
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def scalar(conn, query):
    return conn.execute(query).fetchone()[0]


def test_the_tables_hold_what_was_generated(bench_database):
    url, counts = bench_database
    expected = Generator(N)
    with psycopg.connect(url) as conn:
        for table, count in counts.items():
            assert scalar(conn, f"SELECT count(*) FROM {table}") == count, table
        assert counts["events"] == N
        assert counts["statements"] == N // 2
        assert counts["actors"] == expected.n_actors
        assert counts["sources"] == expected.n_sources
        assert expected.n_locations * 0.8 <= counts["locations"] <= expected.n_locations * 1.5
        assert N <= counts["event_participants"] <= 4 * N
        assert scalar(conn, "SELECT count(*) FROM citations WHERE event_id IS NOT NULL") >= N
        assert scalar(conn, "SELECT count(*) FROM events WHERE search IS NULL") == 0
        assert scalar(conn, "SELECT count(*) FROM statements WHERE search IS NULL") == 0
        kinds = {row[0] for row in conn.execute("SELECT DISTINCT kind FROM locations")}
        assert {"country", "region"} <= kinds and kinds & {"town", "city"}


def test_every_quote_is_the_text_at_its_offsets(bench_database):
    url, _ = bench_database
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT s.body, c.quote, c.start_offset, c.end_offset"
            " FROM citations c JOIN sources s ON s.id = c.source_id"
        ).fetchall()
    assert rows
    for body, quote, start, end in rows:
        assert body[start:end] == quote
        # The offsets the API computes: the first occurrence.
        assert body.find(quote) == start


REFERENCES = {
    "participant actor": "event_participants x LEFT JOIN actors r ON r.id = x.actor_id",
    "participant event": "event_participants x LEFT JOIN events r ON r.id = x.event_id",
    "addressee": "statement_addressees x LEFT JOIN actors r ON r.id = x.actor_id",
    "speaker": "statements x LEFT JOIN actors r ON r.id = x.speaker_id",
    "statement event": "statement_events x LEFT JOIN events r ON r.id = x.event_id",
    "citation source": "citations x LEFT JOIN sources r ON r.id = x.source_id",
}
OPTIONAL_REFERENCES = {
    "event location": ("events x LEFT JOIN locations r ON r.id = x.location_id", "location_id"),
    "location parent": ("locations x LEFT JOIN locations r ON r.id = x.parent_id", "parent_id"),
    "actor parent": ("actors x LEFT JOIN actors r ON r.id = x.parent_id", "parent_id"),
}


def test_every_reference_resolves(bench_database):
    url, _ = bench_database
    with psycopg.connect(url) as conn:
        for what, joined in REFERENCES.items():
            assert scalar(conn, f"SELECT count(*) FROM {joined} WHERE r.id IS NULL") == 0, what
        for what, (joined, column) in OPTIONAL_REFERENCES.items():
            dangling = (
                f"SELECT count(*) FROM {joined} WHERE x.{column} IS NOT NULL AND r.id IS NULL"
            )
            assert scalar(conn, dangling) == 0, what
            assert scalar(conn, f"SELECT count(*) FROM {joined} WHERE r.id IS NOT NULL") > 0, what
        # Towns sit in regions, regions in countries.
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM locations t JOIN locations r ON r.id = t.parent_id"
                " WHERE t.kind IN ('town', 'city') AND r.kind <> 'region'",
            )
            == 0
        )


def test_a_third_of_the_events_have_two_to_five_reports_and_derived_figures(bench_database):
    url, _ = bench_database
    with psycopg.connect(url, row_factory=dict_row) as conn:
        counts = {
            row["sources"]: row["events"]
            for row in conn.execute(
                "SELECT source_count AS sources, count(*) AS events FROM events GROUP BY 1"
            )
        }
        assert set(counts) <= {1, 2, 3, 4, 5}
        assert 0.25 <= sum(counts.get(k, 0) for k in (2, 3, 4, 5)) / N <= 0.42
        # source_count is the events' reports, each from its own source, each quoted.
        assert scalar_of(
            conn,
            "SELECT count(*) FROM events e WHERE e.source_count <>"
            " (SELECT count(DISTINCT r.source_id) FROM reports r WHERE r.event_id = e.id)",
        ) == 0
        assert scalar_of(
            conn,
            "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM citations c"
            " WHERE c.source_id = r.source_id"
            " AND (c.event_id = r.event_id OR c.statement_id = r.statement_id))",
        ) == 0
        # Each event's figures are what the API's rule derives from its reports.
        events_with_reports = conn.execute(
            f"SELECT {events.RECORD.json} AS json FROM events e"
            " WHERE EXISTS (SELECT 1 FROM reports r WHERE r.event_id = e.id"
            " AND r.fatalities_low IS NOT NULL)"
        ).fetchall()
        assert events_with_reports
        for row in events_with_reports:
            event = json.loads(row["json"])
            assert {name: event[name] for name in ("fatalities", "injuries")} == (
                derived_figures(event["reports"])
            )


def scalar_of(conn, query):
    return next(iter(conn.execute(query).fetchone().values()))


def test_the_same_seed_gives_the_same_data():
    first, second = Generator(N, seed=7), Generator(N, seed=7)
    assert first.build_actors() == second.build_actors()
    assert first.build_locations() == second.build_locations()
    assert Generator(N, seed=8).build_actors() != Generator(N, seed=7).build_actors()


def test_the_filtered_shape_asks_for_the_same_share_of_the_events_at_any_size():
    def share(window):
        start, end = (
            dt.date.fromisoformat(window[k]).toordinal() for k in ("date_from", "date_to")
        )
        assert START_DAY <= start <= end <= END_DAY
        return (end - start + 1) / (END_DAY - START_DAY + 1)

    assert date_range(1_000_000) == {"date_from": "2020-09-01", "date_to": "2020-09-30"}
    assert share(date_range(10_000)) == pytest.approx(100 * share(date_range(1_000_000)))
    assert share(date_range(100)) == 1.0
