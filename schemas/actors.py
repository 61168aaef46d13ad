"""Actors: states, forces, ministries, organisations and people."""

import marshmallow as ma

from schemas import fields as f
from schemas import query
from schemas.common import ActorSummarySchema, RecordSchema
from schemas.vocabularies import ACTOR_KINDS


class ActorSchema(RecordSchema):
    """Someone who acts or speaks in events."""

    name = f.text("The actor's name.", required=True, example="Defense Ministry of Azerbaijan")
    kind = f.one_of(ACTOR_KINDS, "What sort of actor it is.", required=True, example="government")
    country = f.country("The country it belongs to (ISO 3166-1 alpha-3).", allow_none=True)
    parent_id = f.identifier(
        "The actor it belongs to: a ministry belongs to its government.", allow_none=True
    )
    parent = f.nested(
        ActorSummarySchema, "The parent actor, summarised.", dump_only=True, allow_none=True
    )
    title = f.text("A person's office.", allow_none=True, example="President")
    aliases = f.text_list("Other names it goes by.", load_default=list, example=["Azeri forces"])
    description = f.text("Notes on who this is.", max_length=f.LONG_TEXT, allow_none=True)



class ActorQueryArgsSchema(query.ListArgsSchema):
    """Which actors to list, in what order and shape."""

    SORTS = query.NAME_SORTS
    DEFAULT_SORT = "name"
    FIELDS = tuple(ActorSchema().fields)

    kind = query.words(ACTOR_KINDS, "Only actors of this kind.", "state,government")
    country = query.one_or_more(
        f.country("An ISO 3166-1 alpha-3 code."),
        "Only actors of this country (ISO 3166-1 alpha-3).",
        "AZE",
    )
    parent_id = query.uuids("Only actors that belong directly to this actor.")
    q = query.name_search("Aliyev")
    format = query.format_of(("json", "csv"))

    @ma.validates_schema
    def exported_whole(self, data, **kwargs):
        query.check_export(data)
