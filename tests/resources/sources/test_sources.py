"""Tests of /v1/sources: the documents that events and statements cite."""

import json
import uuid
from datetime import datetime

import pytest

from tests import helpers
from tests.helpers import (
    ARTICLE_BODY,
    actor_body,
    assert_not_found,
    assert_problem,
    assert_refused,
    assert_server_fields,
    create,
    event_body,
    source_body,
    source_summary,
    statement_body,
)

SOURCES = "/v1/sources"
EVENT_QUOTE = "accused Armenian forces of shelling"
STATEMENT_QUOTE = "“We strongly condemn the use of force,”"


def create_with_etag(client, body):
    return helpers.create_with_etag(client, SOURCES, body)


def source_path(source_id):
    return f"{SOURCES}/{source_id}"


def count_sources(db):
    return db.execute("SELECT count(*) AS n FROM sources").fetchone()["n"]


def expected_source(record, body):
    """The source `body` as the API returns it, with the server fields of `record`."""
    return {
        "id": record["id"],
        "title": body["title"],
        "url": body.get("url"),
        "publisher": body.get("publisher"),
        "published_on": body.get("published_on"),
        "language": body.get("language"),
        "body": body["body"],
        "notes": body.get("notes"),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
    }


def cite(client, source_id):
    """Create an event citing EVENT_QUOTE from the source; return the event."""
    return create(client, "/v1/events", event_body(source_id))


def quote_offsets(body, quote):
    start = body.index(quote)
    return start, start + len(quote)


# Bodies that every write of a whole source refuses, and the field each names.
INVALID_SOURCES = [
    pytest.param({"body": ARTICLE_BODY}, "title", id="title-missing"),
    pytest.param(source_body(title=None), "title", id="title-null"),
    pytest.param(source_body(title=42), "title", id="title-not-string"),
    pytest.param(source_body(title=""), "title", id="title-empty"),
    pytest.param(source_body(title="x" * 501), "title", id="title-too-long"),
    pytest.param(source_body(title="Clashes\u0000"), "title", id="title-nul"),
    pytest.param({"title": "Clashes"}, "body", id="body-missing"),
    pytest.param(source_body(body=None), "body", id="body-null"),
    pytest.param(source_body(body=["text"]), "body", id="body-not-string"),
    pytest.param(source_body(body=""), "body", id="body-empty"),
    pytest.param(source_body(body="x" * 1_000_001), "body", id="body-too-long"),
    pytest.param(source_body(body="Text\u0000text"), "body", id="body-nul"),
    pytest.param(source_body(url="ftp://example.org/news"), "url", id="url-ftp"),
    pytest.param(source_body(url="javascript:alert(1)"), "url", id="url-javascript"),
    pytest.param(source_body(url="example.org/news"), "url", id="url-relative"),
    pytest.param(source_body(url="https://"), "url", id="url-no-host"),
    pytest.param(source_body(url=7), "url", id="url-not-string"),
    pytest.param(source_body(url="https://example.org/" + "a" * 2048), "url", id="url-too-long"),
    pytest.param(source_body(publisher=""), "publisher", id="publisher-empty"),
    pytest.param(source_body(publisher=["News"]), "publisher", id="publisher-not-string"),
    pytest.param(source_body(publisher="x" * 501), "publisher", id="publisher-too-long"),
    pytest.param(source_body(publisher="News\u0000"), "publisher", id="publisher-nul"),
    pytest.param(source_body(published_on="30/09/2020"), "published_on", id="date-format"),
    pytest.param(source_body(published_on="2020-02-30"), "published_on", id="date-impossible"),
    pytest.param(source_body(published_on=20200930), "published_on", id="date-not-string"),
    pytest.param(source_body(language="english"), "language", id="language-word"),
    pytest.param(source_body(language="e"), "language", id="language-one-letter"),
    pytest.param(source_body(language="en_GB"), "language", id="language-underscore"),
    pytest.param(source_body(language="en-"), "language", id="language-trailing-dash"),
    pytest.param(source_body(language=""), "language", id="language-empty"),
    pytest.param(source_body(language=1), "language", id="language-not-string"),
    pytest.param(source_body(notes=""), "notes", id="notes-empty"),
    pytest.param(source_body(notes=False), "notes", id="notes-not-string"),
    pytest.param(source_body(notes="x" * 20_001), "notes", id="notes-too-long"),
    pytest.param(source_body(notes="Note\u0000"), "notes", id="notes-nul"),
    pytest.param(source_body(author="Someone"), "author", id="unknown-field"),
    pytest.param(source_body(id=str(uuid.uuid4())), "id", id="id-read-only"),
    pytest.param(
        source_body(created_at="2020-09-30T12:00:00+00:00"), "created_at", id="created-at-read-only"
    ),
    pytest.param(
        source_body(updated_at="2020-09-30T12:00:00+00:00"), "updated_at", id="updated-at-read-only"
    ),
]

# Changes that a PATCH refuses, and the field each names.
INVALID_CHANGES = [
    pytest.param({"title": None}, "title", id="title-null"),
    pytest.param({"title": ""}, "title", id="title-empty"),
    pytest.param({"title": "x" * 501}, "title", id="title-too-long"),
    pytest.param({"title": "A\u0000B"}, "title", id="title-nul"),
    pytest.param({"body": None}, "body", id="body-null"),
    pytest.param({"body": ""}, "body", id="body-empty"),
    pytest.param({"body": 3}, "body", id="body-not-string"),
    pytest.param({"url": "mailto:news@example.org"}, "url", id="url-mailto"),
    pytest.param({"published_on": "yesterday"}, "published_on", id="date-format"),
    pytest.param({"language": "not a tag"}, "language", id="language-spaces"),
    pytest.param({"author": "Someone"}, "author", id="unknown-field"),
    pytest.param({"id": str(uuid.uuid4())}, "id", id="id-read-only"),
    pytest.param({"created_at": "2020-09-30T12:00:00+00:00"}, "created_at", id="created-at"),
]


class TestCreateSource:
    def test_creates_source(self, client, db):
        body = source_body()
        response = client.post(SOURCES, json=body)

        assert response.status_code == 201
        source = response.get_json()
        assert_server_fields(source)
        assert source["created_at"] == source["updated_at"]
        assert source == expected_source(source, body)
        assert response.headers["Location"] == source_path(source["id"])
        assert response.headers["ETag"]
        assert count_sources(db) == 1

    def test_etag_is_that_of_the_stored_record(self, client):
        source, etag = create_with_etag(client, source_body())

        response = client.get(source_path(source["id"]))

        assert response.headers["ETag"] == etag

    def test_optional_fields_may_be_left_out(self, client):
        body = {"title": "Clashes", "body": ARTICLE_BODY}
        response = client.post(SOURCES, json=body)

        assert response.status_code == 201
        source = response.get_json()
        assert_server_fields(source)
        assert source == expected_source(source, body)
        assert source["url"] is None
        assert source["language"] is None

    def test_optional_fields_may_be_null(self, client):
        body = source_body(url=None, publisher=None, published_on=None, language=None, notes=None)
        response = client.post(SOURCES, json=body)

        assert response.status_code == 201
        source = response.get_json()
        assert source == expected_source(source, body)

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"language": "en-GB"}, id="language-region"),
            pytest.param({"language": "az-Latn-AZ"}, id="language-script-region"),
            pytest.param({"language": "hye"}, id="language-three-letters"),
            pytest.param({"url": "http://example.org/news?id=1"}, id="url-http"),
            pytest.param({"title": "x" * 500}, id="title-500-characters"),
            pytest.param({"notes": "Title taken from the page header."}, id="notes"),
            pytest.param({"body": "Ադրբեջան — Azərbaycan 🇦🇿"}, id="body-unicode"),
        ],
    )
    def test_accepts_valid_values(self, client, changes):
        body = source_body(**changes)
        response = client.post(SOURCES, json=body)

        assert response.status_code == 201, response.get_json()
        source = response.get_json()
        assert source == expected_source(source, body)

    @pytest.mark.parametrize(("body", "field"), INVALID_SOURCES)
    def test_refuses_invalid_source(self, client, db, body, field):
        response = client.post(SOURCES, json=body)

        assert_refused(response, 422, field, SOURCES)
        assert count_sources(db) == 0

    def test_refuses_body_that_is_not_an_object(self, client, db):
        response = client.post(SOURCES, json=[source_body()])

        assert_problem(response, 422)
        assert count_sources(db) == 0

    def test_refuses_malformed_json(self, client, db):
        response = client.post(
            SOURCES, data="{not json", headers={"Content-Type": "application/json"}
        )

        assert_problem(response, 400)
        assert count_sources(db) == 0

    def test_refuses_url_already_taken(self, client, db):
        create(client, SOURCES, source_body())

        response = client.post(SOURCES, json=source_body(title="Another article"))

        assert_refused(response, 409, "url", SOURCES)
        assert count_sources(db) == 1

    def test_several_sources_may_have_no_url(self, client, db):
        create(client, SOURCES, source_body(url=None))
        create(client, SOURCES, source_body(url=None, title="Another article"))

        assert count_sources(db) == 2


class TestGetSource:
    def test_returns_source_with_etag(self, client):
        source, etag = create_with_etag(client, source_body())

        response = client.get(source_path(source["id"]))

        assert response.status_code == 200
        assert response.get_json() == source
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_current_etag_is_not_modified(self, client):
        source, _ = create_with_etag(client, source_body())
        etag = client.get(source_path(source["id"])).headers["ETag"]

        response = client.get(source_path(source["id"]), headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_stale_etag_returns_source(self, client):
        source, stale = create_with_etag(client, source_body())
        changed = client.patch(source_path(source["id"]), json={"title": "Renamed"})
        assert changed.status_code == 200

        response = client.get(source_path(source["id"]), headers={"If-None-Match": stale})

        assert response.status_code == 200
        assert response.get_json() == changed.get_json()
        assert response.headers["ETag"] == changed.headers["ETag"] != stale

    def test_unknown_id_is_not_found(self, client):
        path = source_path(uuid.uuid4())

        assert_not_found(client.get(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = source_path("not-a-uuid")

        assert_not_found(client.get(path), path)


class TestListSources:
    def test_empty_list(self, client):
        response = client.get(SOURCES)

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}
        assert "Link" not in response.headers

    def test_newest_published_first_undated_last(self, client):
        older = create(client, SOURCES, source_body(url=None, published_on="2020-09-27"))
        undated = create(client, SOURCES, source_body(url=None, published_on=None))
        newest = create(client, SOURCES, source_body(url=None, published_on="2020-10-10"))
        middle = create(client, SOURCES, source_body(url=None, published_on="2020-09-30"))

        response = client.get(SOURCES)

        assert response.status_code == 200
        assert response.get_json() == [newest, middle, older, undated]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 4,
            "total_pages": 1,
            "first_page": 1,
            "last_page": 1,
            "page": 1,
        }
        assert response.headers["Link"] == (
            f'<http://localhost{SOURCES}?page=1>; rel="first", '
            f'<http://localhost{SOURCES}?page=1>; rel="last"'
        )
        assert response.headers["ETag"]

    def _five_sources(self, client):
        """Five sources, newest first."""
        days = ["2020-10-05", "2020-10-04", "2020-10-03", "2020-10-02", "2020-10-01"]
        created = [
            create(client, SOURCES, source_body(url=None, published_on=day))
            for day in reversed(days)
        ]
        return list(reversed(created))

    def test_middle_page(self, client):
        sources = self._five_sources(client)

        response = client.get(f"{SOURCES}?page=2&page_size=2")

        assert response.status_code == 200
        assert response.get_json() == sources[2:4]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        base = f"http://localhost{SOURCES}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=1&page_size=2>; rel="prev", '
            f'<{base}?page=3&page_size=2>; rel="next", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_first_page(self, client):
        sources = self._five_sources(client)

        response = client.get(f"{SOURCES}?page_size=2")

        assert response.get_json() == sources[:2]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }
        base = f"http://localhost{SOURCES}"
        assert response.headers["Link"] == (
            f'<{base}?page_size=2&page=1>; rel="first", '
            f'<{base}?page_size=2&page=2>; rel="next", '
            f'<{base}?page_size=2&page=3>; rel="last"'
        )

    def test_last_page(self, client):
        sources = self._five_sources(client)

        response = client.get(f"{SOURCES}?page=3&page_size=2")

        assert response.get_json() == sources[4:]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 3,
            "previous_page": 2,
        }
        base = f"http://localhost{SOURCES}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=2&page_size=2>; rel="prev", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_page_past_the_end_is_empty(self, client):
        self._five_sources(client)

        response = client.get(f"{SOURCES}?page=4&page_size=2")

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
        }

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("page=0", "page", id="page-zero"),
            pytest.param("page=-1", "page", id="page-negative"),
            pytest.param("page=first", "page", id="page-not-number"),
            pytest.param("page=1000001", "page", id="page-too-deep"),
            pytest.param("page_size=0", "page_size", id="page-size-zero"),
            pytest.param("page_size=501", "page_size", id="page-size-too-big"),
            pytest.param("page_size=ten", "page_size", id="page-size-not-number"),
        ],
    )
    def test_refuses_invalid_page(self, client, query, field):
        response = client.get(f"{SOURCES}?{query}")

        assert_refused(response, 422, field, SOURCES)


class TestReplaceSource:
    def test_replaces_whole_source(self, client):
        source, etag = create_with_etag(client, source_body(notes="Dated from the byline."))
        body = {"title": "Clashes, updated", "body": "A shorter text."}

        response = client.put(source_path(source["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert_server_fields(replaced)
        assert replaced == expected_source({**source, "updated_at": replaced["updated_at"]}, body)
        assert datetime.fromisoformat(replaced["updated_at"]) > datetime.fromisoformat(
            source["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(source_path(source["id"])).get_json() == replaced

    def test_keeps_its_own_url(self, client):
        source = create(client, SOURCES, source_body())
        body = source_body(title="Renamed")

        response = client.put(source_path(source["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_source({**source, "updated_at": replaced["updated_at"]}, body)

    @pytest.mark.parametrize(("body", "field"), INVALID_SOURCES)
    def test_refuses_invalid_source(self, client, body, field):
        source = create(client, SOURCES, source_body())
        path = source_path(source["id"])

        assert_refused(client.put(path, json=body), 422, field, path)
        assert client.get(path).get_json() == source

    def test_refuses_url_of_another_source(self, client):
        create(client, SOURCES, source_body())
        other = create(client, SOURCES, source_body(url="https://example.org/other"))
        path = source_path(other["id"])

        response = client.put(path, json=source_body(title="Other"))

        assert_refused(response, 409, "url", path)
        assert client.get(path).get_json() == other

    def test_body_keeping_cited_quote_moves_citation(self, client):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        new_text = "Update, 1 October: " + ARTICLE_BODY
        start, end = quote_offsets(new_text, EVENT_QUOTE)
        assert (start, end) != quote_offsets(ARTICLE_BODY, EVENT_QUOTE)

        response = client.put(source_path(source["id"]), json=source_body(body=new_text))

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["body"] == new_text
        moved = client.get(f"/v1/events/{event['id']}").get_json()
        # Its citation moved, so the event changed for clients that sync by updated_at.
        assert moved["updated_at"] > event["updated_at"]
        assert moved == {
            **event,
            "updated_at": moved["updated_at"],
            "reports": [
                {
                    **event["reports"][0],
                    "quotes": [{"quote": EVENT_QUOTE, "start": start, "end": end}],
                }
            ],
            "citations": [
                {
                    "source_id": source["id"],
                    "source": source_summary(source),
                    "quote": EVENT_QUOTE,
                    "start": start,
                    "end": end,
                }
            ],
        }

    def test_body_dropping_cited_quote_is_refused(self, client):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        path = source_path(source["id"])

        response = client.put(path, json=source_body(body="Nothing of what was said."))

        assert_refused(response, 422, "body", path)
        assert client.get(path).get_json() == source
        assert client.get(f"/v1/events/{event['id']}").get_json() == event

    def test_body_dropping_quote_cited_by_statement_is_refused(self, client):
        source = create(client, SOURCES, source_body())
        speaker = create(client, "/v1/actors", actor_body())
        statement = create(client, "/v1/statements", statement_body(source["id"], speaker["id"]))
        path = source_path(source["id"])

        response = client.put(path, json=source_body(body=ARTICLE_BODY.replace("“", '"')))

        assert_refused(response, 422, "body", path)
        assert client.get(path).get_json() == source
        assert client.get(f"/v1/statements/{statement['id']}").get_json() == statement

    def test_stale_if_match_is_refused(self, client):
        source, stale = create_with_etag(client, source_body())
        path = source_path(source["id"])
        current = client.patch(path, json={"publisher": "Another publisher"}).get_json()

        response = client.put(
            path, json=source_body(title="Overwritten"), headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        source, etag = create_with_etag(client, source_body())
        body = source_body(title="Renamed")

        response = client.put(source_path(source["id"]), json=body, headers={"If-Match": etag})

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_source({**source, "updated_at": replaced["updated_at"]}, body)

    def test_unknown_id_is_not_found(self, client, db):
        path = source_path(uuid.uuid4())

        assert_not_found(client.put(path, json=source_body()), path)
        assert count_sources(db) == 0

    def test_malformed_id_is_not_found(self, client):
        path = source_path("not-a-uuid")

        assert_not_found(client.put(path, json=source_body()), path)


class TestPatchSource:
    def test_changes_only_given_fields(self, client):
        source, etag = create_with_etag(client, source_body())

        response = client.patch(
            source_path(source["id"]), json={"title": "Renamed", "published_on": "2020-10-01"}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert_server_fields(patched)
        assert patched == {
            **source,
            "title": "Renamed",
            "published_on": "2020-10-01",
            "updated_at": patched["updated_at"],
        }
        assert datetime.fromisoformat(patched["updated_at"]) > datetime.fromisoformat(
            source["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(source_path(source["id"])).get_json() == patched

    def test_null_clears_optional_field(self, client):
        source = create(client, SOURCES, source_body())

        response = client.patch(source_path(source["id"]), json={"url": None, "language": None})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {
            **source,
            "url": None,
            "language": None,
            "updated_at": patched["updated_at"],
        }

    def test_empty_patch_changes_nothing(self, client):
        source = create(client, SOURCES, source_body())

        response = client.patch(source_path(source["id"]), json={})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**source, "updated_at": patched["updated_at"]}

    @pytest.mark.parametrize(("changes", "field"), INVALID_CHANGES)
    def test_refuses_invalid_change(self, client, changes, field):
        source = create(client, SOURCES, source_body())
        path = source_path(source["id"])

        assert_refused(client.patch(path, json=changes), 422, field, path)
        assert client.get(path).get_json() == source

    def test_refuses_url_of_another_source(self, client):
        first = create(client, SOURCES, source_body())
        other = create(client, SOURCES, source_body(url="https://example.org/other"))
        path = source_path(other["id"])

        response = client.patch(path, json={"url": first["url"]})

        assert_refused(response, 409, "url", path)
        assert client.get(path).get_json() == other

    def test_body_keeping_cited_quote_moves_citation(self, client):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        new_text = ARTICLE_BODY.replace("Azerbaijan’s", "On Wednesday, Azerbaijan’s")
        start, end = quote_offsets(new_text, EVENT_QUOTE)

        response = client.patch(source_path(source["id"]), json={"body": new_text})

        assert response.status_code == 200, response.get_json()
        patched = response.get_json()
        assert patched == {**source, "body": new_text, "updated_at": patched["updated_at"]}
        moved = client.get(f"/v1/events/{event['id']}").get_json()
        # Its citation moved, so the event changed for clients that sync by updated_at.
        assert moved["updated_at"] > event["updated_at"]
        assert moved == {
            **event,
            "updated_at": moved["updated_at"],
            "reports": [
                {
                    **event["reports"][0],
                    "quotes": [{"quote": EVENT_QUOTE, "start": start, "end": end}],
                }
            ],
            "citations": [{**event["citations"][0], "start": start, "end": end}],
        }
        assert (start, end) != (event["citations"][0]["start"], event["citations"][0]["end"])

    def test_body_keeping_quote_at_same_offset_keeps_citation(self, client):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        new_text = ARTICLE_BODY + " More later."

        response = client.patch(source_path(source["id"]), json={"body": new_text})

        assert response.status_code == 200
        assert client.get(f"/v1/events/{event['id']}").get_json() == event

    def test_body_dropping_cited_quote_is_refused(self, client):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        path = source_path(source["id"])

        response = client.patch(
            path, json={"body": ARTICLE_BODY.replace("of shelling", "of attacking")}
        )

        assert_refused(response, 422, "body", path)
        assert client.get(path).get_json() == source
        assert client.get(f"/v1/events/{event['id']}").get_json() == event

    def test_stale_if_match_is_refused(self, client):
        source, stale = create_with_etag(client, source_body())
        path = source_path(source["id"])
        current = client.patch(path, json={"publisher": "Another publisher"}).get_json()

        response = client.patch(path, json={"title": "Overwritten"}, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        source, etag = create_with_etag(client, source_body())

        response = client.patch(
            source_path(source["id"]), json={"title": "Renamed"}, headers={"If-Match": etag}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**source, "title": "Renamed", "updated_at": patched["updated_at"]}

    def test_unknown_id_is_not_found(self, client):
        path = source_path(uuid.uuid4())

        assert_not_found(client.patch(path, json={"title": "Renamed"}), path)

    def test_malformed_id_is_not_found(self, client):
        path = source_path("not-a-uuid")

        assert_not_found(client.patch(path, json={"title": "Renamed"}), path)


class TestDeleteSource:
    def test_deletes_source(self, client, db):
        source = create(client, SOURCES, source_body())
        path = source_path(source["id"])

        response = client.delete(path)

        assert response.status_code == 204
        assert response.get_data() == b""
        assert_not_found(client.get(path), path)
        assert count_sources(db) == 0

    def test_source_cited_by_event_is_kept(self, client, db):
        source = create(client, SOURCES, source_body())
        event = cite(client, source["id"])
        path = source_path(source["id"])

        response = client.delete(path)

        problem = assert_problem(response, 409)
        assert problem["instance"] == path
        assert problem["referrers"] == [{"kind": "event", "id": event["id"]}]
        assert client.get(path).get_json() == source
        assert count_sources(db) == 1

        assert client.delete(f"/v1/events/{event['id']}").status_code == 204
        assert client.delete(path).status_code == 204
        assert count_sources(db) == 0

    def test_source_cited_by_statement_is_kept(self, client, db):
        source = create(client, SOURCES, source_body())
        speaker = create(client, "/v1/actors", actor_body())
        statement = create(client, "/v1/statements", statement_body(source["id"], speaker["id"]))
        path = source_path(source["id"])

        response = client.delete(path)

        problem = assert_problem(response, 409)
        assert problem["referrers"] == [{"kind": "statement", "id": statement["id"]}]
        assert client.get(path).get_json() == source

        assert client.delete(f"/v1/statements/{statement['id']}").status_code == 204
        assert client.delete(path).status_code == 204
        assert count_sources(db) == 0

    def test_lists_every_referrer(self, client):
        source = create(client, SOURCES, source_body())
        speaker = create(client, "/v1/actors", actor_body())
        events = [cite(client, source["id"]) for _ in range(2)]
        statement = create(client, "/v1/statements", statement_body(source["id"], speaker["id"]))

        response = client.delete(source_path(source["id"]))

        problem = assert_problem(response, 409)
        assert problem["referrers"] == [
            *sorted(({"kind": "event", "id": e["id"]} for e in events), key=lambda r: r["id"]),
            {"kind": "statement", "id": statement["id"]},
        ]

    def test_stale_if_match_is_refused(self, client, db):
        source, stale = create_with_etag(client, source_body())
        path = source_path(source["id"])
        current = client.patch(path, json={"title": "Renamed"}).get_json()

        response = client.delete(path, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert count_sources(db) == 1

    def test_current_if_match_is_accepted(self, client, db):
        source, etag = create_with_etag(client, source_body())

        response = client.delete(source_path(source["id"]), headers={"If-Match": etag})

        assert response.status_code == 204
        assert count_sources(db) == 0

    def test_unknown_id_is_not_found(self, client):
        path = source_path(uuid.uuid4())

        assert_not_found(client.delete(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = source_path("not-a-uuid")

        assert_not_found(client.delete(path), path)
