"""Tests of revisions in PostgreSQL: one per write, in its transaction, numbered under
concurrency, in step with the records; and the prune command."""

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from api.resources.actors import store as actors
from api.store import revisions
from api.web.patch import sent_input
from schemas.actors import ActorSchema
from schemas.events import EventSchema
from tests.helpers import actor_body, create, event_body, source_body, statement_body

COLLECTIONS = {
    "source": "/v1/sources",
    "actor": "/v1/actors",
    "location": "/v1/locations",
    "event": "/v1/events",
    "statement": "/v1/statements",
}


def count_revisions(db, **where):
    conditions = " AND ".join(f"{name} = %({name})s" for name in where) or "true"
    return db.execute(f"SELECT count(*) AS n FROM revisions WHERE {conditions}", where).fetchone()[
        "n"
    ]


def numbers(db, record_id):
    return [
        row["number"]
        for row in db.execute(
            "SELECT number FROM revisions WHERE record_id = %s ORDER BY number", [record_id]
        )
    ]


@pytest.fixture
def event(client):
    source = create(client, "/v1/sources", source_body())
    actor = create(client, "/v1/actors", actor_body())
    return create(client, "/v1/events", event_body(source["id"], [actor["id"]]))


class TestOneRevisionPerWrite:
    def test_a_refused_write_leaves_no_revision(self, client, db):
        source = create(client, "/v1/sources", source_body())
        before = count_revisions(db)

        response = client.post("/v1/events", json=event_body(source["id"], [str(uuid.uuid4())]))

        assert response.status_code == 422
        assert count_revisions(db) == before

    def test_a_delete_refused_as_still_referenced_leaves_no_revision(self, client, db, event):
        actor_id = event["participants"][0]["actor_id"]

        assert client.delete(f"/v1/actors/{actor_id}").status_code == 409

        assert numbers(db, actor_id) == [1]

    def test_the_revision_rolls_back_with_its_write(self, app, db):
        with pytest.raises(RuntimeError), app.extensions["eventdata.db"].transaction() as conn:
            revisions.write(conn, actors, ActorSchema().load(actor_body()), revisions.CLI)
            assert conn.execute("SELECT count(*) AS n FROM revisions").fetchone()["n"] == 1
            raise RuntimeError("after the write and its revision")

        assert count_revisions(db) == 0
        assert db.execute("SELECT count(*) AS n FROM actors").fetchone()["n"] == 0

    def test_outside_a_request_the_caller_says_who(self, app, db):
        with app.extensions["eventdata.db"].transaction() as conn:
            actor_id, body = revisions.write(
                conn, actors, ActorSchema().load(actor_body()), revisions.CLI
            )

        row = db.execute("SELECT * FROM revisions WHERE record_id = %s", [actor_id]).fetchone()
        assert (row["author"], row["request_id"], row["operation"]) == ("cli", None, "create")
        assert row["state"] == json.loads(body)

    def test_every_record_is_in_step_with_its_history(self, client, db, event):
        """After writes of every kind, each record's latest revision holds what it holds,
        and each deleted record's is its delete."""
        statement = create(
            client,
            "/v1/statements",
            statement_body(
                event["citations"][0]["source_id"], event["participants"][0]["actor_id"]
            ),
        )
        client.patch(f"/v1/events/{event['id']}", json={"notes": "Checked."})
        client.patch(f"/v1/statements/{statement['id']}", json={"medium": "television"})
        client.delete(f"/v1/statements/{statement['id']}")
        other = create(client, "/v1/actors", actor_body(name="Other"))
        client.put(f"/v1/actors/{other['id']}", json=actor_body(name="Renamed"))

        latest = db.execute(
            "SELECT DISTINCT ON (kind, record_id) kind, record_id, operation, state"
            " FROM revisions ORDER BY kind, record_id, number DESC"
        ).fetchall()

        assert len(latest) == 5
        for row in latest:
            response = client.get(f"{COLLECTIONS[row['kind']]}/{row['record_id']}")
            if row["operation"] == "delete":
                assert response.status_code == 404
            else:
                assert response.get_json() == row["state"], row["kind"]


class TestConcurrentWriters:
    def test_concurrent_changes_of_one_record_get_consecutive_numbers(self, app, token, event):
        path = f"/v1/events/{event['id']}"
        writers, changes = 6, 5
        statuses = []

        def write(n):
            flask_client = app.test_client()
            for m in range(changes):
                response = flask_client.patch(
                    path,
                    json={"summary": f"Writer {n}, change {m}."},
                    headers={"Authorization": f"Bearer {token}"},
                )
                statuses.append(response.status_code)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert statuses == [200] * writers * changes
        with psycopg.connect(app.config["DATABASE_URL"], row_factory=dict_row) as db:
            assert numbers(db, event["id"]) == list(range(1, writers * changes + 2))
            summaries = [
                row["state"]["summary"]
                for row in db.execute(
                    "SELECT state FROM revisions WHERE record_id = %s ORDER BY number",
                    [event["id"]],
                )
            ]
        assert len(set(summaries[1:])) == writers * changes
        current = app.test_client().get(path).get_json()
        assert current["summary"] == summaries[-1]

    def test_concurrent_restores_of_a_deleted_record_queue(self, app, client, token, db, event):
        client.delete(f"/v1/events/{event['id']}")
        path = f"/v1/events/{event['id']}/revisions/1/restore"
        results = []

        def restore():
            response = app.test_client().post(path, headers={"Authorization": f"Bearer {token}"})
            results.append(response.status_code)

        threads = [threading.Thread(target=restore) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert results == [200] * 4
        # One brought it back; the others found it in that state already.
        assert [
            row["operation"]
            for row in db.execute(
                "SELECT operation FROM revisions WHERE record_id = %s ORDER BY number",
                [event["id"]],
            )
        ] == ["create", "delete", "restore"]
        assert client.get(f"/v1/events/{event['id']}").status_code == 200


class TestPrune:
    @pytest.fixture
    def aged(self, client, db, event):
        """An event changed twice, and a deleted actor, all written 400 days ago; then
        another change of the event today."""
        path = f"/v1/events/{event['id']}"
        client.patch(path, json={"summary": "Old one."})
        client.patch(path, json={"summary": "Old two."})
        actor = create(client, "/v1/actors", actor_body(name="Gone"))
        client.delete(f"/v1/actors/{actor['id']}")
        db.execute("UPDATE revisions SET at = at - interval '400 days'")
        client.patch(path, json={"summary": "Today."})
        return {"event": event["id"], "actor": actor["id"]}

    def run(self, app, *args):
        return app.test_cli_runner().invoke(args=["revisions", "prune", *args])

    def test_keeps_each_records_latest_revision(self, app, db, aged):
        before = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")

        result = self.run(app, "--before", before)

        assert result.exit_code == 0, result.output
        # The event's create and first two changes, the source's and the actor's...
        # except each record's latest: 3 of the event, 1 of the actor.
        assert result.output == f"4 revisions written before {before} 00:00:00 UTC deleted.\n"
        assert numbers(db, aged["event"]) == [4]
        # A deleted record keeps its delete, which holds the state it had.
        assert numbers(db, aged["actor"]) == [2]
        assert count_revisions(db, kind="source") == 1

    def test_a_record_keeps_its_history_after_the_date(self, app, db, aged):
        result = self.run(app, "--before", "2000-01-01")

        assert result.output.startswith("0 revisions")
        assert numbers(db, aged["event"]) == [1, 2, 3, 4]

    def test_numbers_go_on_after_a_prune(self, app, client, db, aged):
        self.run(app, "--before", (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d"))

        client.patch(f"/v1/events/{aged['event']}", json={"summary": "After the prune."})

        assert numbers(db, aged["event"]) == [4, 5]
        [entry, _] = client.get(f"/v1/events/{aged['event']}/revisions").get_json()
        assert entry["changed"] == ["summary"]

    def test_dry_run_counts_and_deletes_nothing(self, app, db, aged):
        before = count_revisions(db)

        result = self.run(app, "--before", "2100-01-01T00:00:00", "--dry-run")

        assert result.exit_code == 0
        assert result.output == (
            "4 revisions written before 2100-01-01 00:00:00 UTC would be deleted.\n"
        )
        assert count_revisions(db) == before

    @pytest.mark.parametrize("args", [[], ["--before", "last year"], ["--before", "2020-13-01"]])
    def test_a_missing_or_bad_date_is_refused(self, app, db, aged, args):
        before = count_revisions(db)

        result = self.run(app, *args)

        assert result.exit_code == 2
        assert "--before" in result.output
        assert count_revisions(db) == before


def test_a_merge_is_an_operation_the_table_takes(db):
    """Merges are coming (DESIGN.md): the operation is allowed already; others are not."""
    params = {"id": uuid.uuid4(), "state": '{"id": null}'}
    insert = (
        "INSERT INTO revisions (kind, record_id, number, operation, state, author)"
        " VALUES ('event', %(id)s, 1, %(operation)s, %(state)s, 'cli')"
    )
    db.execute(insert, {**params, "operation": "merge"})
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(insert, {**params, "id": uuid.uuid4(), "operation": "rename"})


def test_sent_input_of_a_revision_is_a_body_the_schema_loads(client, db, event):
    """A restore loads a revision's state through the record's schema: the state holds
    every field the schema takes."""
    [row] = db.execute("SELECT state FROM revisions WHERE record_id = %s", [event["id"]])
    EventSchema().load(sent_input(EventSchema(), row["state"]))
