"""GET /v1/search: the best hits of every kind for one q, for a search box."""

import json

from flask.views import MethodView

from api.resources.search.store import search
from api.store import render
from api.store.database import get_db
from api.web.blueprint import Blueprint
from schemas.search import SearchArgsSchema, SearchSchema

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/v1/search",
    description="One search box over every kind of record.",
)


@blp.route("")
class Search(MethodView):
    @blp.etag
    @blp.arguments(SearchArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, SearchSchema)
    @blp.doc(operationId="search")
    def get(self, args):
        """Search every kind of record at once: the best hits of each, grouped.

        Each hit says which words it matched: q itself, or the names and aliases of
        the actors and places q names (q=Terter finds what says Tartar).
        ---
        The hits come from each kind's own list (api/resources/search/store.py).
        """
        with get_db().transaction() as conn:
            hits = search(conn, args["q"], args["limit"])
        return render.response(json.dumps(hits, ensure_ascii=False, default=str))
