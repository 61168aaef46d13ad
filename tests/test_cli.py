"""The command line: `flask --app api db upgrade` and `tokens create|list|revoke`."""

import re

import pytest

from api import create_app
from api.store.database import migrations
from tests.helpers import source_body


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def post_with(client, token):
    return client.post(
        "/v1/sources", json=source_body(), headers={"Authorization": f"Bearer {token}"}
    )


def assert_clean_failure(result, message):
    """The command failed with `message` on its output and no traceback."""
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert "UniqueViolation" not in result.output


class TestTokensCreate:
    """`tokens create NAME` prints a new token that may write."""

    def test_prints_a_working_token(self, app, runner):
        result = invoke(runner, "tokens", "create", "ci")
        assert result.exit_code == 0, result.output
        token = result.output.strip()
        assert re.fullmatch(r"edt_[A-Za-z0-9_-]{40,}", token)
        assert post_with(app.test_client(), token).status_code == 201

    def test_same_active_name_fails(self, runner):
        first = invoke(runner, "tokens", "create", "ci")
        assert first.exit_code == 0, first.output
        second = invoke(runner, "tokens", "create", "ci")
        assert_clean_failure(
            second,
            "Error: A token called 'ci' is already active: revoke it or pick another name.",
        )

    def test_failed_create_leaves_the_first_token_working(self, app, runner):
        token = invoke(runner, "tokens", "create", "ci").output.strip()
        invoke(runner, "tokens", "create", "ci")
        assert post_with(app.test_client(), token).status_code == 201

    def test_name_reused_after_revoke(self, app, runner):
        old = invoke(runner, "tokens", "create", "ci").output.strip()
        assert invoke(runner, "tokens", "revoke", "ci").exit_code == 0
        result = invoke(runner, "tokens", "create", "ci")
        assert result.exit_code == 0, result.output
        new = result.output.strip()
        client = app.test_client()
        assert post_with(client, new).status_code == 201
        assert post_with(client, old).status_code == 401

    def test_name_is_required(self, runner):
        result = runner.invoke(args=["tokens", "create"])
        assert result.exit_code == 2
        assert "Missing argument 'NAME'" in result.output


class TestTokensList:
    """`tokens list` shows every token's name and whether it is active."""

    def test_empty(self, runner):
        result = invoke(runner, "tokens", "list")
        assert result.exit_code == 0
        assert result.output == ""

    def test_active_and_revoked(self, runner):
        invoke(runner, "tokens", "create", "alpha")
        invoke(runner, "tokens", "create", "beta")
        invoke(runner, "tokens", "revoke", "alpha")
        result = invoke(runner, "tokens", "list")
        assert result.exit_code == 0
        rows = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
        assert set(rows) == {"alpha", "beta"}
        stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
        assert rows["alpha"][1] == "read,write"
        assert re.fullmatch(f"created {stamp}", rows["alpha"][2])
        assert re.fullmatch(f"revoked {stamp}", rows["alpha"][3])
        assert re.fullmatch(f"created {stamp}", rows["beta"][2])
        assert rows["beta"][3] == "active"

    def test_token_text_is_not_listed(self, runner):
        token = invoke(runner, "tokens", "create", "secret").output.strip()
        result = invoke(runner, "tokens", "list")
        assert "secret" in result.output
        assert token not in result.output


class TestTokensRevoke:
    """`tokens revoke NAME` stops the token from writing."""

    def test_revoked_token_gets_401(self, app, runner):
        token = invoke(runner, "tokens", "create", "ci").output.strip()
        result = invoke(runner, "tokens", "revoke", "ci")
        assert result.exit_code == 0
        assert result.output == "Revoked ci.\n"
        response = post_with(app.test_client(), token)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    def test_revoke_leaves_other_tokens_working(self, app, runner):
        kept = invoke(runner, "tokens", "create", "kept").output.strip()
        invoke(runner, "tokens", "create", "gone")
        invoke(runner, "tokens", "revoke", "gone")
        assert post_with(app.test_client(), kept).status_code == 201

    @pytest.mark.parametrize(
        "setup",
        [
            pytest.param((), id="never-created"),
            pytest.param(("ci",), id="already-revoked"),
        ],
    )
    def test_unknown_name_fails(self, runner, setup):
        for name in setup:
            invoke(runner, "tokens", "create", name)
            invoke(runner, "tokens", "revoke", name)
        result = invoke(runner, "tokens", "revoke", "ci")
        assert_clean_failure(result, "Error: No active token is called 'ci'.")


class TestDbUpgrade:
    """`db upgrade` applies the migrations not yet applied."""

    def test_migrated_database_is_up_to_date(self, runner):
        result = invoke(runner, "db", "upgrade")
        assert result.exit_code == 0
        assert result.output == "The schema is up to date.\n"

    def test_empty_database_is_migrated(self, empty_database_url):
        app = create_app({"DATABASE_URL": empty_database_url})
        try:
            runner = app.test_cli_runner()
            versions = ", ".join(version for version, _ in migrations())
            first = invoke(runner, "db", "upgrade")
            assert first.exit_code == 0
            assert first.output == f"Applied {versions}.\n"
            second = invoke(runner, "db", "upgrade")
            assert second.output == "The schema is up to date.\n"
        finally:
            app.extensions["eventdata.db"].close()
