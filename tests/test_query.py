"""The list machinery every collection shares: totals, estimates, ids-first pages."""

import json

import pytest

from api import query
from tests.helpers import actor_body, create


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
