"""Locations over HTTP: /v1/locations and /v1/locations/{location_id}."""

from api.resources.locations import store
from api.web.blueprint import Blueprint
from api.web.views import record_views
from schemas.locations import LocationQueryArgsSchema, LocationSchema

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/v1/locations",
    description="Countries, regions, towns, facilities, airspace and front lines.",
)

record_views(
    blp,
    store,
    schema=LocationSchema,
    args_schema=LocationQueryArgsSchema,
    docs={
        "list": """List locations by name; also as GeoJSON (format=geojson).

        ---
        GeoJSON with format=geojson or Accept: application/geo+json.
        """,
        "create": "Create a location.",
        "get": "Get a location.",
        "replace": "Replace a location.",
        "change": "Change some fields of a location.",
        "delete": "Delete a location that nothing refers to.",
    },
    allowed=("json", "geojson"),
    geometry=(None, lambda location: location),
)
