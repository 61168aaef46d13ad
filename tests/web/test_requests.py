"""What a request may carry (api/web/requests.py): JSON bodies within their limit, no
repeated keys, JSON declared, paths with single slashes."""

import io
import json

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from tests.helpers import (
    MISSING_ID,
    NOTHING_HERE,
    assert_clean_problem,
    bearer,
    create,
    expected_problem,
    source_body,
)


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


class TestBodyTooLarge:
    """A body over MAX_CONTENT_LENGTH answers 413."""

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    def test_413(self, make_app, token, method):
        client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
        path = "/v1/sources" if method == "POST" else f"/v1/sources/{MISSING_ID}"
        response = client.open(
            path, method=method, json=source_body(body="x" * 2000), headers=bearer(token)
        )
        assert_clean_problem(response, 413)
        assert response.get_json() == expected_problem(413, RequestEntityTooLarge.description, path)

    def test_body_within_the_limit_is_accepted(self, make_app, token):
        client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
        response = client.post("/v1/sources", json=source_body(), headers=bearer(token))
        assert response.status_code == 201, response.get_json()


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
        response = send_chunked(app, method, path, data, bearer(token))
        assert_clean_problem(response, 413)
        assert response.get_json() == expected_problem(413, RequestEntityTooLarge.description, path)
        assert client.get("/v1/sources").get_json() == [existing]

    def test_a_body_of_exactly_the_limit_is_taken(self, app, db, token):
        record = json.dumps(source_body()).encode()
        data = record.ljust(app.config["MAX_CONTENT_LENGTH"])
        response = send_chunked(app, "POST", "/v1/sources", data, bearer(token))
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
