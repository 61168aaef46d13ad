"""CORS for front ends: preflights cached for CORS_MAX_AGE, and every answer varies by Origin."""

import pytest

from api import create_app

ORIGIN = "https://app.example"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "Authorization, Content-Type, If-Match",
}


@pytest.fixture
def make_client(database_url):
    apps = []

    def make(**settings):
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, **settings})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["eventdata.db"].close()


def test_a_preflight_may_be_reused_for_two_hours_by_default(make_client):
    response = make_client(CORS_ORIGINS=ORIGIN).options("/v1/events", headers=PREFLIGHT)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Max-Age"] == "7200"


def test_the_max_age_is_configurable(make_client):
    client = make_client(CORS_ORIGINS=ORIGIN, CORS_MAX_AGE=600)
    response = client.options("/v1/events", headers=PREFLIGHT)
    assert response.headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": ORIGIN}, id="allowed-origin"),
        pytest.param({"Origin": "https://other.example"}, id="other-origin"),
        pytest.param({}, id="no-origin"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/events", "/v1/nothing"])
def test_every_answer_varies_by_origin(make_client, headers, path):
    response = make_client(CORS_ORIGINS=ORIGIN).get(path, headers=headers)
    assert "origin" in {value.strip().lower() for value in response.headers["Vary"].split(",")}


def test_no_cors_no_vary(make_client):
    response = make_client().get("/v1/events", headers={"Origin": ORIGIN})
    assert "Origin" not in response.headers.get("Vary", "")
    assert "Access-Control-Max-Age" not in response.headers
