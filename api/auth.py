"""Bearer tokens: created by the CLI, stored as hashes, required for every write."""

import hashlib
import hmac
import secrets

from flask import current_app, g, request

from api.http import WRITE_METHODS, problem

TOKEN_PREFIX = "edt_"


def hash_token(token):
    """Return the stored form of a token.

    Tokens are 256 random bits, so one round of SHA-256 is enough: there is no
    password to guess, and a fast hash keeps each request cheap.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(conn, name):
    """Store a new token named `name` and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO api_tokens (name, token_hash) VALUES (%(name)s, %(token_hash)s)",
        {"name": name, "token_hash": hash_token(token)},
    )
    return token


def list_tokens(conn):
    return conn.execute(
        "SELECT name, created_at, revoked_at FROM api_tokens ORDER BY created_at, name"
    ).fetchall()


def revoke_token(conn, name):
    """Revoke the active token named `name`; return whether there was one."""
    revoked = conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = %(name)s AND revoked_at IS NULL",
        {"name": name},
    )
    return revoked.rowcount > 0


def token_name(conn, token):
    """Return the name of the active token `token`, or None."""
    token_hash = hash_token(token)
    row = conn.execute(
        "SELECT name, token_hash FROM api_tokens"
        " WHERE token_hash = %(token_hash)s AND revoked_at IS NULL",
        {"token_hash": token_hash},
    ).fetchone()
    if row is None or not hmac.compare_digest(row["token_hash"], token_hash):
        return None
    return row["name"]


def _unauthorized(detail, error=None):
    challenge = 'Bearer realm="eventdata"'
    if error:
        challenge += f', error="{error}"'
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def require_token_for_writes():
    """Refuse a write without a valid bearer token (a before_request hook)."""
    if request.method not in WRITE_METHODS or request.routing_exception is not None:
        # Reads are open; a request for no route gets its 404 or 405 first.
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("Writes need an 'Authorization: Bearer <token>' header.")
    with current_app.extensions["eventdata.db"].transaction() as conn:
        name = token_name(conn, token.strip())
    if name is None:
        return _unauthorized("The token is not valid or has been revoked.", "invalid_token")
    g.token_name = name
    return None
