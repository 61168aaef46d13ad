"""HTTP conventions every resource shares: problem details, pagination, ETags, CORS, the spec."""

import io
import json
import re
from http import HTTPStatus
from unittest.mock import ANY
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from api import create_app
from api.web.problems import type_of
from schemas.vocabularies import (
    ACTOR_KINDS,
    CERTAINTIES,
    EVENT_TYPES,
    LOCATION_KINDS,
    PARTICIPANT_ROLES,
    STANCES,
    STATEMENT_TYPES,
)
from tests.conftest import Client
from tests.helpers import assert_problem, create, messages, source_body

MISSING_ID = "00000000-0000-4000-8000-000000000000"
ORIGIN = "https://app.example"
NOTHING_HERE = "Nothing is at this path: the paths are listed in /openapi.json."


def expected_problem(status, detail, instance, *, kind=None, errors=None, **extensions):
    """The whole body of a problem response (of `kind`, else of its status's first kind);
    `errors` by path, their messages (each error has its code too)."""
    if errors:
        extensions["errors"] = {
            path: [{"code": ANY, "message": message} for message in messages]
            for path, messages in errors.items()
        }
    return {
        "type": type_of(status, kind),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": ANY,
        **extensions,
    }


def assert_clean_problem(response, status):
    """A problem response that is not a 500 and shows no traceback."""
    problem = assert_problem(response, status)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert 'File "' not in text
    assert set(problem) >= {"type", "title", "status", "detail", "instance"}
    return problem


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


def authorised(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


def send_chunked(app, method, path, data, headers):
    """Send `data` as a WSGI server passes a chunked body on: no Content-Length,
    and `wsgi.input_terminated` saying the stream ends where the body does."""
    environ = EnvironBuilder(
        path=path,
        method=method,
        input_stream=io.BytesIO(data),
        content_type="application/json",
        headers=headers,
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    return app.response_class.from_app(app, environ)


class TestMalformedBodies:
    """A body that is not JSON answers 400 problem details."""

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param('{"title":', id="truncated-json"),
            pytest.param(b'\xff\xfe{"title": "x"}', id="invalid-utf8"),
            pytest.param(b'{"title": "\xc3\x28"}', id="invalid-utf8-in-string"),
            pytest.param("[" * 100_000 + "]" * 100_000, id="nested-arrays-too-deep"),
            pytest.param('{"a":' * 50_000 + "1" + "}" * 50_000, id="nested-objects-too-deep"),
            pytest.param('{"title": ' + "9" * 5000 + "}", id="integer-too-long"),
        ],
    )
    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    def test_400(self, client, method, data):
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{MISSING_ID}"
        response = client.request(method, path, data=data, content_type="application/json")
        assert_clean_problem(response, 400)
        assert response.get_json() == expected_problem(
            400, "The request body is not valid JSON.", path
        )


class TestRepeatedKeys:
    """A JSON object that gives a key more than once answers 400, naming the key and its path.

    Python's parser used to keep the last value without a word.
    """

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    def test_at_the_top(self, client, method):
        existing = create(client, "/v1/sources", source_body())
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{existing['id']}"
        data = json.dumps(source_body(url=None))[:-1] + ', "title": "Changed"}'
        response = client.request(method, path, data=data, content_type="application/json")
        assert_clean_problem(response, 400)
        assert response.get_json() == expected_problem(
            400,
            'The request body gives the key "title" more than once in one object, at title.',
            path,
            errors={"title": ["Given more than once in its object."]},
        )
        assert client.get("/v1/sources").get_json() == [existing]

    def test_in_a_nested_object(self, client, db):
        participant = json.dumps({"actor_id": MISSING_ID, "role": "initiator"})
        repeated = participant[:-1] + ', "role": "target"}'
        data = f'{{"title": "Shelling", "participants": [{participant}, {repeated}]}}'
        response = client.post("/v1/events", data=data, content_type="application/json")
        assert_clean_problem(response, 400)
        assert response.get_json() == expected_problem(
            400,
            'The request body gives the key "role" more than once in one object,'
            " at participants.1.role.",
            "/v1/events",
            errors={"participants.1.role": ["Given more than once in its object."]},
        )

    def test_the_same_key_in_two_objects_is_taken(self, client):
        body = source_body(notes='{"title": "not a key"}')
        response = client.post(
            "/v1/sources", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.get_json()


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


class TestSlashes:
    """A path with a doubled or trailing slash names nothing: 404 problem details, not a redirect.

    werkzeug used to redirect /v1//tokens to /v1/tokens with a 308 and an HTML page.
    """

    @pytest.mark.parametrize(
        ("method", "path", "meant"),
        [
            pytest.param("GET", "/v1//tokens", "/v1/tokens", id="double-slash"),
            pytest.param("GET", "/v1///events", "/v1/events", id="triple-slash"),
            pytest.param("POST", "/v1//events/bulk", "/v1/events/bulk", id="double-slash-post"),
            pytest.param(
                "DELETE",
                f"/v1/sources//{MISSING_ID}",
                f"/v1/sources/{MISSING_ID}",
                id="double-slash-delete",
            ),
            pytest.param("GET", "/v1/events/", "/v1/events", id="trailing-slash"),
            pytest.param("POST", "/v1/sources/", "/v1/sources", id="trailing-slash-post"),
            pytest.param("DELETE", "/v1/events/", "/v1/events", id="trailing-slash-405-there"),
        ],
    )
    def test_404_naming_the_path_meant(self, client, method, path, meant):
        response = client.request(method, path, json={} if method == "POST" else None)
        assert_clean_problem(response, 404)
        assert response.get_json() == expected_problem(
            404,
            f"Nothing is at this path; did you mean {meant}?"
            " Paths take single slashes, and none at the end.",
            path,
        )
        assert "Location" not in response.headers

    @pytest.mark.parametrize("path", ["/v1/nothing/", "/v1//nothing", "/v1/"])
    def test_404_when_no_path_is_meant(self, client, path):
        response = client.get(path)
        assert_clean_problem(response, 404)
        assert response.get_json() == expected_problem(404, NOTHING_HERE, path)

    def test_a_routing_redirect_is_problem_details(self, make_app):
        # No route here ends with a slash; one that did (flask-smorest's
        # quickstart writes route("/")) would redirect the path without it.
        app = make_app()
        app.add_url_rule("/v1/things/", "things", lambda: {})
        response = app.test_client().get("/v1/things")
        assert_clean_problem(response, 308)
        assert response.headers["Location"] == "http://localhost/v1/things/"
        assert response.get_json() == expected_problem(
            308, "This resource is at http://localhost/v1/things/.", "/v1/things"
        )

    def test_options_has_no_html_content_type(self, client):
        response = client.request("OPTIONS", "/v1/events")
        assert response.status_code == 200
        assert response.get_data() == b""
        assert "Content-Type" not in response.headers
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


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


class TestBodyTooLarge:
    """A body over MAX_CONTENT_LENGTH answers 413."""

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    def test_413(self, make_app, token, method):
        client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{MISSING_ID}"
        response = client.open(
            path, method=method, json=source_body(body="x" * 2000), headers=authorised(token)
        )
        assert_clean_problem(response, 413)
        assert response.get_json() == expected_problem(413, RequestEntityTooLarge.description, path)

    def test_body_within_the_limit_is_accepted(self, make_app, token):
        client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
        response = client.post("/v1/sources", json=source_body(), headers=authorised(token))
        assert response.status_code == 201, response.get_json()


class TestChunkedBodyTooLarge:
    """A chunked body (no Content-Length to check first) over MAX_CONTENT_LENGTH answers 413.

    Read only up to the limit, such a body used to be parsed as if it ended there.
    """

    @pytest.mark.parametrize(
        "method",
        [
            pytest.param("POST", id="post"),
            pytest.param("PUT", id="put"),
            pytest.param("PATCH", id="patch"),
        ],
    )
    @pytest.mark.parametrize(
        "position",
        [
            # What the first MiB holds is a whole record: it used to be created.
            pytest.param("before", id="json-then-padding"),
            # The first MiB is blank: it used to answer 400, "not valid JSON".
            pytest.param("after", id="padding-then-json"),
        ],
    )
    def test_413_and_nothing_written(self, app, client, token, method, position):
        existing = create(client, "/v1/sources", source_body())
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{existing['id']}"
        record = json.dumps(source_body(title="Changed", url=None)).encode()
        padding = b" " * (app.config["MAX_CONTENT_LENGTH"] // 2 * 3)
        data = record + padding if position == "before" else padding + record
        response = send_chunked(app, method, path, data, authorised(token))
        assert_clean_problem(response, 413)
        assert response.get_json() == expected_problem(413, RequestEntityTooLarge.description, path)
        assert client.get("/v1/sources").get_json() == [existing]

    def test_a_body_of_exactly_the_limit_is_taken(self, app, db, token):
        record = json.dumps(source_body()).encode()
        data = record.ljust(app.config["MAX_CONTENT_LENGTH"])
        response = send_chunked(app, "POST", "/v1/sources", data, authorised(token))
        assert response.status_code == 201, response.get_json()


class TestUnsupportedMediaType:
    """A write whose body is not declared as JSON answers 415."""

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    @pytest.mark.parametrize(
        "content",
        [
            pytest.param({"data": '{"title": "x"}', "content_type": "text/plain"}, id="text-plain"),
            pytest.param(
                {"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, id="form"
            ),
            pytest.param({"data": '{"title": "x"}'}, id="no-content-type"),
            pytest.param({}, id="no-body"),
        ],
    )
    def test_415(self, client, method, content):
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{MISSING_ID}"
        response = client.request(method, path, **content)
        assert_clean_problem(response, 415)
        assert response.get_json() == expected_problem(
            415, "Send the body as JSON with 'Content-Type: application/json'.", path
        )


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


class TestPagination:
    """Lists are paged with page and page_size, described in X-Pagination and Link."""

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            pytest.param("page=0", "page", id="page-zero"),
            pytest.param("page=-1", "page", id="page-negative"),
            pytest.param("page=abc", "page", id="page-not-a-number"),
            pytest.param(f"page={10**12}", "page", id="page-huge"),
            pytest.param("page_size=0", "page_size", id="page-size-zero"),
            pytest.param("page_size=501", "page_size", id="page-size-too-big"),
            pytest.param("page_size=abc", "page_size", id="page-size-not-a-number"),
        ],
    )
    @pytest.mark.parametrize("path", ["/v1/sources", "/v1/events", "/v1/actors"])
    def test_invalid_parameters(self, client, path, query, parameter):
        response = client.get(f"{path}?{query}")
        problem = assert_clean_problem(response, 422)
        assert set(problem["errors"]) == {parameter}
        assert problem["detail"] == f"Invalid input: {parameter}."
        assert problem["instance"] == path

    def test_page_past_the_end_is_empty(self, client):
        create(client, "/v1/sources", source_body())
        response = client.get("/v1/sources?page=5")
        assert response.status_code == 200
        assert response.get_json() == []

    def test_three_pages(self, client):
        for number in range(5):
            create(client, "/v1/sources", source_body(url=f"https://example.org/{number}"))
        response = client.get("/v1/sources?page_size=2&page=2")
        assert response.status_code == 200
        assert len(response.get_json()) == 2
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        assert links(response) == {
            "first": ("/v1/sources", {"page_size": ["2"], "page": ["1"]}),
            "prev": ("/v1/sources", {"page_size": ["2"], "page": ["1"]}),
            "next": ("/v1/sources", {"page_size": ["2"], "page": ["3"]}),
            "last": ("/v1/sources", {"page_size": ["2"], "page": ["3"]}),
        }

    def test_pages_cover_every_record_once(self, client):
        created = {
            create(client, "/v1/sources", source_body(url=f"https://example.org/{n}"))["id"]
            for n in range(5)
        }
        seen = []
        for page in (1, 2, 3):
            seen += [row["id"] for row in client.get(f"/v1/sources?page_size=2&page={page}").json]
        assert sorted(seen) == sorted(created)

    def test_first_page_has_no_prev(self, client):
        for number in range(3):
            create(client, "/v1/sources", source_body(url=f"https://example.org/{number}"))
        response = client.get("/v1/sources?page_size=2")
        assert set(links(response)) == {"first", "next", "last"}


def links(response):
    """Parse a Link header into {rel: (path, query)}."""
    parsed = {}
    for url, relation in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', response.headers["Link"]):
        parts = urlsplit(url)
        parsed[relation] = (parts.path, parse_qs(parts.query))
    return parsed


class TestETags:
    """Records and lists carry ETags; If-None-Match and If-Match are honoured."""

    @pytest.mark.parametrize("path", ["/v1/sources", "/v1/vocabularies", "/v1/events"])
    def test_list_carries_etag(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["ETag"]

    def test_single_record_carries_etag(self, client):
        source = create(client, "/v1/sources", source_body())
        response = client.get(f"/v1/sources/{source['id']}")
        assert response.status_code == 200
        assert re.fullmatch(r'"[^"]+"', response.headers["ETag"])

    @pytest.mark.parametrize("kind", ["record", "list"])
    def test_if_none_match_answers_304(self, client, kind):
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}" if kind == "record" else "/v1/sources"
        etag = client.get(path).headers["ETag"]
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_weak_if_none_match_answers_304(self, client):
        """If-None-Match compares weakly (RFC 9110, 13.1.2): W/"x" matches "x"."""
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        etag = client.get(path).headers["ETag"]
        response = client.get(path, headers={"If-None-Match": f"W/{etag}"})
        assert response.status_code == 304
        assert response.get_data() == b""

    def test_star_if_none_match_answers_304(self, client):
        source = create(client, "/v1/sources", source_body())
        response = client.get(f"/v1/sources/{source['id']}", headers={"If-None-Match": "*"})
        assert response.status_code == 304

    def test_weak_if_match_answers_412(self, client):
        """If-Match compares strongly (RFC 9110, 13.1.1): W/"x" does not match "x"."""
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        etag = client.get(path).headers["ETag"]
        response = client.patch(path, json={"title": "Mine"}, headers={"If-Match": f"W/{etag}"})
        assert_clean_problem(response, 412)

    def test_changed_record_answers_200_to_old_etag(self, client):
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        etag = client.get(path).headers["ETag"]
        client.patch(path, json={"title": "Changed"})
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response.headers["ETag"] != etag

    @pytest.mark.parametrize(
        ("method", "body"),
        [
            pytest.param("PUT", source_body(title="Mine"), id="put"),
            pytest.param("PATCH", {"title": "Mine"}, id="patch"),
            pytest.param("DELETE", None, id="delete"),
        ],
    )
    def test_stale_if_match_answers_412(self, client, method, body):
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        stale = client.get(path).headers["ETag"]
        assert client.patch(path, json={"title": "Theirs"}).status_code == 200
        response = client.request(method, path, json=body, headers={"If-Match": stale})
        assert_clean_problem(response, 412)
        assert response.get_json() == expected_problem(
            412, "The record has changed since the ETag in If-Match was issued.", path
        )
        assert client.get(path).get_json()["title"] == "Theirs"

    @pytest.mark.parametrize(
        ("method", "body", "status"),
        [
            pytest.param("PUT", source_body(title="Mine"), 200, id="put"),
            pytest.param("PATCH", {"title": "Mine"}, 200, id="patch"),
            pytest.param("DELETE", None, 204, id="delete"),
        ],
    )
    def test_current_if_match_succeeds(self, client, method, body, status):
        source = create(client, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        etag = client.get(path).headers["ETag"]
        response = client.request(method, path, json=body, headers={"If-Match": etag})
        assert response.status_code == status, response.get_json()


class TestRequireIfMatch:
    """With REQUIRE_IF_MATCH, writes to a record must name its ETag."""

    WRITES = [
        pytest.param("PUT", source_body(title="Mine"), 200, id="put"),
        pytest.param("PATCH", {"title": "Mine"}, 200, id="patch"),
        pytest.param("DELETE", None, 204, id="delete"),
    ]

    @pytest.fixture
    def strict(self, make_app, token):
        return Client(make_app(REQUIRE_IF_MATCH=True).test_client(), token)

    @pytest.mark.parametrize(("method", "body", "status"), WRITES)
    def test_without_if_match_answers_428(self, strict, method, body, status):
        source = create(strict, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        response = strict.request(method, path, json=body)
        assert_clean_problem(response, 428)
        assert response.get_json() == expected_problem(
            428, 'This request is required to be conditional; try using "If-Match".', path
        )
        assert strict.get(path).get_json()["title"] == source["title"]

    @pytest.mark.parametrize(("method", "body", "status"), WRITES)
    def test_with_current_etag_succeeds(self, strict, method, body, status):
        source = create(strict, "/v1/sources", source_body())
        path = f"/v1/sources/{source['id']}"
        etag = strict.get(path).headers["ETag"]
        response = strict.request(method, path, json=body, headers={"If-Match": etag})
        assert response.status_code == status, response.get_json()

    def test_create_needs_no_if_match(self, strict):
        response = strict.post("/v1/sources", json=source_body())
        assert response.status_code == 201, response.get_json()


class TestCORS:
    """Browsers on the configured origins may call the API and read its headers."""

    @pytest.fixture
    def cors_client(self, make_app):
        return make_app(CORS_ORIGINS=ORIGIN).test_client()

    def test_allowed_origin(self, cors_client):
        response = cors_client.get("/v1/sources", headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        exposed = {
            h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
        }
        assert exposed >= {"etag", "location", "link", "x-pagination"}

    def test_allowed_origin_on_an_error(self, cors_client):
        response = cors_client.get("/v1/nothing", headers={"Origin": ORIGIN})
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN

    @pytest.mark.parametrize(
        ("path", "method"),
        [
            pytest.param("/v1/sources", "POST", id="post"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "PUT", id="put"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "PATCH", id="patch"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "DELETE", id="delete"),
        ],
    )
    def test_preflight(self, cors_client, path, method):
        response = cors_client.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "Authorization, Content-Type, If-Match",
            },
        )
        assert response.status_code in (200, 204)
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
        assert method in methods
        allowed = {
            h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert allowed >= {"authorization", "content-type", "if-match"}

    def test_other_origin(self, cors_client):
        response = cors_client.get("/v1/sources", headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_no_origins_by_default(self, client):
        response = client.get("/v1/sources", headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


class TestOpenAPI:
    """/openapi.json describes the API."""

    def test_version_and_paths(self, spec):
        assert spec["openapi"] == "3.1.0"
        assert set(spec["paths"]) >= {
            "/v1/sources",
            "/v1/sources/{source_id}",
            "/v1/actors",
            "/v1/actors/{actor_id}",
            "/v1/locations",
            "/v1/locations/{location_id}",
            "/v1/events",
            "/v1/events/{event_id}",
            "/v1/statements",
            "/v1/statements/{statement_id}",
            "/v1/vocabularies",
        }

    def test_bearer_auth_scheme(self, spec):
        scheme = spec["components"]["securitySchemes"]["bearerAuth"]
        assert scheme["type"] == "http"
        assert scheme["scheme"] == "bearer"

    @pytest.mark.parametrize(
        ("path", "method"),
        [
            pytest.param("/v1/events", "post", id="post"),
            pytest.param("/v1/events/{event_id}", "put", id="put"),
            pytest.param("/v1/events/{event_id}", "patch", id="patch"),
            pytest.param("/v1/events/{event_id}", "delete", id="delete"),
        ],
    )
    def test_writes_need_a_token(self, spec, path, method):
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in operation["responses"]

    def test_reads_take_a_token_optionally(self, spec):
        # Open ({}), or with a token (needed when the server requires tokens for reads).
        assert spec["paths"]["/v1/events"]["get"]["security"] == [{}, {"bearerAuth": []}]

    def test_token_management_needs_a_token(self, spec):
        assert spec["paths"]["/v1/tokens"]["get"]["security"] == [{"bearerAuth": []}]

    @pytest.mark.parametrize("status", ["401", "403", "429", "503"])
    def test_every_operation_documents_the_errors_any_call_may_meet(self, spec, status):
        missing = [
            f"{method.upper()} {path}"
            for path, item in spec["paths"].items()
            if path.startswith("/v1/")
            for method, operation in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
            and status not in operation["responses"]
        ]
        assert missing == []

    def test_every_property_has_a_description(self, spec):
        undescribed = [
            f"{schema_name}.{name}"
            for schema_name, schema in spec["components"]["schemas"].items()
            for name, prop in schema.get("properties", {}).items()
            if not prop.get("description")
        ]
        assert undescribed == []

    @pytest.mark.parametrize(
        ("schema", "prop", "vocabulary"),
        [
            pytest.param("Event", "event_type", EVENT_TYPES, id="event-type"),
            pytest.param("Event", "certainty", CERTAINTIES, id="certainty"),
            pytest.param("Participant", "role", PARTICIPANT_ROLES, id="role"),
            pytest.param("Actor", "kind", ACTOR_KINDS, id="actor-kind"),
            pytest.param("Location", "kind", LOCATION_KINDS, id="location-kind"),
            pytest.param("Statement", "statement_type", STATEMENT_TYPES, id="statement-type"),
            pytest.param("StatementEvent", "stance", STANCES, id="stance"),
        ],
    )
    def test_vocabularies_are_enums(self, spec, schema, prop, vocabulary):
        enum = spec["components"]["schemas"][schema]["properties"][prop]["enum"]
        assert [value for value in enum if value is not None] == list(vocabulary)

    def test_assault_is_an_event_type(self, spec):
        assert (
            "ASSAULT" in spec["components"]["schemas"]["Event"]["properties"]["event_type"]["enum"]
        )


class TestDocs:
    """/docs serves Swagger UI from the API itself."""

    def test_page_references_local_assets(self, client):
        response = client.get("/docs")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert "/docs/assets/swagger-ui-bundle.js" in page
        assert "/openapi.json" in page

    @pytest.mark.parametrize(
        ("asset", "mimetype"),
        [
            pytest.param("swagger-ui-bundle.js", "text/javascript", id="bundle"),
            pytest.param("swagger-ui-standalone-preset.js", "text/javascript", id="preset"),
            pytest.param("swagger-ui.css", "text/css", id="css"),
        ],
    )
    def test_asset_is_served(self, client, asset, mimetype):
        response = client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200
        assert response.mimetype in {mimetype, "application/javascript"}
        assert len(response.get_data()) > 1000
        response.close()

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/docs/assets/nothing.js", id="unknown"),
            pytest.param("/docs/assets/../../api/config.py", id="traversal"),
            pytest.param("/docs/assets/index.html", id="not-listed"),
        ],
    )
    def test_unknown_asset(self, client, path):
        response = client.get(path)
        assert_clean_problem(response, 404)


class TestLinks:
    """Each create's 201 links to the operations on the record it made."""

    @pytest.mark.parametrize(
        ("collection", "record", "parameter", "field"),
        [
            ("/v1/sources", "/v1/sources/{source_id}", "source_id", "id"),
            ("/v1/actors", "/v1/actors/{actor_id}", "actor_id", "id"),
            ("/v1/locations", "/v1/locations/{location_id}", "location_id", "id"),
            ("/v1/events", "/v1/events/{event_id}", "event_id", "id"),
            ("/v1/statements", "/v1/statements/{statement_id}", "statement_id", "id"),
            ("/v1/tokens", "/v1/tokens/{name}", "name", "name"),
        ],
    )
    def test_create_links_its_record(self, spec, collection, record, parameter, field):
        links = spec["paths"][collection]["post"]["responses"]["201"]["links"]
        pointer = record.replace("/", "~1")
        methods = [m for m in ("get", "put", "patch", "delete") if m in spec["paths"][record]]
        assert {link["operationRef"] for link in links.values()} == {
            f"#/paths/{pointer}/{method}" for method in methods
        }
        for link in links.values():
            assert link["parameters"] == {parameter: f"$response.body#/{field}"}

    def test_bulk_import_has_no_record_links(self, spec):
        assert "links" not in spec["paths"]["/v1/events/bulk"]["post"]["responses"]["201"]
