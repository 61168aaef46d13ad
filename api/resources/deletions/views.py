"""Deletions over HTTP: GET /v1/deletions, the feed of deleted records."""

from flask.views import MethodView

from api.resources.deletions.store import list_deletions
from api.store.database import get_db
from api.web.blueprint import Blueprint
from schemas.deletions import DeletionQueryArgsSchema, DeletionSchema

blp = Blueprint(
    "deletions",
    __name__,
    url_prefix="/v1/deletions",
    description="Records that were deleted, so that a copy of the data can drop them.",
)


@blp.route("")
class Deletions(MethodView):
    @blp.etag
    @blp.arguments(DeletionQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, DeletionSchema(many=True))
    @blp.listing()
    @blp.doc(operationId="listDeletions")
    def get(self, args):
        """List deleted records, oldest deletion first.

        To keep a copy of the data up to date:

        1. The first time, note the time S (or take it from the server's `Date`
           header), then fetch every collection in full.
        2. Each later sync, note the new time S', then fetch each collection
           (`/v1/sources`, `/v1/actors`, `/v1/locations`, `/v1/events`,
           `/v1/statements`) with `updated_since=S - overlap`, replacing the
           copies by id, then `/v1/deletions?since=S - overlap`, dropping the
           record of each `kind` and `id`. Keep S' for the next sync.

        Page through every list with `cursor=` (empty, then the `Link: rel="next"`
        URL), so that records changing meanwhile do not shift the pages.

        The overlap, a few minutes, covers transactions in flight: a record's
        `updated_at` is the time its transaction started (a deletion's
        `deleted_at`, the moment of the delete), so a write that started before
        S but committed after the sync read the lists carries a time before S.
        Changes seen twice are harmless: replacing and dropping by id are
        idempotent.

        A record both listed and deleted was either deleted after the list was
        read or deleted and then created again with the same id: the later of
        its `updated_at` and the `deleted_at` wins; when in doubt, GET it
        (404: it is gone).
        """
        with get_db().transaction() as conn:
            return list_deletions(conn, args)
