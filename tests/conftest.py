"""Fixtures: a real PostgreSQL, migrated once into a template; a clean database for each test."""

import os
from collections import Counter

import psycopg
import pytest
from psycopg import sql

from api import create_app, embedded
from api.resources.tokens.store import SCOPES, create_token
from api.store.database import upgrade

# Figures the reliability tests count (cases sent, 5xx seen, races run...), printed
# at the end of the run: docs/RELIABILITY.md quotes them.
TALLY = Counter()


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
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    app.extensions["eventdata.db"].close()


@pytest.fixture
def make_app(database_url):
    """Build apps with other settings on the test's database; close them afterwards."""
    apps = []

    def make(**settings):
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, **settings})
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


class Client:
    """A test client that sends JSON and, for writes, the bearer token."""

    def __init__(self, flask_client, token):
        self.flask = flask_client
        self.token = token

    def request(self, method, path, *, json=None, headers=None, auth=True, **kwargs):
        headers = dict(headers or {})
        # Writes need the token; so does every request about tokens (admin scope).
        if auth and (method in {"POST", "PUT", "PATCH", "DELETE"} or "/v1/tokens" in path):
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.flask.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def client(app, token):
    return Client(app.test_client(), token)
