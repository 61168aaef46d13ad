"""Actors over HTTP: /v1/actors and /v1/actors/{actor_id}."""

from api.resources.actors import store
from api.web.blueprint import Blueprint
from api.web.views import record_views
from schemas.actors import ActorQueryArgsSchema, ActorSchema

blp = Blueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description="States, governments, forces, ministries, organisations and people.",
)

record_views(
    blp,
    store,
    schema=ActorSchema,
    args_schema=ActorQueryArgsSchema,
    docs={
        "list": "List actors by name.",
        "create": "Create an actor.",
        "get": "Get an actor.",
        "replace": "Replace an actor.",
        "change": "Change some fields of an actor.",
        "delete": "Delete an actor that nothing refers to.",
    },
)
