"""Tests of the flat CSV of events (profile=flat): one row per event, as ACLED and UCDP load."""

import csv
import io

import pytest

from tests.helpers import (
    actor_body,
    assert_problem,
    create,
    event_body,
    location_body,
    source_body,
)

EVENTS = "/v1/events"
LOCATIONS = "/v1/locations"


def flat_rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="events-flat.csv"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


@pytest.fixture
def tree(client):
    """Estravia (a country) > Upper March (a region) > Sarvan District (a region) >
    Kalmora (a town), and a front line in the Upper March; two forces and a ministry."""

    def place(name, kind, parent=None, **fields):
        body = location_body(
            name=name, kind=kind, country="ARM", aliases=[], parent_id=parent, **fields
        )
        return create(client, LOCATIONS, body)

    country = place("Estravia", "country", latitude=40.0, longitude=45.0, geo_precision="country")
    march = place(
        "Upper March",
        "region",
        country["id"],
        latitude=40.5,
        longitude=45.5,
        geo_precision="region",
    )
    district = place(
        "Sarvan District",
        "region",
        march["id"],
        latitude=40.6,
        longitude=45.6,
        geo_precision="region",
    )
    town = place("Kalmora", "town", district["id"])
    front = place(
        "Sarvan front", "frontline", march["id"], latitude=None, longitude=None, geo_precision=None
    )
    actors = {
        name: create(client, "/v1/actors", actor_body(name=name, kind=kind, country=country_code))
        for name, kind, country_code in (
            ("Estravian forces", "military", "ARM"),
            ("Norvanian forces", "military", "AZE"),
            ("Kalmora militia", "armed_group", None),
            ("Kalmora residents", "population_group", None),
        )
    }
    source = create(client, "/v1/sources", source_body())
    return {
        "march": march,
        "district": district,
        "town": town,
        "front": front,
        "actors": actors,
        "source": source,
    }


def event(client, tree, location, participants, **fields):
    actors = tree["actors"]
    body = event_body(tree["source"]["id"], location_id=location["id"], **fields)
    body["participants"] = [
        {"actor_id": actors[name]["id"], "role": role} for name, role in participants
    ]
    return create(client, EVENTS, body)


class TestFlatProfile:
    def test_a_town_in_two_regions(self, client, tree):
        made = event(
            client,
            tree,
            tree["town"],
            [
                ("Kalmora residents", "affected"),
                ("Estravian forces", "initiator"),
                ("Norvanian forces", "target"),
                ("Kalmora militia", "initiator"),
            ],
            date_precision="week",
            fatalities={"low": 1, "best": 2, "high": 3, "civilians": {"low": 1}},
            injuries={"low": 2, "high": 2},
        )
        forces = tree["actors"]

        (row,) = flat_rows(client.get(f"{EVENTS}?profile=flat"))

        assert row == {
            "event_id": made["id"],
            "event_date": "2020-09-30",
            "date_start": "2020-09-30",
            "date_end": "2020-09-30",
            "year": "2020",
            "date_precision": "week",
            "time_precision": "2",
            "date_prec": "3",
            "event_type": "ASSAULT",
            "mode": "heavy-weapons",
            "title": made["title"],
            "actor1": "Estravian forces",
            "actor1_id": forces["Estravian forces"]["id"],
            "actor1_kind": "military",
            "actor1_country": "ARM",
            "assoc_actor_1": "Kalmora militia",
            "actor2": "Norvanian forces",
            "actor2_id": forces["Norvanian forces"]["id"],
            "actor2_kind": "military",
            "actor2_country": "AZE",
            "assoc_actor_2": "",
            "iso": "ARM",
            "country": "Estravia",
            "admin1": "Upper March",
            "admin2": "Sarvan District",
            "location": "Kalmora",
            "location_id": tree["town"]["id"],
            "location_kind": "town",
            "latitude": "40.3444",
            "longitude": "46.9311",
            "geo_precision": "1",
            "where_prec": "1",
            "place_precision": "settlement",
            "certainty": "alleged",
            "fatalities_low": "1",
            "fatalities_best": "2",
            "fatalities_high": "3",
            "fatalities_civilians_low": "1",
            "fatalities_civilians_best": "",
            "fatalities_civilians_high": "",
            "injuries_low": "2",
            "injuries_best": "",
            "injuries_high": "2",
            "source_count": "1",
            "source_ids": tree["source"]["id"],
            "notes": "",
            "updated_at": made["updated_at"],
        }

    @pytest.mark.parametrize(
        ("place", "admin", "geo_precision", "where_prec"),
        [
            pytest.param("march", ("Upper March", ""), "3", "4", id="first-order-region"),
            pytest.param(
                "district", ("Upper March", "Sarvan District"), "3", "3", id="second-order-region"
            ),
            pytest.param("front", ("Upper March", ""), "", "5", id="front-line"),
        ],
    )
    def test_precision_codes_of_places(self, client, tree, place, admin, geo_precision, where_prec):
        event(
            client, tree, tree[place], [("Estravian forces", "initiator")], date_precision="month"
        )

        (row,) = flat_rows(client.get(f"{EVENTS}?format=csv&profile=flat"))

        assert (row["admin1"], row["admin2"]) == admin
        assert (row["geo_precision"], row["where_prec"]) == (geo_precision, where_prec)
        assert (row["time_precision"], row["date_prec"]) == ("3", "4")
        # Without a target, no second actor; without fatalities, empty cells.
        assert (row["actor1"], row["actor2"], row["fatalities_low"]) == ("Estravian forces", "", "")

    def test_without_an_initiator_the_first_other_participant_is_actor1(self, client, tree):
        event(
            client,
            tree,
            tree["town"],
            [("Kalmora residents", "affected"), ("Kalmora militia", "participant")],
        )

        (row,) = flat_rows(client.get(f"{EVENTS}?profile=flat", headers={"Accept": "text/csv"}))

        assert (row["actor1"], row["actor2"]) == ("Kalmora residents", "Kalmora militia")

    def test_the_article_exports_every_event_with_its_filters(self, client, article):
        rows = flat_rows(client.get(f"{EVENTS}?profile=flat&event_type=ASSAULT"))
        events = client.get(f"{EVENTS}?event_type=ASSAULT&page_size=500").get_json()

        assert [row["event_id"] for row in rows] == [e["id"] for e in events]
        tartar = [row for row in rows if row["location"] == "Tartar"]
        assert tartar
        assert all(
            (row["iso"], row["country"], row["admin1"]) == ("AZE", "Azerbaijan", "")
            for row in tartar
        )

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("profile=acled", "profile", id="unknown-profile"),
            pytest.param("profile=flat&format=json", "profile", id="not-csv"),
            pytest.param("profile=flat&format=geojson", "profile", id="geojson"),
            pytest.param("profile=flat&page=2", "format", id="paged"),
        ],
    )
    def test_bad_input_answers_422(self, client, query, field):
        assert_problem(client.get(f"{EVENTS}?{query}"), 422, field)


class TestGeoPrecision:
    def test_the_geojson_of_events_carries_the_precision_of_their_place(self, client, tree):
        event(client, tree, tree["district"], [("Estravian forces", "initiator")])

        collection = client.get(f"{EVENTS}?format=geojson").get_json()

        (feature,) = collection["features"]
        assert feature["properties"]["location"]["geo_precision"] == "region"
        assert feature["geometry"]["coordinates"] == [45.6, 40.6]
