"""Tests of every record's history over HTTP: /{id}/revisions, one revision, its restore.

Each record kind is tested alike (the views are made once, api/web/views.py):
a record made, changed, deleted and brought back leaves one revision per
write, which reads as the record did.
"""

import json
import uuid

import pytest

from api import create_app
from api.web.patch import sent_input
from schemas.actors import ActorSchema
from schemas.events import EventSchema
from schemas.locations import LocationSchema
from schemas.sources import SourceSchema
from schemas.statements import StatementSchema
from tests.conftest import Client
from tests.helpers import (
    actor_body,
    assert_problem,
    create,
    event_body,
    location_body,
    messages,
    source_body,
    statement_body,
)

COLLECTIONS = {
    "source": "/v1/sources",
    "actor": "/v1/actors",
    "location": "/v1/locations",
    "event": "/v1/events",
    "statement": "/v1/statements",
}
# A change of one field, for each kind.
CHANGES = {
    "source": {"notes": "Checked against the wire copy."},
    "actor": {"description": "Edited."},
    "location": {"description": "Edited."},
    "event": {"summary": "Edited."},
    "statement": {"notes": "Edited."},
}
SCHEMAS = {
    "source": SourceSchema,
    "actor": ActorSchema,
    "location": LocationSchema,
    "event": EventSchema,
    "statement": StatementSchema,
}
KINDS = [pytest.param(kind, id=kind) for kind in COLLECTIONS]


@pytest.fixture
def world(client):
    """A source and two actors that records of every kind can refer to."""
    source = create(client, "/v1/sources", source_body())
    actors = [
        create(client, "/v1/actors", actor_body(name=name)) for name in ("Azerbaijan", "Armenia")
    ]
    return {"source": source, "actors": actors}


def make(client, world, kind):
    """A new record of `kind` that nothing refers to."""
    source_id = world["source"]["id"]
    actor_ids = [actor["id"] for actor in world["actors"]]
    bodies = {
        "source": lambda: source_body(url=f"https://example.org/{uuid.uuid4()}"),
        "actor": lambda: actor_body(name="Turkey", country="TUR"),
        "location": location_body,
        "event": lambda: event_body(source_id, actor_ids),
        "statement": lambda: statement_body(source_id, actor_ids[0]),
    }
    return create(client, COLLECTIONS[kind], bodies[kind]())


def history(client, kind, record_id, **query):
    response = client.get(f"{COLLECTIONS[kind]}/{record_id}/revisions", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response


def revision(client, kind, record_id, number):
    response = client.get(f"{COLLECTIONS[kind]}/{record_id}/revisions/{number}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def restore(client, kind, record_id, number, **kwargs):
    return client.post(f"{COLLECTIONS[kind]}/{record_id}/revisions/{number}/restore", **kwargs)


@pytest.mark.parametrize("kind", KINDS)
class TestEveryWriteLeavesARevision:
    def test_create_change_delete_restore(self, client, world, kind):
        record = make(client, world, kind)
        path = f"{COLLECTIONS[kind]}/{record['id']}"
        changed = client.patch(path, json=CHANGES[kind]).get_json()
        assert client.delete(path).status_code == 204
        restored = restore(client, kind, record["id"], 1)
        assert restored.status_code == 200, restored.get_json()

        entries = history(client, kind, record["id"]).get_json()

        assert [(e["number"], e["operation"]) for e in entries] == [
            (4, "restore"),
            (3, "delete"),
            (2, "update"),
            (1, "create"),
        ]
        assert entries[2]["changed"] == list(CHANGES[kind])
        assert entries[1]["changed"] == []
        assert entries[0]["changed"] == list(CHANGES[kind])
        assert {e["author"] for e in entries} == {"tests"}
        assert revision(client, kind, record["id"], 2)["state"] == changed
        # The delete's revision holds the record as it was when deleted.
        assert revision(client, kind, record["id"], 3)["state"] == changed
        assert client.get(path).get_json() == restored.get_json()
        for name, value in CHANGES[kind].items():
            assert restored.get_json()[name] == record[name] != value

    def test_a_revision_reads_as_the_record_did(self, client, world, kind):
        record = make(client, world, kind)
        read = client.get(f"{COLLECTIONS[kind]}/{record['id']}").get_json()

        assert revision(client, kind, record["id"], 1)["state"] == read == record

    def test_put_is_an_update_with_the_fields_it_changed(self, client, world, kind):
        record = make(client, world, kind)
        path = f"{COLLECTIONS[kind]}/{record['id']}"
        body = {**sent_input(SCHEMAS[kind](), record), **CHANGES[kind]}
        response = client.put(path, json=body)
        assert response.status_code == 200, response.get_json()

        [latest, _] = history(client, kind, record["id"]).get_json()

        assert (latest["operation"], latest["changed"]) == ("update", list(CHANGES[kind]))


class TestListRevisions:
    def test_newest_first_with_who_when_and_the_request(self, client, world):
        event = make(client, world, "event")
        path = f"/v1/events/{event['id']}"
        client.patch(path, json={"summary": "One."}, headers={"X-Request-ID": "edit-one"})
        client.patch(path, json={"certainty": "confirmed", "summary": "Two."})

        entries = history(client, "event", event["id"]).get_json()

        assert [e["number"] for e in entries] == [3, 2, 1]
        assert entries[0]["changed"] == ["summary", "certainty"]
        assert entries[1]["request_id"] == "edit-one"
        assert entries[1]["at"] <= entries[0]["at"]
        assert set(entries[0]) == {
            "number",
            "operation",
            "changed",
            "author",
            "request_id",
            "at",
            "merge",
        }
        # A create sets every field.
        assert entries[2]["changed"] == [
            name for name in EventSchema().fields if name not in ("id", "created_at", "updated_at")
        ]

    def test_paged_like_every_list(self, client, world):
        actor = world["actors"][0]
        for n in range(4):
            client.patch(f"/v1/actors/{actor['id']}", json={"description": f"Version {n}"})

        response = history(client, "actor", actor["id"], page=2, page_size=2)

        assert [e["number"] for e in response.get_json()] == [3, 2]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 5,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        assert 'rel="next"' in response.headers["Link"]

    def test_a_deleted_records_history_stays_readable(self, client, world):
        statement = make(client, world, "statement")
        client.delete(f"/v1/statements/{statement['id']}")

        entries = history(client, "statement", statement["id"]).get_json()

        assert [e["operation"] for e in entries] == ["delete", "create"]
        assert revision(client, "statement", statement["id"], 2)["state"] == statement

    def test_a_record_from_before_revisions_has_an_empty_history(self, client, world, db):
        actor = world["actors"][1]
        db.execute("DELETE FROM revisions WHERE record_id = %s", [actor["id"]])

        assert history(client, "actor", actor["id"]).get_json() == []

    @pytest.mark.parametrize("page", [1, 3])
    def test_an_id_that_never_existed_answers_404(self, client, page):
        response = client.get(f"/v1/events/{uuid.uuid4()}/revisions?page={page}")

        assert_problem(response, 404)

    def test_bad_paging_answers_422(self, client, world):
        actor = world["actors"][0]
        response = client.get(f"/v1/actors/{actor['id']}/revisions?cursor=")

        assert_problem(response, 422, "cursor")


class TestGetRevision:
    @pytest.mark.parametrize("number", ["0", "3", "99999999999999999999999"])
    def test_an_unknown_number_answers_404(self, client, world, number):
        actor = world["actors"][0]
        response = client.get(f"/v1/actors/{actor['id']}/revisions/{number}")

        problem = assert_problem(response, 404)
        assert problem["detail"] == f"The actor {actor['id']} has no revision {int(number)}."

    @pytest.mark.parametrize("number", ["-1", "one", "1.0"])
    def test_a_number_that_is_not_one_answers_404(self, client, world, number):
        response = client.get(f"/v1/actors/{world['actors'][0]['id']}/revisions/{number}")

        assert_problem(response, 404)

    def test_an_id_that_never_existed_answers_404(self, client):
        record_id = uuid.uuid4()
        response = client.get(f"/v1/sources/{record_id}/revisions/1")

        problem = assert_problem(response, 404)
        assert problem["detail"] == f"No source has the id {record_id}."

    def test_with_if_none_match_answers_304(self, client, world):
        path = f"/v1/actors/{world['actors'][0]['id']}/revisions/1"
        etag = client.get(path).headers["ETag"]

        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


class TestRestore:
    def test_restoring_the_current_state_changes_nothing(self, client, world):
        event = make(client, world, "event")
        client.patch(f"/v1/events/{event['id']}", json={"summary": "Current."})
        current = client.get(f"/v1/events/{event['id']}")

        response = restore(client, "event", event["id"], 2)

        assert response.status_code == 200
        assert response.get_json() == current.get_json()
        assert response.headers["ETag"] == current.headers["ETag"]
        assert len(history(client, "event", event["id"]).get_json()) == 2

    def test_a_stale_if_match_answers_412(self, client, world):
        event = make(client, world, "event")
        etag = client.get(f"/v1/events/{event['id']}").headers["ETag"]
        client.patch(f"/v1/events/{event['id']}", json={"summary": "Someone else's."})

        response = restore(client, "event", event["id"], 1, headers={"If-Match": etag})

        assert_problem(response, 412)
        assert client.get(f"/v1/events/{event['id']}").get_json()["summary"] == "Someone else's."
        assert len(history(client, "event", event["id"]).get_json()) == 2

    def test_a_current_if_match_restores(self, client, world):
        event = make(client, world, "event")
        client.patch(f"/v1/events/{event['id']}", json={"summary": "Mistake."})
        etag = client.get(f"/v1/events/{event['id']}").headers["ETag"]

        response = restore(client, "event", event["id"], 1, headers={"If-Match": etag})

        assert response.status_code == 200
        assert response.get_json()["summary"] is None

    def test_a_deleted_record_comes_back_with_its_id(self, client, world):
        event = make(client, world, "event")
        etag = client.get(f"/v1/events/{event['id']}").headers["ETag"]
        client.delete(f"/v1/events/{event['id']}")

        # If-Match is compared with the record as it was when deleted.
        response = restore(client, "event", event["id"], 1, headers={"If-Match": etag})

        assert response.status_code == 200, response.get_json()
        back = client.get(f"/v1/events/{event['id']}").get_json()
        assert {**back, "created_at": None, "updated_at": None} == {
            **event,
            "created_at": None,
            "updated_at": None,
        }

    def test_a_deleted_record_with_a_stale_if_match_stays_deleted(self, client, world):
        event = make(client, world, "event")
        etag = client.get(f"/v1/events/{event['id']}").headers["ETag"]
        client.patch(f"/v1/events/{event['id']}", json={"summary": "Changed."})
        client.delete(f"/v1/events/{event['id']}")

        response = restore(client, "event", event["id"], 1, headers={"If-Match": etag})

        assert_problem(response, 412)
        assert client.get(f"/v1/events/{event['id']}").status_code == 404

    def test_a_reference_gone_answers_409_naming_it(self, client, world):
        event = make(client, world, "event")
        extra = create(client, "/v1/actors", actor_body(name="Russia", country="RUS"))
        participants = [
            {"actor_id": world["actors"][0]["id"], "role": "initiator"},
            {"actor_id": extra["id"], "role": "target"},
        ]
        client.patch(f"/v1/events/{event['id']}", json={"participants": participants})
        client.patch(f"/v1/events/{event['id']}", json={"participants": participants[:1]})
        assert client.delete(f"/v1/actors/{extra['id']}").status_code == 204

        response = restore(client, "event", event["id"], 2)

        problem = assert_problem(response, 409, "participants.1.actor_id")
        assert messages(problem)["participants.1.actor_id"] == [
            f"No actor has the id {extra['id']}."
        ]
        assert "participants.1.actor_id" in problem["detail"]
        assert len(history(client, "event", event["id"]).get_json()) == 3

    def test_a_deleted_record_whose_reference_is_gone_stays_deleted(self, client, world):
        statement = make(client, world, "statement")
        speaker = create(client, "/v1/actors", actor_body(name="Speaker", country=None))
        client.patch(f"/v1/statements/{statement['id']}", json={"speaker_id": speaker["id"]})
        client.delete(f"/v1/statements/{statement['id']}")
        client.delete(f"/v1/actors/{speaker['id']}")

        response = restore(client, "statement", statement["id"], 3)

        assert_problem(response, 409, "speaker_id")
        assert client.get(f"/v1/statements/{statement['id']}").status_code == 404
        # The earlier state refers to what still exists.
        assert restore(client, "statement", statement["id"], 1).status_code == 200

    def test_an_unknown_number_answers_404(self, client, world):
        response = restore(client, "actor", world["actors"][0]["id"], 2)

        assert_problem(response, 404)

    def test_an_id_that_never_existed_answers_404(self, client):
        response = restore(client, "actor", uuid.uuid4(), 1)

        assert_problem(response, 404)

    def test_needs_a_token_that_may_write(self, client, world, db):
        from api.store.tokens import create_token

        path = f"/v1/actors/{world['actors'][0]['id']}/revisions/1/restore"
        reader = create_token(db, "reader", ["read"])

        assert_problem(client.post(path, auth=False), 401)
        assert_problem(client.post(path, headers={"Authorization": f"Bearer {reader}"}), 403)

    def test_takes_no_body_and_ignores_its_type(self, client, world):
        path = f"/v1/actors/{world['actors'][0]['id']}/revisions/1/restore"

        response = client.post(path, data="", headers={"Content-Type": "text/plain"})

        assert response.status_code == 200

    def test_with_require_if_match_and_none_answers_428(self, database_url, token, world):
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "REQUIRE_IF_MATCH": True})
        try:
            strict = Client(app.test_client(), token)
            response = restore(strict, "actor", world["actors"][0]["id"], 1)
        finally:
            app.extensions["eventdata.db"].close()

        assert_problem(response, 428)


class TestDeletionsLinkToTheLastRevision:
    def test_the_link_reads_the_record_and_restores_it(self, client, world):
        location = make(client, world, "location")
        client.patch(f"/v1/locations/{location['id']}", json={"aliases": ["Terter", "Tərtər"]})
        client.delete(f"/v1/locations/{location['id']}")

        [deletion] = client.get("/v1/deletions").get_json()

        assert deletion["last_revision"] == f"/v1/locations/{location['id']}/revisions/3"
        last = client.get(deletion["last_revision"]).get_json()
        assert last["operation"] == "delete"
        assert last["state"]["aliases"] == ["Terter", "Tərtər"]
        assert client.post(deletion["last_revision"] + "/restore").status_code == 200
        assert client.get(f"/v1/locations/{location['id']}").get_json()["aliases"] == [
            "Terter",
            "Tərtər",
        ]

    def test_a_deletion_from_before_revisions_links_nowhere(self, client, db):
        db.execute("INSERT INTO deletions (kind, record_id) VALUES ('event', %s)", [uuid.uuid4()])

        [deletion] = client.get("/v1/deletions").get_json()

        assert deletion["last_revision"] is None

    def test_fields_may_ask_for_it(self, client, world):
        actor = make(client, world, "actor")
        client.delete(f"/v1/actors/{actor['id']}")

        [deletion] = client.get("/v1/deletions?fields=last_revision").get_json()

        assert deletion == {
            "id": actor["id"],
            "last_revision": f"/v1/actors/{actor['id']}/revisions/2",
        }


class TestBulkImport:
    def test_each_event_gets_a_create_then_an_update(self, client, world, db):
        source_id = world["source"]["id"]
        events = [
            {**event_body(source_id, [world["actors"][0]["id"]], title=f"Event {n}")}
            for n in range(150)
        ]
        first = client.post("/v1/events/bulk", json=events, headers={"X-Request-ID": "bulk-1"})
        assert first.status_code == 201, first.get_json()
        ids = first.get_json()["ids"]
        again = [
            {**event, "id": event_id, "summary": "Reimported."}
            for event, event_id in zip(events, ids, strict=True)
        ]
        assert client.post("/v1/events/bulk", json=again).status_code == 201

        rows = db.execute(
            "SELECT record_id, number, operation, changed, author, request_id FROM revisions"
            " WHERE kind = 'event' ORDER BY record_id, number"
        ).fetchall()

        assert len(rows) == 2 * len(ids)
        assert {(row["number"], row["operation"]) for row in rows} == {(1, "create"), (2, "update")}
        assert {row["author"] for row in rows} == {"tests"}
        assert {row["request_id"] for row in rows if row["number"] == 1} == {"bulk-1"}
        assert {tuple(row["changed"]) for row in rows if row["number"] == 2} == {("summary",)}
        state = revision(client, "event", ids[7], 2)["state"]
        assert state == client.get(f"/v1/events/{ids[7]}").get_json()

    def test_a_refused_import_leaves_no_revision(self, client, world, db):
        source_id = world["source"]["id"]
        events = [event_body(source_id, title=f"Event {n}") for n in range(250)]
        events[-1]["certainty"] = "rumoured"

        assert client.post("/v1/events/bulk", json=events).status_code == 422

        assert (
            db.execute("SELECT count(*) AS n FROM revisions WHERE kind = 'event'").fetchone()["n"]
            == 0
        )
