"""Races against the live server: gunicorn, two worker processes of four threads each.

Concurrent requests here really run at once, in separate processes and
threads with their own pooled connections, as they do in production; the
test client would run them one after the other.
"""

import http.client
import threading

import pytest

from api.store.tokens import create_token
from tests.helpers import TALLY, actor_body, event_body, source_body
from tests.live import call, created, gunicorn

# Each test races requests against a gunicorn of the module's own.
pytestmark = [pytest.mark.slow, pytest.mark.live]


@pytest.fixture(scope="module")
def server(session_database):
    """The address of a gunicorn serving the tests' database; stopped after the module."""
    url, _tables = session_database
    with gunicorn(url) as address:
        yield address


def at_once(address, requests):
    """Send `requests` [(method, path, body, headers)] from one thread each, released together."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def send(index, request):
        connection = http.client.HTTPConnection(*address, timeout=30)
        connection.connect()
        barrier.wait()
        try:
            results[index] = call(address, *request, connection=connection)
        except Exception as error:  # reported below, in the test's thread
            results[index] = error

    threads = [
        threading.Thread(target=send, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [result for result in results if isinstance(result, Exception) or result is None]
    assert not errors, errors
    return results


@pytest.fixture
def auth(db):
    return {"Authorization": f"Bearer {create_token(db, 'racer')}"}


def count(db, table):
    return db.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]


def test_two_patches_with_the_same_etag_one_wins(server, auth, db):
    source = created(server, auth, "/v1/sources", source_body())
    event = created(server, auth, "/v1/events", event_body(source["id"]))
    path = f"/v1/events/{event['id']}"
    for round_ in range(20):
        status, headers, _ = call(server, "GET", path)
        assert status == 200
        etag = headers["ETag"]
        titles = [f"Round {round_}, client A", f"Round {round_}, client B"]
        results = at_once(
            server,
            [("PATCH", path, {"title": title}, {**auth, "If-Match": etag}) for title in titles],
        )
        statuses = [status for status, _, _ in results]
        assert sorted(statuses) == [200, 412], results
        winner = statuses.index(200)
        loser_body = results[1 - winner][2]
        assert loser_body["status"] == 412
        status, headers, final = call(server, "GET", path)
        TALLY["concurrent PATCH races: updates lost"] += final["title"] != titles[winner]
        assert final["title"] == titles[winner]
        assert headers["ETag"] == results[winner][1]["ETag"]
        TALLY["concurrent PATCH races (same ETag)"] += 1
    assert count(db, "events") == 1


def test_ten_posts_with_one_key_create_one_record(server, auth, db):
    for round_ in range(3):
        key = f"race-{round_}"
        body = actor_body(name=f"Racer {round_}")
        results = at_once(
            server, [("POST", "/v1/actors", body, {**auth, "Idempotency-Key": key})] * 10
        )
        assert [status for status, _, _ in results] == [201] * 10, results
        ids = {record["id"] for _, _, record in results}
        assert len(ids) == 1
        replayed = [headers.get("Idempotent-Replayed") for _, headers, _ in results]
        assert replayed.count("true") == 9
        assert len({headers["Location"] for _, headers, _ in results}) == 1
        assert len({headers["ETag"] for _, headers, _ in results}) == 1
        rows = db.execute(
            "SELECT id FROM actors WHERE name = %(name)s", {"name": body["name"]}
        ).fetchall()
        assert [str(row["id"]) for row in rows] == list(ids)
        TALLY["concurrent POST races (one Idempotency-Key)"] += 1
    assert count(db, "actors") == 3


def test_racing_posts_with_one_key_and_different_bodies(server, auth, db):
    requests = [
        ("POST", "/v1/actors", actor_body(name=f"Racer {n}"), {**auth, "Idempotency-Key": "k"})
        for n in range(8)
    ]
    results = at_once(server, requests)
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [201] + [422] * 7, results
    for status, _, record in results:
        if status == 422:
            assert "Idempotency-Key" in record["errors"]
    assert count(db, "actors") == 1
