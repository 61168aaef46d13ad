"""Scopes (read, write, admin), tokens for reads when required, and /v1/tokens."""

import pytest

from api import create_app
from api.resources.tokens.store import create_token, hash_token
from tests.conftest import Client
from tests.helpers import assert_problem, create, source_body

INSUFFICIENT = 'Bearer realm="eventdata", error="insufficient_scope", scope="{}"'


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(db):
    """A token per combination of scopes that matters."""
    return {
        "read": create_token(db, "reader", ["read"]),
        "write": create_token(db, "writer", ["write"]),
        "read-write": create_token(db, "editor", ["read", "write"]),
        "admin": create_token(db, "admin", ["admin"]),
    }


@pytest.fixture
def closed_client(database_url, token):
    """A client of an app that needs a token with the read scope for reads too."""
    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "REQUIRE_TOKEN_FOR_READS": True}
    )
    yield Client(app.test_client(), token)
    app.extensions["eventdata.db"].close()


class TestWriteScope:
    def test_a_token_without_write_may_not_write(self, client, tokens):
        response = client.post(
            "/v1/sources", json=source_body(), headers=bearer(tokens["read"]), auth=False
        )
        assert_problem(response, 403)
        assert response.headers["WWW-Authenticate"] == INSUFFICIENT.format("write")
        assert "write scope" in response.get_json()["detail"]
        assert client.get("/v1/sources").get_json() == []

    @pytest.mark.parametrize("scopes", ["write", "read-write"])
    def test_a_token_with_write_may_write(self, client, tokens, scopes):
        response = client.post(
            "/v1/sources", json=source_body(), headers=bearer(tokens[scopes]), auth=False
        )
        assert response.status_code == 201, response.get_json()

    def test_admin_alone_does_not_write_records(self, client, tokens):
        response = client.post(
            "/v1/sources", json=source_body(), headers=bearer(tokens["admin"]), auth=False
        )
        assert_problem(response, 403)

    def test_tokens_made_before_scopes_keep_read_and_write(self, db):
        row = db.execute(
            "INSERT INTO api_tokens (name, token_hash) VALUES ('old', %s) RETURNING scopes",
            [hash_token("edt_old")],
        ).fetchone()
        assert row["scopes"] == ["read", "write"]

    def test_the_database_refuses_unknown_scopes(self, db):
        with pytest.raises(Exception, match="api_tokens_scopes_check"):
            db.execute(
                "INSERT INTO api_tokens (name, token_hash, scopes) VALUES ('x', 'y', '{root}')"
            )

    def test_create_token_refuses_unknown_scopes(self, db):
        with pytest.raises(ValueError):
            create_token(db, "root", ["root"])
        with pytest.raises(ValueError):
            create_token(db, "nothing", [])


class TestReads:
    def test_reads_are_open_by_default(self, client):
        assert client.get("/v1/events", auth=False).status_code == 200

    def test_a_bad_token_on_an_open_read_is_still_refused(self, client):
        response = client.get("/v1/events", headers=bearer("edt_wrong"))
        assert_problem(response, 401)
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    def test_a_write_only_token_may_read_what_is_open(self, client, tokens):
        assert client.get("/v1/events", headers=bearer(tokens["write"])).status_code == 200

    def test_reads_need_a_token_when_required(self, closed_client):
        response = closed_client.get("/v1/events")
        assert_problem(response, 401)
        assert response.get_json()["detail"] == (
            "Reads need an 'Authorization: Bearer <token>' header."
        )
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="eventdata"'

    def test_reads_need_the_read_scope_when_required(self, closed_client, tokens):
        response = closed_client.get("/v1/events", headers=bearer(tokens["write"]))
        assert_problem(response, 403)
        assert response.headers["WWW-Authenticate"] == INSUFFICIENT.format("read")
        for scopes in ("read", "read-write"):
            response = closed_client.get("/v1/events", headers=bearer(tokens[scopes]))
            assert response.status_code == 200

    @pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
    def test_docs_spec_and_probes_stay_open(self, closed_client, path):
        assert closed_client.get(path).status_code == 200

    def test_cors_preflight_stays_open(self, closed_client):
        response = closed_client.request("OPTIONS", "/v1/events")
        assert response.status_code == 200


class TestTokenAdministration:
    def test_listing_tokens_needs_admin(self, client, tokens):
        assert_problem(client.get("/v1/tokens", auth=False), 401)
        response = client.get("/v1/tokens", headers=bearer(tokens["read-write"]), auth=False)
        assert_problem(response, 403)
        assert response.headers["WWW-Authenticate"] == INSUFFICIENT.format("admin")

    def test_list_shows_names_and_scopes_never_secrets(self, client, tokens, db):
        response = client.get("/v1/tokens", headers=bearer(tokens["admin"]))
        assert response.status_code == 200
        listed = {token["name"]: token for token in response.get_json()}
        assert listed["reader"]["scopes"] == ["read"]
        assert listed["admin"]["scopes"] == ["admin"]
        assert listed["editor"]["revoked_at"] is None
        text = response.get_data(as_text=True)
        for secret in tokens.values():
            assert secret not in text
        hashes = [row["token_hash"] for row in db.execute("SELECT token_hash FROM api_tokens")]
        assert not any(token_hash in text for token_hash in hashes)

    def test_create_use_and_revoke(self, client, tokens):
        admin = bearer(tokens["admin"])
        response = client.post(
            "/v1/tokens", json={"name": "importer", "scopes": ["write"]}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
        made = response.get_json()
        assert made["name"] == "importer"
        assert made["scopes"] == ["write"]
        assert made["token"].startswith("edt_")
        assert response.headers["Location"].endswith("/v1/tokens/importer")

        shown = client.get("/v1/tokens/importer", headers=admin).get_json()
        assert shown["scopes"] == ["write"]
        assert "token" not in shown

        created = client.post(
            "/v1/sources", json=source_body(), headers=bearer(made["token"]), auth=False
        )
        assert created.status_code == 201

        assert client.delete("/v1/tokens/importer", headers=admin).status_code == 204
        refused = client.post(
            "/v1/sources",
            json=source_body(url="https://example.org/other"),
            headers=bearer(made["token"]),
            auth=False,
        )
        assert_problem(refused, 401)
        assert_problem(client.delete("/v1/tokens/importer", headers=admin), 404)
        assert_problem(client.get("/v1/tokens/importer", headers=admin), 404)

    def test_an_admin_token_may_not_revoke_itself(self, client, tokens):
        """Revoking the token that sends the request would lock its holder out: 409, and
        the token still works."""
        admin = bearer(tokens["admin"])

        response = client.delete("/v1/tokens/admin", headers=admin)

        problem = assert_problem(response, 409)
        assert problem["detail"] == (
            "A token cannot revoke itself: revoke 'admin' with another admin token,"
            " or on the server with `flask --app api tokens revoke admin`."
        )
        assert client.get("/v1/tokens/admin", headers=admin).status_code == 200

    def test_another_admin_token_may_revoke_it(self, client, tokens, token):
        """The way the 409 points to: the fixture's token (every scope) revokes "admin"."""
        assert client.delete("/v1/tokens/admin").status_code == 204
        response = client.get("/v1/tokens", headers=bearer(tokens["admin"]), auth=False)
        assert_problem(response, 401)

    def test_the_refusal_quotes_a_name_for_the_shell(self, client, db):
        own = create_token(db, "night shift's admin", ["admin"])

        response = client.delete("/v1/tokens/night shift's admin", headers=bearer(own))

        assert assert_problem(response, 409)["detail"].endswith(
            "`flask --app api tokens revoke 'night shift'\"'\"'s admin'`."
        )

    def test_default_scopes_are_read_and_write(self, client, tokens):
        response = client.post(
            "/v1/tokens", json={"name": "plain"}, headers=bearer(tokens["admin"])
        )
        assert response.get_json()["scopes"] == ["read", "write"]

    def test_an_active_name_is_taken(self, client, tokens):
        response = client.post(
            "/v1/tokens", json={"name": "reader"}, headers=bearer(tokens["admin"])
        )
        assert_problem(response, 409, "name")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x", "scopes": ["root"]}, "scopes.0"),
            ({"name": "x", "scopes": []}, "scopes"),
            ({"name": "x", "scopes": ["read", "read"]}, "scopes"),
            ({"name": ""}, "name"),
            ({"name": "a\u0000b"}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"scopes": ["read"]}, "name"),
            ({"name": "x", "token": "edt_chosen"}, "token"),
        ],
    )
    def test_bad_bodies(self, client, tokens, body, field):
        response = client.post("/v1/tokens", json=body, headers=bearer(tokens["admin"]))
        assert_problem(response, 422, field)

    def test_creating_needs_admin(self, client, tokens):
        response = client.post(
            "/v1/tokens",
            json={"name": "sneaky", "scopes": ["admin"]},
            headers=bearer(tokens["write"]),
        )
        assert_problem(response, 403)
        listed = client.get("/v1/tokens", headers=bearer(tokens["admin"])).get_json()
        assert "sneaky" not in {token["name"] for token in listed}


class TestCommandLine:
    def test_create_with_scopes_and_list(self, app, db):
        runner = app.test_cli_runner()
        result = runner.invoke(
            args=["tokens", "create", "ops", "--scope", "admin", "--scope", "read"]
        )
        assert result.exit_code == 0, result.output
        secret = result.output.strip()
        assert secret.startswith("edt_")
        row = db.execute("SELECT scopes FROM api_tokens WHERE name = 'ops'").fetchone()
        assert row["scopes"] == ["read", "admin"]
        listing = runner.invoke(args=["tokens", "list"])
        assert "ops\tread,admin\t" in listing.output

    def test_unknown_scope_is_refused(self, app):
        result = app.test_cli_runner().invoke(args=["tokens", "create", "x", "--scope", "root"])
        assert result.exit_code != 0
        assert "root" in result.output


def test_created_records_need_no_scope_to_read(client):
    source = create(client, "/v1/sources", source_body())
    assert client.get(f"/v1/sources/{source['id']}", auth=False).status_code == 200
