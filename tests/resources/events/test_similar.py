"""Tests of GET /v1/events/{id}/similar: candidate duplicates, ranked, each with its reasons."""

import json
from types import SimpleNamespace

import pytest

from api.store.geo import great_circle_km
from tests.helpers import (
    actor_summary,
    assert_parameter_refused,
    assert_problem,
    create,
    event_body,
    location_body,
    nowhere,
)

EVENTS = "/v1/events"


def place(client, name, latitude, longitude, parent=None, kind="town"):
    return create(
        client,
        "/v1/locations",
        location_body(
            name=name,
            kind=kind,
            aliases=[],
            latitude=latitude,
            longitude=longitude,
            parent_id=parent and parent["id"],
        ),
    )


@pytest.fixture
def scene(client, refs):
    """An attack on Tartar, and events more or less like it."""
    region = place(client, "Tartar District", 40.35, 46.95, kind="region")
    town = place(client, "Tartar town", 40.3444, 46.9311, region)
    hospital = place(client, "Tartar hospital", 40.345, 46.932, town, kind="facility")
    barda = place(client, "Barda", 40.3744, 47.1267)
    ganja = place(client, "Ganja", 40.6828, 46.3606)
    both = [
        {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
        {"actor_id": refs.armenia["id"], "role": "target"},
    ]

    def event(title, location, participants=(), **fields):
        body = event_body(
            refs.source["id"],
            location_id=location["id"],
            title=title,
            participants=list(participants),
            **fields,
        )
        return create(client, EVENTS, body)

    return SimpleNamespace(
        town=town,
        barda=barda,
        ganja=ganja,
        target=event("Shelling of Tartar", town, both),
        twin=event("Tartar shelled", town, both),
        at_hospital=event("Hospital hit", hospital, [both[1]]),
        in_region=event("Shelling in the district", region, mode=None),
        shared_far=event("Attack near Ganja", ganja, [both[0]], mode=None),
        nearby=event("Shelling of Barda", barda, start_date="2020-10-01", mode=None),
        # Not candidates: another type, two days later, far and unrelated.
        other_type=event("Accusation", town, both, event_type="ACCUSE", mode=None),
        later=event("Later shelling", town, both, start_date="2020-10-02"),
        unrelated=event("Elsewhere", ganja, mode=None),
    )


def similar(client, event, **query):
    response = client.get(f"{EVENTS}/{event['id']}/similar", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response


def codes(item):
    return [reason["code"] for reason in item["reasons"]]


class TestSimilar:
    def test_ranks_the_candidates_best_first(self, client, scene):
        items = similar(client, scene.target).get_json()

        assert [item["event"]["title"] for item in items] == [
            "Tartar shelled",
            "Hospital hit",
            "Shelling in the district",
            "Attack near Ganja",
            "Shelling of Barda",
        ]
        scores = [item["score"] for item in items]
        assert scores == sorted(scores, reverse=True)

    def test_an_identical_event_scores_one(self, client, refs, scene):
        [twin, *_] = similar(client, scene.target).get_json()

        assert twin == {
            "event": {
                "id": scene.twin["id"],
                "title": "Tartar shelled",
                "event_type": "ASSAULT",
                "mode": "heavy-weapons",
                "start_date": "2020-09-30",
                "end_date": "2020-09-30",
                "certainty": "alleged",
                "location": scene.twin["location"],
            },
            "score": 1.0,
            "reasons": [
                {"code": "same_type", "message": "Both are ASSAULT."},
                {"code": "dates_overlap", "message": "Their dates overlap."},
                {"code": "same_location", "message": "The same location."},
                {"code": "shared_participants", "message": "2 actors of 2 take part in both."},
                {"code": "same_mode", "message": "Both are heavy-weapons."},
            ],
            "distance_km": 0.0,
            "shared_participants": sorted(
                [actor_summary(refs.azerbaijan), actor_summary(refs.armenia)],
                key=lambda actor: actor["id"],
            ),
        }

    def test_each_says_why_and_scores_by_the_documented_weights(self, client, scene):
        items = {item["event"]["id"]: item for item in similar(client, scene.target).get_json()}

        hospital = items[scene.at_hospital["id"]]
        assert codes(hospital) == [
            "same_type",
            "dates_overlap",
            "location_within",
            "shared_participants",
            "same_mode",
        ]
        assert hospital["score"] == pytest.approx(0.25 + 0.2 + 0.35 / 2 + 0.1)
        region = items[scene.in_region["id"]]
        assert codes(region) == ["same_type", "dates_overlap", "location_contains"]
        assert region["score"] == pytest.approx(0.25 + 0.2)
        far = items[scene.shared_far["id"]]
        assert codes(far) == ["same_type", "dates_overlap", "shared_participants"]
        assert far["score"] == pytest.approx(0.25 + 0.35 / 2)
        assert far["shared_participants"][0]["name"] == "Azerbaijan"
        nearby = items[scene.nearby["id"]]
        assert codes(nearby) == ["same_type", "dates_near", "nearby"]
        distance = great_circle_km(40.3444, 46.9311, 40.3744, 47.1267)
        assert nearby["distance_km"] == round(distance, 1)
        assert nearby["reasons"][2]["message"] == f"Locations {round(distance, 1)} km apart."
        assert nearby["score"] == pytest.approx(0.125 + 0.3 * 0.8 * (1 - distance / 25), abs=1e-3)

    def test_a_smaller_radius_leaves_out_what_is_farther(self, client, scene):
        items = similar(client, scene.target, radius_km=10).get_json()

        assert scene.nearby["id"] not in [item["event"]["id"] for item in items]

    def test_pages(self, client, scene):
        first = similar(client, scene.target, page_size=2)
        second = similar(client, scene.target, page_size=2, page=3)

        assert json.loads(first.headers["X-Pagination"])["total"] == 5
        assert [i["event"]["title"] for i in first.get_json()] == ["Tartar shelled", "Hospital hit"]
        assert [i["event"]["title"] for i in second.get_json()] == ["Shelling of Barda"]
        assert 'rel="next"' in first.headers["Link"]

    def test_an_event_with_no_place_or_actor_has_no_candidates(self, client, refs, scene):
        lone = create(client, EVENTS, event_body(refs.source["id"]))

        response = similar(client, lone)

        assert response.get_json() == []

    def test_an_unknown_event(self, client):
        path = f"{EVENTS}/{nowhere()}/similar"

        assert_problem(client.get(path), 404)

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            pytest.param({"page_size": 0}, "page_size", id="page-size-0"),
            pytest.param({"page_size": 101}, "page_size", id="page-size-101"),
            pytest.param({"radius_km": 0}, "radius_km", id="radius-0"),
            pytest.param({"radius_km": "far"}, "radius_km", id="radius-word"),
            pytest.param({"sort": "score"}, "sort", id="unknown"),
        ],
    )
    def test_bad_parameters(self, client, scene, query, parameter):
        response = client.get(f"{EVENTS}/{scene.target['id']}/similar", query_string=query)

        assert_parameter_refused(response, parameter)

    def test_finds_the_pair_a_merge_then_joins(self, client, scene):
        [best, *_] = similar(client, scene.target).get_json()
        merged = client.post(
            f"{EVENTS}/{scene.target['id']}/merge", json={"merge": [best["event"]["id"]]}
        )
        assert merged.status_code == 200, merged.get_json()

        after = [item["event"]["id"] for item in similar(client, scene.target).get_json()]

        assert scene.twin["id"] not in after
