"""Deletions: GET /v1/deletions, the feed of deleted records, for clients that mirror the data.

The feed is the `deletions` table that triggers fill (migration 0002). Its
items are ordered by deleted_at with the deleted record's id as tie-break, not
by the table's own bigint id: list_records breaks ties by `<alias>.id` and puts
that id, as a UUID, in the keyset cursor, and an item's `id` is the deleted
record's. Within one deleted_at (one transaction) a record is deleted at most
once, and records of different kinds have different UUIDs, so
(deleted_at, record id) is unique and keyset paging neither skips nor repeats
an item.
"""

from flask.views import MethodView

from api.store.database import get_db
from api.store.query import Conditions, list_records
from api.web.http import Blueprint
from schemas.deletions import DeletionQueryArgsSchema, DeletionSchema

blp = Blueprint(
    "deletions",
    __name__,
    url_prefix="/v1/deletions",
    description="Records that were deleted, so that a copy of the data can drop them.",
)

# The deleted record's id is the row's id, which list_records sorts ties by
# and writes into cursors.
SOURCE = "(SELECT kind, record_id AS id, deleted_at FROM deletions) d"
COLUMNS = "d.kind, d.id, d.deleted_at"


def list_deletions(conn, args):
    """One page of the deletions `args` select."""
    where = Conditions()
    if "since" in args:
        where.add("d.deleted_at >= %(since)s", since=args["since"])
    if "kind" in args:
        where.add("d.kind = ANY(%(kind)s)", kind=args["kind"])
    return list_records(
        conn,
        columns=COLUMNS,
        source=SOURCE,
        conditions=where,
        args=args,
        schema_cls=DeletionQueryArgsSchema,
        alias="d",
    )


@blp.route("")
class Deletions(MethodView):
    @blp.etag
    @blp.arguments(DeletionQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, DeletionSchema(many=True))
    @blp.listing()
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
