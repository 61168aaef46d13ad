"""Migrations: api.database.upgrade applies each migration once, in order, and records it."""

import logging
import re
import threading

import psycopg
import pytest

from api.resources.actors import store as actors
from api.resources.events import store as events
from api.resources.locations import store as locations
from api.resources.sources import store as sources
from api.resources.statements import store as statements
from api.store import database
from tests.helpers import actor_body, create, event_body, location_body, source_body, statement_body

TABLES = {
    "schema_migrations",
    "sources",
    "actors",
    "locations",
    "events",
    "event_participants",
    "statements",
    "statement_addressees",
    "statement_events",
    "citations",
    "api_tokens",
}

SNAPSHOT = """
    SELECT table_name, column_name, data_type, is_nullable, column_default
    FROM information_schema.columns
    WHERE table_schema = 'public'
    ORDER BY table_name, column_name
"""


def query(url, statement):
    with psycopg.connect(url) as conn:
        return conn.execute(statement).fetchall()


def recorded_versions(url):
    return [row[0] for row in query(url, "SELECT version FROM schema_migrations ORDER BY version")]


def tables(url):
    rows = query(
        url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    return {row[0] for row in rows}


VERSIONS = [version for version, _ in database.migrations()]


class TestMigrationsList:
    """The migrations are the .sql files of api/migrations, in version order."""

    def test_not_empty(self):
        assert VERSIONS

    def test_ordered_and_unique(self):
        versions = [version for version, _ in database.migrations()]
        assert versions == sorted(versions)
        assert len(set(versions)) == len(versions)

    @pytest.mark.parametrize("version", VERSIONS)
    def test_version_names(self, version):
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", version)

    def test_numbers_are_consecutive_from_one(self):
        assert [int(version[:4]) for version in VERSIONS] == list(range(1, len(VERSIONS) + 1))

    @pytest.mark.parametrize(("version", "script"), database.migrations())
    def test_scripts_are_sql(self, version, script):
        assert script.strip(), version
        assert "schema_migrations" not in script  # upgrade() records versions itself


class TestUpgradeFreshDatabase:
    """upgrade() on an empty database applies and records every migration."""

    def test_applies_every_migration(self, empty_database_url):
        assert database.upgrade(empty_database_url) == VERSIONS
        assert recorded_versions(empty_database_url) == VERSIONS
        assert tables(empty_database_url) >= TABLES

    def test_records_when_applied(self, empty_database_url):
        database.upgrade(empty_database_url)
        rows = query(
            empty_database_url,
            "SELECT bool_and(applied_at <= now()) FROM schema_migrations",
        )
        assert rows == [(True,)]

    def test_second_run_applies_nothing(self, empty_database_url):
        database.upgrade(empty_database_url)
        schema = query(empty_database_url, SNAPSHOT)
        history = query(empty_database_url, "SELECT * FROM schema_migrations ORDER BY version")
        assert database.upgrade(empty_database_url) == []
        assert query(empty_database_url, SNAPSHOT) == schema
        assert query(empty_database_url, "SELECT * FROM schema_migrations ORDER BY version") == (
            history
        )

    def test_migrated_template_is_up_to_date(self, database_url):
        assert database.upgrade(database_url) == []
        assert recorded_versions(database_url) == VERSIONS

    def test_concurrent_upgrades_apply_once(self, empty_database_url):
        results, errors = [], []

        def run():
            try:
                results.append(database.upgrade(empty_database_url))
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(results, key=len) == [[], [], VERSIONS]
        assert recorded_versions(empty_database_url) == VERSIONS


class TestReadsById:
    """GET of a record by its id runs its one statement outside a transaction."""

    # Each resource's statement by id (PostgreSQL shows the first 1,024 bytes of a query).
    STATEMENTS = {
        record.table: record.select_by_id
        for record in (
            events.RECORD,
            actors.RECORD,
            locations.RECORD,
            sources.RECORD,
            statements.RECORD,
        )
    }

    @pytest.mark.parametrize("collection", STATEMENTS)
    def test_the_statement_is_the_last_thing_its_connection_ran(self, client, db, collection):
        source = create(client, "/v1/sources", source_body())
        actor = create(client, "/v1/actors", actor_body())
        location = create(client, "/v1/locations", location_body())
        event = create(
            client, "/v1/events", event_body(source["id"], [actor["id"]], location["id"])
        )
        statement = create(
            client, "/v1/statements", statement_body(source["id"], actor["id"], [event["id"]])
        )
        ids = {
            "events": event["id"],
            "actors": actor["id"],
            "locations": location["id"],
            "sources": source["id"],
            "statements": statement["id"],
        }
        assert client.get(f"/v1/{collection}/{ids[collection]}").status_code == 200
        last = [
            row["query"]
            for row in db.execute(
                "SELECT query FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
        # In a transaction its COMMIT would be: the creations above each ended so.
        start = self.STATEMENTS[collection][:100]
        assert any(query[:100] == start for query in last), last


class TestVacuumAfterwards:
    """A migration that names a table to vacuum has it vacuumed once it is committed."""

    def test_the_participants_rewrite_asks_for_a_vacuum(self):
        scripts = dict(database.migrations())
        assert database.tables_to_vacuum(scripts["0005_participant_dates"]) == [
            "event_participants"
        ]
        assert database.tables_to_vacuum(scripts["0001_initial"]) == []

    def test_the_tables_named_are_vacuumed(self, empty_database_url, monkeypatch):
        rewrite = (
            "9999_rewrite",
            "-- vacuum afterwards: rewritten, also_rewritten\n"
            "CREATE TABLE rewritten AS SELECT generate_series(1, 100) AS n;"
            "CREATE TABLE also_rewritten (n int); CREATE TABLE untouched (n int);",
        )
        with_migrations(monkeypatch, rewrite)
        database.upgrade(empty_database_url)
        vacuumed = query(
            empty_database_url,
            "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL"
            " FROM pg_stat_user_tables"
            " WHERE relname IN ('rewritten', 'also_rewritten', 'untouched') ORDER BY relname",
        )
        assert vacuumed == [
            ("also_rewritten", True, True),
            ("rewritten", True, True),
            ("untouched", False, False),
        ]

    def test_a_name_that_is_no_table_fails_the_migration(self, empty_database_url, monkeypatch):
        typo = ("9999_typo", "-- vacuum afterwards: no_such_table\nCREATE TABLE made (n int);")
        with_migrations(monkeypatch, typo)
        with pytest.raises(psycopg.errors.UndefinedTable):
            database.upgrade(empty_database_url)
        assert recorded_versions(empty_database_url) == VERSIONS
        assert "made" not in tables(empty_database_url)

    def test_a_vacuum_that_fails_is_reported_and_the_migration_stands(
        self, empty_database_url, monkeypatch, caplog
    ):
        busy = ("9998_busy", "CREATE TABLE busy (n int);")
        with_migrations(monkeypatch, busy)
        database.upgrade(empty_database_url)
        vacuum = ("9999_vacuum", "-- vacuum afterwards: busy\nSELECT 1;")
        with_migrations(monkeypatch, busy, vacuum)
        impatient = psycopg.conninfo.make_conninfo(
            empty_database_url, options="-c lock_timeout=100"
        )
        with psycopg.connect(empty_database_url) as holder:
            # Taken by VACUUM too: it waits 100 ms for it, then gives up.
            holder.execute("LOCK TABLE busy IN SHARE UPDATE EXCLUSIVE MODE")
            with caplog.at_level(logging.WARNING, logger="api.store.database"):
                assert database.upgrade(impatient) == ["9999_vacuum"]
        assert "VACUUM (ANALYZE) busy failed" in caplog.text
        assert "lock timeout" in caplog.text
        assert recorded_versions(empty_database_url)[-2:] == ["9998_busy", "9999_vacuum"]


class TestFailedMigration:
    """A migration that fails is rolled back and not recorded; earlier ones stay applied."""

    def test_failure_rolls_back(self, empty_database_url, monkeypatch):
        broken = ("9999_broken", "CREATE TABLE half_done (id int); SELECT 1 / 0;")
        real = with_migrations(monkeypatch, broken)
        with pytest.raises(psycopg.errors.DivisionByZero):
            database.upgrade(empty_database_url)
        assert recorded_versions(empty_database_url) == VERSIONS
        assert "half_done" not in tables(empty_database_url)
        monkeypatch.setattr(database, "migrations", lambda: real)
        assert database.upgrade(empty_database_url) == []

    def test_lock_is_released_after_failure(self, empty_database_url, monkeypatch):
        monkeypatch.setattr(database, "migrations", lambda: [("0001_broken", "SELECT 1 / 0;")])
        with pytest.raises(psycopg.errors.DivisionByZero):
            database.upgrade(empty_database_url)
        monkeypatch.undo()
        assert database.upgrade(empty_database_url) == VERSIONS


@pytest.fixture
def pool(database_url):
    """A Database whose pool holds one connection: each lending is of the same one."""
    db = database.Database(database_url, min_size=1, max_size=1)
    yield db
    db.close()


def with_migrations(monkeypatch, *extra):
    """Make database.migrations() give the project's migrations and then `extra`."""
    real = database.migrations()
    monkeypatch.setattr(database, "migrations", lambda: [*real, *extra])
    return real


def last_query(url, pid):
    rows = query(url, f"SELECT query FROM pg_stat_activity WHERE pid = {int(pid)}")
    return rows[0][0]


class TestPoolChecks:
    """The pool checks a connection before lending it, unless it was given back just now."""

    def lend(self, pool, statement="SELECT 1"):
        with pool.transaction() as conn:
            conn.execute(statement)
            return conn.info.backend_pid

    def test_a_connection_given_back_just_now_is_lent_unchecked(self, pool, database_url):
        pid = self.lend(pool, "SELECT 'marked' AS marker")
        with pool.transaction() as conn:
            assert conn.info.backend_pid == pid
            # Nothing ran on it since: the check's empty query would show here.
            assert last_query(database_url, pid) == "COMMIT"

    def test_a_connection_idle_longer_is_checked(self, pool, database_url):
        pid = self.lend(pool)
        threading.Event().wait(database.FRESH_SECONDS * 2)
        with pool.transaction() as conn:
            assert conn.info.backend_pid == pid
            assert last_query(database_url, pid) == ""

    def test_a_connection_that_died_while_idle_is_replaced(self, pool, database_url):
        pid = self.lend(pool)
        query(database_url, f"SELECT pg_terminate_backend({int(pid)})")
        threading.Event().wait(database.FRESH_SECONDS * 2)
        with pool.transaction() as conn:
            assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}
            assert conn.info.backend_pid != pid


class TestSingleStatement:
    """Database.single_statement: each statement commits alone, with no BEGIN or COMMIT."""

    def test_a_statement_runs_without_begin_or_commit(self, pool, database_url):
        with pool.single_statement() as conn:
            conn.execute("SELECT 'alone' AS marker")
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            pid = conn.info.backend_pid
        # In a transaction the COMMIT that ended it would be the last query.
        assert last_query(database_url, pid) == "SELECT 'alone' AS marker"

    def test_the_connection_goes_back_ready_for_a_transaction(self, pool):
        with pool.single_statement() as conn:
            conn.execute("CREATE TEMPORARY TABLE kept (n int)")
        with pytest.raises(RuntimeError), pool.transaction() as conn:
            assert not conn.autocommit
            conn.execute("INSERT INTO kept VALUES (1)")
            raise RuntimeError("the request failed after its write")
        with pool.transaction() as conn:
            # The same connection (the pool has one), and the write was rolled back.
            assert conn.execute("SELECT count(*) AS n FROM kept").fetchone() == {"n": 0}
