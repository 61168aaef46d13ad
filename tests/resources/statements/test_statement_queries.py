"""Tests of querying statements: filters, search, sorting, paging, shape and the related routes.

Each test reads the same small data set, built through the API, and asserts
exactly which statements come back, in which order. The classes that only read
share one data set, built once for the class; a test that writes builds its own.
"""

import json
import uuid
from urllib.parse import urlencode

import pytest

from schemas.query import Cursor
from tests.helpers import (
    OnlyReads,
    actor_body,
    assert_problem,
    create,
    event_body,
    source_body,
    statement_body,
    walk,
)

STATEMENTS = "/v1/statements"
# Quotes from the two sources, cited by the statements below.
ACCUSED = "accused Armenian forces of shelling"
KILLED = "Dozens of people have been killed."
CONDEMN = "“We strongly condemn the use of force,”"
TALKS_BODY = "The foreign ministers agreed to meet in Moscow on Friday for talks."


def make_data(client, db=None):
    """Four actors, two events and five statements, created in the order S1..S5.

    In the default order (latest stated_on first, undated last) they come
    S5, S3, S2, S1, S4.

    | name | speaker | addressees | events (stance)       | type         | quote | stated_on  |
    | S1   | A       | B          | E1 asserts            | accusation   | no    | 2020-09-27 |
    | S2   | B       | A          | E1 denies, E2 asserts | denial       | yes   | 2020-09-28 |
    | S3   | C       | A, B       | E1 condemns           | condemnation | yes   | 2020-09-30 |
    | S4   | A       | -          | E2 refers_to          | appeal       | no    | -          |
    | S5   | C       | B          | -                     | announcement | no    | 2020-10-02 |

    Actor D made no statement and is addressed by none.
    """
    article = create(client, "/v1/sources", source_body())
    talks = create(
        client,
        "/v1/sources",
        source_body(title="Talks in Moscow", url="https://example.org/talks", body=TALKS_BODY),
    )
    actors = {
        "A": create(client, "/v1/actors", actor_body()),
        "B": create(client, "/v1/actors", actor_body(name="Armenia", country="ARM")),
        "C": create(
            client,
            "/v1/actors",
            actor_body(name="OSCE co-chairs", kind="international_organization", country=None),
        ),
        "D": create(client, "/v1/actors", actor_body(name="Georgia", country="GEO")),
    }
    events = {
        "E1": create(client, "/v1/events", event_body(article["id"])),
        "E2": create(
            client,
            "/v1/events",
            event_body(
                article["id"],
                title="Clashes along the line of contact",
                start_date="2020-09-27",
                citations=[{"source_id": article["id"], "quote": KILLED}],
            ),
        ),
    }

    def statement(speaker, addressees, about, **fields):
        return create(
            client,
            STATEMENTS,
            {
                **statement_body(article["id"], actors[speaker]["id"]),
                "addressee_ids": [actors[name]["id"] for name in addressees],
                "events": [
                    {"event_id": events[name]["id"], "stance": stance} for name, stance in about
                ],
                **fields,
            },
        )

    statements = {
        "S1": statement(
            "A",
            ["B"],
            [("E1", "asserts")],
            text="Armenian forces shelled the town of Tartar",
            is_direct_quote=False,
            statement_type="accusation",
            stated_on="2020-09-27",
            medium="press release",
            citations=[{"source_id": article["id"], "quote": ACCUSED}],
        ),
        "S2": statement(
            "B",
            ["A"],
            [("E1", "denies"), ("E2", "asserts")],
            text="These reports are lies",
            statement_type="denial",
            stated_on="2020-09-28",
            medium="briefing",
            citations=[{"source_id": article["id"], "quote": KILLED}],
        ),
        "S3": statement(
            "C",
            ["A", "B"],
            [("E1", "condemns")],
            stated_on="2020-09-30",
            medium="joint statement",
        ),
        "S4": statement(
            "A",
            [],
            [("E2", "refers_to")],
            text="Azerbaijan calls for the condemnation of the attack and condemns it",
            is_direct_quote=False,
            statement_type="appeal",
            stated_on=None,
            citations=[],
        ),
        "S5": statement(
            "C",
            ["B"],
            [],
            text="The co-chairs will host the ministers",
            is_direct_quote=False,
            statement_type="announcement",
            stated_on="2020-10-02",
            medium="broadcast",
            citations=[{"source_id": talks["id"], "quote": "agreed to meet in Moscow"}],
        ),
    }
    ids = {name: record["id"] for name, record in {**actors, **events}.items()}
    return {"ids": ids, "statements": statements}


@pytest.fixture
def data(client):
    return make_data(client)


class ReadsTheDataSet(OnlyReads):
    """A class of tests that only read the data set, built once for the class."""

    build = staticmethod(make_data)


def fill(query, data):
    """The query with {A}, {E1}... replaced by the ids of those records, URL-encoded."""
    path, mark, query = query.rpartition("?") if "?" in query else ("", "", query)
    pairs = [part.partition("=") for part in query.split("&") if part]
    encoded = urlencode([(name, value.format(**data["ids"])) for name, _, value in pairs])
    return path.format(**data["ids"]) + mark + encoded


def names(response, data):
    """The names (S1..S5) of the statements in a response, in order."""
    assert response.status_code == 200, response.get_json()
    by_id = {record["id"]: name for name, record in data["statements"].items()}
    return [by_id[record["id"]] for record in response.get_json()]


def everything(client, url):
    """Every record `url` lists, read page by page in page mode."""
    records, page = [], 1
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200, response.get_json()
        if not response.get_json():
            return records
        records.extend(response.get_json())
        page += 1


FILTERS = [
    pytest.param("", ["S5", "S3", "S2", "S1", "S4"], id="no-filter"),
    pytest.param("speaker_id={A}", ["S1", "S4"], id="speaker_id"),
    pytest.param("speaker_id={A},{C}", ["S5", "S3", "S1", "S4"], id="speaker_id-several"),
    pytest.param("speaker_id={D}", [], id="speaker_id-silent-actor"),
    pytest.param("addressee_id={A}", ["S3", "S2"], id="addressee_id"),
    pytest.param("addressee_id={B}", ["S5", "S3", "S1"], id="addressee_id-other"),
    pytest.param("addressee_id={A},{B}", ["S5", "S3", "S2", "S1"], id="addressee_id-several"),
    pytest.param("addressee_id={D}", [], id="addressee_id-nobody"),
    pytest.param("event_id={E1}", ["S3", "S2", "S1"], id="event_id"),
    pytest.param("event_id={E2}", ["S2", "S4"], id="event_id-other"),
    pytest.param("event_id={E1},{E2}", ["S3", "S2", "S1", "S4"], id="event_id-several"),
    pytest.param("stance=denies", ["S2"], id="stance"),
    pytest.param("stance=asserts", ["S2", "S1"], id="stance-towards-any-event"),
    pytest.param("stance=denies,condemns", ["S3", "S2"], id="stance-several"),
    # event_id and stance hold of the same event: S2 asserts E2, not E1.
    pytest.param("event_id={E1}&stance=asserts", ["S1"], id="stance-towards-event_id"),
    pytest.param("event_id={E2}&stance=asserts", ["S2"], id="stance-towards-other-event"),
    pytest.param("event_id={E2}&stance=denies", [], id="stance-not-towards-event_id"),
    pytest.param(
        "event_id={E1},{E2}&stance=asserts,refers_to",
        ["S2", "S1", "S4"],
        id="stance-several-events-several",
    ),
    pytest.param("statement_type=denial", ["S2"], id="statement_type"),
    pytest.param("statement_type=denial,condemnation", ["S3", "S2"], id="statement_type-several"),
    pytest.param("statement_type=rejection", [], id="statement_type-none"),
    pytest.param("is_direct_quote=true", ["S3", "S2"], id="is_direct_quote-true"),
    pytest.param("is_direct_quote=false", ["S5", "S1", "S4"], id="is_direct_quote-false"),
    pytest.param("date_from=2020-09-28", ["S5", "S3", "S2"], id="date_from-inclusive"),
    pytest.param("date_to=2020-09-28", ["S2", "S1"], id="date_to-inclusive"),
    pytest.param("date_from=2020-09-28&date_to=2020-09-30", ["S3", "S2"], id="date-range"),
    pytest.param("date_from=2020-09-30&date_to=2020-09-30", ["S3"], id="date-range-one-day"),
    pytest.param("date_from=2020-09-29&date_to=2020-09-29", [], id="date-range-empty-day"),
    pytest.param("date_to=2030-01-01", ["S5", "S3", "S2", "S1"], id="undated-never-match"),
    pytest.param("speaker_id={C}&addressee_id={A}", ["S3"], id="and-speaker-addressee"),
    pytest.param(
        "speaker_id={A},{B}&statement_type=accusation,appeal,denial&is_direct_quote=false",
        ["S1", "S4"],
        id="and-several-filters",
    ),
    pytest.param("event_id={E1}&is_direct_quote=true", ["S3", "S2"], id="and-event-quote"),
    pytest.param("event_id={E1}&date_to=2020-09-28", ["S2", "S1"], id="and-event-date"),
    pytest.param("speaker_id={B}&stance=condemns", [], id="and-nothing-matches"),
    pytest.param("q=dozens", ["S2"], id="q-word-only-in-a-cited-quote"),
    pytest.param("q=broadcast", ["S5"], id="q-word-only-in-the-medium"),
    pytest.param("q=Moscow", ["S5"], id="q-quote-from-another-source"),
    pytest.param("q=shells", ["S1"], id="q-stemmed-shelled-shelling"),
    pytest.param("q=condemn&speaker_id={C}", ["S3"], id="q-and-speaker_id"),
    pytest.param("q=condemn&event_id={E2}", ["S4"], id="q-and-event_id"),
    pytest.param('q="use of force"', ["S3"], id="q-phrase"),
    pytest.param("q=condemn -attack", ["S3"], id="q-excluding-a-word"),
    pytest.param("q=lies or dozens", ["S2"], id="q-or-same"),
    # Ranked: a word in the text (S2) outweighs one in the medium (S5).
    pytest.param("q=lies or broadcast", ["S2", "S5"], id="q-or-ranked"),
    pytest.param("q=the", [], id="q-only-stop-words"),
    pytest.param("q=lies | ! ( :* <-> )", ["S2"], id="q-operators-taken-as-text"),
    pytest.param("q=ceasefire", [], id="q-no-match"),
]


class TestFilters(ReadsTheDataSet):
    @pytest.mark.parametrize(("query", "expected"), FILTERS)
    def test_lists_exactly_the_statements_that_match(self, client, data, query, expected):
        response = client.get(f"{STATEMENTS}?{fill(query, data)}")

        assert names(response, data) == expected
        assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)

    @pytest.mark.parametrize(("query", "expected"), FILTERS)
    def test_keyset_pages_list_the_same_statements(self, client, data, query, expected):
        url = f"{STATEMENTS}?{fill(query, data)}&sort=stated_on"
        pages = walk(client, f"{url}&cursor=&page_size=2")

        listed = [record for page in pages for record in page]
        assert listed == client.get(f"{url}&page_size=500").get_json()
        assert len(listed) == len(expected)


class TestSearch(ReadsTheDataSet):
    @pytest.mark.parametrize(
        "query",
        [
            pytest.param("q=condemns", id="default-sort"),
            pytest.param("q=condemns&sort=relevance", id="relevance"),
            pytest.param("q=condemns&sort=-relevance", id="relevance-descending"),
            pytest.param("q=condemnation", id="noun"),
            pytest.param("q=CONDEMNED", id="upper-case-past-tense"),
        ],
    )
    def test_ranks_best_first_with_stemming(self, client, data, query):
        # S4 says "condemnation" and "condemns" in its text; S3 "condemn" once in
        # its text and once in its quote, which weighs less: S4 ranks first,
        # though it is undated and S3 is not.
        response = client.get(f"{STATEMENTS}?{query}")

        assert names(response, data) == ["S4", "S3"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            pytest.param("q=condemns&sort=stated_on", ["S4", "S3"], id="stated_on"),
            pytest.param("q=condemns&sort=-stated_on", ["S3", "S4"], id="-stated_on"),
            pytest.param("q=condemns&sort=-created_at", ["S4", "S3"], id="-created_at"),
            pytest.param("q=condemns&sort=created_at", ["S3", "S4"], id="created_at"),
        ],
    )
    def test_another_sort_given_with_q_wins(self, client, data, query, expected):
        assert names(client.get(f"{STATEMENTS}?{query}"), data) == expected

    def test_relevance_pages_by_page_number(self, client, data):
        first = client.get(f"{STATEMENTS}?q=condemn&page_size=1")
        second = client.get(f"{STATEMENTS}?q=condemn&page_size=1&page=2")

        assert names(first, data) == ["S4"]
        assert names(second, data) == ["S3"]
        assert json.loads(first.headers["X-Pagination"])["total"] == 2

    def test_q_with_empty_cursor_pages_in_the_default_order(self, client, data):
        pages = walk(client, f"{STATEMENTS}?q=condemn&cursor=&page_size=1")

        by_id = {record["id"]: name for name, record in data["statements"].items()}
        assert [[by_id[record["id"]] for record in page] for page in pages] == [["S3"], ["S4"]]


class TestSearchAfterAChange:
    def test_search_follows_a_replaced_text_and_its_quotes(self, client, data):
        s2 = data["statements"]["S2"]
        response = client.patch(
            f"{STATEMENTS}/{s2['id']}",
            json={"text": "A ceasefire is needed", "citations": []},
        )
        assert response.status_code == 200, response.get_json()

        assert names(client.get(f"{STATEMENTS}?q=ceasefire"), data) == ["S2"]
        assert names(client.get(f"{STATEMENTS}?q=lies"), data) == []
        assert names(client.get(f"{STATEMENTS}?q=dozens"), data) == []

    def test_search_follows_a_changed_medium(self, client, data):
        s3 = data["statements"]["S3"]
        response = client.patch(f"{STATEMENTS}/{s3['id']}", json={"medium": "interview"})
        assert response.status_code == 200, response.get_json()

        assert names(client.get(f"{STATEMENTS}?q=interview"), data) == ["S3"]
        assert names(client.get(f"{STATEMENTS}?q=joint"), data) == []


class TestSort:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            pytest.param("stated_on", ["S4", "S1", "S2", "S3", "S5"], id="stated_on-undated-first"),
            pytest.param("-stated_on", ["S5", "S3", "S2", "S1", "S4"], id="-stated_on"),
            pytest.param("created_at", ["S1", "S2", "S3", "S4", "S5"], id="created_at"),
            pytest.param("-created_at", ["S5", "S4", "S3", "S2", "S1"], id="-created_at"),
            pytest.param("updated_at", ["S1", "S3", "S4", "S5", "S2"], id="updated_at"),
            pytest.param("-updated_at", ["S2", "S5", "S4", "S3", "S1"], id="-updated_at"),
        ],
    )
    def test_sorts(self, client, data, sort, expected):
        s2 = data["statements"]["S2"]
        assert client.patch(f"{STATEMENTS}/{s2['id']}", json={"notes": "Later."}).status_code == 200

        assert names(client.get(f"{STATEMENTS}?sort={sort}"), data) == expected

    def test_sorts_within_a_filter(self, client, data):
        response = client.get(fill(f"{STATEMENTS}?speaker_id={{A}},{{C}}&sort=stated_on", data))

        assert names(response, data) == ["S4", "S1", "S3", "S5"]


class TestKeysetPaging:
    @pytest.fixture
    def more(self, client, data):
        """Three more statements on S3's day, and one more undated: ties across pages."""
        body = {
            key: value
            for key, value in data["statements"]["S3"].items()
            if key in ("speaker_id", "text", "is_direct_quote", "statement_type", "addressee_ids")
        }
        for stated_on in ("2020-09-30", "2020-09-30", None, "2020-09-30"):
            create(client, STATEMENTS, {**body, "stated_on": stated_on})

    @pytest.mark.parametrize(
        "sort",
        ["-stated_on", "stated_on", "created_at", "-created_at", "updated_at", "-updated_at"],
    )
    @pytest.mark.parametrize("page_size", [1, 2, 3, 500])
    def test_walks_to_the_end_without_duplicates_or_gaps(self, client, data, more, sort, page_size):
        expected = everything(client, f"{STATEMENTS}?sort={sort}&page_size=2")
        assert len(expected) == 9

        pages = walk(client, f"{STATEMENTS}?sort={sort}&page_size={page_size}&cursor=")

        assert [record for page in pages for record in page] == expected
        assert all(len(page) == page_size for page in pages[:-1])
        assert 1 <= len(pages[-1]) <= page_size
        assert len(pages) == -(-9 // page_size)

    def test_default_sort_without_sort_parameter(self, client, data):
        pages = walk(client, f"{STATEMENTS}?cursor=&page_size=2")

        by_id = {record["id"]: name for name, record in data["statements"].items()}
        assert [[by_id[record["id"]] for record in page] for page in pages] == [
            ["S5", "S3"],
            ["S2", "S1"],
            ["S4"],
        ]

    def test_keeps_the_filters_in_the_next_link(self, client, data):
        url = fill(f"{STATEMENTS}?speaker_id={{A}},{{C}}&cursor=&page_size=1&fields=text", data)
        pages = walk(client, url)

        by_id = {record["id"]: name for name, record in data["statements"].items()}
        assert [by_id[page[0]["id"]] for page in pages] == ["S5", "S3", "S1", "S4"]
        assert all(set(page[0]) == {"id", "text"} for page in pages)

    def test_last_page_has_no_next_link(self, client, data):
        response = client.get(f"{STATEMENTS}?cursor=&page_size=5")

        assert len(response.get_json()) == 5
        assert "Link" not in response.headers
        assert "X-Pagination" not in response.headers

    def test_empty_list_has_no_next_link(self, client, data):
        response = client.get(f"{STATEMENTS}?cursor=&statement_type=rejection")

        assert response.status_code == 200
        assert response.get_json() == []
        assert "Link" not in response.headers


class TestFields(ReadsTheDataSet):
    @pytest.mark.parametrize(
        ("fields", "keys"),
        [
            pytest.param("text", {"id", "text"}, id="one"),
            pytest.param(
                "text,stated_on,speaker", {"id", "text", "stated_on", "speaker"}, id="some"
            ),
            pytest.param("id", {"id"}, id="id-only"),
            pytest.param("events,citations", {"id", "events", "citations"}, id="embedded"),
        ],
    )
    def test_sparse_fields(self, client, data, fields, keys):
        full = client.get(f"{STATEMENTS}?speaker_id={data['ids']['A']}").get_json()

        response = client.get(f"{STATEMENTS}?speaker_id={data['ids']['A']}&fields={fields}")

        assert response.get_json() == [
            {key: value for key, value in record.items() if key in keys} for record in full
        ]


class TestUpdatedSince:
    def test_lists_what_changed_at_or_after_the_moment(self, client, data):
        s1, s4 = data["statements"]["S1"], data["statements"]["S4"]
        changed = client.patch(f"{STATEMENTS}/{s4['id']}", json={"notes": "Checked."}).get_json()
        client.patch(f"{STATEMENTS}/{s1['id']}", json={"notes": "Checked."})

        response = client.get(
            STATEMENTS, query_string={"updated_since": changed["updated_at"], "sort": "updated_at"}
        )

        assert names(response, data) == ["S4", "S1"]

    def test_combines_with_other_filters(self, client, data):
        s1, s4 = data["statements"]["S1"], data["statements"]["S4"]
        changed = client.patch(f"{STATEMENTS}/{s4['id']}", json={"notes": "Checked."}).get_json()
        client.patch(f"{STATEMENTS}/{s1['id']}", json={"notes": "Checked."})

        response = client.get(
            STATEMENTS,
            query_string={"updated_since": changed["updated_at"], "date_from": "2020-01-01"},
        )

        assert names(response, data) == ["S1"]

    def test_a_moment_in_the_future_lists_nothing(self, client, data):
        response = client.get(STATEMENTS, query_string={"updated_since": "2999-01-01T00:00:00Z"})

        assert names(response, data) == []


class TestRelatedRoutes(ReadsTheDataSet):
    @pytest.mark.parametrize(
        ("path", "query", "expected"),
        [
            pytest.param("/v1/events/{E1}/statements", "", ["S3", "S2", "S1"], id="event"),
            pytest.param("/v1/events/{E2}/statements", "", ["S2", "S4"], id="other-event"),
            pytest.param(
                "/v1/events/{E1}/statements", "speaker_id={B},{C}", ["S3", "S2"], id="event-filter"
            ),
            # With stance: that stance towards the route's event (S2 asserts E2, not E1).
            pytest.param("/v1/events/{E1}/statements", "stance=asserts", ["S1"], id="event-stance"),
            pytest.param(
                "/v1/events/{E2}/statements", "stance=asserts", ["S2"], id="other-event-stance"
            ),
            pytest.param(
                "/v1/events/{E1}/statements", "event_id={E2}", ["S2"], id="event-and-event_id"
            ),
            pytest.param("/v1/events/{E1}/statements", "q=condemns", ["S3"], id="event-search"),
            pytest.param(
                "/v1/events/{E1}/statements", "sort=stated_on", ["S1", "S2", "S3"], id="event-sort"
            ),
            pytest.param("/v1/actors/{A}/statements", "", ["S1", "S4"], id="actor"),
            pytest.param("/v1/actors/{C}/statements", "", ["S5", "S3"], id="other-actor"),
            pytest.param("/v1/actors/{D}/statements", "", [], id="silent-actor"),
            # Only as speaker: S2 and S3 are addressed to A, not made by it.
            pytest.param(
                "/v1/actors/{A}/statements", "addressee_id={B}", ["S1"], id="actor-filter"
            ),
            pytest.param(
                "/v1/actors/{B}/statements", "speaker_id={A}", [], id="actor-and-other-speaker"
            ),
            pytest.param("/v1/actors/{C}/statements", "q=ministers", ["S5"], id="actor-search"),
            pytest.param(
                "/v1/actors/{A}/statements", "sort=-created_at", ["S4", "S1"], id="actor-sort"
            ),
        ],
    )
    def test_lists_the_related_statements(self, client, data, path, query, expected):
        response = client.get(fill(f"{path}?{query}", data))

        assert names(response, data) == expected
        assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)

    @pytest.mark.parametrize(
        "path", ["/v1/events/{E1}/statements", "/v1/actors/{C}/statements"], ids=["event", "actor"]
    )
    def test_keyset_pages(self, client, data, path):
        url = path.format(**data["ids"])
        expected = client.get(url).get_json()

        pages = walk(client, f"{url}?cursor=&page_size=1")

        assert [record for page in pages for record in page] == expected
        assert len(pages) == len(expected)

    @pytest.mark.parametrize(
        ("path", "noun"),
        [
            pytest.param("/v1/events/{id}/statements", "event", id="event"),
            pytest.param("/v1/actors/{id}/statements", "actor", id="actor"),
        ],
    )
    def test_unknown_record_is_404(self, client, data, path, noun):
        missing = str(uuid.uuid4())

        response = client.get(path.format(id=missing))

        problem = assert_problem(response, 404)
        assert problem["detail"] == f"No {noun} has the id {missing}."

    def test_an_actor_id_is_not_an_event(self, client, data):
        assert_problem(client.get(fill("/v1/events/{A}/statements", data)), 404)

    @pytest.mark.parametrize(
        "path", ["/v1/events/{E1}/statements", "/v1/actors/{A}/statements"], ids=["event", "actor"]
    )
    def test_refuses_invalid_parameters(self, client, data, path):
        response = client.get(fill(f"{path}?stance=supports&colour=red", data))

        problem = assert_problem(response, 422, "stance", "colour")
        assert set(problem["errors"]) == {"stance", "colour"}

    def test_documented_under_statements(self, client):
        spec = client.get("/openapi.json").get_json()

        for path in ("/v1/events/{event_id}/statements", "/v1/actors/{actor_id}/statements"):
            operation = spec["paths"][path]["get"]
            assert operation["tags"] == ["statements"]
            assert {"404", "422"} <= set(operation["responses"])
            documented = {item.get("name") for item in operation["parameters"]}
            assert {"stance", "q", "cursor", "speaker_id"} <= documented


def forged(sort, value, record_id):
    return Cursor.encode(sort, value, record_id)


SOME_ID = "9aacaccd-dc05-56c6-827b-c8ad46d81d32"
INVALID = [
    pytest.param("speaker_id=Azerbaijan", "speaker_id", id="speaker_id-not-uuid"),
    pytest.param(f"speaker_id={SOME_ID},nope", "speaker_id", id="speaker_id-second-not-uuid"),
    pytest.param("speaker_id=", "speaker_id", id="speaker_id-empty"),
    pytest.param("addressee_id=1", "addressee_id", id="addressee_id-not-uuid"),
    pytest.param("event_id=E1", "event_id", id="event_id-not-uuid"),
    pytest.param("stance=supports", "stance", id="stance-unknown"),
    pytest.param("stance=Denies", "stance", id="stance-capitalised"),
    pytest.param("stance=denies,", "stance", id="stance-trailing-comma"),
    pytest.param("statement_type=rumour", "statement_type", id="statement_type-unknown"),
    pytest.param("statement_type=", "statement_type", id="statement_type-empty"),
    pytest.param("is_direct_quote=maybe", "is_direct_quote", id="is_direct_quote-maybe"),
    pytest.param("is_direct_quote=", "is_direct_quote", id="is_direct_quote-empty"),
    pytest.param("is_direct_quote=yes", "is_direct_quote", id="is_direct_quote-yes"),
    pytest.param("date_from=2020-02-30", "date_from", id="date_from-impossible"),
    pytest.param("date_to=30/09/2020", "date_to", id="date_to-not-iso"),
    pytest.param("date_from=2020-09-30&date_to=2020-09-29", "date_to", id="date_to-before-from"),
    pytest.param("q=", "q", id="q-empty"),
    pytest.param("q=%20%20", "q", id="q-blank"),
    pytest.param("q=lies%00", "q", id="q-nul"),
    pytest.param("q=" + "x" * 201, "q", id="q-too-long"),
    pytest.param("sort=speaker", "sort", id="sort-unknown"),
    pytest.param("sort=--stated_on", "sort", id="sort-double-minus"),
    pytest.param("sort=title", "sort", id="sort-of-events-only"),
    pytest.param("sort=relevance", "sort", id="relevance-without-q"),
    pytest.param("sort=-relevance", "sort", id="-relevance-without-q"),
    pytest.param("q=force&sort=relevance&cursor=", "cursor", id="relevance-with-cursor"),
    pytest.param("cursor=garbage!", "cursor", id="cursor-garbage"),
    pytest.param("cursor=W10", "cursor", id="cursor-empty-list"),
    pytest.param(
        "cursor=" + forged("created_at", "2020-09-30", SOME_ID), "cursor", id="cursor-other-sort"
    ),
    *[
        pytest.param(
            "cursor=" + forged("-stated_on", value, record_id),
            "cursor",
            id=f"cursor-forged-{name}",
        )
        for name, value, record_id in (
            ("bad-date", "not-a-date", SOME_ID),
            ("number-for-date", 12345, SOME_ID),
            ("object-for-date", {"day": 30}, SOME_ID),
            ("list-for-date", ["2020-09-30"], SOME_ID),
            ("null-for-date", None, SOME_ID),
            ("bad-id", "2020-09-30", "nope"),
            ("number-for-id", "2020-09-30", 5),
        )
    ],
    pytest.param("cursor=&page=2", "cursor", id="cursor-and-page"),
    pytest.param("fields=text,colour", "fields", id="fields-unknown"),
    pytest.param("updated_since=yesterday", "updated_since", id="updated_since-not-a-moment"),
    pytest.param(
        "updated_since=2020-09-30T00:00:00", "updated_since", id="updated_since-without-offset"
    ),
    pytest.param("speaker=" + SOME_ID, "speaker", id="unknown-parameter"),
    pytest.param("stances=denies", "stances", id="misspelt-parameter"),
    pytest.param("page_size=0", "page_size", id="page_size-zero"),
]


class TestInvalidParameters:
    @pytest.mark.parametrize(("query", "field"), INVALID)
    def test_refuses_naming_the_parameter(self, client, query, field):
        response = client.get(f"{STATEMENTS}?{query}")

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert field in problem["detail"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param(
                "is_direct_quote=true&is_direct_quote=false", "is_direct_quote", id="bool"
            ),
            pytest.param("q=lies&q=force", "q", id="q"),
            pytest.param("sort=stated_on&sort=nope", "sort", id="sort"),
        ],
    )
    def test_refuses_a_parameter_given_twice(self, client, query, field):
        problem = assert_problem(client.get(f"{STATEMENTS}?{query}"), 422, field)
        assert set(problem["errors"]) == {field}

    def test_names_every_invalid_parameter_at_once(self, client):
        response = client.get(
            STATEMENTS
            + "?"
            + urlencode({"speaker_id": "x", "stance": "supports", "is_direct_quote": "maybe"})
        )

        problem = assert_problem(response, 422)
        assert set(problem["errors"]) == {"speaker_id", "stance", "is_direct_quote"}
