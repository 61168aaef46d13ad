"""Bearer tokens: stored as hashes, with scopes; required for every write.

A token has one or more scopes: `read`, `write` (create, change and delete
records) and `admin` (manage tokens). Writes need a token with `write`;
reads are open unless REQUIRE_TOKEN_FOR_READS is set, when they need `read`.
A request that sends a token has it checked whatever it asks for: a wrong
token answers 401 even where none was needed, so a client learns at once
that its credentials are bad. The probes (/healthz, /readyz) are the
exception: they never look a token up. A token that lacks the scope answers
403 with error="insufficient_scope" (RFC 6750).

Tokens are looked up by their SHA-256 (an index lookup, so the time taken
says nothing about how much of a token was right) and the stored hash is
compared in constant time. A token is never logged: the access log has only
the name of the token that authenticated a request.
"""

import hashlib
import hmac
import secrets

from flask import current_app, g, request

from api.web import probes, ratelimit
from api.web.http import WRITE_METHODS, problem

TOKEN_PREFIX = "edt_"
SCOPES = ("read", "write", "admin")
DEFAULT_SCOPES = ("read", "write")
# Paths under which reads need a token when REQUIRE_TOKEN_FOR_READS is set; the
# docs, the spec and the probes stay open.
PROTECTED_PREFIX = "/v1/"
# Paths that need the admin scope, whatever the method.
ADMIN_PREFIX = "/v1/tokens"
NEEDS_TOKEN = {"read": "Reads need", "write": "Writes need", "admin": "Managing tokens needs"}


def hash_token(token):
    """Return the stored form of a token.

    Tokens are 256 random bits, so one round of SHA-256 is enough: there is no
    password to guess, and a fast hash keeps each request cheap.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(conn, name, scopes=DEFAULT_SCOPES):
    """Store a new token named `name` and return it; only its hash is kept."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Scopes are one or more of {', '.join(SCOPES)}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO api_tokens (name, token_hash, scopes)"
        " VALUES (%(name)s, %(token_hash)s, %(scopes)s)",
        {
            "name": name,
            "token_hash": hash_token(token),
            "scopes": [scope for scope in SCOPES if scope in scopes],
        },
    )
    return token


def list_tokens(conn):
    return conn.execute(
        "SELECT name, scopes, created_at, revoked_at FROM api_tokens ORDER BY created_at, name"
    ).fetchall()


def revoke_token(conn, name):
    """Revoke the active token named `name`; return whether there was one."""
    revoked = conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = %(name)s AND revoked_at IS NULL",
        {"name": name},
    )
    return revoked.rowcount > 0


def find_token(conn, token):
    """Return the active token `token` as {name, scopes}, or None."""
    token_hash = hash_token(token)
    row = conn.execute(
        "SELECT name, token_hash, scopes FROM api_tokens"
        " WHERE token_hash = %(token_hash)s AND revoked_at IS NULL",
        {"token_hash": token_hash},
    ).fetchone()
    if row is None or not hmac.compare_digest(row["token_hash"], token_hash):
        return None
    return {"name": row["name"], "scopes": tuple(row["scopes"])}


def token_name(conn, token):
    """Return the name of the active token `token`, or None."""
    found = find_token(conn, token)
    return found["name"] if found else None


def _unauthorized(detail, error=None):
    challenge = 'Bearer realm="eventdata"'
    if error:
        challenge += f', error="{error}"'
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def _forbidden(scope):
    return problem(
        403,
        f"This token lacks the {scope} scope this request needs.",
        headers={
            "WWW-Authenticate": f'Bearer realm="eventdata", error="insufficient_scope",'
            f' scope="{scope}"'
        },
    )


def needed_scope():
    """The scope the request needs, or None when it is open to anyone."""
    if request.path.startswith(ADMIN_PREFIX):
        return "admin"
    if request.method in WRITE_METHODS:
        return "write"
    if current_app.config["REQUIRE_TOKEN_FOR_READS"] and request.path.startswith(PROTECTED_PREFIX):
        return "read"
    return None


def authenticate():
    """Check the bearer token, if any, and the scope the request needs (before_request)."""
    if request.routing_exception is not None or request.method == "OPTIONS":
        # A request for no route gets its 404 or 405 first; a CORS preflight is open.
        return None
    if request.path in probes.PATHS:
        # Probes are open and never look a token up (api/probes.py).
        return None
    scope = needed_scope()
    authorization = request.headers.get("Authorization")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if scope is None:
            return None
        return _unauthorized(f"{NEEDS_TOKEN[scope]} an 'Authorization: Bearer <token>' header.")
    with current_app.extensions["eventdata.db"].transaction() as conn:
        found = find_token(conn, token.strip())
    if found is None:
        # Failed attempts count against the address, so guessing is slowed down.
        limited = ratelimit.charge("address", ratelimit.client_address())
        return limited or _unauthorized(
            "The token is not valid or has been revoked.", "invalid_token"
        )
    g.token_name = found["name"]
    g.token_scopes = found["scopes"]
    if scope is not None and scope not in found["scopes"]:
        return _forbidden(scope)
    return None
