"""Deletions: the records that disappeared, for clients that mirror the data."""

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas import query

# The kinds of record whose deletion is recorded (migration 0002's triggers).
KINDS = ("source", "actor", "location", "event", "statement")


class DeletionSchema(ma.Schema):
    """A record that was deleted: its kind, its id, when, and where its history is."""

    kind = f.one_of(KINDS, "The kind of record deleted.", example="event", required=True)
    id = f.identifier(
        "The deleted record's id: drop the record of this kind and id from a copy.",
        example="9aacaccd-dc05-56c6-827b-c8ad46d81d32",
        required=True,
    )
    deleted_at = fields.AwareDateTime(
        format="iso",
        required=True,
        metadata={
            "description": "When the record was deleted (RFC 3339, UTC): the start of the"
            " transaction that deleted it.",
            "example": "2020-09-30T12:00:00+00:00",
        },
    )
    last_revision = fields.String(
        allow_none=True,
        metadata={
            "description": "The path of the record's last revision, which holds the record"
            " as it was when deleted: GET it to read the record, POST to its /restore to"
            " bring the record back. Null for a deletion from before revisions were kept.",
            "example": "/v1/events/9aacaccd-dc05-56c6-827b-c8ad46d81d32/revisions/3",
        },
    )
    merged_into = f.identifier(
        "For a record merged into another (POST /v1/events/{event_id}/merge), the id of the"
        " record it went into, which now holds what it held: a copy replaces references to"
        " the deleted id by this one. Its old id answers 308 to that record. Null for a"
        " plain deletion.",
        allow_none=True,
        example="5b30b6c9-932d-5c38-9bdf-e72dad5e2293",
    )


class DeletionQueryArgsSchema(query.ListArgsSchema):
    """Which deletions to list: since a moment, of some kinds; oldest first."""

    class Meta(query.ListArgsSchema.Meta):
        # Deletions have no updated_at: `since` filters them.
        exclude = ("updated_since",)

    # The deleted record's id breaks ties (see api.deletions).
    sort = fields.String(
        metadata={
            "description": "The order: deleted_at (oldest first) or -deleted_at; ties by id.",
            "example": "deleted_at",
        }
    )
    SORTS = {"deleted_at": query.Sort("timestamptz")}
    DEFAULT_SORT = "deleted_at"
    FIELDS = tuple(DeletionSchema().fields)

    since = fields.AwareDateTime(
        metadata={
            "description": "Only deletions at or after this moment (RFC 3339); all without it."
            " Give the updated_since of the same sync.",
            "example": "2020-09-30T00:00:00Z",
        }
    )
    kind = query.words(KINDS, "Only deletions of this kind of record.", "event,statement")
