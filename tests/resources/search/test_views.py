"""GET /v1/search: one q, the best hits of every kind, grouped, each with the words it matched."""

import pytest

from seeds import loader
from tests.helpers import ReadsTheArticle, assert_problem

KINDS = ["actors", "locations", "events", "statements", "sources"]


@pytest.fixture
def article(client, db):
    loader.load(db, loader.ARTICLE_SEED)


def search(client, query):
    response = client.get(f"/v1/search?{query}")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


class TestSearch(ReadsTheArticle):
    def test_every_kind_grouped(self, client, article):
        found = search(client, "q=Terter")
        assert list(found) == ["q", *KINDS]
        assert found["q"] == "Terter"

    def test_a_place_by_its_other_name(self, client, article):
        found = search(client, "q=Terter")
        assert found["locations"][0]["name"] == "Tartar"
        assert found["locations"][0]["matched"] == ["Terter"]
        # The same events as the list finds, the best first.
        listed = client.get("/v1/events?q=Terter&page_size=5").get_json()
        assert [hit["id"] for hit in found["events"]] == [event["id"] for event in listed]
        for hit in found["events"]:
            assert set(hit) == {"id", "title", "event_type", "start_date", "certainty", "matched"}
            # The place, its other name, or an actor named after it (its residents).
            named = {"Terter", "Tartar", "Local residents of Terter"}
            assert set(hit["matched"]) <= named and hit["matched"], hit

    def test_a_person_by_a_typo(self, client, article):
        found = search(client, "q=Pashinian")
        assert [actor["name"] for actor in found["actors"]][:1] == ["Nikol Pashinyan"]
        assert set(found["actors"][0]["matched"]) == {"Nikol Pashinyan", "Pashinyan"}
        spoken = [s for s in found["statements"] if s["speaker"]["name"] == "Nikol Pashinyan"]
        assert spoken
        assert all("Nikol Pashinyan" in s["matched"] for s in spoken)

    def test_words_of_the_text(self, client, article):
        found = search(client, "q=shelling")
        assert found["events"]
        assert all(hit["matched"] == ["shelling"] for hit in found["events"])
        assert found["sources"] and found["sources"][0]["matched"] == ["shelling"]

    def test_limit(self, client, article):
        found = search(client, "q=Azerbaijan&limit=1")
        assert all(len(found[kind]) <= 1 for kind in KINDS)
        assert found["actors"] and found["events"]

    def test_nothing_found(self, client, article):
        found = search(client, "q=zeppelin")
        assert all(found[kind] == [] for kind in KINDS)

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            pytest.param("", "q", id="no-q"),
            pytest.param("q=", "q", id="empty-q"),
            pytest.param("q=x&limit=21", "limit", id="limit-too-high"),
            pytest.param("q=x&kind=actors", "kind", id="unknown-parameter"),
        ],
    )
    def test_bad_input(self, client, query, parameter):
        assert_problem(client.get(f"/v1/search?{query}"), 422, parameter)

    def test_etag(self, client, article):
        etag = client.get("/v1/search?q=Tartar").headers["ETag"]
        response = client.get("/v1/search?q=Tartar", headers={"If-None-Match": etag})
        assert response.status_code == 304
