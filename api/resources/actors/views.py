"""Actors over HTTP: /v1/actors, /v1/actors/{actor_id} and /v1/actors/match."""

from api.resources.actors import store
from api.store.resolution import refuse_taken_names
from api.web.blueprint import Blueprint
from api.web.views import match_view, record_views
from schemas.actors import ActorQueryArgsSchema, ActorSchema
from schemas.resolution import match_args
from schemas.vocabularies import ACTOR_KINDS

blp = Blueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description="States, governments, forces, ministries, organisations and people.",
)

TAKEN_NAMES = """

        A name or alias that another actor has already (ignoring case, accents,
        punctuation and spacing) answers 409 name-taken, listing those actors,
        unless allow_duplicate=true.
        """

record_views(
    blp,
    store,
    schema=ActorSchema,
    args_schema=ActorQueryArgsSchema,
    docs={
        "list": """List actors by name; also as CSV (format=csv).

        ---
        A streamed CSV export of every match with format=csv or Accept: text/csv.
        """,
        "create": "Create an actor." + TAKEN_NAMES,
        "get": "Get an actor.",
        "replace": "Replace an actor." + TAKEN_NAMES,
        "change": "Change some fields of an actor." + TAKEN_NAMES,
        "delete": "Delete an actor that nothing refers to.",
    },
    allowed=("json", "csv"),
    resolve=refuse_taken_names,
)

match_view(
    blp,
    store.RECORD,
    args_schema=match_args(ACTOR_KINDS, "Armenia Defense Ministry"),
    doc="""Find the actors a name may mean, best first, before linking or creating one.

    Exact matches of a name or alias (ignoring case, accents, punctuation and
    spacing) score 1; others score by trigram similarity, and the countries the
    name mentions (Armenia, Armenian, Azeri) raise the actors of those countries
    and lower those of others.
    """,
)
