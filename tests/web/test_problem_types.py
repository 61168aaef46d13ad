"""Problems a program can handle: a type per kind, served; codes beside messages; 412's ETag."""


import pytest

from schemas.codes import CODES, code_of
from schemas.problems import KINDS
from tests.helpers import (
    assert_problem,
    create,
    event_body,
    problem_type,
    read_spec,
    source_body,
)

SPEC = read_spec()
SCHEMAS = SPEC["components"]["schemas"]


class TestProblemTypes:
    @pytest.mark.parametrize("kind", list(KINDS))
    def test_each_type_answers_what_it_means(self, client, kind):
        response = client.get(problem_type(kind), auth=False)
        assert response.status_code == 200
        assert response.get_json() == {
            "type": f"/problems/{kind}",
            "status": KINDS[kind].status,
            "title": KINDS[kind].title,
            "description": KINDS[kind].description,
        }

    def test_all_are_listed(self, client):
        listed = client.get("/problems").get_json()
        assert [kind["type"] for kind in listed] == [problem_type(kind) for kind in KINDS]

    def test_an_unknown_kind_is_not_found(self, client):
        assert_problem(client.get("/problems/nope"), 404, kind="not-found")

    def test_the_spec_lists_every_type_and_code(self):
        problem = SCHEMAS["Problem"]["properties"]
        assert problem["type"]["enum"] == [*(problem_type(kind) for kind in KINDS), "about:blank"]
        error = SCHEMAS["FieldError"]["properties"]
        assert error["code"]["enum"] == list(CODES)
        assert set(SCHEMAS["Problem"]["required"]) == {"type", "title", "status", "detail"}


@pytest.fixture
def event(client):
    source = create(client, "/v1/sources", source_body())
    return create(client, "/v1/events", event_body(source["id"]))


class TestKindsAnswered:
    def test_validation_failed_with_a_code_per_field(self, client, event):
        body = event_body(event["citations"][0]["source_id"], certainty="sure")
        body["citations"][0]["quote"] = "not in the article"
        body["colour"] = "red"
        del body["title"]
        response = client.post("/v1/events", json=body)
        problem = assert_problem(response, 422, kind="validation-failed")
        codes = {path: [e["code"] for e in errors] for path, errors in problem["errors"].items()}
        assert codes == {
            "title": ["required"],
            "certainty": ["not_one_of"],
            "colour": ["unknown_field"],
        }
        # Quotes are checked once the body is valid.
        body = event_body(event["citations"][0]["source_id"])
        body["citations"][0]["quote"] = "not in the article"
        problem = assert_problem(client.post("/v1/events", json=body), 422)
        assert problem["errors"] == {
            "citations.0.quote": [
                {"code": "not_in_source", "message": "Not found verbatim in the source's body."}
            ]
        }

    def test_a_reference_to_nothing(self, client, event):
        body = event_body(event["citations"][0]["source_id"], location_id=event["id"])
        problem = assert_problem(client.post("/v1/events", json=body), 422)
        assert [e["code"] for e in problem["errors"]["location_id"]] == ["not_found"]

    def test_query_parameters_have_codes_too(self, client):
        problem = assert_problem(client.get("/v1/events?page=0&sort=nope&colour=red"), 422)
        codes = {path: [e["code"] for e in errors] for path, errors in problem["errors"].items()}
        assert codes == {
            "page": ["out_of_range"],
            "sort": ["not_one_of"],
            "colour": ["unknown_field"],
        }

    def test_still_referenced(self, client, event):
        source = event["citations"][0]["source_id"]
        response = client.delete(f"/v1/sources/{source}")
        problem = assert_problem(response, 409, kind="still-referenced")
        assert problem["referrers"] == [{"kind": "event", "id": event["id"]}]

    def test_already_exists(self, client):
        create(client, "/v1/sources", source_body())
        response = client.post("/v1/sources", json=source_body(title="Again"))
        problem = assert_problem(response, 409, "url", kind="already-exists")
        assert problem["errors"]["url"][0]["code"] == "taken"

    def test_unauthorized(self, client):
        response = client.post("/v1/sources", json=source_body(), auth=False)
        assert_problem(response, 401, kind="unauthorized")


class TestPreconditionFailed:
    def test_a_412_carries_the_current_etag(self, client, event):
        path = f"/v1/events/{event['id']}"
        stale = client.get(path).headers["ETag"]
        changed = client.patch(path, json={"certainty": "confirmed"}, headers={"If-Match": stale})
        assert changed.status_code == 200

        response = client.patch(path, json={"certainty": "disputed"}, headers={"If-Match": stale})

        assert_problem(response, 412, kind="precondition-failed")
        assert response.headers["ETag"] == client.get(path).headers["ETag"]
        assert response.headers["ETag"] == changed.headers["ETag"]
        retried = client.patch(
            path, json={"certainty": "disputed"}, headers={"If-Match": response.headers["ETag"]}
        )
        assert retried.status_code == 200, retried.get_json()

    def test_the_spec_documents_it(self):
        headers = SPEC["components"]["responses"]["PRECONDITION_FAILED"]["headers"]
        assert "ETag" in headers


class TestEveryAnswerUnderV1IsAProblem:
    @pytest.mark.parametrize(
        ("path", "detail"),
        [
            ("/v1/events/123", "No event has the id '123': ids are UUIDs."),
            ("/v1/actors/not-an-id/events", "No actor has the id 'not-an-id': ids are UUIDs."),
            ("/v1/nope", "Nothing is at this path: the paths are listed in /openapi.json."),
        ],
    )
    def test_not_found(self, client, path, detail):
        problem = assert_problem(client.get(path), 404, kind="not-found")
        assert problem["detail"] == detail
        assert "If you entered the URL manually" not in problem["detail"]

    def test_method_not_allowed(self, client):
        problem = assert_problem(client.put("/v1/events"), 405, kind="method-not-allowed")
        assert problem["detail"] == "/v1/events does not take PUT; it takes GET, POST."


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Missing data for required field.", "required"),
        ("Field may not be null.", "null"),
        ("Unknown field.", "unknown_field"),
        ("Not a valid integer.", "invalid_type"),
        ("Not a valid date.", "invalid_format"),
        ("Not a valid UUID.", "invalid_format"),
        ("Not a valid aware datetime.", "invalid_format"),
        ("Length must be between 1 and 500.", "length"),
        ("Must be one of: day, week.", "not_one_of"),
        ("Must be greater than or equal to 1 and less than or equal to 500.", "out_of_range"),
        ("Must not be blank.", "blank"),
        ("Must be three upper-case letters.", "invalid_format"),
    ],
)
def test_messages_written_by_marshmallow_have_codes(message, code):
    assert code_of(message) == code
