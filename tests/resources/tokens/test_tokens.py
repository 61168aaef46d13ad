"""/v1/tokens: an admin lists, creates, shows and revokes tokens, never seeing a secret."""

import pytest

from api.store.tokens import create_token
from tests.helpers import INSUFFICIENT, assert_problem, bearer, source_body


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
