"""flask-smorest with this API's conventions (api/web/blueprint.py): pages, ETags,
If-Match, auth in the spec, links from creates."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from schemas.vocabularies import (
    ACTOR_KINDS,
    CERTAINTIES,
    EVENT_TYPES,
    LOCATION_KINDS,
    PARTICIPANT_ROLES,
    STANCES,
    STATEMENT_TYPES,
)
from tests.helpers import Client, assert_clean_problem, create, expected_problem, source_body


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
