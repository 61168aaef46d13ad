"""Fixtures: a real PostgreSQL, migrated once into a template; a clean database for each test."""

import os
import uuid

import psycopg
import pytest
from psycopg import sql

from api import create_app, embedded
from api.resources.tokens.store import SCOPES, create_token
from api.store.database import upgrade
from seeds import loader
from tests.helpers import TALLY, Client


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


@pytest.fixture(scope="session")
def template_database(server_url):
    """A database migrated once per session, copied for each test."""
    name = f"eventdata_template_{os.getpid()}"
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    upgrade(embedded.with_database(server_url, name))
    yield name
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def session_database(server_url, template_database):
    """This session's database, copied once from the migrated template."""
    name = f"eventdata_test_{os.getpid()}"
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
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
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database_url(session_database):
    """The session's database, emptied for this test.

    Emptying every table (a few milliseconds) gives each test the clean,
    freshly migrated state that a new copy of the template would, far faster.
    """
    url, tables = session_database
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(table) for table in tables)
            )
        )
    return url


@pytest.fixture
def empty_database_url(server_url):
    """A database with nothing in it, dropped afterwards."""
    name = f"eventdata_empty_{uuid.uuid4().hex[:8]}"
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield embedded.with_database(server_url, name)
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


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
