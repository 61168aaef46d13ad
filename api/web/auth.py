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

from flask import current_app, g, request

from api.store.revisions import Author
from api.store.tokens import find_token
from api.web import probes, ratelimit
from api.web.blueprint import WRITE_METHODS
from api.web.problems import problem

# Paths under which reads need a token when REQUIRE_TOKEN_FOR_READS is set; the
# docs, the spec and the probes stay open.
PROTECTED_PREFIX = "/v1/"
# Paths that need the admin scope, whatever the method.
ADMIN_PREFIX = "/v1/tokens"
NEEDS_TOKEN = {"read": "Reads need", "write": "Writes need", "admin": "Managing tokens needs"}


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
        # Probes are open and never look a token up (api/web/probes.py).
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


def author():
    """Who writes in this request, for its revisions: its token's name, and the request's id."""
    return Author(g.token_name, g.request_id)
