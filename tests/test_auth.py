"""Bearer tokens: every write needs an active one; reads are open; only hashes are stored."""

import hashlib
from http import HTTPStatus
from unittest.mock import ANY

import pytest

from api.resources.tokens.store import create_token, revoke_token
from tests.helpers import create, problem_type, source_body

MISSING_ID = "00000000-0000-4000-8000-000000000000"
CHALLENGE = 'Bearer realm="eventdata"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="eventdata", error="invalid_token"'
NO_TOKEN_DETAIL = "Writes need an 'Authorization: Bearer <token>' header."
BAD_TOKEN_DETAIL = "The token is not valid or has been revoked."

WRITES = [
    pytest.param("POST", "/v1/sources", id="post-source"),
    pytest.param("POST", "/v1/events", id="post-event"),
    pytest.param("PUT", f"/v1/actors/{MISSING_ID}", id="put-actor"),
    pytest.param("PATCH", f"/v1/locations/{MISSING_ID}", id="patch-location"),
    pytest.param("DELETE", f"/v1/statements/{MISSING_ID}", id="delete-statement"),
]


def unauthorized(detail, path):
    return {
        "type": problem_type("unauthorized"),
        "title": HTTPStatus.UNAUTHORIZED.phrase,
        "status": 401,
        "detail": detail,
        "instance": path,
        "request_id": ANY,
    }


def write(client, method, path, authorization=None):
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = None if method == "DELETE" else source_body()
    return client.request(method, path, json=body, headers=headers, auth=False)


class TestMissingToken:
    """A write without a bearer token answers 401 with a Bearer challenge."""

    @pytest.mark.parametrize(("method", "path"), WRITES)
    def test_no_authorization_header(self, client, method, path):
        response = write(client, method, path)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.get_json() == unauthorized(NO_TOKEN_DETAIL, path)
        assert response.headers["WWW-Authenticate"] == CHALLENGE

    @pytest.mark.parametrize(
        "authorization",
        [
            pytest.param("Basic dXNlcjpwYXNz", id="basic"),
            pytest.param("Token abc", id="other-scheme"),
            pytest.param("Bearer", id="bearer-without-token"),
            pytest.param("Bearer   ", id="bearer-blank-token"),
            pytest.param("", id="empty"),
        ],
    )
    def test_malformed_authorization(self, client, authorization):
        response = write(client, "POST", "/v1/sources", authorization)
        assert response.status_code == 401
        assert response.get_json() == unauthorized(NO_TOKEN_DETAIL, "/v1/sources")
        assert response.headers["WWW-Authenticate"] == CHALLENGE

    def test_token_is_checked_before_the_body(self, client):
        response = client.post(
            "/v1/sources", data="not json", content_type="text/plain", auth=False
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == CHALLENGE

    def test_nothing_is_written(self, client):
        write(client, "POST", "/v1/sources")
        assert client.get("/v1/sources").get_json() == []


class TestInvalidToken:
    """A token that is unknown or revoked answers 401 with error="invalid_token"."""

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param("edt_not-a-real-token", id="unknown"),
            pytest.param("x" * 5000, id="long"),
            pytest.param("edt_'; DROP TABLE api_tokens; --", id="sql"),
        ],
    )
    @pytest.mark.parametrize(("method", "path"), WRITES)
    def test_unknown_token(self, client, method, path, token):
        response = write(client, method, path, f"Bearer {token}")
        assert response.status_code == 401
        assert response.get_json() == unauthorized(BAD_TOKEN_DETAIL, path)
        assert response.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE

    def test_revoked_token(self, client, db):
        token = create_token(db, "soon-revoked")
        assert write(client, "POST", "/v1/sources", f"Bearer {token}").status_code == 201
        assert revoke_token(db, "soon-revoked")
        response = write(client, "POST", "/v1/sources", f"Bearer {token}")
        assert response.status_code == 401
        assert response.get_json() == unauthorized(BAD_TOKEN_DETAIL, "/v1/sources")
        assert response.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE

    def test_hash_of_a_token_is_not_a_token(self, client, db, token):
        token_hash = db.execute("SELECT token_hash FROM api_tokens").fetchone()["token_hash"]
        response = write(client, "POST", "/v1/sources", f"Bearer {token_hash}")
        assert response.status_code == 401


class TestValidToken:
    """An active token may write."""

    @pytest.mark.parametrize(
        "scheme",
        [
            pytest.param("Bearer", id="canonical"),
            pytest.param("bearer", id="lower-case"),
            pytest.param("BEARER", id="upper-case"),
        ],
    )
    def test_scheme_is_case_insensitive(self, client, token, scheme):
        response = write(client, "POST", "/v1/sources", f"{scheme} {token}")
        assert response.status_code == 201, response.get_json()


class TestReadsAreOpen:
    """Reads need no token."""

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/v1/sources", id="sources"),
            pytest.param("/v1/actors", id="actors"),
            pytest.param("/v1/locations", id="locations"),
            pytest.param("/v1/events", id="events"),
            pytest.param("/v1/statements", id="statements"),
            pytest.param("/v1/vocabularies", id="vocabularies"),
            pytest.param("/openapi.json", id="spec"),
            pytest.param("/healthz", id="healthz"),
        ],
    )
    def test_list_without_token(self, client, path):
        response = client.get(path, auth=False)
        assert response.status_code == 200
        assert "WWW-Authenticate" not in response.headers

    def test_record_without_token(self, client):
        source = create(client, "/v1/sources", source_body())
        response = client.flask.get(f"/v1/sources/{source['id']}")
        assert response.status_code == 200
        assert response.get_json()["id"] == source["id"]

    def test_head_and_options_without_token(self, client):
        assert client.flask.head("/v1/sources").status_code == 200
        assert client.flask.options("/v1/sources").status_code == 200


class TestTokenStorage:
    """Only the SHA-256 of a token is stored."""

    def test_token_text_is_not_stored(self, db):
        token = create_token(db, "stored")
        rows = db.execute("SELECT * FROM api_tokens").fetchall()
        assert len(rows) == 1
        assert all(token not in str(value) for value in rows[0].values())
        assert token.removeprefix("edt_") not in str(rows[0])

    def test_token_hash_is_sha256_hex(self, db):
        token = create_token(db, "hashed")
        row = db.execute("SELECT name, token_hash FROM api_tokens").fetchone()
        assert row == {"name": "hashed", "token_hash": hashlib.sha256(token.encode()).hexdigest()}

    def test_tokens_are_distinct(self, db):
        tokens = {create_token(db, f"token-{n}") for n in range(5)}
        assert len(tokens) == 5
        assert all(token.startswith("edt_") for token in tokens)


class TestTokenNames:
    """A name belongs to one active token, and is free again once it is revoked."""

    def test_name_reused_after_revoke(self, client, db):
        old = create_token(db, "deploy")
        assert revoke_token(db, "deploy")
        new = create_token(db, "deploy")
        assert new != old
        assert write(client, "POST", "/v1/sources", f"Bearer {new}").status_code == 201
        assert write(client, "POST", "/v1/sources", f"Bearer {old}").status_code == 401
        names = db.execute(
            "SELECT name, revoked_at IS NULL AS active FROM api_tokens"
            " WHERE name = 'deploy' ORDER BY created_at"
        ).fetchall()
        assert names == [{"name": "deploy", "active": False}, {"name": "deploy", "active": True}]

    def test_revoke_unknown_name(self, db):
        assert revoke_token(db, "nobody") is False

    def test_revoke_twice(self, db):
        create_token(db, "once")
        assert revoke_token(db, "once") is True
        assert revoke_token(db, "once") is False
