"""Records merged into others: where a merged id now lives, and the mark a merge leaves.

A merge deletes the records it folds into the one kept (their deletions are
recorded like any other, migration 0002's trigger) and marks each deletion
with the record it went into (migration 0009). An id merged into a record
that was itself merged later leads on to where that one went.
"""

# A chain of merges longer than this is taken as a loop: merges cannot make one
# (a record kept must exist), but a restore of a merged record, merged again, could.
MAX_CHAIN = 20

LATEST_DELETION = """
    SELECT d.merged_into FROM deletions d
    WHERE d.kind = %(kind)s AND d.record_id = %(id)s
    ORDER BY d.id DESC LIMIT 1
"""
# Of some ids, those whose latest deletion was a merge, and where into.
MERGED = """
    SELECT DISTINCT ON (d.record_id) d.record_id, d.merged_into FROM deletions d
    WHERE d.kind = %(kind)s AND d.record_id = ANY(%(ids)s)
    ORDER BY d.record_id, d.id DESC
"""
MARK = """
    UPDATE deletions d SET merged_into = %(into)s
    WHERE d.id IN (
        SELECT DISTINCT ON (l.record_id) l.id FROM deletions l
        WHERE l.kind = %(kind)s AND l.record_id = ANY(%(ids)s)
        ORDER BY l.record_id, l.id DESC
    )
"""


def deletion(conn, kind, record_id):
    """None if the record was never deleted; else (its latest deletion's merged_into,)."""
    row = conn.execute(LATEST_DELETION, {"kind": kind, "id": record_id}).fetchone()
    return None if row is None else (row["merged_into"],)


def merged_into(conn, record, record_id):
    """The record that now holds the deleted `record_id` (of kind `record`, a
    store.Record) by merges, following later merges; None when it was not merged."""
    into = None
    current = record_id
    for _ in range(MAX_CHAIN):
        found = deletion(conn, record.kind, current)
        if found is None or found[0] is None:
            break
        into = current = found[0]
        if record.exists(conn, current):
            break
    return into


def merged(conn, kind, record_ids):
    """{id: the record it was merged into} of those of `record_ids` merged last time
    they were deleted (whether they exist again or not: ask the table)."""
    rows = conn.execute(MERGED, {"kind": kind, "ids": list(record_ids)})
    return {row["record_id"]: row["merged_into"] for row in rows if row["merged_into"]}


def mark(conn, kind, record_ids, into):
    """Say of the deletions just recorded of `record_ids` that they were merged `into`."""
    conn.execute(MARK, {"kind": kind, "ids": list(record_ids), "into": into})
