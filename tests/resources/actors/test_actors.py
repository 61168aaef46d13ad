"""Tests of /v1/actors: states, governments, forces, organisations and people."""

import json
import uuid
from datetime import datetime

import pytest

from schemas.vocabularies import ACTOR_KINDS
from tests import helpers
from tests.helpers import (
    actor_body,
    assert_not_found,
    assert_problem,
    assert_refused,
    assert_server_fields,
    create,
    event_body,
    source_body,
    statement_body,
)

ACTORS = "/v1/actors"


def create_with_etag(client, body):
    return helpers.create_with_etag(client, ACTORS, body)


def actor_path(actor_id):
    return f"{ACTORS}/{actor_id}"


def count_actors(db):
    return db.execute("SELECT count(*) AS n FROM actors").fetchone()["n"]


def summary(actor):
    """An actor as embedded in other records."""
    return {key: actor[key] for key in ("id", "name", "kind", "country")}


def expected_actor(record, body, parent=None):
    """The actor `body` as the API returns it, with the server fields of `record`."""
    return {
        "id": record["id"],
        "name": body["name"],
        "kind": body["kind"],
        "country": body.get("country"),
        "parent_id": body.get("parent_id"),
        "parent": summary(parent) if parent else None,
        "title": body.get("title"),
        "aliases": body.get("aliases", []),
        "description": body.get("description"),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
    }


def assert_still_referenced(response, path, referrers):
    """A 409 problem listing exactly `referrers`, ordered by kind then id."""
    problem = assert_problem(response, 409)
    assert problem["instance"] == path
    assert problem["referrers"] == sorted(referrers, key=lambda r: (r["kind"], r["id"]))


def full_actor_body(**overrides):
    return actor_body(
        **{
            "name": "Defense Ministry of Azerbaijan",
            "kind": "government",
            "title": "Ministry",
            "aliases": ["MoD", "Azerbaijani Defense Ministry"],
            "description": "The ministry that reports on the fighting.",
            **overrides,
        }
    )


# Bodies that every write of a whole actor refuses, and the field each names.
INVALID_ACTORS = [
    pytest.param({"kind": "state"}, "name", id="name-missing"),
    pytest.param(actor_body(name=None), "name", id="name-null"),
    pytest.param(actor_body(name=12), "name", id="name-not-string"),
    pytest.param(actor_body(name=""), "name", id="name-empty"),
    pytest.param(actor_body(name="x" * 501), "name", id="name-too-long"),
    pytest.param(actor_body(name="Azer\u0000baijan"), "name", id="name-nul"),
    pytest.param(actor_body(name="   "), "name", id="name-blank"),
    pytest.param(actor_body(aliases=["Azeri", " "]), "aliases.1", id="alias-blank"),
    pytest.param({"name": "Azerbaijan"}, "kind", id="kind-missing"),
    pytest.param(actor_body(kind=None), "kind", id="kind-null"),
    pytest.param(actor_body(kind="country"), "kind", id="kind-unknown"),
    pytest.param(actor_body(kind="State"), "kind", id="kind-wrong-case"),
    pytest.param(actor_body(kind=1), "kind", id="kind-not-string"),
    pytest.param(actor_body(country="XXX"), "country", id="country-not-iso"),
    pytest.param(actor_body(country="aze"), "country", id="country-lower-case"),
    pytest.param(actor_body(country="AZ"), "country", id="country-alpha-2"),
    pytest.param(actor_body(country="AZER"), "country", id="country-four-letters"),
    pytest.param(actor_body(country="031"), "country", id="country-numeric"),
    pytest.param(actor_body(country=31), "country", id="country-not-string"),
    pytest.param(actor_body(parent_id="not-a-uuid"), "parent_id", id="parent-id-malformed"),
    pytest.param(actor_body(parent_id=7), "parent_id", id="parent-id-not-string"),
    pytest.param(actor_body(title=""), "title", id="title-empty"),
    pytest.param(actor_body(title="x" * 501), "title", id="title-too-long"),
    pytest.param(actor_body(title="Min\u0000ister"), "title", id="title-nul"),
    pytest.param(actor_body(aliases="Azeri forces"), "aliases", id="aliases-string"),
    pytest.param(actor_body(aliases=None), "aliases", id="aliases-null"),
    pytest.param(actor_body(aliases={"a": "b"}), "aliases", id="aliases-object"),
    pytest.param(actor_body(aliases=[""]), "aliases.0", id="aliases-empty-string"),
    pytest.param(actor_body(aliases=["Azeris", 3]), "aliases.1", id="aliases-number"),
    pytest.param(actor_body(aliases=[None]), "aliases.0", id="aliases-null-item"),
    pytest.param(actor_body(aliases=["x" * 501]), "aliases.0", id="aliases-too-long"),
    pytest.param(actor_body(aliases=["A\u0000"]), "aliases.0", id="aliases-nul"),
    pytest.param(actor_body(aliases=["a"] * 101), "aliases", id="aliases-too-many"),
    pytest.param(actor_body(description=""), "description", id="description-empty"),
    pytest.param(actor_body(description="x" * 20_001), "description", id="description-long"),
    pytest.param(actor_body(description="\u0000"), "description", id="description-nul"),
    pytest.param(actor_body(acronym="AZ"), "acronym", id="unknown-field"),
    pytest.param(actor_body(id=str(uuid.uuid4())), "id", id="id-read-only"),
    pytest.param(
        actor_body(created_at="2020-09-30T12:00:00+00:00"), "created_at", id="created-at-read-only"
    ),
    pytest.param(
        actor_body(updated_at="2020-09-30T12:00:00+00:00"), "updated_at", id="updated-at-read-only"
    ),
    pytest.param(
        actor_body(parent={"name": "Azerbaijan", "kind": "state"}), "parent", id="parent-read-only"
    ),
]

# Changes that a PATCH refuses, and the field each names.
INVALID_CHANGES = [
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": "x" * 501}, "name", id="name-too-long"),
    pytest.param({"name": "A\u0000"}, "name", id="name-nul"),
    pytest.param({"kind": None}, "kind", id="kind-null"),
    pytest.param({"kind": "nation"}, "kind", id="kind-unknown"),
    pytest.param({"country": "XXX"}, "country", id="country-not-iso"),
    pytest.param({"country": "aze"}, "country", id="country-lower-case"),
    pytest.param({"country": "AZ"}, "country", id="country-alpha-2"),
    pytest.param({"parent_id": "nope"}, "parent_id", id="parent-id-malformed"),
    pytest.param({"aliases": [""]}, "aliases.0", id="aliases-empty-string"),
    pytest.param({"aliases": "Azeris"}, "aliases", id="aliases-string"),
    pytest.param({"acronym": "AZ"}, "acronym", id="unknown-field"),
    pytest.param({"id": str(uuid.uuid4())}, "id", id="id-read-only"),
    pytest.param({"created_at": "2020-09-30T12:00:00+00:00"}, "created_at", id="created-at"),
]


class TestCreateActor:
    def test_creates_actor(self, client, db):
        body = full_actor_body()
        response = client.post(ACTORS, json=body)

        assert response.status_code == 201
        actor = response.get_json()
        assert_server_fields(actor)
        assert actor["created_at"] == actor["updated_at"]
        assert actor == expected_actor(actor, body)
        assert response.headers["Location"] == actor_path(actor["id"])
        assert response.headers["ETag"]
        assert count_actors(db) == 1

    def test_etag_is_that_of_the_stored_record(self, client):
        actor, etag = create_with_etag(client, actor_body())

        assert client.get(actor_path(actor["id"])).headers["ETag"] == etag

    def test_optional_fields_may_be_left_out(self, client):
        body = {"name": "Armenian forces", "kind": "military"}
        response = client.post(ACTORS, json=body)

        assert response.status_code == 201
        actor = response.get_json()
        assert actor == expected_actor(actor, body)
        assert actor["aliases"] == []
        assert actor["country"] is None

    def test_optional_fields_may_be_null(self, client):
        body = actor_body(country=None, parent_id=None, title=None, description=None)
        response = client.post(ACTORS, json=body)

        assert response.status_code == 201
        actor = response.get_json()
        assert actor == expected_actor(actor, body)

    def test_embeds_parent_summary(self, client):
        parent = create(client, ACTORS, actor_body())
        body = full_actor_body(parent_id=parent["id"])

        response = client.post(ACTORS, json=body)

        assert response.status_code == 201
        child = response.get_json()
        assert child == expected_actor(child, body, parent=parent)
        assert child["parent"] == {
            "id": parent["id"],
            "name": "Azerbaijan",
            "kind": "state",
            "country": "AZE",
        }

    @pytest.mark.parametrize("kind", ACTOR_KINDS)
    def test_accepts_every_kind(self, client, kind):
        body = actor_body(kind=kind)
        response = client.post(ACTORS, json=body)

        assert response.status_code == 201, response.get_json()
        actor = response.get_json()
        assert actor == expected_actor(actor, body)

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"country": "AZE"}, id="country-aze"),
            pytest.param({"country": "ARM"}, id="country-arm"),
            pytest.param({"name": "x" * 500}, id="name-500-characters"),
            pytest.param({"name": "Ադրբեջան"}, id="name-unicode"),
            pytest.param({"aliases": []}, id="aliases-empty-list"),
            pytest.param({"aliases": ["Azərbaycan", "AZ"]}, id="aliases-two"),
        ],
    )
    def test_accepts_valid_values(self, client, changes):
        body = actor_body(**changes)
        response = client.post(ACTORS, json=body)

        assert response.status_code == 201, response.get_json()
        actor = response.get_json()
        assert actor == expected_actor(actor, body)

    @pytest.mark.parametrize(("body", "field"), INVALID_ACTORS)
    def test_refuses_invalid_actor(self, client, db, body, field):
        response = client.post(ACTORS, json=body)

        assert_refused(response, 422, field, ACTORS)
        assert count_actors(db) == 0

    def test_refuses_parent_that_does_not_exist(self, client, db):
        response = client.post(ACTORS, json=actor_body(parent_id=str(uuid.uuid4())))

        assert_refused(response, 422, "parent_id", ACTORS)
        assert count_actors(db) == 0


class TestGetActor:
    def test_returns_actor_with_etag(self, client):
        actor, etag = create_with_etag(client, full_actor_body())

        response = client.get(actor_path(actor["id"]))

        assert response.status_code == 200
        assert response.get_json() == actor
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_current_etag_is_not_modified(self, client):
        actor, _ = create_with_etag(client, actor_body())
        etag = client.get(actor_path(actor["id"])).headers["ETag"]

        response = client.get(actor_path(actor["id"]), headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_if_none_match_with_stale_etag_returns_actor(self, client):
        actor, stale = create_with_etag(client, actor_body())
        changed = client.patch(actor_path(actor["id"]), json={"name": "Republic of Azerbaijan"})
        assert changed.status_code == 200

        response = client.get(actor_path(actor["id"]), headers={"If-None-Match": stale})

        assert response.status_code == 200
        assert response.get_json() == changed.get_json()
        assert response.headers["ETag"] == changed.headers["ETag"] != stale

    def test_embeds_current_parent_summary(self, client):
        parent = create(client, ACTORS, actor_body())
        child = create(client, ACTORS, full_actor_body(parent_id=parent["id"]))
        renamed = client.patch(
            actor_path(parent["id"]), json={"name": "Republic of Azerbaijan"}
        ).get_json()

        response = client.get(actor_path(child["id"]))

        assert response.status_code == 200
        body = response.get_json()
        # It shows a changed summary, so it changed for clients that sync by updated_at.
        assert body["updated_at"] > child["updated_at"]
        assert body == {**child, "parent": summary(renamed), "updated_at": body["updated_at"]}

    def test_unknown_id_is_not_found(self, client):
        path = actor_path(uuid.uuid4())

        assert_not_found(client.get(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = actor_path("not-a-uuid")

        assert_not_found(client.get(path), path)


class TestListActors:
    def test_empty_list(self, client):
        response = client.get(ACTORS)

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}
        assert "Link" not in response.headers

    def test_ordered_by_name(self, client):
        names = ["Turkey", "Armenia", "Minsk Group", "Azerbaijan", "Defense Ministry"]
        created = {name: create(client, ACTORS, actor_body(name=name)) for name in names}

        response = client.get(ACTORS)

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
            f'<http://localhost{ACTORS}?page=1>; rel="first", '
            f'<http://localhost{ACTORS}?page=1>; rel="last"'
        )
        assert response.headers["ETag"]

    def test_embeds_parents(self, client):
        parent = create(client, ACTORS, actor_body(name="Azerbaijan"))
        child = create(client, ACTORS, full_actor_body(name="Baku", parent_id=parent["id"]))

        response = client.get(ACTORS)

        assert response.get_json() == [parent, child]
        assert child["parent"] == summary(parent)

    def _five_actors(self, client):
        """Five actors, in name order."""
        names = ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
        created = {name: create(client, ACTORS, actor_body(name=name)) for name in names}
        return [created[name] for name in sorted(names)]

    def test_middle_page(self, client):
        actors = self._five_actors(client)

        response = client.get(f"{ACTORS}?page=2&page_size=2")

        assert response.status_code == 200
        assert response.get_json() == actors[2:4]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        base = f"http://localhost{ACTORS}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=1&page_size=2>; rel="prev", '
            f'<{base}?page=3&page_size=2>; rel="next", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_first_page(self, client):
        actors = self._five_actors(client)

        response = client.get(f"{ACTORS}?page=1&page_size=2")

        assert response.get_json() == actors[:2]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }
        base = f"http://localhost{ACTORS}"
        assert response.headers["Link"] == (
            f'<{base}?page=1&page_size=2>; rel="first", '
            f'<{base}?page=2&page_size=2>; rel="next", '
            f'<{base}?page=3&page_size=2>; rel="last"'
        )

    def test_last_page(self, client):
        actors = self._five_actors(client)

        response = client.get(f"{ACTORS}?page=3&page_size=2")

        assert response.get_json() == actors[4:]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 3,
            "previous_page": 2,
        }
        base = f"http://localhost{ACTORS}"
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
        assert_refused(client.get(f"{ACTORS}?{query}"), 422, field, ACTORS)


class TestReplaceActor:
    def test_replaces_whole_actor(self, client):
        parent = create(client, ACTORS, actor_body())
        actor, etag = create_with_etag(client, full_actor_body(parent_id=parent["id"]))
        body = {"name": "Ministry of Defence", "kind": "government"}

        response = client.put(actor_path(actor["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert_server_fields(replaced)
        assert replaced == expected_actor({**actor, "updated_at": replaced["updated_at"]}, body)
        assert replaced["parent_id"] is None
        assert replaced["aliases"] == []
        assert datetime.fromisoformat(replaced["updated_at"]) > datetime.fromisoformat(
            actor["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(actor_path(actor["id"])).get_json() == replaced

    def test_sets_parent(self, client):
        parent = create(client, ACTORS, actor_body())
        actor = create(client, ACTORS, full_actor_body())
        body = full_actor_body(parent_id=parent["id"])

        response = client.put(actor_path(actor["id"]), json=body)

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_actor(
            {**actor, "updated_at": replaced["updated_at"]}, body, parent=parent
        )

    @pytest.mark.parametrize(("body", "field"), INVALID_ACTORS)
    def test_refuses_invalid_actor(self, client, body, field):
        actor = create(client, ACTORS, full_actor_body())
        path = actor_path(actor["id"])

        assert_refused(client.put(path, json=body), 422, field, path)
        assert client.get(path).get_json() == actor

    def test_refuses_parent_that_does_not_exist(self, client):
        actor = create(client, ACTORS, actor_body())
        path = actor_path(actor["id"])

        response = client.put(path, json=actor_body(parent_id=str(uuid.uuid4())))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == actor

    def test_refuses_itself_as_parent(self, client):
        actor = create(client, ACTORS, actor_body())
        path = actor_path(actor["id"])

        response = client.put(path, json=actor_body(parent_id=actor["id"]))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == actor

    def test_refuses_its_child_as_parent(self, client):
        parent = create(client, ACTORS, actor_body())
        child = create(client, ACTORS, full_actor_body(parent_id=parent["id"]))
        path = actor_path(parent["id"])

        response = client.put(path, json=actor_body(parent_id=child["id"]))

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == parent

    def test_stale_if_match_is_refused(self, client):
        actor, stale = create_with_etag(client, actor_body())
        path = actor_path(actor["id"])
        current = client.patch(path, json={"title": "Republic"}).get_json()

        response = client.put(
            path, json=actor_body(name="Overwritten"), headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        actor, etag = create_with_etag(client, actor_body())
        body = actor_body(name="Republic of Azerbaijan")

        response = client.put(actor_path(actor["id"]), json=body, headers={"If-Match": etag})

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_actor({**actor, "updated_at": replaced["updated_at"]}, body)

    def test_unknown_id_is_not_found(self, client, db):
        path = actor_path(uuid.uuid4())

        assert_not_found(client.put(path, json=actor_body()), path)
        assert count_actors(db) == 0

    def test_malformed_id_is_not_found(self, client):
        path = actor_path("not-a-uuid")

        assert_not_found(client.put(path, json=actor_body()), path)


class TestPatchActor:
    def test_changes_only_given_fields(self, client):
        actor, etag = create_with_etag(client, full_actor_body())

        response = client.patch(
            actor_path(actor["id"]), json={"title": "Ministry of Defence", "aliases": ["MoD"]}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert_server_fields(patched)
        assert patched == {
            **actor,
            "title": "Ministry of Defence",
            "aliases": ["MoD"],
            "updated_at": patched["updated_at"],
        }
        assert datetime.fromisoformat(patched["updated_at"]) > datetime.fromisoformat(
            actor["updated_at"]
        )
        assert response.headers["ETag"] != etag
        assert client.get(actor_path(actor["id"])).get_json() == patched

    def test_keeps_parent_when_not_given(self, client):
        parent = create(client, ACTORS, actor_body())
        child = create(client, ACTORS, full_actor_body(parent_id=parent["id"]))

        response = client.patch(actor_path(child["id"]), json={"name": "MoD"})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**child, "name": "MoD", "updated_at": patched["updated_at"]}
        assert patched["parent"] == summary(parent)

    def test_sets_and_clears_parent(self, client):
        parent = create(client, ACTORS, actor_body())
        actor = create(client, ACTORS, full_actor_body())
        path = actor_path(actor["id"])

        response = client.patch(path, json={"parent_id": parent["id"]})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {
            **actor,
            "parent_id": parent["id"],
            "parent": summary(parent),
            "updated_at": patched["updated_at"],
        }

        response = client.patch(path, json={"parent_id": None})

        assert response.status_code == 200
        cleared = response.get_json()
        assert cleared == {**actor, "updated_at": cleared["updated_at"]}

    def test_null_clears_optional_fields(self, client):
        actor = create(client, ACTORS, full_actor_body())

        response = client.patch(
            actor_path(actor["id"]),
            json={"country": None, "title": None, "description": None, "aliases": []},
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {
            **actor,
            "country": None,
            "title": None,
            "description": None,
            "aliases": [],
            "updated_at": patched["updated_at"],
        }

    @pytest.mark.parametrize(("changes", "field"), INVALID_CHANGES)
    def test_refuses_invalid_change(self, client, changes, field):
        actor = create(client, ACTORS, full_actor_body())
        path = actor_path(actor["id"])

        assert_refused(client.patch(path, json=changes), 422, field, path)
        assert client.get(path).get_json() == actor

    def test_refuses_parent_that_does_not_exist(self, client):
        actor = create(client, ACTORS, actor_body())
        path = actor_path(actor["id"])

        response = client.patch(path, json={"parent_id": str(uuid.uuid4())})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == actor

    def test_refuses_itself_as_parent(self, client):
        actor = create(client, ACTORS, actor_body())
        path = actor_path(actor["id"])

        response = client.patch(path, json={"parent_id": actor["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == actor

    def test_refuses_its_child_as_parent(self, client):
        a = create(client, ACTORS, actor_body(name="A"))
        b = create(client, ACTORS, actor_body(name="B", parent_id=a["id"]))
        path = actor_path(a["id"])

        response = client.patch(path, json={"parent_id": b["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == a
        assert client.get(actor_path(b["id"])).get_json() == b

    def test_refuses_its_descendant_as_parent(self, client):
        a = create(client, ACTORS, actor_body(name="A"))
        b = create(client, ACTORS, actor_body(name="B", parent_id=a["id"]))
        c = create(client, ACTORS, actor_body(name="C", parent_id=b["id"]))
        path = actor_path(a["id"])

        response = client.patch(path, json={"parent_id": c["id"]})

        assert_refused(response, 422, "parent_id", path)
        assert client.get(path).get_json() == a

    def test_accepts_a_sibling_as_parent(self, client):
        a = create(client, ACTORS, actor_body(name="A"))
        b = create(client, ACTORS, actor_body(name="B", parent_id=a["id"]))
        c = create(client, ACTORS, actor_body(name="C", parent_id=a["id"]))

        response = client.patch(actor_path(c["id"]), json={"parent_id": b["id"]})

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {
            **c,
            "parent_id": b["id"],
            "parent": summary(b),
            "updated_at": patched["updated_at"],
        }

    def test_stale_if_match_is_refused(self, client):
        actor, stale = create_with_etag(client, actor_body())
        path = actor_path(actor["id"])
        current = client.patch(path, json={"title": "Republic"}).get_json()

        response = client.patch(path, json={"name": "Overwritten"}, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current

    def test_current_if_match_is_accepted(self, client):
        actor, etag = create_with_etag(client, actor_body())

        response = client.patch(
            actor_path(actor["id"]), json={"name": "Republic"}, headers={"If-Match": etag}
        )

        assert response.status_code == 200
        patched = response.get_json()
        assert patched == {**actor, "name": "Republic", "updated_at": patched["updated_at"]}

    def test_unknown_id_is_not_found(self, client):
        path = actor_path(uuid.uuid4())

        assert_not_found(client.patch(path, json={"name": "Renamed"}), path)

    def test_malformed_id_is_not_found(self, client):
        path = actor_path("not-a-uuid")

        assert_not_found(client.patch(path, json={"name": "Renamed"}), path)


class TestDeleteActor:
    def test_deletes_actor(self, client, db):
        actor = create(client, ACTORS, actor_body())
        path = actor_path(actor["id"])

        response = client.delete(path)

        assert response.status_code == 204
        assert response.get_data() == b""
        assert_not_found(client.get(path), path)
        assert count_actors(db) == 0

    def test_parent_of_another_actor_is_kept(self, client, db):
        parent = create(client, ACTORS, actor_body())
        child = create(client, ACTORS, full_actor_body(parent_id=parent["id"]))
        path = actor_path(parent["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "actor", "id": child["id"]}])
        assert client.get(path).get_json() == parent
        assert count_actors(db) == 2

        assert client.delete(actor_path(child["id"])).status_code == 204
        assert client.delete(path).status_code == 204
        assert count_actors(db) == 0

    def test_event_participant_is_kept(self, client, db):
        source = create(client, "/v1/sources", source_body())
        actor = create(client, ACTORS, actor_body())
        event = create(client, "/v1/events", event_body(source["id"], [actor["id"]]))
        path = actor_path(actor["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "event", "id": event["id"]}])
        assert client.get(path).get_json() == actor

        assert client.delete(f"/v1/events/{event['id']}").status_code == 204
        assert client.delete(path).status_code == 204
        assert count_actors(db) == 0

    def test_statement_speaker_is_kept(self, client, db):
        source = create(client, "/v1/sources", source_body())
        actor = create(client, ACTORS, actor_body())
        statement = create(client, "/v1/statements", statement_body(source["id"], actor["id"]))
        path = actor_path(actor["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "statement", "id": statement["id"]}])
        assert client.get(path).get_json() == actor

        assert client.delete(f"/v1/statements/{statement['id']}").status_code == 204
        assert client.delete(path).status_code == 204
        assert count_actors(db) == 0

    def test_statement_addressee_is_kept(self, client, db):
        source = create(client, "/v1/sources", source_body())
        speaker = create(client, ACTORS, actor_body(name="Minsk Group", kind="other"))
        addressee = create(client, ACTORS, actor_body())
        statement = create(
            client,
            "/v1/statements",
            statement_body(source["id"], speaker["id"], addressee_ids=[addressee["id"]]),
        )
        path = actor_path(addressee["id"])

        response = client.delete(path)

        assert_still_referenced(response, path, [{"kind": "statement", "id": statement["id"]}])
        assert client.get(path).get_json() == addressee

        assert client.delete(f"/v1/statements/{statement['id']}").status_code == 204
        assert client.delete(path).status_code == 204

    def test_lists_every_referrer(self, client, db):
        source = create(client, "/v1/sources", source_body())
        actor = create(client, ACTORS, actor_body())
        children = [
            create(client, ACTORS, actor_body(name=name, parent_id=actor["id"]))
            for name in ("Army", "Ministry")
        ]
        event = create(client, "/v1/events", event_body(source["id"], [actor["id"]]))
        statement = create(client, "/v1/statements", statement_body(source["id"], actor["id"]))
        path = actor_path(actor["id"])

        response = client.delete(path)

        assert_still_referenced(
            response,
            path,
            [
                *({"kind": "actor", "id": child["id"]} for child in children),
                {"kind": "event", "id": event["id"]},
                {"kind": "statement", "id": statement["id"]},
            ],
        )
        assert count_actors(db) == 3

    def test_stale_if_match_is_refused(self, client, db):
        actor, stale = create_with_etag(client, actor_body())
        path = actor_path(actor["id"])
        current = client.patch(path, json={"title": "Republic"}).get_json()

        response = client.delete(path, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert count_actors(db) == 1

    def test_current_if_match_is_accepted(self, client, db):
        actor, etag = create_with_etag(client, actor_body())

        response = client.delete(actor_path(actor["id"]), headers={"If-Match": etag})

        assert response.status_code == 204
        assert count_actors(db) == 0

    def test_unknown_id_is_not_found(self, client):
        path = actor_path(uuid.uuid4())

        assert_not_found(client.delete(path), path)

    def test_malformed_id_is_not_found(self, client):
        path = actor_path("not-a-uuid")

        assert_not_found(client.delete(path), path)
