"""Tests of entity resolution for locations: 409 on a taken name, allow_duplicate, /match."""

import pytest

from seeds.loader import record_id
from tests.helpers import ReadsTheArticle, assert_problem, location_body

LOCATIONS = "/v1/locations"
MATCH = f"{LOCATIONS}/match"


def count_locations(db):
    return db.execute("SELECT count(*) AS n FROM locations").fetchone()["n"]


class TestCreateTakenName:
    def test_terter_is_tartar(self, client, db, article):
        tartar = str(record_id("location/tartar"))
        before = count_locations(db)

        response = client.post(LOCATIONS, json=location_body(name="Terter", aliases=[]))

        problem = assert_problem(response, 409, "name", kind="name-taken")
        assert problem["matches"] == [
            {
                "id": tartar,
                "name": "Tartar",
                "matched_name": "Terter",
                "href": f"{LOCATIONS}/{tartar}",
            }
        ]
        assert count_locations(db) == before

    def test_allow_duplicate_creates_it(self, client, db, article):
        before = count_locations(db)

        response = client.post(
            f"{LOCATIONS}?allow_duplicate=true", json=location_body(name="Terter", aliases=[])
        )

        assert response.status_code == 201, response.get_json()
        assert count_locations(db) == before + 1

    def test_a_name_created_over_http_is_taken_for_the_next(self, client):
        first = client.post(LOCATIONS, json=location_body(name="Ganja", aliases=[]))
        second = client.post(LOCATIONS, json=location_body(name="GANJA", aliases=[]))

        assert first.status_code == 201
        assert_problem(second, 409, "name", kind="name-taken")


class TestMatch(ReadsTheArticle):
    def test_an_alias_is_an_exact_match(self, client, article):
        answer = client.get(MATCH, query_string={"name": "terter"}).get_json()

        best = answer["candidates"][0]
        assert (best["name"], best["matched_name"], best["exact"], best["score"]) == (
            "Tartar",
            "Terter",
            True,
            1.0,
        )

    def test_a_country_named_by_its_demonym_ranks_its_places_first(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Armenian airspace"}).get_json()

        assert answer["countries"] == ["ARM"]
        assert answer["candidates"][0]["name"] == "Armenian airspace"

    def test_kind_filters(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Armenia", "kind": "city"}).get_json()

        assert all(c["kind"] == "city" for c in answer["candidates"])

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param({"name": ""}, id="empty-name"),
            pytest.param({"name": "x" * 10_000}, id="name-of-10000-characters"),
        ],
    )
    def test_bad_name_answers_422(self, client, query):
        assert_problem(client.get(MATCH, query_string=query), 422, "name")
