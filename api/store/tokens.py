"""Bearer tokens in PostgreSQL: created, looked up by their hash, listed and revoked."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "edt_"
SCOPES = ("read", "write", "admin")
DEFAULT_SCOPES = ("read", "write")


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


def active_token(conn, name):
    if "\x00" in name:
        # No name holds NUL (PostgreSQL text cannot): no such token.
        return None
    return conn.execute(
        "SELECT name, scopes, created_at, revoked_at FROM api_tokens"
        " WHERE name = %(name)s AND revoked_at IS NULL",
        {"name": name},
    ).fetchone()
