"""Idempotency-Key: a POST retried with the same key creates one record and gets one answer.

Stripe's convention. A client may send `Idempotency-Key: <1-255 printable
ASCII characters>` with any POST. The first request with a key runs as usual;
its response, when successful (2xx), is stored with the key: status, body,
and the Location, ETag and Content-Type headers. A later POST with the same
key and the same request (method, path and body as canonical JSON) gets that
response again, with `Idempotent-Replayed: true`, and creates nothing. The
same key with another request answers 422 naming Idempotency-Key. Keys belong
to the token's name (g.token_name), so two clients cannot collide, and expire
after 24 hours: an expired row is ignored, then overwritten; every store also
sweeps a few expired rows, so no background job is needed. The header is only
read on POST: PUT, PATCH and DELETE are idempotent already, or guarded by
If-Match.

Errors are not stored. A 4xx leaves nothing behind (the transaction that
would have created the record rolled back), so the client may fix the request
and retry with the same key; a 5xx should be retried, and gets a fresh try.
(Stripe stores some errors; storing none is simpler and never pins a client
to an error that a retry could get past.)

Concurrency: an advisory lock, held across the request. The hooks run around
the resource's view, which writes and commits in a transaction of its own, on
a connection of its own; so the response can only be stored after that commit,
in another transaction. What makes that safe is the lock:

1. before_request takes a connection from the pool, begins a transaction and
   takes pg_advisory_xact_lock(h), h being the first 8 bytes of
   sha256(token name, key). Holding the lock, it looks for a live (< 24 h)
   row for the key: found, the request is answered from it (replayed, or 422
   when the request differs), the transaction rolls back and the lock is gone.
2. Not found, the transaction stays open, holding the lock, while the view
   runs and commits its own transaction.
3. after_request stores a 2xx response in the lock's transaction and commits,
   which releases the lock. Only then is the response sent.

A second request with the same key waits at step 1 until the first has
committed both its record and its stored response, then finds the row and
replays it: there is no moment at which the record exists, the stored
response does not, and the lock is free. If the first request fails, nothing
is stored, the lock is released and the waiter runs the request itself. A
waiter gives up after IDEMPOTENCY_LOCK_TIMEOUT seconds (default 10) with 409
"a request with this key is in progress" and Retry-After.

The design was preferred to a "pending" row committed first (losers answer
409): waiters get the real answer without retrying, and a crashed request
leaves no pending row to clear, since a lock dies with its connection. Its
costs: a POST with a key holds two pooled connections (the lock's and the
view's), so keep DATABASE_POOL_MAX_SIZE at least twice the threads per
worker; and a process that dies between the view's commit and the store
leaves a record without a stored response, so a retry would create a second
one. That window is the length of one INSERT.
"""

import hashlib
import json
import logging
import re

import psycopg
from flask import current_app, g, request
from psycopg import errors as pg
from psycopg.types.json import Jsonb

from api.web.problems import problem, validation_problem
from schemas.codes import Message

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# The headers of a stored response that a replay sends again.
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")
# Printable ASCII, spaces inside only: HTTP strips them at either end.
KEY_PATTERN = re.compile(r"(?=.{1,255}$)[!-~]([ -~]*[!-~])?", re.DOTALL)
EXPIRY = "24 hours"
# Seconds a request waits for another with the same key before answering 409.
DEFAULT_LOCK_TIMEOUT = 10.0
# Expired rows each store deletes: more than it adds, so the table stays small.
SWEEP_LIMIT = 100

FIND = f"""
    SELECT request_hash, status, headers, body FROM idempotency_keys
    WHERE token_name = %(token_name)s AND key = %(key)s
      AND created_at > now() - interval '{EXPIRY}'
"""
STORE = """
    INSERT INTO idempotency_keys (token_name, key, request_hash, status, headers, body)
    VALUES (%(token_name)s, %(key)s, %(request_hash)s, %(status)s, %(headers)s, %(body)s)
    ON CONFLICT (token_name, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
        status = EXCLUDED.status, headers = EXCLUDED.headers, body = EXCLUDED.body,
        created_at = now()
"""
SWEEP = f"""
    DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM idempotency_keys WHERE created_at <= now() - interval '{EXPIRY}'
        LIMIT {SWEEP_LIMIT} FOR UPDATE SKIP LOCKED))
"""

PARAMETER = {
    "name": HEADER,
    "required": False,
    "description": "Makes a retried POST safe: a second POST with the same key and the same"
    " body creates nothing and gets the first response again, with"
    f" `{REPLAYED_HEADER}: true`. The same key with another body answers 422; a request"
    " still waiting, after 10 seconds, for one in progress with its key answers 409."
    " Keys belong to the token and expire after 24 hours. Only successful responses are"
    " kept: after an error, fix the request and retry with the same key.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
    "example": "5f1c2a9e-4b7d-4c1e-9a61-0d9b8e3f2a10",
}
REPLAYED_HEADER_DOC = {
    "description": "true when the response is the stored answer to an earlier request"
    " with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


def lock_id(token_name, key):
    """The advisory lock of a key: the first 8 bytes of a sha256, as a signed bigint."""
    digest = hashlib.sha256(f"{token_name}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def request_hash():
    """sha256 of the method, the path (and query) and the body as canonical JSON."""
    data = request.get_data(cache=True)
    try:
        body = json.dumps(
            json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, RecursionError):
        # Not JSON: the view will refuse it; compare the bytes meanwhile.
        body = data
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _key_problem(message):
    return validation_problem({HEADER: [message]}, f"The {HEADER} header is not valid: {message}")


def before():
    """Replay a stored response, or lock the key for the request about to run."""
    if request.method != "POST" or request.routing_exception is not None:
        return None
    key = request.headers.get(HEADER)
    token_name = g.get("token_name")
    if key is None or token_name is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        return _key_problem(
            Message(
                "invalid_key",
                "give 1 to 255 printable ASCII characters, not starting or ending with a space.",
            )
        )
    fingerprint = request_hash()

    pool = current_app.extensions["eventdata.db"].pool
    conn = pool.getconn()
    g.idempotency = {"conn": conn, "token_name": token_name, "key": key, "hash": fingerprint}
    timeout = float(current_app.config.get("IDEMPOTENCY_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    try:
        conn.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{max(1, int(timeout * 1000))}ms"]
        )
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(token_name, key)])
    except pg.LockNotAvailable:
        release()
        return problem(
            409,
            f"A request with this {HEADER} is in progress; retry shortly.",
            kind="in-progress",
            headers={"Retry-After": "1"},
        )
    stored = conn.execute(FIND, {"token_name": token_name, "key": key}).fetchone()
    if stored is None:
        # Run the request, holding the lock until after() stores its response.
        return None
    release()
    if bytes(stored["request_hash"]) != fingerprint:
        return _key_problem(
            Message(
                "key_reused",
                "this key was used with another request; send a new key for a new request.",
            )
        )
    response = current_app.response_class(bytes(stored["body"]), status=stored["status"])
    for name, value in stored["headers"].items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def after(response):
    """Store a successful response under the key, then release the key's lock."""
    state = g.get("idempotency")
    if state is None:
        return response
    conn = state["conn"]
    try:
        if 200 <= response.status_code < 300 and not response.is_streamed:
            conn.execute(
                STORE,
                {
                    "token_name": state["token_name"],
                    "key": state["key"],
                    "request_hash": state["hash"],
                    "status": response.status_code,
                    "headers": Jsonb(
                        {
                            name: response.headers[name]
                            for name in REPLAYED_HEADERS
                            if name in response.headers
                        }
                    ),
                    "body": response.get_data(),
                },
            )
            conn.execute(SWEEP)
            conn.commit()
    except psycopg.Error:
        # The record is made and its response goes out; only a retry would repeat it.
        log.exception("could not store the response for an %s", HEADER)
    finally:
        release()
    return response


def release(error=None):
    """Roll back the lock's transaction, if still open, and give back its connection."""
    state = g.pop("idempotency", None)
    if state is None:
        return
    conn = state["conn"]
    try:
        conn.rollback()
    except psycopg.Error:
        log.warning("could not roll back the %s transaction", HEADER, exc_info=True)
    finally:
        current_app.extensions["eventdata.db"].pool.putconn(conn)


def document(api):
    """Add the header to every POST operation of the OpenAPI document."""
    api.spec.components.parameter("IdempotencyKey", "header", PARAMETER)
    api.spec.components.header("IDEMPOTENT_REPLAYED", REPLAYED_HEADER_DOC)
    parameter = api.spec.components.get_ref("parameter", "IdempotencyKey")
    header = api.spec.components.get_ref("header", "IDEMPOTENT_REPLAYED")
    conflict = api.spec.components.get_ref("response", "CONFLICT")
    # apispec offers no hook once the paths are in; they are plain dicts.
    for operations in api.spec._paths.values():
        operation = operations.get("post")
        if operation is None:
            continue
        operation["parameters"] = [*operation.get("parameters", []), parameter]
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", conflict)
        for status, response in list(responses.items()):
            if str(status).startswith("2") and "$ref" not in response:
                responses[status] = {
                    **response,
                    "headers": {**response.get("headers", {}), REPLAYED_HEADER: header},
                }


def register(app):
    """Install the hooks; call after the token check, once the blueprints are registered."""
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(release)
    document(app.extensions["eventdata.api"])
