"""The list machinery every collection shares: totals, estimates, ids-first pages."""

import json

import pytest

from api.store import query
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
