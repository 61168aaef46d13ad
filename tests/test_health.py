"""Probes: /healthz answers while the process lives; /readyz only while the database answers."""

import time
from http import HTTPStatus
from unittest.mock import ANY

import pytest

from api import create_app, embedded
from tests.helpers import problem_type

# Seconds a probe may take: an orchestrator gives up on one after a second by default.
PROBE_BOUND = 1.0


def service_unavailable(detail, path):
    return {
        "type": problem_type("unavailable"),
        "title": HTTPStatus.SERVICE_UNAVAILABLE.phrase,
        "status": 503,
        "detail": detail,
        "instance": path,
        "request_id": ANY,
    }


@pytest.fixture
def unreachable_app(server_url):
    """An app whose database does not exist on the server."""
    url = embedded.with_database(server_url, "eventdata_does_not_exist")
    app = create_app(
        {"DATABASE_URL": url, "DATABASE_POOL_TIMEOUT": 2, "TESTING": True},
    )
    yield app
    app.extensions["eventdata.db"].close()


class TestHealthz:
    """/healthz: the process answers, whatever the database does."""

    def test_ok(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        assert response.get_json() == {"status": "ok"}

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param({}, id="plain"),
            pytest.param({"Authorization": "Bearer edt_whatever"}, id="bearer"),
            pytest.param({"Authorization": "Basic cHJvYmU6cHJvYmU="}, id="basic"),
        ],
    )
    def test_ok_without_database(self, unreachable_app, headers):
        """Whatever the headers, the probe never asks the database (a token lookup waited
        for the pool's timeout and answered 503)."""
        started = time.monotonic()
        response = unreachable_app.test_client().get("/healthz", headers=headers)
        assert time.monotonic() - started < PROBE_BOUND
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}


class TestReadyz:
    """/readyz: the database answers, or 503 with Retry-After."""

    def test_ready(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ready", "database": "ok"}

    def test_database_missing(self, unreachable_app):
        """503 within a second, saying only that the database is unreachable (it named
        the exception, PoolTimeout, after the pool's whole timeout)."""
        started = time.monotonic()
        response = unreachable_app.test_client().get(
            "/readyz", headers={"Authorization": "Bearer edt_whatever"}
        )
        assert time.monotonic() - started < PROBE_BOUND
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem == service_unavailable("The database is unreachable.", "/readyz")
        assert response.headers["Retry-After"] == "5"
        assert "Traceback" not in response.get_data(as_text=True)


class TestDatabaseUnavailable:
    """Any request that needs the database answers 503, never 500, when it is gone."""

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            pytest.param("GET", "/v1/sources", id="list"),
            pytest.param("GET", "/v1/events/00000000-0000-4000-8000-000000000000", id="record"),
            pytest.param("POST", "/v1/sources", id="write-checks-token"),
        ],
    )
    def test_503(self, unreachable_app, method, path):
        response = unreachable_app.test_client().open(
            path,
            method=method,
            json={} if method == "POST" else None,
            headers={"Authorization": "Bearer edt_whatever"},
        )
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json() == service_unavailable(
            "The database is not available; retry shortly.", path
        )
        assert response.headers["Retry-After"] == "5"
