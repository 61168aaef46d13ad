"""Fixtures: a real PostgreSQL, migrated once into a template; a fresh copy for each test."""

import os
import uuid

import psycopg
import pytest
from psycopg import sql

from api import create_app, embedded
from api.auth import create_token
from api.database import upgrade


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


@pytest.fixture
def database_url(server_url, template_database):
    """A fresh database for one test, copied from the migrated template."""
    name = f"eventdata_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin(server_url) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    yield embedded.with_database(server_url, name)
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    app.extensions["eventdata.db"].close()


@pytest.fixture
def db(app):
    """A connection to the test's database, committing each statement."""
    with psycopg.connect(app.config["DATABASE_URL"], autocommit=True,
                         row_factory=psycopg.rows.dict_row) as conn:
        yield conn


@pytest.fixture
def token(db):
    """A bearer token that may write."""
    return create_token(db, "tests")


class Client:
    """A test client that sends JSON and, for writes, the bearer token."""

    def __init__(self, flask_client, token):
        self.flask = flask_client
        self.token = token

    def request(self, method, path, *, json=None, headers=None, auth=True, **kwargs):
        headers = dict(headers or {})
        if auth and method in {"POST", "PUT", "PATCH", "DELETE"}:
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
