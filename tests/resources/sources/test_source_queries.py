"""Tests of querying sources: filters, search, sorting, paging and shape.

Each test builds the same small data set through the API and asserts exactly
which sources come back, in which order.
"""

import json
from urllib.parse import urlencode

import pytest

from schemas.query import Cursor
from tests.helpers import OnlyReads, assert_problem, create, source_body, walk

SOURCES = "/v1/sources"


def make_data(client, db=None):
    """Five sources, created in the order R1..R5.

    In the default order (latest published_on first, undated last) they come
    R2, R5, R1, R3, R4; by title R5, R3, R2, R1, R4.

    | name | title                          | publisher    | language | published_on |
    | R1   | Clashes over Nagorno-Karabakh  | Example News | en       | 2020-09-30   |
    | R2   | Ceasefire talks in Moscow      | Wire Service | en       | 2020-10-09   |
    | R3   | Bombardement de Tartar         | Le Journal   | fr       | 2020-09-28   |
    | R4   | Undated shelling report        | -            | -        | -            |
    | R5   | Aid convoy reaches Stepanakert | Example News | en-GB    | 2020-10-01   |
    """
    bodies = {
        "R1": source_body(),
        "R2": source_body(
            title="Ceasefire talks in Moscow",
            url="https://example.org/news/talks",
            publisher="Wire Service",
            published_on="2020-10-09",
            body="Foreign ministers met in Moscow to agree a humanitarian ceasefire.",
        ),
        "R3": source_body(
            title="Bombardement de Tartar",
            url="https://example.fr/tartar",
            publisher="Le Journal",
            language="fr",
            published_on="2020-09-28",
            body="Les forces arméniennes ont bombardé la ville.",
        ),
        "R4": {"title": "Undated shelling report", "body": "Shells fell on the town overnight."},
        "R5": source_body(
            title="Aid convoy reaches Stepanakert",
            url="https://example.org/news/aid?id=5&lang=en",
            language="en-GB",
            published_on="2020-10-01",
            body="A convoy carrying humanitarian aid arrived.",
        ),
    }
    return {name: create(client, SOURCES, body) for name, body in bodies.items()}


@pytest.fixture
def data(client):
    return make_data(client)


class ReadsTheDataSet(OnlyReads):
    """A class of tests that only read the five sources, made once for the class."""

    build = staticmethod(make_data)


def names(response, data):
    """The names (R1..R5) of the sources in a response, in order."""
    assert response.status_code == 200, response.get_json()
    by_id = {record["id"]: name for name, record in data.items()}
    return [by_id[record["id"]] for record in response.get_json()]


def query(**params):
    return SOURCES + "?" + urlencode(params)


FILTERS = [
    pytest.param({}, ["R2", "R5", "R1", "R3", "R4"], id="no-filter"),
    pytest.param({"publisher": "Example News"}, ["R5", "R1"], id="publisher"),
    pytest.param(
        {"publisher": "Example News,Le Journal"}, ["R5", "R1", "R3"], id="publisher-several"
    ),
    pytest.param({"publisher": "example news"}, [], id="publisher-exact-case"),
    pytest.param({"publisher": "Example"}, [], id="publisher-exact-not-prefix"),
    pytest.param({"language": "en"}, ["R2", "R1"], id="language-exact-not-en-GB"),
    pytest.param({"language": "en-GB"}, ["R5"], id="language-subtag"),
    pytest.param({"language": "en,fr"}, ["R2", "R1", "R3"], id="language-several"),
    pytest.param({"language": "de"}, [], id="language-none"),
    pytest.param({"published_from": "2020-09-30"}, ["R2", "R5", "R1"], id="published_from"),
    pytest.param({"published_to": "2020-09-30"}, ["R1", "R3"], id="published_to"),
    pytest.param(
        {"published_from": "2020-09-29", "published_to": "2020-10-01"},
        ["R5", "R1"],
        id="published-range",
    ),
    pytest.param(
        {"published_from": "2020-10-01", "published_to": "2020-10-01"}, ["R5"], id="one-day"
    ),
    pytest.param({"published_to": "2999-01-01"}, ["R2", "R5", "R1", "R3"], id="undated-never"),
    pytest.param({"url": "https://example.org/news/clashes"}, ["R1"], id="url"),
    pytest.param({"url": "https://example.org/news/aid?id=5&lang=en"}, ["R5"], id="url-query"),
    pytest.param({"url": "https://example.org/news/clashes/"}, [], id="url-exact"),
    pytest.param({"q": "shelling"}, ["R1", "R4"], id="q-body-and-title-stemmed"),
    pytest.param({"q": "killed"}, ["R1"], id="q-body-only"),
    pytest.param({"q": "kill"}, ["R1"], id="q-stem"),
    pytest.param({"q": "ceasefire"}, ["R2"], id="q-title-and-body"),
    pytest.param({"q": "Stepanakert"}, ["R5"], id="q-title-only"),
    pytest.param({"q": "humanitarian"}, ["R2", "R5"], id="q-in-several"),
    pytest.param({"q": "humanitarian -ceasefire"}, ["R5"], id="q-excluding"),
    pytest.param({"q": '"defense ministry"'}, ["R1"], id="q-phrase"),
    pytest.param({"q": "convoy or Moscow"}, ["R2", "R5"], id="q-or"),
    pytest.param({"q": "the"}, [], id="q-only-stop-words"),
    pytest.param({"q": "drone"}, [], id="q-no-match"),
    pytest.param({"publisher": "Example News", "q": "humanitarian"}, ["R5"], id="and-q"),
    pytest.param({"language": "en", "published_from": "2020-10-01"}, ["R2"], id="and-date"),
    pytest.param(
        {"publisher": "Example News,Wire Service", "language": "en,en-GB", "q": "aid"},
        ["R5"],
        id="and-several",
    ),
    pytest.param({"publisher": "Le Journal", "language": "en"}, [], id="and-nothing"),
]


class TestFilters(ReadsTheDataSet):
    @pytest.mark.parametrize(("params", "expected"), FILTERS)
    def test_lists_exactly_the_sources_that_match(self, client, data, params, expected):
        response = client.get(query(**params))

        assert names(response, data) == expected
        assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)

    @pytest.mark.parametrize(("params", "expected"), FILTERS)
    def test_keyset_pages_list_the_same_sources(self, client, data, params, expected):
        pages = walk(client, query(**params, sort="title", cursor="", page_size=2))

        listed = [record for page in pages for record in page]
        assert listed == client.get(query(**params, sort="title")).get_json()
        assert len(listed) == len(expected)


class TestSearchLimits:
    def test_a_long_body_does_not_break_search(self, client, data):
        words = [
            f"{number:07x}".translate(str.maketrans("0123456789", "ghijklmnop"))
            for number in range(99_000)
        ]
        create(client, SOURCES, source_body(url="https://example.org/long", body=" ".join(words)))

        assert names(client.get(query(q="Stepanakert")), data) == ["R5"]


class TestSort:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            pytest.param(
                "published_on", ["R4", "R3", "R1", "R5", "R2"], id="published_on-undated-first"
            ),
            pytest.param("-published_on", ["R2", "R5", "R1", "R3", "R4"], id="-published_on"),
            pytest.param("title", ["R5", "R3", "R2", "R1", "R4"], id="title"),
            pytest.param("-title", ["R4", "R1", "R2", "R3", "R5"], id="-title"),
            pytest.param("created_at", ["R1", "R2", "R3", "R4", "R5"], id="created_at"),
            pytest.param("-created_at", ["R5", "R4", "R3", "R2", "R1"], id="-created_at"),
            pytest.param("updated_at", ["R1", "R2", "R4", "R5", "R3"], id="updated_at"),
            pytest.param("-updated_at", ["R3", "R5", "R4", "R2", "R1"], id="-updated_at"),
        ],
    )
    def test_sorts(self, client, data, sort, expected):
        patched = client.patch(f"{SOURCES}/{data['R3']['id']}", json={"notes": "Translated."})
        assert patched.status_code == 200, patched.get_json()

        assert names(client.get(query(sort=sort)), data) == expected

    def test_sorts_search_results_by_the_sort_not_by_relevance(self, client, data):
        assert names(client.get(query(q="humanitarian", sort="created_at")), data) == ["R2", "R5"]
        assert names(client.get(query(q="humanitarian", sort="-created_at")), data) == ["R5", "R2"]


class TestKeysetPaging:
    @pytest.fixture
    def more(self, client, data):
        """Three more sources on R1's day, one undated, and two of R2's title: ties across pages."""
        for number, published_on in enumerate(("2020-09-30", None, "2020-09-30", "2020-09-30")):
            create(
                client,
                SOURCES,
                source_body(url=f"https://example.org/more/{number}", published_on=published_on),
            )
        for number in range(2):
            create(
                client,
                SOURCES,
                source_body(
                    title="Ceasefire talks in Moscow", url=f"https://example.org/t/{number}"
                ),
            )

    @pytest.mark.parametrize(
        "sort",
        [
            "-published_on",
            "published_on",
            "title",
            "-title",
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
        ],
    )
    @pytest.mark.parametrize("page_size", [1, 2, 4, 500])
    def test_walks_to_the_end_without_duplicates_or_gaps(self, client, data, more, sort, page_size):
        expected = client.get(query(sort=sort, page_size=500)).get_json()
        assert len(expected) == 11

        pages = walk(client, query(sort=sort, page_size=page_size, cursor=""))

        assert [record for page in pages for record in page] == expected
        assert all(len(page) == page_size for page in pages[:-1])
        assert len(pages) == -(-11 // page_size)

    def test_page_mode_lists_the_same_sources(self, client, data, more):
        paged = []
        for page in range(1, 5):
            paged.extend(client.get(query(sort="title", page_size=3, page=page)).get_json())

        pages = walk(client, query(sort="title", page_size=3, cursor=""))

        assert [record for page in pages for record in page] == paged

    def test_default_sort_keeps_filters_in_the_next_link(self, client, data):
        pages = walk(client, query(language="en,fr", cursor="", page_size=1, fields="title"))

        by_id = {record["id"]: name for name, record in data.items()}
        assert [by_id[page[0]["id"]] for page in pages] == ["R2", "R1", "R3"]
        assert all(set(page[0]) == {"id", "title"} for page in pages)


class TestFields(ReadsTheDataSet):
    @pytest.mark.parametrize(
        ("fields", "keys"),
        [
            pytest.param("title", {"id", "title"}, id="one"),
            pytest.param(
                "title,url,published_on", {"id", "title", "url", "published_on"}, id="some"
            ),
            pytest.param("id", {"id"}, id="id-only"),
        ],
    )
    def test_sparse_fields(self, client, data, fields, keys):
        full = client.get(query(publisher="Example News")).get_json()

        response = client.get(query(publisher="Example News", fields=fields))

        assert response.get_json() == [
            {key: value for key, value in record.items() if key in keys} for record in full
        ]
        assert "body" not in response.get_json()[0]


class TestUpdatedSince:
    def test_lists_what_changed_at_or_after_the_moment(self, client, data):
        changed = client.patch(f"{SOURCES}/{data['R4']['id']}", json={"notes": "Dated?"})
        client.patch(f"{SOURCES}/{data['R1']['id']}", json={"notes": "Checked."})
        moment = changed.get_json()["updated_at"]

        assert names(client.get(query(updated_since=moment, sort="updated_at")), data) == [
            "R4",
            "R1",
        ]
        assert names(client.get(query(updated_since=moment, language="en")), data) == ["R1"]

    def test_a_moment_in_the_future_lists_nothing(self, client, data):
        assert names(client.get(query(updated_since="2999-01-01T00:00:00Z")), data) == []


INVALID = [
    pytest.param({"publisher": ""}, "publisher", id="publisher-empty"),
    pytest.param({"publisher": "Example News,"}, "publisher", id="publisher-trailing-comma"),
    pytest.param({"publisher": "x" * 501}, "publisher", id="publisher-too-long"),
    pytest.param({"language": "english"}, "language", id="language-not-bcp47"),
    pytest.param({"language": "en,e"}, "language", id="language-second-bad"),
    pytest.param({"language": ""}, "language", id="language-empty"),
    pytest.param({"url": "example.org/news"}, "url", id="url-relative"),
    pytest.param({"url": "ftp://example.org/news"}, "url", id="url-not-http"),
    pytest.param({"url": ""}, "url", id="url-empty"),
    pytest.param({"published_from": "2020-02-30"}, "published_from", id="published_from-bad"),
    pytest.param({"published_to": "yesterday"}, "published_to", id="published_to-bad"),
    pytest.param(
        {"published_from": "2020-10-01", "published_to": "2020-09-30"},
        "published_to",
        id="published_to-before-from",
    ),
    pytest.param({"q": ""}, "q", id="q-empty"),
    pytest.param({"q": "x" * 201}, "q", id="q-too-long"),
    pytest.param({"sort": "publisher"}, "sort", id="sort-unknown"),
    pytest.param({"sort": "relevance", "q": "aid"}, "sort", id="sort-relevance"),
    pytest.param({"sort": "+title"}, "sort", id="sort-plus"),
    pytest.param({"cursor": "garbage!"}, "cursor", id="cursor-garbage"),
    pytest.param(
        {"cursor": Cursor.encode("title", "A", "9aacaccd-dc05-56c6-827b-c8ad46d81d32")},
        "cursor",
        id="cursor-of-another-sort",
    ),
    pytest.param({"cursor": "", "page": "1"}, "cursor", id="cursor-and-page"),
    pytest.param({"fields": "title,author"}, "fields", id="fields-unknown"),
    pytest.param({"updated_since": "2020-09-30"}, "updated_since", id="updated_since-date"),
    pytest.param({"title": "Clashes"}, "title", id="unknown-parameter"),
    pytest.param({"publishers": "Example News"}, "publishers", id="misspelt-parameter"),
]


class TestInvalidParameters:
    @pytest.mark.parametrize(("params", "field"), INVALID)
    def test_refuses_naming_the_parameter(self, client, params, field):
        response = client.get(query(**params))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert field in problem["detail"]

    def test_names_every_invalid_parameter_at_once(self, client):
        response = client.get(query(language="english", url="nope", published_to="soon"))

        problem = assert_problem(response, 422)
        assert set(problem["errors"]) == {"language", "url", "published_to"}

    def test_names_an_unknown_sort_beside_other_invalid_parameters(self, client):
        response = client.get(query(language="english", sort="author", fields="author"))

        problem = assert_problem(response, 422)
        assert set(problem["errors"]) == {"language", "sort", "fields"}
