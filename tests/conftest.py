"""Fixtures: a real PostgreSQL, migrated once; a clean database for each test that writes,
and one data set for each class of tests that only read it (share_data_set)."""

import ast
import hashlib
import itertools
import os
from contextlib import contextmanager
from types import SimpleNamespace

import psycopg
import pytest
from psycopg import sql

from api import create_app, embedded
from api.store.database import migrations, upgrade
from api.store.tokens import SCOPES, create_token
from seeds import loader
from tests.helpers import TALLY, Client


def marks_of_module(path):
    """The names of the marks a test module's pytestmark sets on all its tests, from its source."""
    for node in ast.parse(path.read_bytes()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            return {
                mark.attr
                for mark in ast.walk(node.value)
                if isinstance(mark, ast.Attribute)
                and isinstance(mark.value, ast.Attribute)
                and mark.value.attr == "mark"
            }
    return set()


def pytest_ignore_collect(collection_path, config):
    """In the quick loop (-m "not slow"), leave a module marked slow as a whole unimported.

    Deselecting its tests after collecting them costs the import all the same,
    in every worker: the contract tests' module alone takes 12 seconds to
    collect, while schemathesis makes its cases.
    """
    if (
        (config.getoption("markexpr") or "").strip() == "not slow"
        and collection_path.suffix == ".py"
        and collection_path.name.startswith("test_")
        and "slow" in marks_of_module(collection_path)
    ):
        return True
    return None


def pytest_terminal_summary(terminalreporter):
    if TALLY:
        terminalreporter.section("reliability figures")
        for name, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name}: {count}")


def _admin(url):
    return psycopg.connect(url, autocommit=True)


@pytest.fixture(scope="session")
def server_url():
    """The server the tests use: DATABASE_URL's, or the embedded one."""
    return os.environ.get("DATABASE_URL") or embedded.start()


# A test database outlives its session and is taken again by the next one, so
# that a run neither copies a template nor drops a database: DROP DATABASE makes
# PostgreSQL checkpoint at once, writing out every page the tests changed (tens
# of seconds under load). A session holds its slot by an advisory lock on a
# connection kept open, so that runs at once (pytest-xdist's workers, or two
# runs in one checkout) each take their own. A database made from other
# migrations than the code's is made anew.
SLOT_LOCK_BASE = 7_100_000


def migrations_fingerprint():
    """A hash of every migration's name and text: what a reused database must match."""
    digest = hashlib.sha256()
    for version, script in migrations():
        digest.update(version.encode() + b"\0" + script.encode() + b"\0")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def database_slot(server_url):
    """The number of the first slot no other session holds, held until this one ends."""
    conn = _admin(server_url)
    for slot in itertools.count():
        if conn.execute("SELECT pg_try_advisory_lock(%s)", [SLOT_LOCK_BASE + slot]).fetchone()[0]:
            break
    with conn:
        yield slot


def _drop(conn, name):
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def session_database(server_url, database_slot):
    """This session's database: the slot's, migrated by the code's migrations."""
    name = f"eventdata_test_{database_slot}"
    fingerprint = migrations_fingerprint()
    with _admin(server_url) as conn:
        comment = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if comment is None or comment[0] != fingerprint:
            _drop(conn, name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            # Commits need not wait for the disk: a crash of the server loses a test run, not data.
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                    sql.Identifier(name)
                )
            )
            url = embedded.with_database(server_url, name)
            upgrade(url)
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(fingerprint)
                )
            )
    url = embedded.with_database(server_url, name)
    with _admin(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'schema_migrations'"
            )
        ]
    yield url, tables


def truncate(conn, tables):
    conn.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
            sql.SQL(", ").join(sql.Identifier(table) for table in tables)
        )
    )


# A table whose file has grown past this many pages (its rows, and the dead ones
# deletes leave until autovacuum reclaims them) is truncated rather than deleted from.
DELETE_PAGES = 32


def what_to_empty(tables):
    """A query of each table: whether it has a row, and whether it has grown past DELETE_PAGES."""
    return sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {name}, EXISTS (SELECT FROM {table}),"
            " pg_relation_size({name}) > {pages} * current_setting('block_size')::int"
        ).format(
            name=sql.Literal(table), table=sql.Identifier(table), pages=sql.Literal(DELETE_PAGES)
        )
        for table in tables
    )


# Restart the sequences that gave a number since they were last restarted (an identity
# column's too, even for a row rolled back), as TRUNCATE ... RESTART IDENTITY does.
RESTART_USED_SEQUENCES = """
    SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
    FROM pg_sequences
    WHERE schemaname = 'public' AND last_value IS NOT NULL
"""


@pytest.fixture(scope="session")
def emptier(session_database):
    """Empty the session's database: every table first, then, before each test, what it wrote.

    A TRUNCATE of events costs PostgreSQL about 50 ms (it makes new files for
    every table that refers to it, and each of their indexes, and has every
    connection forget its plans for them), more than most tests; a DELETE of
    the few rows a test wrote, a millisecond. So each test's rows are deleted
    (without firing triggers: every table with a row is emptied at once) and
    the sequences it used restarted, and a table is truncated only once its
    file has grown past DELETE_PAGES pages: the planner, which estimates a
    table's rows from its size, then sees a table of a few pages at most, as
    the first test of a session does after the TRUNCATE of every table.
    """
    url, tables = session_database
    query = what_to_empty(tables)
    with _admin(url) as conn:
        truncate(conn, tables)
        # Turning triggers off takes a superuser; on a server where the tests have
        # none, the tables written are truncated as before.
        may_delete = conn.execute("SELECT current_setting('is_superuser') = 'on'").fetchone()[0]

        def empty():
            grown, written = [], []
            for table, has_rows, has_grown in conn.execute(query):
                if has_grown or (has_rows and not may_delete):
                    grown.append(table)
                elif has_rows:
                    written.append(table)
            if grown:
                truncate(conn, grown)
            if written:
                with conn.transaction():
                    conn.execute("SET LOCAL session_replication_role = replica")
                    for table in written:
                        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            conn.execute(RESTART_USED_SEQUENCES)

        yield empty


@pytest.fixture(scope="session")
def live_data_set():
    """Which class's shared data set is in the session's database now (see share_data_set)."""
    return SimpleNamespace(owner=None)


@pytest.fixture
def database_url(session_database, emptier, live_data_set, request):
    """The session's database, emptied for this test."""
    if live_data_set.owner is not None:
        pytest.fail(
            f"{request.node.nodeid} asks for a database of its own (app, db, token, client..."
            f" that write), but its class only reads the data set {live_data_set.owner} shares:"
            " take the data set's client and db (tests.helpers.OnlyReads) or move the test"
            " out of the class.",
            pytrace=False,
        )
    emptier()
    return session_database[0]


@pytest.fixture(scope="session")
def empty_databases(database_slot):
    """The names of this session's empty databases, one after another, of its slot."""
    return (f"eventdata_empty_{database_slot}_{number}" for number in itertools.count())


@pytest.fixture(scope="session")
def make_empty_database(server_url, empty_databases):
    """A maker of databases with nothing in them, each its caller's alone.

    One left by an earlier session under the same name is emptied rather than
    dropped, for the checkpoint a DROP DATABASE forces (see above).
    """

    def make():
        name = next(empty_databases)
        url = embedded.with_database(server_url, name)
        with _admin(server_url) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if exists:
            with _admin(url) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
        return url

    return make


@pytest.fixture
def empty_database_url(make_empty_database):
    """A database with nothing in it, of this test alone."""
    return make_empty_database()


# The settings of the app the tests share. Rate limits are off while TESTING unless
# set, and are turned off here whatever the environment says: one shared table of
# buckets would make tests count against each other. A test about rate limits, or
# any other setting, builds its own app with make_app.
SHARED_SETTINGS = {"TESTING": True, "RATE_LIMIT_PER_TOKEN": "off", "RATE_LIMIT_PER_ADDRESS": "off"}


@pytest.fixture(scope="session")
def shared_app(session_database):
    """One app for the whole session: building one (its OpenAPI spec) costs more than most tests.

    It keeps nothing between requests but its pool: its idempotency keys live in
    the database, which each test empties, and its rate limits are off.
    """
    url, _ = session_database
    app = create_app({"DATABASE_URL": url, **SHARED_SETTINGS})
    yield app
    app.extensions["eventdata.db"].close()


@pytest.fixture
def app(shared_app, database_url):
    """The shared app, on the session's database emptied for this test."""
    settings = dict(shared_app.config)
    yield shared_app
    assert dict(shared_app.config) == settings, (
        "A test changed the shared app's settings: build an app of its own with make_app."
    )


# -- data sets that a class of tests only reads -------------------------------------

# Every transaction on a connection with this option refuses to write.
READ_ONLY = "-c default_transaction_read_only=on"


def table_digests(conn, tables):
    """Each table's number of rows and a digest of their contents, in one statement."""
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {name}, count(*), md5(string_agg(md5(r::text), '' ORDER BY md5(r::text)))"
            " FROM {table} AS r"
        ).format(name=sql.Literal(table), table=sql.Identifier(table))
        for table in tables
    )
    return {name: (count, digest) for name, count, digest in conn.execute(query)}


@pytest.fixture(scope="session")
def reading_app(session_database):
    """An app like the shared one whose connections are read only: any write it tries fails."""
    url, _ = session_database
    app = create_app(
        {"DATABASE_URL": psycopg.conninfo.make_conninfo(url, options=READ_ONLY), **SHARED_SETTINGS}
    )
    yield app
    app.extensions["eventdata.db"].close()


@pytest.fixture(scope="session")
def share_data_set(session_database, emptier, shared_app, reading_app, live_data_set):
    """Build a data set once for a class of tests that only read it, rather than once a test.

    `share(owner, build)` empties the database, calls `build(client, db)` with
    a client of the shared app (and a token to write) and a connection, and
    yields the data set: `client` (of an app whose connections are read only,
    with the same token), `db` (a read-only connection) and `data` (what
    `build` returned). While it is live no test may empty the database (see
    database_url); at the end every table must hold the rows it held after
    `build`, so that a test that writes fails loudly rather than leaks. The
    next test that asks for database_url empties it.
    """
    url, tables = session_database

    @contextmanager
    def share(owner, build):
        emptier()
        with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
            token = create_token(conn, "tests", SCOPES)
            data = build(Client(shared_app.test_client(), token), conn)
        with (
            _admin(url) as checker,
            psycopg.connect(
                url, autocommit=True, row_factory=psycopg.rows.dict_row, options=READ_ONLY
            ) as reader,
        ):
            built = table_digests(checker, tables)
            live_data_set.owner = owner
            try:
                yield SimpleNamespace(
                    client=Client(reading_app.test_client(), token), db=reader, data=data
                )
            finally:
                live_data_set.owner = None
            after = table_digests(checker, tables)
            changed = sorted(table for table in tables if after[table] != built[table])
            assert not changed, f"The tests of {owner} only read its data set; {changed} changed."

    return share


@pytest.fixture(scope="class")
def data_set(request, share_data_set):
    """The data set of a class that only reads it: what its `build` makes, once for the class."""
    with share_data_set(request.node.nodeid, request.cls.build) as shared:
        yield shared


@pytest.fixture
def make_app(database_url):
    """Build apps with other settings on the test's database; close them afterwards."""
    apps = []

    def make(**settings):
        app = create_app({"DATABASE_URL": database_url, **SHARED_SETTINGS, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["eventdata.db"].close()


@pytest.fixture
def db(app):
    """A connection to the test's database, committing each statement."""
    with psycopg.connect(
        app.config["DATABASE_URL"], autocommit=True, row_factory=psycopg.rows.dict_row
    ) as conn:
        yield conn


@pytest.fixture
def token(db):
    """A bearer token with every scope: it may read, write and manage tokens."""
    return create_token(db, "tests", SCOPES)


@pytest.fixture
def tokens(db):
    """A token per combination of scopes that matters."""
    return {
        "read": create_token(db, "reader", ["read"]),
        "write": create_token(db, "writer", ["write"]),
        "read-write": create_token(db, "editor", ["read", "write"]),
        "admin": create_token(db, "admin", ["admin"]),
    }


@pytest.fixture
def client(app, token):
    return Client(app.test_client(), token)


@pytest.fixture
def article(db):
    """The article's seed, loaded into the test's database."""
    return loader.load(db, loader.ARTICLE_SEED)
