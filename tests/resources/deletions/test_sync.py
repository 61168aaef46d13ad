"""Tests of sync: updated_since on every collection and the deletions feed (GET /v1/deletions).

A client keeps a copy of the data by fetching each collection with
updated_since and the deletions since the same moment; the tests play that
client and compare its copy with the server's records.
"""

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from seeds import loader
from seeds.loader import record_id
from tests.helpers import (
    SECOND_SEED,
    actor_body,
    assert_problem,
    create,
    event_body,
    location_body,
    source_body,
    statement_body,
)

DELETIONS = "/v1/deletions"
# Kind -> collection, in the order a client fetches them.
COLLECTIONS = {
    "source": "/v1/sources",
    "actor": "/v1/actors",
    "location": "/v1/locations",
    "event": "/v1/events",
    "statement": "/v1/statements",
}
SEED = SECOND_SEED
SEEDED_STATEMENT = record_id("statement/varenko-announces-ceasefire")
LINK_NEXT = re.compile(r'<([^>]*)>; rel="next"')


# --- A client of the API ---------------------------------------------------------------


def url(path, **params):
    return f"{path}?{urlencode(params)}" if params else path


def moment(text):
    return datetime.fromisoformat(text)


def fetch_all(client, path, page_size=2, **params):
    """Every item of a list, paging by keyset cursor through Link rel="next"."""
    items = []
    next_url = url(path, cursor="", page_size=page_size, **params)
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.get_json()
        items.extend(response.get_json())
        link = LINK_NEXT.search(response.headers.get("Link", ""))
        next_url = link.group(1) if link else None
    return items


def full_copy(client):
    """Every record, by kind and id."""
    return {
        kind: {record["id"]: record for record in fetch_all(client, path, page_size=500)}
        for kind, path in COLLECTIONS.items()
    }


def sync(client, copy, since):
    """Bring `copy` up to date with the changes since `since`, as the docs tell a client to."""
    for kind, path in COLLECTIONS.items():
        for record in fetch_all(client, path, updated_since=since.isoformat()):
            copy[kind][record["id"]] = record
    for deletion in fetch_all(client, DELETIONS, since=since.isoformat()):
        record = copy[deletion["kind"]].get(deletion["id"])
        # A record deleted then created again keeps its newer version.
        if record is not None and moment(record["updated_at"]) <= moment(deletion["deleted_at"]):
            del copy[deletion["kind"]][deletion["id"]]


def ids(records):
    return {record["id"] for record in records}


def server_now(db):
    """The database's clock: later than every transaction already committed began."""
    return db.execute("SELECT clock_timestamp() AS now").fetchone()["now"]


def cursor_of(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- Records -------------------------------------------------------------------------


class World:
    """Records of every kind, created through the API."""

    def __init__(self, client):
        self.client = client
        self.sources = [
            create(client, "/v1/sources", source_body(url=f"https://example.org/{n}"))
            for n in range(3)
        ]
        self.actors = [
            create(client, "/v1/actors", actor_body(name=name))
            for name in ("Azerbaijan", "Armenia", "Minsk Group", "Turkey")
        ]
        self.locations = [
            create(client, "/v1/locations", location_body(name=name))
            for name in ("Tartar", "Stepanakert", "Ganja")
        ]
        self.events = [
            create(
                client,
                "/v1/events",
                event_body(
                    self.sources[n]["id"],
                    actor_ids=(self.actors[0]["id"], self.actors[1]["id"]),
                    location_id=self.locations[n]["id"],
                    title=f"Shelling {n}",
                ),
            )
            for n in range(3)
        ]
        self.statements = [
            create(
                client,
                "/v1/statements",
                statement_body(
                    self.sources[n]["id"],
                    self.actors[2]["id"],
                    event_ids=(self.events[n]["id"],),
                    notes=f"Statement {n}",
                ),
            )
            for n in range(3)
        ]

    def all(self):
        return {
            "source": self.sources,
            "actor": self.actors,
            "location": self.locations,
            "event": self.events,
            "statement": self.statements,
        }

    def delete(self, kind, record):
        response = self.client.delete(f"{COLLECTIONS[kind]}/{record['id']}")
        assert response.status_code == 204, response.get_json()

    def patch(self, kind, record, changes):
        response = self.client.patch(f"{COLLECTIONS[kind]}/{record['id']}", json=changes)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def delete_third_of_each(self):
        """Delete the third record of each kind, in the order references allow.

        Return (kind, id) in the order of deletion.
        """
        order = ("statement", "event", "actor", "location", "source")
        records = {
            "statement": self.statements[2],
            "event": self.events[2],
            # The fourth actor: the third speaks.
            "actor": self.actors[3],
            "location": self.locations[2],
            "source": self.sources[2],
        }
        for kind in order:
            self.delete(kind, records[kind])
        return [(kind, records[kind]["id"]) for kind in order]

    def change_after(self):
        """Update one record of each kind and create another; return their ids by kind."""
        client = self.client
        changed = {
            "source": self.patch("source", self.sources[1], {"notes": "Checked."}),
            "actor": self.patch("actor", self.actors[1], {"description": "A state."}),
            "location": self.patch("location", self.locations[1], {"description": "A city."}),
            "event": self.patch("event", self.events[1], {"certainty": "disputed"}),
            "statement": self.patch("statement", self.statements[1], {"notes": "Disputed."}),
        }
        source = create(client, "/v1/sources", source_body(url="https://example.org/new"))
        actor = create(client, "/v1/actors", actor_body(name="Russia", country="RUS"))
        location = create(client, "/v1/locations", location_body(name="Barda"))
        event = create(
            client,
            "/v1/events",
            event_body(source["id"], actor_ids=(actor["id"],), location_id=location["id"]),
        )
        statement = create(
            client,
            "/v1/statements",
            statement_body(source["id"], actor["id"], event_ids=(event["id"],)),
        )
        created = {
            "source": source,
            "actor": actor,
            "location": location,
            "event": event,
            "statement": statement,
        }
        return {kind: {changed[kind]["id"], created[kind]["id"]} for kind in COLLECTIONS}


@pytest.fixture
def world(client):
    return World(client)


# --- updated_since ---------------------------------------------------------------------


class TestUpdatedSince:
    def test_each_collection_returns_what_was_created_or_changed_since(self, client, db, world):
        since = server_now(db)
        changed = world.change_after()
        world.delete_third_of_each()

        for kind, path in COLLECTIONS.items():
            response = client.get(url(path, updated_since=since.isoformat(), page_size=500))

            assert response.status_code == 200, response.get_json()
            assert ids(response.get_json()) == {str(i) for i in changed[kind]}, kind

    def test_a_record_changed_then_deleted_is_not_listed(self, client, db, world):
        since = server_now(db)
        world.patch("statement", world.statements[0], {"notes": "Withdrawn."})
        world.delete("statement", world.statements[0])

        response = client.get(url("/v1/statements", updated_since=since.isoformat()))

        assert response.get_json() == []

    def test_nothing_changed_since_now(self, client, db, world):
        since = server_now(db)

        for path in COLLECTIONS.values():
            assert client.get(url(path, updated_since=since.isoformat())).get_json() == []

    @pytest.mark.parametrize("path", COLLECTIONS.values())
    def test_refuses_a_moment_without_time_zone(self, client, path):
        response = client.get(url(path, updated_since="2020-09-30T00:00:00"))

        assert_problem(response, 422, "updated_since")


# --- The deletions feed ----------------------------------------------------------------


class TestListDeletions:
    def test_empty_feed(self, client):
        response = client.get(DELETIONS)

        assert response.status_code == 200
        assert response.get_json() == []

    def test_lists_deletions_since_oldest_first(self, client, db, world):
        world.delete("statement", world.statements[0])
        since = server_now(db)
        deleted = world.delete_third_of_each()

        response = client.get(url(DELETIONS, since=since.isoformat()))

        assert response.status_code == 200
        items = response.get_json()
        assert [(item["kind"], item["id"]) for item in items] == deleted
        moments = [moment(item["deleted_at"]) for item in items]
        assert moments == sorted(moments)
        assert all(at >= since for at in moments)

    def test_items_are_kind_id_and_deleted_at(self, client, db, world):
        before = server_now(db)
        world.delete("actor", world.actors[3])
        after = server_now(db)

        [item] = client.get(DELETIONS).get_json()

        assert set(item) == {"kind", "id", "deleted_at", "last_revision", "merged_into"}
        assert item["kind"] == "actor"
        assert item["id"] == world.actors[3]["id"]
        assert before <= moment(item["deleted_at"]) <= after

    def test_without_since_lists_every_deletion(self, client, db, world):
        world.delete("statement", world.statements[0])
        server_now(db)
        deleted = world.delete_third_of_each()

        items = client.get(DELETIONS).get_json()

        assert [(item["kind"], item["id"]) for item in items] == [
            ("statement", world.statements[0]["id"]),
            *deleted,
        ]

    def test_since_is_inclusive(self, client, world):
        world.delete("statement", world.statements[0])
        [item] = client.get(DELETIONS).get_json()

        response = client.get(url(DELETIONS, since=item["deleted_at"]))

        assert response.get_json() == [item]

    def test_since_after_every_deletion_is_empty(self, client, db, world):
        world.delete_third_of_each()
        since = server_now(db)

        assert client.get(url(DELETIONS, since=since.isoformat())).get_json() == []

    def test_since_in_another_time_zone(self, client, db, world):
        since = server_now(db)
        world.delete("statement", world.statements[0])
        later = since + timedelta(seconds=3600)

        in_baku = since.astimezone(timezone(timedelta(hours=4)))
        assert len(client.get(url(DELETIONS, since=in_baku.isoformat())).get_json()) == 1
        assert client.get(url(DELETIONS, since=later.isoformat())).get_json() == []

    @pytest.mark.parametrize(
        ("kinds", "expected"),
        [
            pytest.param("statement", ["statement"], id="one"),
            pytest.param("event,actor", ["event", "actor"], id="two"),
            pytest.param(
                "source,actor,location,event,statement",
                ["statement", "event", "actor", "location", "source"],
                id="all",
            ),
        ],
    )
    def test_kind_filters(self, client, world, kinds, expected):
        deleted = dict(world.delete_third_of_each())

        items = client.get(url(DELETIONS, kind=kinds)).get_json()

        assert [(item["kind"], item["id"]) for item in items] == [
            (kind, deleted[kind]) for kind in expected
        ]

    def test_kind_and_since_together(self, client, db, world):
        world.delete("statement", world.statements[0])
        since = server_now(db)
        deleted = dict(world.delete_third_of_each())

        items = client.get(url(DELETIONS, kind="statement", since=since.isoformat())).get_json()

        assert [item["id"] for item in items] == [deleted["statement"]]

    def test_each_delete_is_listed_once(self, client, world):
        world.delete("actor", world.actors[3])
        again = client.delete(f"/v1/actors/{world.actors[3]['id']}")

        assert again.status_code == 404
        assert [item["id"] for item in client.get(DELETIONS).get_json()] == [world.actors[3]["id"]]

    def test_a_record_deleted_created_again_and_deleted_is_listed_twice(self, client, db):
        loader.load(db, SEED)
        path = f"/v1/statements/{SEEDED_STATEMENT}"
        assert client.delete(path).status_code == 204
        loader.load(db, SEED, force=[loader.ALL])
        assert client.get(path).status_code == 200
        assert client.delete(path).status_code == 204

        items = client.get(DELETIONS).get_json()

        assert [(item["kind"], item["id"]) for item in items] == [
            ("statement", str(SEEDED_STATEMENT)),
            ("statement", str(SEEDED_STATEMENT)),
        ]
        assert items[0]["deleted_at"] < items[1]["deleted_at"]

    def test_deleting_a_record_that_cannot_be_deleted_lists_nothing(self, client, world):
        response = client.delete(f"/v1/actors/{world.actors[0]['id']}")

        assert response.status_code == 409
        assert client.get(DELETIONS).get_json() == []

    def test_fields_picks_fields(self, client, world):
        world.delete("actor", world.actors[3])

        response = client.get(url(DELETIONS, fields="kind"))

        assert response.get_json() == [{"kind": "actor", "id": world.actors[3]["id"]}]

    def test_newest_first_when_asked(self, client, world):
        deleted = world.delete_third_of_each()

        items = client.get(url(DELETIONS, sort="-deleted_at")).get_json()

        assert [(item["kind"], item["id"]) for item in items] == deleted[::-1]

    def test_list_answers_304_to_its_etag(self, client, world):
        world.delete_third_of_each()
        etag = client.get(DELETIONS).headers["ETag"]

        assert client.get(DELETIONS, headers={"If-None-Match": etag}).status_code == 304


class TestPageDeletions:
    def test_pages_by_number(self, client, world):
        deleted = world.delete_third_of_each()

        first = client.get(url(DELETIONS, page_size=2))
        third = client.get(url(DELETIONS, page_size=2, page=3))

        assert [item["id"] for item in first.get_json()] == [i for _, i in deleted[:2]]
        assert [item["id"] for item in third.get_json()] == [deleted[4][1]]
        assert json.loads(first.headers["X-Pagination"])["total"] == 5
        assert 'rel="next"' in first.headers["Link"]

    @pytest.mark.parametrize("page_size", [1, 2, 3, 5, 6])
    def test_keyset_pages_give_every_deletion_once(self, client, world, page_size):
        deleted = world.delete_third_of_each()

        items = fetch_all(client, DELETIONS, page_size=page_size)

        assert [(item["kind"], item["id"]) for item in items] == deleted

    @pytest.mark.parametrize("page_size", [1, 2, 3, 4])
    @pytest.mark.parametrize("sort", ["deleted_at", "-deleted_at"])
    def test_keyset_pages_through_deletions_at_the_same_moment(self, client, db, sort, page_size):
        # Several records deleted in one transaction: whether or not their
        # deleted_at tie, the deleted record's id orders them, so no page
        # boundary loses or repeats one.
        actors = [create(client, "/v1/actors", actor_body(name=f"Actor {n}")) for n in range(7)]
        db.execute(
            "DELETE FROM actors WHERE id = ANY(%(ids)s::uuid[])",
            {"ids": [actor["id"] for actor in actors[:5]]},
        )
        for actor in actors[5:]:
            assert client.delete(f"/v1/actors/{actor['id']}").status_code == 204

        items = fetch_all(client, DELETIONS, page_size=page_size, sort=sort)

        expected = client.get(url(DELETIONS, sort=sort, page_size=500)).get_json()
        assert items == expected
        assert len({item["id"] for item in items}) == 7
        ordered = sorted(items, key=lambda item: (moment(item["deleted_at"]), item["id"]))
        assert items == (ordered if sort == "deleted_at" else ordered[::-1])

    def test_keyset_link_keeps_the_filters(self, client, world):
        world.delete_third_of_each()

        response = client.get(url(DELETIONS, cursor="", page_size=1, kind="event,actor"))
        next_url = LINK_NEXT.search(response.headers["Link"]).group(1)
        second = client.get(next_url)

        assert "kind=event%2Cactor" in next_url
        assert [item["kind"] for item in response.get_json() + second.get_json()] == [
            "event",
            "actor",
        ]
        assert "Link" not in second.headers

    def test_deletions_after_the_last_page_appear_on_resuming(self, client, world):
        world.delete("statement", world.statements[2])
        first = client.get(url(DELETIONS, cursor="", page_size=1))
        assert "Link" not in first.headers
        cursor = cursor_of(
            [
                "deleted_at",
                first.get_json()[0]["deleted_at"],
                first.get_json()[0]["id"],
            ]
        )
        world.delete("event", world.events[2])

        resumed = client.get(url(DELETIONS, cursor=cursor, page_size=1))

        assert [(item["kind"], item["id"]) for item in resumed.get_json()] == [
            ("event", world.events[2]["id"])
        ]


# --- Refused arguments -----------------------------------------------------------------


class TestRefusedArguments:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            pytest.param({"since": "yesterday"}, "since", id="since-not-a-moment"),
            pytest.param({"since": "2020-09-30"}, "since", id="since-a-date"),
            pytest.param({"since": "2020-09-30T00:00:00"}, "since", id="since-without-zone"),
            pytest.param({"kind": "thing"}, "kind", id="kind-unknown"),
            pytest.param({"kind": "event,thing"}, "kind", id="kind-one-unknown"),
            pytest.param({"kind": ""}, "kind", id="kind-empty"),
            pytest.param({"sinse": "2020-09-30T00:00:00Z"}, "sinse", id="misspelt"),
            pytest.param(
                {"updated_since": "2020-09-30T00:00:00Z"}, "updated_since", id="updated_since"
            ),
            pytest.param({"sort": "id"}, "sort", id="sort-unknown"),
            pytest.param({"fields": "record_id"}, "fields", id="fields-unknown"),
            pytest.param({"page": "0"}, "page", id="page-zero"),
            pytest.param({"page_size": "501"}, "page_size", id="page_size-too-big"),
            pytest.param({"page": "2", "cursor": ""}, "cursor", id="page-and-cursor"),
            pytest.param({"cursor": "!!!"}, "cursor", id="cursor-not-base64"),
            pytest.param(
                {"cursor": cursor_of(["-deleted_at", "2020-09-30T00:00:00+00:00", "x"])},
                "cursor",
                id="cursor-of-another-order",
            ),
        ],
    )
    def test_refuses_invalid_arguments(self, client, params, field):
        response = client.get(url(DELETIONS, **params))

        problem = assert_problem(response, 422, field)
        assert field in problem["detail"]

    @pytest.mark.parametrize(
        "payload",
        [
            pytest.param(
                ["deleted_at", "someday", "9aacaccd-dc05-56c6-827b-c8ad46d81d32"],
                id="value-not-a-moment",
            ),
            pytest.param(
                ["deleted_at", "2020-09-30T00:00:00+00:00", "not-a-uuid"], id="id-not-a-uuid"
            ),
            pytest.param(
                ["deleted_at", {"a": 1}, "9aacaccd-dc05-56c6-827b-c8ad46d81d32"],
                id="value-an-object",
            ),
        ],
    )
    def test_refuses_a_tampered_cursor(self, client, payload):
        response = client.get(url(DELETIONS, cursor=cursor_of(payload)))

        assert_problem(response, 422, "cursor")


# --- A mirror ----------------------------------------------------------------------------


class TestMirror:
    def test_full_copy_then_changes_since_reaches_the_server_state(self, client, db, world):
        world.delete("statement", world.statements[0])
        start = server_now(db)
        copy = full_copy(client)
        world.change_after()
        world.delete_third_of_each()

        sync(client, copy, start)

        assert copy == full_copy(client)

    def test_syncing_twice_with_an_overlap_changes_nothing(self, client, db, world):
        start = server_now(db)
        copy = full_copy(client)
        world.change_after()
        second_start = server_now(db)
        world.delete_third_of_each()
        sync(client, copy, start)
        expected = full_copy(client)

        sync(client, copy, second_start - timedelta(minutes=5))

        assert copy == expected

    def test_a_copy_keeps_a_record_deleted_and_created_again(self, client, db):
        loader.load(db, SEED)
        start = server_now(db)
        copy = full_copy(client)
        assert client.delete(f"/v1/statements/{SEEDED_STATEMENT}").status_code == 204
        loader.load(db, SEED, force=[loader.ALL])

        sync(client, copy, start)

        assert str(SEEDED_STATEMENT) in copy["statement"]
        assert copy == full_copy(client)

    def test_a_copy_drops_a_record_deleted_after_its_change(self, client, db, world):
        start = server_now(db)
        copy = full_copy(client)
        world.patch("event", world.events[2], {"notes": "Corrected."})
        world.delete("statement", world.statements[2])
        world.delete("event", world.events[2])

        sync(client, copy, start)

        assert world.events[2]["id"] not in copy["event"]
        assert copy == full_copy(client)

    def test_a_copy_sees_a_renamed_actor_in_the_events_that_name_it(self, client, db, world):
        # Events and statements embed their actors' names, locations' names
        # and sources' titles: renaming one changes what those records read.
        start = server_now(db)
        copy = full_copy(client)
        world.patch("actor", world.actors[0], {"name": "Republic of Azerbaijan"})

        sync(client, copy, start)

        assert copy == full_copy(client)
