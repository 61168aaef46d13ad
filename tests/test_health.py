"""Probes: /healthz answers while the process lives; /readyz only while the database answers."""

from http import HTTPStatus
from unittest.mock import ANY

import pytest

from api import create_app, embedded


def service_unavailable(detail, path):
    return {
        "type": "about:blank",
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
        {"DATABASE_URL": url, "DATABASE_POOL_TIMEOUT": 1, "TESTING": True},
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

    def test_ok_without_database(self, unreachable_app):
        response = unreachable_app.test_client().get("/healthz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}


class TestReadyz:
    """/readyz: the database answers, or 503 with Retry-After."""

    def test_ready(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ready", "database": "ok"}

    def test_database_missing(self, unreachable_app):
        response = unreachable_app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["detail"].startswith("The database does not answer")
        assert problem == service_unavailable(problem["detail"], "/readyz")
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
