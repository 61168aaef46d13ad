"""The feed of deleted records in PostgreSQL, for clients that mirror the data.

The feed is the `deletions` table that triggers fill (migration 0002). Its
items are ordered by deleted_at with the deleted record's id as tie-break, not
by the table's own bigint id: list_records breaks ties by `<alias>.id` and puts
that id, as a UUID, in the keyset cursor, and an item's `id` is the deleted
record's. Within one deleted_at (one transaction) a record is deleted at most
once, and records of different kinds have different UUIDs, so
(deleted_at, record id) is unique and keyset paging neither skips nor repeats
an item.
"""

from api.store.query import Collection, Conditions, list_records
from schemas.deletions import DeletionQueryArgsSchema

# The deleted record's id is the row's id, which list_records sorts ties by
# and writes into cursors. Its last revision is at
# /v1/<kind>s/<id>/revisions/<n>: every collection is its kind's plural in s
# (schemas/deletions.py, KINDS); null for a deletion from before revisions.
COLUMNS = "d.kind, d.id, d.deleted_at, d.last_revision, d.merged_into"
FEED = Collection(
    """(
        SELECT kind, record_id AS id, deleted_at,
            '/v1/' || kind || 's/' || record_id || '/revisions/' || revision AS last_revision,
            merged_into
        FROM deletions
    ) d""",
    "d",
    DeletionQueryArgsSchema,
    {"deleted_at": "d.deleted_at"},
)


def list_deletions(conn, args):
    """One page of the deletions `args` select."""
    where = Conditions()
    if "since" in args:
        where.add("d.deleted_at >= %(since)s", since=args["since"])
    if "kind" in args:
        where.add("d.kind = ANY(%(kind)s)", kind=args["kind"])
    return list_records(conn, FEED, columns=COLUMNS, conditions=where, args=args)
