"""The list machinery every collection shares: totals, estimates, ids-first pages."""

import json
import re
from collections import Counter

import pytest

from api import query
from tests.helpers import actor_body, create, event_body, source_body


@pytest.fixture
def actors(client):
    return [create(client, "/v1/actors", actor_body(name=f"Actor {n:02}")) for n in range(12)]


class TestTotals:
    def test_exact_up_to_the_limit(self, client, actors):
        metadata = json.loads(client.get("/v1/actors?page_size=5").headers["X-Pagination"])

        assert metadata == {
            "total": 12,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }

    def test_estimated_and_flagged_above_the_limit(self, client, actors, monkeypatch):
        monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 5)

        response = client.get("/v1/actors?page_size=5")

        metadata = json.loads(response.headers["X-Pagination"])
        assert metadata["total_is_estimate"] is True
        # Never below what was seen: more than the limit.
        assert metadata["total"] >= 6
        assert [actor["name"] for actor in response.get_json()] == [
            f"Actor {n:02}" for n in range(5)
        ]

    def test_filters_are_counted_exactly_below_the_limit(self, client, actors, monkeypatch):
        monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 5)
        for name in ("Armenia", "Armenian government"):
            create(client, "/v1/actors", actor_body(name=name, country="ARM"))

        response = client.get("/v1/actors?country=ARM")

        metadata = json.loads(response.headers["X-Pagination"])
        assert "total_is_estimate" not in metadata
        assert metadata["total"] == len(response.get_json()) == 2


# More events than are counted exactly, so that their total is PostgreSQL's estimate; a
# table just filled has no statistics, and the planner guesses few matches for a search.
ESTIMATED_LIMIT = 100
MANY_EVENTS = 640


@pytest.fixture
def many_events(client, monkeypatch):
    """MANY_EVENTS events that mention shelling, taking part the same actor; their ids."""
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", ESTIMATED_LIMIT)
    source = create(client, "/v1/sources", source_body())
    actor = create(client, "/v1/actors", actor_body())
    events = [
        event_body(
            source["id"],
            [actor["id"]],
            title=f"Shelling number {number}",
            start_date=f"2020-{1 + number % 12:02}-{1 + number % 28:02}",
        )
        for number in range(MANY_EVENTS)
    ]
    response = client.post("/v1/events/bulk", json=events)
    assert response.status_code == 201, response.get_json()
    return {"ids": response.get_json()["ids"], "actor_id": actor["id"]}


def links_of(response):
    """{rel: path and query} of the response's Link header."""
    return {
        relation: url.removeprefix("http://localhost")
        for url, relation in re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers["Link"])
    }


def walk_by_links(client, url):
    """The ids of every page reached from `url` by following rel="next"."""
    seen = []
    while url:
        assert len(seen) <= MANY_EVENTS, "the pages never end"
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        seen += [event["id"] for event in response.get_json()]
        url = links_of(response).get("next")
    return seen


def walk_by_metadata(client, url):
    """The ids of every page reached from `url` by X-Pagination's page numbers.

    total_pages, when given, must be a fact: every page of the walk then says
    the same, and it is the number of pages there are.
    """
    seen, page, page_counts, walked = [], 1, set(), 0
    while page is not None:
        assert walked <= MANY_EVENTS, "the pages never end"
        response = client.get(f"{url}&page={page}")
        records = response.get_json()
        metadata = json.loads(response.headers["X-Pagination"])
        seen += [event["id"] for event in records]
        walked += 1
        if metadata.get("total_is_estimate"):
            assert "total_pages" not in metadata
            assert "last_page" not in metadata
            assert "last" not in links_of(response)
        else:
            page_counts.add(metadata["total_pages"])
        if "next_page" in metadata:
            # Never fewer than this page proves: those before it, its own, one more.
            assert metadata["total"] >= len(seen) + 1
        else:
            assert metadata == {
                "total": len(seen),
                "total_pages": page,
                "first_page": 1,
                "last_page": page,
                "page": page,
                **({"previous_page": page - 1} if page > 1 else {}),
            }
        page = metadata.get("next_page")
    assert page_counts <= {walked}
    return seen


LARGE_LISTS = [
    pytest.param("q=shelling&sort=-start_date", id="search-by-date"),
    pytest.param("sort=title", id="every-event"),
    pytest.param("actor_id={actor_id}", id="participants"),
    pytest.param("q=shelling", id="search-by-relevance"),
]


class TestLargeLists:
    """An estimated total must not hide pages: every record is reached, once."""

    @pytest.mark.parametrize("page_size", [50, 500])
    @pytest.mark.parametrize("filters", LARGE_LISTS)
    def test_links_reach_every_record(self, client, many_events, filters, page_size):
        url = f"/v1/events?{filters.format(**many_events)}&page_size={page_size}&page=1"

        assert Counter(walk_by_links(client, url)) == Counter(many_events["ids"])

    @pytest.mark.parametrize("page_size", [50, 500])
    @pytest.mark.parametrize("filters", LARGE_LISTS)
    def test_page_numbers_reach_every_record(self, client, many_events, filters, page_size):
        url = f"/v1/events?{filters.format(**many_events)}&page_size={page_size}"

        assert Counter(walk_by_metadata(client, url)) == Counter(many_events["ids"])

    def test_an_estimate_is_flagged_and_leaves_out_the_last_page(self, client, many_events):
        response = client.get("/v1/events?q=shelling&sort=-start_date&page_size=50&page=2")

        metadata = json.loads(response.headers["X-Pagination"])
        assert metadata.pop("total") >= 101
        assert metadata == {
            "total_is_estimate": True,
            "first_page": 1,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        assert set(links_of(response)) == {"first", "prev", "next"}

    def test_past_the_end_nothing_follows(self, client, many_events):
        response = client.get("/v1/events?q=shelling&sort=-start_date&page_size=500&page=9")

        assert response.get_json() == []
        metadata = json.loads(response.headers["X-Pagination"])
        assert "next_page" not in metadata
        assert "next" not in links_of(response)
        assert metadata["total"] <= 8 * 500


class TestPages:
    @pytest.mark.parametrize("page_size", [1, 5, 7, 12, 20])
    def test_every_page_size_walks_the_same_order(self, client, actors, page_size):
        names, page = [], 1
        while True:
            response = client.get(f"/v1/actors?page_size={page_size}&page={page}&sort=-name")
            names += [actor["name"] for actor in response.get_json()]
            if page >= json.loads(response.headers["X-Pagination"])["last_page"]:
                break
            page += 1

        assert names == [f"Actor {n:02}" for n in reversed(range(12))]


class TestRelevancePool:
    def test_ranks_only_the_most_recent_matches(self, client, monkeypatch):
        monkeypatch.setattr(query, "RELEVANCE_POOL", 3)
        source = create(client, "/v1/sources", source_body())
        # Five matches: the oldest mentions shelling most, but is outside the pool.
        titles = {
            "2020-09-01": "Shelling, shelling and more shelling",
            "2020-09-02": "Shelling reported",
            "2020-09-03": "Shelling of a town",
            "2020-09-04": "Shelling near a village",
            "2020-09-05": "Shelling overnight",
        }
        for day, title in titles.items():
            create(client, "/v1/events", event_body(source["id"], title=title, start_date=day))

        response = client.get("/v1/events?q=shelling&fields=title,start_date")

        assert {event["start_date"] for event in response.get_json()} == {
            "2020-09-03",
            "2020-09-04",
            "2020-09-05",
        }
        assert json.loads(response.headers["X-Pagination"])["total"] == 3
        by_date = client.get("/v1/events?q=shelling&sort=-start_date").get_json()
        assert len(by_date) == 5

    def test_total_is_the_pool_on_every_page_and_past_the_end(self, client, monkeypatch):
        monkeypatch.setattr(query, "RELEVANCE_POOL", 3)
        source = create(client, "/v1/sources", source_body())
        for day in range(1, 6):
            create(
                client,
                "/v1/events",
                event_body(source["id"], title="Shelling reported", start_date=f"2020-09-0{day}"),
            )
        totals = []
        for page in (1, 2, 3, 4):
            response = client.get(f"/v1/events?q=shelling&page_size=2&page={page}")
            assert response.status_code == 200
            assert all("pool_total" not in event for event in response.get_json())
            totals.append(json.loads(response.headers["X-Pagination"])["total"])
        # Pages 1 and 2 count the pool in their own query; 3 and 4 have no row to carry it.
        assert totals == [3, 3, 3, 3]
        assert len(client.get("/v1/events?q=shelling&page_size=2&page=2").get_json()) == 1
