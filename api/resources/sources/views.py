"""Sources over HTTP: /v1/sources and /v1/sources/{source_id}."""

from api.resources.sources import store
from api.web.blueprint import Blueprint
from api.web.views import record_views
from schemas.sources import SourceQueryArgsSchema, SourceSchema

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description="The documents records are drawn from, with their full text.",
)

record_views(
    blp,
    store,
    schema=SourceSchema,
    args_schema=SourceQueryArgsSchema,
    docs={
        "list": """List sources, newest first, filtered, searched and sorted as asked.

        ---
        A streamed CSV export of every match with format=csv or Accept: text/csv.
        """,
        "create": "Create a source.",
        "get": "Get a source.",
        "replace": """Replace a source.

        ---
        Citations of the source are moved to where their quotes are in the new
        body; a body that drops a cited quote is refused with 422.
        """,
        "change": "Change some fields of a source.",
        "delete": "Delete a source that nothing cites.",
    },
    allowed=("json", "csv"),
    # A url that another source has already is refused (409).
    errors={
        "create": (409, 422),
        "replace": (404, 409, 412, 422),
        "change": (308, 404, 409, 412, 422),
    },
)
