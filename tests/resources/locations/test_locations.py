"""Tests of /v1/locations: countries, regions, towns, facilities, airspace and front lines."""

import json
import uuid
from datetime import datetime

import pytest

from schemas.vocabularies import GEO_PRECISIONS, LOCATION_KINDS
from tests import helpers
from tests.helpers import (
    assert_not_found,
    assert_problem,
    assert_refused,
    assert_server_fields,
    create,
    event_body,
    location_body,
    source_body,
)

LOCATIONS = "/v1/locations"


def create_with_etag(client, body):
    return helpers.create_with_etag(client, LOCATIONS, body)


def location_path(location_id):
    return f"{LOCATIONS}/{location_id}"


def count_locations(db):
    return db.execute("SELECT count(*) AS n FROM locations").fetchone()["n"]


def summary(location):
    """A location as embedded in other records."""
    return {
        key: location[key]
        for key in ("id", "name", "kind", "country", "latitude", "longitude", "geo_precision")
    }


def expected_location(record, body, parent=None):
    """The location `body` as the API returns it, with the server fields of `record`."""
    return {
        "id": record["id"],
        "name": body["name"],
        "kind": body["kind"],
        "country": body.get("country"),
        "parent_id": body.get("parent_id"),
        "parent": summary(parent) if parent else None,
        "aliases": body.get("aliases", []),
        "latitude": body.get("latitude"),
        "longitude": body.get("longitude"),
        "geo_precision": body.get("geo_precision"),
        "description": body.get("description"),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
    }


def assert_still_referenced(response, path, referrers):
    """A 409 problem listing exactly `referrers`, ordered by kind then id."""
    problem = assert_problem(response, 409)
    assert problem["instance"] == path
    assert problem["referrers"] == sorted(referrers, key=lambda r: (r["kind"], r["id"]))


def region_body(**overrides):
    """A region without coordinates."""
    return {"name": "Tartar District", "kind": "region", "country": "AZE", **overrides}


NO_COORDINATES = {"latitude": None, "longitude": None, "geo_precision": None}

# Bodies that every write of a whole location refuses, and the field each names.
INVALID_LOCATIONS = [
    pytest.param({"kind": "town"}, "name", id="name-missing"),
    pytest.param(location_body(name=None), "name", id="name-null"),
    pytest.param(location_body(name=["Tartar"]), "name", id="name-not-string"),
    pytest.param(location_body(name=""), "name", id="name-empty"),
    pytest.param(location_body(name="x" * 501), "name", id="name-too-long"),
    pytest.param(location_body(name="Tar\u0000tar"), "name", id="name-nul"),
    pytest.param({"name": "Tartar"}, "kind", id="kind-missing"),
    pytest.param(location_body(kind=None), "kind", id="kind-null"),
    pytest.param(location_body(kind="village"), "kind", id="kind-unknown"),
    pytest.param(location_body(kind="Town"), "kind", id="kind-wrong-case"),
    pytest.param(location_body(kind=3), "kind", id="kind-not-string"),
    pytest.param(location_body(country="XXX"), "country", id="country-not-iso"),
    pytest.param(location_body(country="aze"), "country", id="country-lower-case"),
    pytest.param(location_body(country="AZ"), "country", id="country-alpha-2"),
    pytest.param(location_body(country="AZER"), "country", id="country-four-letters"),
    pytest.param(location_body(country=True), "country", id="country-not-string"),
    pytest.param(location_body(parent_id="tartar"), "parent_id", id="parent-id-malformed"),
    pytest.param(location_body(parent_id=1), "parent_id", id="parent-id-not-string"),
    pytest.param(location_body(aliases="Terter"), "aliases", id="aliases-string"),
    pytest.param(location_body(aliases=None), "aliases", id="aliases-null"),
    pytest.param(location_body(aliases=[""]), "aliases.0", id="aliases-empty-string"),
    pytest.param(location_body(aliases=["Terter", 2]), "aliases.1", id="aliases-number"),
    pytest.param(location_body(aliases=["x" * 501]), "aliases.0", id="aliases-too-long"),
    pytest.param(location_body(aliases=["T\u0000"]), "aliases.0", id="aliases-nul"),
    pytest.param(location_body(aliases=["a"] * 101), "aliases", id="aliases-too-many"),
    pytest.param(location_body(latitude=91), "latitude", id="latitude-above-90"),
    pytest.param(location_body(latitude=-90.5), "latitude", id="latitude-below-minus-90"),
    pytest.param(location_body(latitude="north"), "latitude", id="latitude-not-number"),
    pytest.param(location_body(latitude=True), "latitude", id="latitude-boolean"),
    pytest.param(location_body(latitude="40.3444"), "latitude", id="latitude-numeric-string"),
    pytest.param(location_body(longitude="46.9311"), "longitude", id="longitude-numeric-string"),
    pytest.param(location_body(latitude=float("nan")), "latitude", id="latitude-nan"),
    pytest.param(location_body(longitude=-181), "longitude", id="longitude-below-minus-180"),
    pytest.param(location_body(longitude=180.5), "longitude", id="longitude-above-180"),
    pytest.param(location_body(longitude=[46.9]), "longitude", id="longitude-not-number"),
    pytest.param(
        location_body(longitude=None, geo_precision=None), "longitude", id="latitude-alone"
    ),
    pytest.param(
        location_body(latitude=None, geo_precision=None), "latitude", id="longitude-alone"
    ),
    pytest.param(
        {**location_body(), "longitude": None}, "longitude", id="latitude-alone-with-precision"
    ),
    pytest.param(
        location_body(latitude=None, longitude=None), "geo_precision", id="precision-alone"
    ),
    pytest.param(
        region_body(geo_precision="region"), "geo_precision", id="precision-left-without-coords"
    ),
    pytest.param(location_body(geo_precision="street"), "geo_precision", id="precision-unknown"),
    pytest.param(location_body(geo_precision=1), "geo_precision", id="precision-not-string"),
    pytest.param(location_body(description=""), "description", id="description-empty"),
    pytest.param(location_body(description="x" * 20_001), "description", id="description-too-long"),
    pytest.param(location_body(description="A\u0000"), "description", id="description-nul"),
    pytest.param(location_body(population=40000), "population", id="unknown-field"),
    pytest.param(location_body(id=str(uuid.uuid4())), "id", id="id-read-only"),
    pytest.param(
        location_body(created_at="2020-09-30T12:00:00+00:00"),
        "created_at",
        id="created-at-read-only",
    ),
    pytest.param(
        location_body(updated_at="2020-09-30T12:00:00+00:00"),
        "updated_at",
        id="updated-at-read-only",
    ),
    pytest.param(location_body(parent={"name": "Azerbaijan"}), "parent", id="parent-read-only"),
]

# Changes that a PATCH of Tartar (which has coordinates) refuses, and the field each names.
INVALID_CHANGES = [
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": "x" * 501}, "name", id="name-too-long"),
    pytest.param({"name": "A\u0000"}, "name", id="name-nul"),
    pytest.param({"kind": "village"}, "kind", id="kind-unknown"),
    pytest.param({"country": "XXX"}, "country", id="country-not-iso"),
    pytest.param({"country": "aze"}, "country", id="country-lower-case"),
    pytest.param({"country": "AZ"}, "country", id="country-alpha-2"),
    pytest.param({"aliases": [""]}, "aliases.0", id="aliases-empty-string"),
    pytest.param({"latitude": 91}, "latitude", id="latitude-above-90"),
    pytest.param({"longitude": -181}, "longitude", id="longitude-below-minus-180"),
    pytest.param({"latitude": None}, "latitude", id="latitude-cleared-alone"),
    pytest.param({"longitude": None}, "longitude", id="longitude-cleared-alone"),
    pytest.param(
        {"latitude": None, "longitude": None},
        "geo_precision",
        id="coordinates-cleared-not-precision",
    ),
    pytest.param({"geo_precision": "street"}, "geo_precision", id="precision-unknown"),
    pytest.param({"population": 40000}, "population", id="unknown-field"),
    pytest.param({"id": str(uuid.uuid4())}, "id", id="id-read-only"),
    pytest.param({"created_at": "2020-09-30T12:00:00+00:00"}, "created_at", id="created-at"),
]


class TestCreateLocation:
    def test_creates_location(self, client, db):
        body = location_body(description="A town near the line of contact.")
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201
        location = response.get_json()
        assert_server_fields(location)
        assert location["created_at"] == location["updated_at"]
        assert location == expected_location(location, body)
        assert response.headers["Location"] == location_path(location["id"])
        assert response.headers["ETag"]
        assert count_locations(db) == 1

    def test_etag_is_that_of_the_stored_record(self, client):
        location, etag = create_with_etag(client, location_body())

        assert client.get(location_path(location["id"])).headers["ETag"] == etag

    def test_optional_fields_may_be_left_out(self, client):
        body = {"name": "Line of contact", "kind": "frontline"}
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201
        location = response.get_json()
        assert location == expected_location(location, body)
        assert location["aliases"] == []
        assert location["latitude"] is None

    def test_optional_fields_may_be_null(self, client):
        body = location_body(country=None, parent_id=None, description=None, **NO_COORDINATES)
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201
        location = response.get_json()
        assert location == expected_location(location, body)

    def test_coordinates_without_precision(self, client):
        body = location_body(geo_precision=None)
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201
        location = response.get_json()
        assert location == expected_location(location, body)

    def test_embeds_parent_summary(self, client):
        parent = create(
            client,
            LOCATIONS,
            location_body(
                name="Azerbaijan",
                kind="country",
                aliases=[],
                latitude=40.1431,
                longitude=47.5769,
                geo_precision="country",
            ),
        )
        body = location_body(parent_id=parent["id"])

        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201
        child = response.get_json()
        assert child == expected_location(child, body, parent=parent)
        assert child["parent"] == {
            "id": parent["id"],
            "name": "Azerbaijan",
            "kind": "country",
            "country": "AZE",
            "latitude": 40.1431,
            "longitude": 47.5769,
            "geo_precision": "country",
        }

    @pytest.mark.parametrize("kind", LOCATION_KINDS)
    def test_accepts_every_kind(self, client, kind):
        body = location_body(kind=kind)
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201, response.get_json()
        location = response.get_json()
        assert location == expected_location(location, body)

    @pytest.mark.parametrize("precision", GEO_PRECISIONS)
    def test_accepts_every_precision(self, client, precision):
        body = location_body(geo_precision=precision)
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201, response.get_json()
        location = response.get_json()
        assert location == expected_location(location, body)

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"country": "AZE"}, id="country-aze"),
            pytest.param({"country": "ARM"}, id="country-arm"),
            pytest.param({"latitude": 90, "longitude": 180}, id="coordinates-maximum"),
            pytest.param({"latitude": -90, "longitude": -180}, id="coordinates-minimum"),
            pytest.param({"latitude": 0, "longitude": 0}, id="coordinates-zero"),
            pytest.param({"name": "x" * 500}, id="name-500-characters"),
            pytest.param({"aliases": []}, id="aliases-empty-list"),
            pytest.param({"aliases": ["Terter", "Tərtər"]}, id="aliases-two"),
        ],
    )
    def test_accepts_valid_values(self, client, changes):
        body = location_body(**changes)
        response = client.post(LOCATIONS, json=body)

        assert response.status_code == 201, response.get_json()
        location = response.get_json()
        assert location == expected_location(location, body)

    @pytest.mark.parametrize(("body", "field"), INVALID_LOCATIONS)
    def test_refuses_invalid_location(self, client, db, body, field):
        response = client.post(LOCATIONS, json=body)

        assert_refused(response, 422, field, LOCATIONS)
        assert count_locations(db) == 0

    def test_refuses_parent_that_does_not_exist(self, client, db):
        response = client.post(LOCATIONS, json=location_body(parent_id=str(uuid.uuid4())))

        assert_refused(response, 422, "parent_id", LOCATIONS)
        assert count_locations(db) == 0


class TestGetLocation:
    def test_returns_location_with_etag(self, client):
        location, etag = create_with_etag(client, location_body())

        response = client.get(location_path(location["id"]))

        assert response.status_code == 200
        assert response.get_json() == location
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_current_etag_is_not_modified(self, client):
        location, _ = create_with_etag(client, location_body())
        etag = client.get(location_path(location["id"])).headers["ETag"]

        response = client.get(location_path(location["id"]), headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_stale_etag_returns_location(self, client):
        location, stale = create_with_etag(client, location_body())
        changed = client.patch(location_path(location["id"]), json={"name": "Terter"})
        assert changed.status_code == 200

        response = client.get(location_path(location["id"]), headers={"If-None-Match": stale})

        assert response.status_code == 200
        assert response.get_json() == changed.get_json()
        assert response.headers["ETag"] == changed.headers["ETag"] != stale

    def test_embeds_current_parent_summary(self, client):
        parent = create(client, LOCATIONS, region_body())
        child = create(client, LOCATIONS, location_body(parent_id=parent["id"]))
        moved = client.patch(
            location_path(parent["id"]),
            json={"latitude": 40.4, "longitude": 46.8, "geo_precision": "region"},
        ).get_json()

        response = client.get(location_path(child["id"]))

        assert response.status_code == 200
        body = response.get_json()
        # It shows a changed summary, so it changed for clients that sync by updated_at.
        assert body["updated_at"] > child["updated_at"]
        assert body == {**child, "parent": summary(moved), "updated_at": body["updated_at"]}
        assert response.get_json()["parent"]["latitude"] == 40.4

    def test_unknown_id_is_not_found(self, client):
        path = location_path(uuid.uuid4())

        assert_not_found(client.get(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = location_path("not-a-uuid")

        assert_not_found(client.get(path), path)


class TestListLocations:
    def test_empty_list(self, client):
        response = client.get(LOCATIONS)

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}
        assert "Link" not in response.headers

    def test_ordered_by_name(self, client):
        names = ["Tartar", "Ganja", "Stepanakert", "Barda", "Fuzuli"]
        created = {name: create(client, LOCATIONS, location_body(name=name)) for name in names}

        response = client.get(LOCATIONS)

        assert response.status_code == 200
        assert response.get_json() == [created[name] for name in sorted(names)]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 1,
            "first_page": 1,
            "last_page": 1,
            "page": 1,
        }
        assert response.headers["Link"] == (
            f'<http://localhost{LOCATIONS}?page=1>; rel="first", '
            f'<http://localhost{LOCATIONS}?page=1>; rel="last"'
        )
        assert response.headers["ETag"]

    def _five_locations(self, client):
        """Five locations, in name order."""
        names = ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
        created = {name: create(client, LOCATIONS, location_body(name=name)) for name in names}
        return [created[name] for name in sorted(names)]

    def test_middle_page(self, client):
        locations = self._five_locations(client)

        response = client.get(f"{LOCATIONS}?page=2&page_size=2")

        assert response.status_code == 200
        assert response.get_json() == locations[2:4]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        base = f"http://localhost{LOCATIONS}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=1&page_size=2>; rel="prev", '
            f'<{base}?page=3&page_size=2>; rel="next", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_first_page(self, client):
        locations = self._five_locations(client)

        response = client.get(f"{LOCATIONS}?page=1&page_size=2")

        assert response.get_json() == locations[:2]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }
        base = f"http://localhost{LOCATIONS}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=2&page_size=2>; rel="next", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_last_page(self, client):
        locations = self._five_locations(client)

        response = client.get(f"{LOCATIONS}?page=3&page_size=2")

        assert response.get_json() == locations[4:]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 3,
            "previous_page": 2,
        }
        base = f"http://localhost{LOCATIONS}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=2&page_size=2>; rel="prev", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("page=0", "page", id="page-zero"),
            pytest.param("page=two", "page", id="page-not-number"),
            pytest.param("page_size=0", "page_size", id="page-size-zero"),
            pytest.param("page_size=501", "page_size", id="page-size-too-big"),
        ],
    )
    def test_refuses_invalid_page(self, client, query, field):
        assert_refused(client.get(f"{LOCATIONS}?{query}"), 422, field, LOCATIONS)


class TestReplaceLocation:
    def test_replaces_whole_location(self, client):
        parent = create(client, LOCATIONS, region_body())
        location, etag = create_with_etag(
            client, location_body(parent_id=parent["id"], description="Near the front.")
        )
        body = {"name": "Terter", "kind": "city"}

        response = client.put(location_path(location["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert_server_fields(replaced)
        assert replaced == expected_location(
            {**location, "updated_at": replaced["updated_at"]}, body
        )
        assert replaced["parent"] is None
        assert replaced["aliases"] == []
        assert replaced["latitude"] is None
        assert datetime.fromisoformat(replaced["updated_at"]) > datetime.fromisoformat(
            location["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(location_path(location["id"])).get_json() == replaced

    def test_sets_parent(self, client):
        parent = create(client, LOCATIONS, region_body())
        location = create(client, LOCATIONS, location_body())
        body = location_body(parent_id=parent["id"])

        response = client.put(location_path(location["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_location(
            {**location, "updated_at": replaced["updated_at"]}, body, parent=parent
        )

    @pytest.mark.parametrize(("body", "field"), INVALID_LOCATIONS)
    def test_refuses_invalid_location(self, client, body, field):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        assert_refused(client.put(path, json=body), 422, field, path)
        assert client.get(path).get_json() == location

    def test_refuses_parent_that_does_not_exist(self, client):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.put(path, json=location_body(parent_id=str(uuid.uuid4())))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == location

    def test_refuses_itself_as_parent(self, client):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.put(path, json=location_body(parent_id=location["id"]))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == location

    def test_refuses_its_child_as_parent(self, client):
        parent = create(client, LOCATIONS, region_body())
        child = create(client, LOCATIONS, location_body(parent_id=parent["id"]))
        path = location_path(parent["id"])

        response = client.put(path, json=region_body(parent_id=child["id"]))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == parent

    def test_stale_if_match_is_refused(self, client):
        location, stale = create_with_etag(client, location_body())
        path = location_path(location["id"])
        current = client.patch(path, json={"description": "Near the front."}).get_json()

        response = client.put(
            path, json=location_body(name="Overwritten"), headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        location, etag = create_with_etag(client, location_body())
        body = location_body(name="Terter")

        response = client.put(location_path(location["id"]), json=body, headers={"If-Match": etag})

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_location(
            {**location, "updated_at": replaced["updated_at"]}, body
        )

    def test_unknown_id_is_not_found(self, client, db):
        path = location_path(uuid.uuid4())

        assert_not_found(client.put(path, json=location_body()), path)
        assert count_locations(db) == 0

    def test_malformed_id_is_not_found(self, client):
        path = location_path("not-a-uuid")

        assert_not_found(client.put(path, json=location_body()), path)


class TestPatchLocation:
    def test_changes_only_given_fields(self, client):
        location, etag = create_with_etag(client, location_body())

        response = client.patch(
            location_path(location["id"]), json={"name": "Terter", "aliases": ["Tartar"]}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert_server_fields(patched)
        assert patched == {
            **location,
            "name": "Terter",
            "aliases": ["Tartar"],
            "updated_at": patched["updated_at"],
        }
        assert datetime.fromisoformat(patched["updated_at"]) > datetime.fromisoformat(
            location["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(location_path(location["id"])).get_json() == patched

    def test_one_coordinate_of_a_located_place(self, client):
        location = create(client, LOCATIONS, location_body())

        response = client.patch(location_path(location["id"]), json={"latitude": 40.35})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**location, "latitude": 40.35, "updated_at": patched["updated_at"]}

    def test_adds_coordinates(self, client):
        location = create(client, LOCATIONS, region_body())
        changes = {"latitude": 40.4, "longitude": 46.8, "geo_precision": "region"}

        response = client.patch(location_path(location["id"]), json=changes)

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**location, **changes, "updated_at": patched["updated_at"]}

    def test_removes_coordinates(self, client):
        location = create(client, LOCATIONS, location_body())

        response = client.patch(location_path(location["id"]), json=NO_COORDINATES)

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**location, **NO_COORDINATES, "updated_at": patched["updated_at"]}

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            pytest.param({"latitude": 40.3444}, "longitude", id="latitude-alone"),
            pytest.param({"longitude": 46.9311}, "latitude", id="longitude-alone"),
            pytest.param({"geo_precision": "settlement"}, "geo_precision", id="precision-alone"),
            pytest.param(
                {"latitude": 40.3444, "geo_precision": "region"},
                "longitude",
                id="latitude-precision",
            ),
        ],
    )
    def test_checks_merged_record_of_unlocated_place(self, client, changes, field):
        location = create(client, LOCATIONS, region_body())
        path = location_path(location["id"])

        assert_refused(client.patch(path, json=changes), 422, field, path)
        assert client.get(path).get_json() == location

    @pytest.mark.parametrize(("changes", "field"), INVALID_CHANGES)
    def test_refuses_invalid_change(self, client, changes, field):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        assert_refused(client.patch(path, json=changes), 422, field, path)
        assert client.get(path).get_json() == location

    def test_sets_and_clears_parent(self, client):
        parent = create(client, LOCATIONS, region_body())
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.patch(path, json={"parent_id": parent["id"]})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {
            **location,
            "parent_id": parent["id"],
            "parent": summary(parent),
            "updated_at": patched["updated_at"],
        }

        response = client.patch(path, json={"parent_id": None})

        assert response.status_code == 200
        cleared = response.get_json()
        assert cleared == {**location, "updated_at": cleared["updated_at"]}

    def test_refuses_parent_that_does_not_exist(self, client):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.patch(path, json={"parent_id": str(uuid.uuid4())})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == location

    def test_refuses_itself_as_parent(self, client):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.patch(path, json={"parent_id": location["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == location

    def test_refuses_its_child_as_parent(self, client):
        a = create(client, LOCATIONS, region_body(name="A"))
        b = create(client, LOCATIONS, region_body(name="B", parent_id=a["id"]))
        path = location_path(a["id"])

        response = client.patch(path, json={"parent_id": b["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == a
        assert client.get(location_path(b["id"])).get_json() == b

    def test_refuses_its_descendant_as_parent(self, client):
        a = create(client, LOCATIONS, region_body(name="A"))
        b = create(client, LOCATIONS, region_body(name="B", parent_id=a["id"]))
        c = create(client, LOCATIONS, location_body(name="C", parent_id=b["id"]))
        path = location_path(a["id"])

        response = client.patch(path, json={"parent_id": c["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == a

    def test_stale_if_match_is_refused(self, client):
        location, stale = create_with_etag(client, location_body())
        path = location_path(location["id"])
        current = client.patch(path, json={"description": "Near the front."}).get_json()

        response = client.patch(path, json={"name": "Overwritten"}, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        location, etag = create_with_etag(client, location_body())

        response = client.patch(
            location_path(location["id"]), json={"name": "Terter"}, headers={"If-Match": etag}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**location, "name": "Terter", "updated_at": patched["updated_at"]}

    def test_unknown_id_is_not_found(self, client):
        path = location_path(uuid.uuid4())

        assert_not_found(client.patch(path, json={"name": "Terter"}), path)

    def test_malformed_id_is_not_found(self, client):
        path = location_path("not-a-uuid")

        assert_not_found(client.patch(path, json={"name": "Terter"}), path)


class TestDeleteLocation:
    def test_deletes_location(self, client, db):
        location = create(client, LOCATIONS, location_body())
        path = location_path(location["id"])

        response = client.delete(path)

        assert response.status_code == 204
        assert response.get_data() == b""
        assert_not_found(client.get(path), path)
        assert count_locations(db) == 0

    def test_parent_of_another_location_is_kept(self, client, db):
        parent = create(client, LOCATIONS, region_body())
        child = create(client, LOCATIONS, location_body(parent_id=parent["id"]))
        path = location_path(parent["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "location", "id": child["id"]}])
        assert client.get(path).get_json() == parent
        assert count_locations(db) == 2

        assert client.delete(location_path(child["id"])).status_code == 204
        assert client.delete(path).status_code == 204
        assert count_locations(db) == 0

    def test_location_of_an_event_is_kept(self, client, db):
        source = create(client, "/v1/sources", source_body())
        location = create(client, LOCATIONS, location_body())
        event = create(client, "/v1/events", event_body(source["id"], location_id=location["id"]))
        path = location_path(location["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "event", "id": event["id"]}])
        assert client.get(path).get_json() == location
        assert count_locations(db) == 1

        assert client.delete(f"/v1/events/{event['id']}").status_code == 204
        assert client.delete(path).status_code == 204
        assert count_locations(db) == 0

    def test_lists_every_referrer(self, client, db):
        source = create(client, "/v1/sources", source_body())
        region = create(client, LOCATIONS, region_body())
        children = [
            create(client, LOCATIONS, location_body(name=name, parent_id=region["id"]))
            for name in ("Tartar", "Barda")
        ]
        events = [
            create(client, "/v1/events", event_body(source["id"], location_id=region["id"]))
            for _ in range(2)
        ]
        path = location_path(region["id"])

        response = client.delete(path)

        assert_still_referenced(
            response,
            path,
            [
                *({"kind": "location", "id": child["id"]} for child in children),
                *({"kind": "event", "id": event["id"]} for event in events),
            ],
        )
        assert count_locations(db) == 3

    def test_stale_if_match_is_refused(self, client, db):
        location, stale = create_with_etag(client, location_body())
        path = location_path(location["id"])
        current = client.patch(path, json={"name": "Terter"}).get_json()

        response = client.delete(path, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert count_locations(db) == 1

    def test_current_if_match_is_accepted(self, client, db):
        location, etag = create_with_etag(client, location_body())

        response = client.delete(location_path(location["id"]), headers={"If-Match": etag})

        assert response.status_code == 204
        assert count_locations(db) == 0

    def test_unknown_id_is_not_found(self, client):
        path = location_path(uuid.uuid4())

        assert_not_found(client.delete(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = location_path("not-a-uuid")

        assert_not_found(client.delete(path), path)
