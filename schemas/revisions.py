"""Revisions: every write to a record, who made it and when, and the record as it left it."""

from functools import cache

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas import forms, query

OPERATIONS = ("create", "update", "delete", "restore", "merge")


class MergeNoteSchema(ma.Schema):
    """The records a merge joined."""

    into = f.identifier("The record kept, into which the others were merged.", required=True)
    merged = fields.List(
        f.identifier("A record merged into the one kept."),
        required=True,
        metadata={"description": "The records merged into the one kept, in the order given."},
    )


class RevisionSchema(ma.Schema):
    """One write to a record: what it did, which fields it changed, who made it and when."""

    number = fields.Integer(
        metadata={
            "description": "The revision's number in the record's history: 1, 2, 3...",
            "example": 2,
        }
    )
    operation = f.one_of(
        OPERATIONS,
        "What the write did: create, update, delete, restore (an earlier state made"
        " current again), or merge (duplicates folded into one record: on the record kept,"
        " on each record merged into it, whose state is as it was, and on each statement"
        " whose links moved; `merge` says which).",
        example="update",
    )
    changed = fields.List(
        fields.String(),
        metadata={
            "description": "The fields whose value differs from the revision before, as the"
            " API sends them (a summary embedded from another record counts too); every"
            " field for a create, none for a delete.",
            "example": ["summary"],
        },
    )
    author = f.text(
        "Who wrote it: the name of the token, seed:<file> for the seed loader, cli for a command.",
        example="analyst",
    )
    request_id = fields.String(
        allow_none=True,
        metadata={
            "description": "The X-Request-ID of the request that wrote it; null outside a request.",
            "example": "5f1c2a7e9d0b4c3e8a6f2d1b0c9e8a7f",
        },
    )
    at = fields.AwareDateTime(
        format="iso",
        metadata={
            "description": "When it was written (RFC 3339, UTC): the record's updated_at then.",
            "example": "2020-09-30T12:00:00+00:00",
        },
    )
    merge = fields.Nested(
        MergeNoteSchema,
        allow_none=True,
        metadata={"description": "For a merge, the records it joined; null for any other write."},
    )


@cache
def revision_with_state(record_schema):
    """The schema of one revision of a record of `record_schema`, with the record then:
    made once per record schema, so the spec names it once (EventRevision)."""
    name = record_schema.__name__.removesuffix("Schema")
    state = f.nested(
        forms.sent(record_schema),
        "The record as the API sent it after this write; for a delete, as it was when deleted.",
    )
    return type(f"{name}RevisionSchema", (RevisionSchema,), {"state": state})


class RevisionQueryArgsSchema(query.ListArgsSchema):
    """Which page of a record's history: newest revision first."""

    class Meta(query.ListArgsSchema.Meta):
        # A history is short and ordered by number alone: pages, no cursor, no choice of fields.
        exclude = ("cursor", "sort", "fields_", "updated_since")

    SORTS = {"number": query.Sort("bigint")}
    DEFAULT_SORT = "-number"
