"""Tokens as the admin endpoints show them: never the secret, except once on creation."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas.codes import Message

SCOPES = ("read", "write", "admin")


class TokenSchema(ma.Schema):
    """A bearer token: its name, what it may do and when it was made or revoked."""

    class Meta:
        unknown = ma.RAISE

    name = f.text(
        "The token's name: who or what uses it. One active token per name.",
        max_length=100,
        example="newsroom-importer",
        required=True,
    )
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        validate=validate.Length(min=1, max=len(SCOPES)),
        load_default=lambda: ["read", "write"],
        metadata={
            "description": "What the token may do: read (when the server requires tokens for"
            " reads), write (create, change and delete records), admin (manage tokens)."
            " Default: read and write.",
            "example": ["read", "write"],
            "uniqueItems": True,
        },
    )
    created_at = fields.AwareDateTime(
        format="iso", dump_only=True, metadata={"description": "When the token was made."}
    )
    revoked_at = fields.AwareDateTime(
        format="iso",
        dump_only=True,
        allow_none=True,
        metadata={"description": "When the token was revoked; null while it is active."},
    )

    @ma.validates("scopes")
    def each_scope_once(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ma.ValidationError(Message("duplicate", "A scope is listed twice."))


class NewTokenSchema(TokenSchema):
    """A token just made: the only time its secret is shown."""

    token = fields.String(
        dump_only=True,
        metadata={
            "description": "The secret, for 'Authorization: Bearer <token>'. Shown only"
            " now: the server keeps only its hash.",
            "example": "edt_3q2-7wz4J8xYl0d1bq6mM0s9n5tV1uXo2pQeR4aZk8c",
        },
    )
