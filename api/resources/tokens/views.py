"""/v1/tokens: list, create and revoke bearer tokens, for tokens with the admin scope.

The same as `flask --app api tokens create|list|revoke`, over HTTP. Every
route needs the admin scope (api/web/auth.py); a token's secret appears once, in
the answer that creates it. A token cannot revoke itself over HTTP.
"""

import shlex

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import abort
from psycopg.errors import UniqueViolation

from api.store import tokens as store
from api.store.database import get_db
from api.web.blueprint import Blueprint
from api.web.problems import problem
from schemas import forms
from schemas.codes import Message
from schemas.tokens import NewTokenSchema, TokenSchema

blp = Blueprint(
    "tokens",
    __name__,
    url_prefix="/v1/tokens",
    description="Bearer tokens and their scopes (admin scope only).",
)
ADMIN_ONLY = {"security": [{"bearerAuth": []}]}


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, forms.sent(TokenSchema)(many=True))
    @blp.errors(401, 403)
    @blp.doc(**ADMIN_ONLY, operationId="listTokens")
    def get(self):
        """List the tokens, active and revoked, oldest first.

        Secrets are never shown: only names, scopes and dates.
        """
        with get_db().transaction() as conn:
            return store.list_tokens(conn)

    @blp.arguments(forms.create(TokenSchema))
    @blp.response(201, forms.sent(NewTokenSchema))
    @blp.errors(401, 403, 409, 422)
    @blp.doc(operationId="createToken")
    def post(self, new):
        """Create a token; its secret is in this answer and nowhere else.

        A name belongs to one active token at a time: 409 while another is active.
        """
        try:
            with get_db().transaction() as conn:
                secret = store.create_token(conn, new["name"], new["scopes"])
                row = store.active_token(conn, new["name"])
        except UniqueViolation:
            return problem(
                409,
                f"A token called {new['name']!r} is already active: revoke it or pick"
                " another name.",
                kind="already-exists",
                errors={"name": [Message("taken", "A token with this name is active.")]},
            )
        location = url_for("tokens.Token", name=row["name"])
        return {**row, "token": secret}, 201, {"Location": location}


@blp.route("/<string:name>")
class Token(MethodView):
    @blp.response(200, forms.sent(TokenSchema))
    @blp.errors(401, 403, 404)
    @blp.doc(**ADMIN_ONLY, operationId="getToken")
    def get(self, name):
        """The active token called `name` (without its secret)."""
        with get_db().transaction() as conn:
            row = store.active_token(conn, name)
        if row is None:
            abort(404, message=f"No active token is called {name!r}.")
        return row

    @blp.response(204)
    @blp.errors(401, 403, 404, 409)
    @blp.doc(operationId="revokeToken")
    def delete(self, name):
        """Revoke the active token called `name`; it stops working at once.

        A token cannot revoke itself (409): use another admin token, or the CLI.
        ---
        Refused rather than allowed behind a confirmation parameter: a client that
        fills parameters in from the spec (a contract fuzzer) would send the
        confirmation too, and lock out whoever holds the token.
        """
        if name == g.token_name:
            abort(
                409,
                message=f"A token cannot revoke itself: revoke {name!r} with another admin"
                f" token, or on the server with `flask --app api tokens revoke"
                f" {shlex.quote(name)}`.",
            )
        with get_db().transaction() as conn:
            revoked = "\x00" not in name and store.revoke_token(conn, name)
        if not revoked:
            abort(404, message=f"No active token is called {name!r}.")
        return None
