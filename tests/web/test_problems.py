"""Problem details (api/web/problems.py): unknown routes, wrong methods, invalid input."""

import json

import pytest

from schemas.vocabularies import PARTICIPANT_ROLES
from tests.helpers import (
    MISSING_ID,
    NOTHING_HERE,
    assert_clean_problem,
    create,
    expected_problem,
    messages,
    source_body,
)


class TestUnknownRoutes:
    """Paths that name nothing answer 404 problem details."""

    @pytest.mark.parametrize(
        ("path", "detail"),
        [
            pytest.param("/v1/nothing-here", NOTHING_HERE, id="unknown-route"),
            pytest.param(
                "/v1/sources/not-a-uuid",
                "No source has the id 'not-a-uuid': ids are UUIDs.",
                id="malformed-uuid",
            ),
            pytest.param(
                "/v1/events/12345", "No event has the id '12345': ids are UUIDs.", id="number"
            ),
            pytest.param(
                "/v1/events/12345/statements",
                "No event has the id '12345': ids are UUIDs.",
                id="number-in-a-related-list",
            ),
            pytest.param(
                "/docs/assets/nothing.js", "No such file serves the docs.", id="unknown-docs-asset"
            ),
        ],
    )
    def test_404(self, client, path, detail):
        response = client.get(path)
        assert_clean_problem(response, 404)
        assert response.get_json() == expected_problem(404, detail, path)

    def test_missing_record(self, client):
        path = f"/v1/sources/{MISSING_ID}"
        response = client.get(path)
        assert_clean_problem(response, 404)
        assert response.get_json() == expected_problem(
            404, f"No source has the id {MISSING_ID}.", path
        )


class TestWrongMethod:
    """A method a route does not serve answers 405 with an Allow header."""

    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            pytest.param("DELETE", "/v1/sources", {"GET", "HEAD", "POST", "OPTIONS"}, id="delete"),
            pytest.param("PUT", "/v1/events", {"GET", "HEAD", "POST", "OPTIONS"}, id="put"),
            pytest.param("POST", "/v1/vocabularies", {"GET", "HEAD", "OPTIONS"}, id="post"),
        ],
    )
    def test_405(self, client, method, path, allowed):
        response = client.request(method, path, json={})
        assert_clean_problem(response, 405)
        takes = ", ".join(sorted(allowed - {"HEAD", "OPTIONS"}))
        detail = f"{path} does not take {method}; it takes {takes}."
        assert response.get_json() == expected_problem(405, detail, path)
        assert {value.strip() for value in response.headers["Allow"].split(",")} == allowed


class TestValidationErrors:
    """Invalid input answers 422 naming each field by its dotted path."""

    def test_errors_keyed_by_dotted_path(self, client):
        source = create(client, "/v1/sources", source_body())
        actor = create(client, "/v1/actors", {"name": "Armenia", "kind": "state"})
        body = {
            "title": "Shelling",
            "event_type": "ASSAULT",
            "start_date": "2020-09-30",
            "certainty": "alleged",
            "participants": [
                {"actor_id": actor["id"], "role": "initiator"},
                {"actor_id": actor["id"], "role": "bystander"},
            ],
            "citations": [{"source_id": source["id"], "quote": "accused"}],
        }
        response = client.post("/v1/events", json=body)
        problem = assert_clean_problem(response, 422)
        assert problem == expected_problem(
            422,
            "Invalid input: participants.1.role.",
            "/v1/events",
            errors={"participants.1.role": [f"Must be one of: {', '.join(PARTICIPANT_ROLES)}."]},
        )

    def test_several_fields_are_all_named(self, client):
        response = client.post(
            "/v1/events",
            json={
                "title": "Shelling",
                "event_type": "NOT_A_TYPE",
                "start_date": "2020-09-30",
                "certainty": "alleged",
                "participants": [{"actor_id": "nope", "role": "initiator"}],
            },
        )
        problem = assert_clean_problem(response, 422)
        assert set(problem["errors"]) == {"event_type", "participants.0.actor_id"}
        assert problem["detail"] == "Invalid input: event_type, participants.0.actor_id."

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param([source_body()], id="array"),
            pytest.param("a string", id="string"),
            pytest.param(42, id="number"),
            pytest.param(None, id="null"),
        ],
    )
    def test_body_that_is_not_an_object(self, client, body):
        response = client.post(
            "/v1/sources", data=json.dumps(body), content_type="application/json"
        )
        problem = assert_clean_problem(response, 422)
        assert messages(problem) == {"_schema": ["Invalid input type."]}
        assert problem["instance"] == "/v1/sources"
