"""Tests of api/web/idempotency.py: a POST retried with one Idempotency-Key creates one record."""

import psycopg
import pytest

from api.store.tokens import create_token
from api.web import idempotency
from tests.helpers import Client, actor_body, assert_problem, create, event_body, source_body

ACTORS = "/v1/actors"


def count(db, table="actors"):
    return db.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]


def post(client, body, key, path=ACTORS, **kwargs):
    headers = {} if key is None else {"Idempotency-Key": key}
    if path == ACTORS:
        # The same actor posted under different keys is another one each time, as meant.
        path += "?allow_duplicate=true"
    return client.post(path, json=body, headers=headers, **kwargs)


def test_a_retry_with_the_same_key_replays_the_first_response(client, db):
    first = post(client, actor_body(), "key-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = post(client, actor_body(), "key-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    for header in ("Location", "ETag", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    assert count(db) == 1
    # The body is compared as JSON: the order of its keys does not matter.
    reordered = dict(reversed(list(actor_body().items())))
    third = post(client, reordered, "key-1")
    assert third.headers["Idempotent-Replayed"] == "true"
    assert third.get_json() == first.get_json()
    assert count(db) == 1


def test_a_replay_of_a_nested_create_repeats_nothing(client, db):
    source = create(client, "/v1/sources", source_body())
    actor = create(client, ACTORS, actor_body())
    body = event_body(source["id"], [actor["id"]])
    first = post(client, body, "event-key", path="/v1/events")
    again = post(client, body, "event-key", path="/v1/events")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == f"/v1/events/{first.get_json()['id']}"
    assert count(db, "events") == 1
    assert count(db, "citations") == 1
    assert count(db, "event_participants") == 1


def test_the_same_key_with_another_body_is_refused(client, db):
    assert post(client, actor_body(), "key-1").status_code == 201
    response = post(client, actor_body(name="Armenia", country="ARM"), "key-1")
    problem = assert_problem(response, 422, "Idempotency-Key")
    assert "Idempotency-Key" in problem["detail"]
    assert count(db) == 1


def test_the_same_key_on_another_path_is_refused(client, db):
    assert post(client, actor_body(), "key-1").status_code == 201
    body = {"name": "Tartar", "kind": "town", "country": "AZE"}
    assert_problem(post(client, body, "key-1", path="/v1/locations"), 422, "Idempotency-Key")
    assert count(db, "locations") == 0


def test_different_keys_create_different_records(client, db):
    first = post(client, actor_body(), "key-1")
    second = post(client, actor_body(), "key-2")
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert "Idempotent-Replayed" not in second.headers
    assert count(db) == 2


def test_without_a_key_every_post_creates(client, db):
    first = post(client, actor_body(), None)
    second = post(client, actor_body(), None)
    assert first.get_json()["id"] != second.get_json()["id"]
    assert count(db) == 2
    assert count(db, "idempotency_keys") == 0


def test_keys_belong_to_the_token(app, client, db):
    other = Client(app.test_client(), create_token(db, "other client"))
    mine = post(client, actor_body(), "shared-key")
    theirs = post(other, actor_body(name="Armenia", country="ARM"), "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.get_json()["name"] == "Armenia"
    # Each client's retry replays its own response.
    assert post(other, actor_body(name="Armenia", country="ARM"), "shared-key").get_json() == (
        theirs.get_json()
    )
    assert post(client, actor_body(), "shared-key").get_json() == mine.get_json()
    assert count(db) == 2
    rows = db.execute("SELECT token_name FROM idempotency_keys ORDER BY token_name").fetchall()
    assert [row["token_name"] for row in rows] == ["other client", "tests"]


def test_an_expired_key_creates_a_new_record(client, db):
    first = post(client, actor_body(), "old-key")
    db.execute("UPDATE idempotency_keys SET created_at = now() - interval '2 days'")
    again = post(client, actor_body(), "old-key")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.get_json()["id"] != first.get_json()["id"]
    assert count(db) == 2
    # The key now stands for the new response, for another 24 hours.
    third = post(client, actor_body(), "old-key")
    assert third.headers["Idempotent-Replayed"] == "true"
    assert third.get_json()["id"] == again.get_json()["id"]
    row = db.execute(
        "SELECT created_at > now() - interval '1 minute' AS fresh FROM idempotency_keys"
    )
    assert row.fetchone()["fresh"]


def test_an_expired_key_may_take_another_body(client, db):
    post(client, actor_body(), "old-key")
    db.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    response = post(client, actor_body(name="Armenia", country="ARM"), "old-key")
    assert response.status_code == 201
    assert count(db) == 2


def test_expired_keys_are_swept(client, db):
    for number in range(3):
        post(client, actor_body(), f"key-{number}")
    db.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key <> 'key-2'"
    )
    post(client, actor_body(), "key-3")
    keys = db.execute("SELECT key FROM idempotency_keys ORDER BY key").fetchall()
    assert [row["key"] for row in keys] == ["key-2", "key-3"]


@pytest.mark.parametrize(
    "key",
    ["", " ", " k", "k ", "k" * 256, "k" * 300, "clé", "tab\there", "null\x00"],
    ids=[
        "empty",
        "space",
        "leading space",
        "trailing space",
        "256 chars",
        "300 chars",
        "non-ASCII",
        "control",
        "NUL",
    ],
)
def test_an_invalid_key_is_refused(client, db, key):
    # On the wire a header is bytes, which WSGI hands over as Latin-1.
    headers = {"Idempotency-Key": key.encode("utf-8").decode("latin-1")}
    response = client.post(ACTORS, json=actor_body(), headers=headers)
    assert_problem(response, 422, "Idempotency-Key")
    assert count(db) == 0


@pytest.mark.parametrize("key", ["k", "k" * 255, "a b~!{}\"'", "550e8400-e29b-41d4-a716", "~"])
def test_a_valid_key_is_taken(client, db, key):
    assert post(client, actor_body(), key).status_code == 201
    assert post(client, actor_body(), key).headers["Idempotent-Replayed"] == "true"
    assert count(db) == 1


def test_errors_are_not_stored(client, db):
    failed = post(client, actor_body(kind="not a kind"), "fix-me")
    assert_problem(failed, 422, "kind")
    assert count(db, "idempotency_keys") == 0
    fixed = post(client, actor_body(), "fix-me")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    assert count(db) == 1
    assert post(client, actor_body(), "fix-me").headers["Idempotent-Replayed"] == "true"


def test_a_conflict_is_not_stored(client, db):
    create(client, "/v1/sources", source_body())
    conflict = post(client, source_body(), "dup", path="/v1/sources")
    assert_problem(conflict, 409, "url")
    fixed = post(client, source_body(url="https://example.org/other"), "dup", path="/v1/sources")
    assert fixed.status_code == 201


def test_a_request_without_a_token_is_refused_before_the_key_is_read(client, db):
    response = post(client, actor_body(), "key-1", auth=False)
    assert response.status_code == 401
    assert count(db, "idempotency_keys") == 0


def test_the_key_is_ignored_on_other_methods(client, db):
    actor = create(client, ACTORS, actor_body())
    response = client.patch(
        f"{ACTORS}/{actor['id']}", json={"name": "Azerbaijan Republic"}, headers={"X": "y"}
    )
    assert response.status_code == 200
    for name in ("A", "B"):
        response = client.patch(
            f"{ACTORS}/{actor['id']}", json={"name": name}, headers={"Idempotency-Key": "same"}
        )
        assert response.status_code == 200
        assert response.get_json()["name"] == name
    assert count(db, "idempotency_keys") == 0


def test_a_request_waits_for_one_in_progress_then_answers_409(make_app, token, db):
    app = make_app(IDEMPOTENCY_LOCK_TIMEOUT=0.2)
    client = Client(app.test_client(), token)
    # Another request holding the key's lock, as one would while its view runs.
    with psycopg.connect(app.config["DATABASE_URL"]) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [idempotency.lock_id("tests", "busy")])
        response = post(client, actor_body(), "busy")
        assert_problem(response, 409)
        assert "in progress" in response.get_json()["detail"]
        assert response.headers["Retry-After"]
        other.rollback()
    assert post(client, actor_body(), "busy").status_code == 201
    assert count(db) == 1


def test_the_connections_are_given_back(app, client, db):
    pool = app.extensions["eventdata.db"].pool
    for number in range(pool.max_size + 2):
        assert post(client, actor_body(), f"key-{number}").status_code == 201
        assert post(client, actor_body(), f"key-{number}").status_code == 201
        assert post(client, actor_body(name=""), f"bad-{number}").status_code == 422
    with pool.connection(timeout=1) as conn:
        conn.execute("SELECT 1")
    assert count(db) == pool.max_size + 2


def test_the_header_is_documented_on_every_post(app):
    spec = app.extensions["eventdata.api"].spec.to_dict()
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["name"] == "Idempotency-Key"
    assert parameter["in"] == "header"
    posts = [ops["post"] for ops in spec["paths"].values() if "post" in ops]
    assert posts
    for operation in posts:
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"]
        # A create answers 201; a restore (POST .../revisions/{n}/restore) 200.
        success = operation["responses"].get("201") or operation["responses"]["200"]
        assert "Idempotent-Replayed" in success["headers"]
