"""Scopes (read, write, admin), on the API and the command line; tokens for reads when required."""

import pytest

from api.store.tokens import create_token, hash_token
from tests.helpers import INSUFFICIENT, Client, assert_problem, bearer, create, source_body


@pytest.fixture
def closed_client(make_app, token):
    """A client of an app that needs a token with the read scope for reads too."""
    return Client(make_app(REQUIRE_TOKEN_FOR_READS=True).test_client(), token)


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
