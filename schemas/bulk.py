"""Bulk imports: the events one request imports, and what the import did."""

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas import forms
from schemas.events import EventSchema

# What POST /v1/events takes, and optionally the event's id.
EventImportSchema = forms.body(
    EventSchema,
    "EventImport",
    extra={
        "id": f.identifier(
            "The event's id. An event that has it is replaced, as PUT would replace it;"
            " otherwise the event is created with this id. Left out or null, the server"
            " assigns one.",
            allow_none=True,
        )
    },
)


class EventImportResultSchema(ma.Schema):
    """What an import did: how many events it created and replaced, and their ids."""

    created = f.count("Events created.", required=True, example=998)
    updated = f.count(
        "Events replaced: their ids were given and already existed.", required=True, example=2
    )
    ids = fields.List(
        fields.UUID(),
        required=True,
        metadata={
            "description": "The events' ids, in the order the records were sent;"
            " each is readable at /v1/events/{id}.",
            "example": ["0b6f3a52-2f4e-4d1c-9a7b-5c1e8f0d2a31"],
        },
    )
