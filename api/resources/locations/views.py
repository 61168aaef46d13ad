"""Locations over HTTP: /v1/locations, /v1/locations/{location_id} and /v1/locations/match."""

from api.resources.locations import store
from api.store.resolution import refuse_taken_names
from api.web.blueprint import Blueprint
from api.web.views import match_view, record_views
from schemas.locations import LocationQueryArgsSchema, LocationSchema
from schemas.resolution import match_args
from schemas.vocabularies import LOCATION_KINDS

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/v1/locations",
    description="Countries, regions, towns, facilities, airspace and front lines.",
)

TAKEN_NAMES = """

        A name or alias that another location has already (ignoring case,
        accents, punctuation and spacing) answers 409 name-taken, listing those
        locations, unless allow_duplicate=true.
        """

record_views(
    blp,
    store,
    schema=LocationSchema,
    args_schema=LocationQueryArgsSchema,
    docs={
        "list": """List locations by name; also as GeoJSON (format=geojson) or CSV (format=csv).

        ---
        GeoJSON with format=geojson or Accept: application/geo+json; a streamed
        CSV export of every match with format=csv or Accept: text/csv.
        """,
        "create": "Create a location." + TAKEN_NAMES,
        "get": "Get a location.",
        "replace": "Replace a location." + TAKEN_NAMES,
        "change": "Change some fields of a location." + TAKEN_NAMES,
        "delete": "Delete a location that nothing refers to.",
    },
    allowed=("json", "geojson", "csv"),
    geometry=(None, lambda location: location),
    resolve=refuse_taken_names,
)

match_view(
    blp,
    store.RECORD,
    args_schema=match_args(LOCATION_KINDS, "Terter"),
    doc="""Find the locations a name may mean, best first, before linking or creating one.

    Exact matches of a name or alias (ignoring case, accents, punctuation and
    spacing) score 1; others score by trigram similarity, and the countries the
    name mentions raise the places of those countries and lower those of others.
    """,
)
