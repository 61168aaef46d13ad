"""Revisions in PostgreSQL: what each write left of a record, who wrote it, and its history.

Every write of a record appends a revision in the write's own transaction:
the views, the seed loader and the bulk import write through write() here
(or Record.revise_many, for a batch), and Record.delete appends the delete's.
A revision holds the record as the API sent it after the write (for a delete,
as it was), so a deleted record can be read and restored.
"""

from dataclasses import dataclass
from pathlib import Path

from psycopg.types.json import Json

from api.store import render
from api.store.query import Page, proven_total

OPERATIONS = ("create", "update", "delete", "restore", "merge")
# What every record has and every write changes or never changes: not a change of its own.
UNCHANGING = ("id", "created_at", "updated_at")
# The author of the seed loader's revisions is SEED_AUTHOR + the seed file's name.
SEED_AUTHOR = "seed:"


@dataclass(frozen=True)
class Author:
    """Who writes: a token's name, seed:<file> or cli; and the request's id, if any."""

    name: str
    request_id: str | None = None


CLI = Author("cli")


def seed_author(path):
    """The author of what the seed file at `path` loads."""
    return Author(SEED_AUTHOR + Path(path).name)


# Appends the revision of each record that {written} gives (its id and the
# operation that wrote it) in {table} (alias {alias}), whose JSON is {state}:
# a Record's. The caller holds each record's row lock (its write took it), so
# no other transaction appends to the same history meanwhile, and this
# statement, started after that lock was granted, sees the last number
# committed. `changed` compares the JSON texts of each field: the same SQL
# writes both, so equal values are equal texts, and no value is parsed again.
APPEND = """
    INSERT INTO revisions (kind, record_id, number, operation, state, changed, author, request_id)
    SELECT %(kind)s, written.id, coalesce(previous.number, 0) + 1, written.operation,
        written_state.state,
        CASE
            WHEN written.operation = 'delete' THEN ARRAY[]::text[]
            -- A record's first revision (its create) sets every field.
            WHEN previous.state IS NULL THEN %(fields)s::text[]
            ELSE ARRAY(
                SELECT field.key
                FROM json_each(written_state.state) WITH ORDINALITY AS field (key, value, position)
                LEFT JOIN json_each(previous.state) AS before (key, value) USING (key)
                WHERE field.key = ANY (%(fields)s::text[])
                    AND field.value::text IS DISTINCT FROM before.value::text
                ORDER BY field.position
            )
        END,
        %(author)s, %(request_id)s
    FROM {written} AS written (id, operation)
    JOIN {table} {alias} ON {alias}.id = written.id
    CROSS JOIN LATERAL (SELECT {state} AS state) written_state
    LEFT JOIN LATERAL (
        SELECT rev.number, rev.state FROM revisions rev
        WHERE rev.kind = %(kind)s AND rev.record_id = written.id
        ORDER BY rev.number DESC LIMIT 1
    ) previous ON true
"""
# {written} for one record, and for a batch. One record's statement has no
# array to unnest: its plan does not depend on the values, so PostgreSQL keeps
# one for the connection, where the batch's (whose length it cannot know
# beforehand) was planned again at every write, 2 ms each (docs/PERFORMANCE.md).
ONE = "(SELECT %(id)s::uuid, %(operation)s::text)"
MANY = "unnest(%(ids)s::uuid[], %(operations)s::text[])"
# The record's JSON as the write left it, which is also what a write answers with.
RETURNING_STATE = " RETURNING state::text AS json"


def append_params(record, author, **written):
    """The parameters of `record`'s APPEND statements, besides those of {written}."""
    return {
        "kind": record.kind,
        "fields": [name for name in record.names if name not in UNCHANGING],
        "author": author.name,
        "request_id": author.request_id,
        **written,
    }


# The latest revision of each record: the one a write just appended, under its lock.
NOTE_MERGE = """
    UPDATE revisions r SET merge = %(merge)s
    WHERE r.kind = %(kind)s AND r.record_id = ANY(%(ids)s)
        AND r.number = (SELECT max(l.number) FROM revisions l
                        WHERE l.kind = r.kind AND l.record_id = r.record_id)
"""


def note_merge(conn, kind, record_ids, into, merged):
    """Say on the revisions a merge just appended (of the records `record_ids` of `kind`)
    which records it joined: the one kept, `into`, and those `merged` into it."""
    note = {"into": str(into), "merged": [str(record_id) for record_id in merged]}
    conn.execute(NOTE_MERGE, {"kind": kind, "ids": list(record_ids), "merge": Json(note)})


def write(conn, store, data, author, *, record_id=None, operation=None):
    """Write a record with its store's write() and append its revision; return (id, JSON text).

    `operation` defaults to create or update, as the record exists or not.
    The JSON text is the record as the API sends it after the write. A store
    whose write changes other records as well (a statement's, the certainty of
    the events it denies) appends their revisions by the same `author`.
    """
    record = store.RECORD
    if operation is None:
        exists = record_id is not None and record.exists(conn, record_id)
        operation = "update" if exists else "create"
    record_id = store.write(conn, data, record_id=record_id, author=author)
    return record_id, record.revise(conn, record_id, operation, author)


# One revision in a history: members of its JSON (api/store/render.py).
ENTRY = [
    ("number", "rev.number"),
    ("operation", "rev.operation"),
    ("changed", "to_json(rev.changed)"),
    ("author", "rev.author"),
    ("request_id", "rev.request_id"),
    ("at", render.rfc3339("rev.at")),
    ("merge", "rev.merge"),
]
OF_RECORD = "rev.kind = %(kind)s AND rev.record_id = %(record_id)s"
HISTORY = (
    f"SELECT {render.json_object(ENTRY)} AS json FROM revisions rev WHERE {OF_RECORD}"
    " ORDER BY rev.number DESC LIMIT %(limit)s OFFSET %(offset)s"
)
HISTORY_TOTAL = f"SELECT count(*) AS total FROM revisions rev WHERE {OF_RECORD}"
HISTORY_KEPT = f"SELECT EXISTS (SELECT FROM revisions rev WHERE {OF_RECORD}) AS kept"
REVISION = (
    f"SELECT {render.json_object([*ENTRY, ('state', 'rev.state')])} AS json,"
    f" rev.state::text AS state FROM revisions rev WHERE {OF_RECORD} AND rev.number = %(number)s"
)
# The latest revision, locked: a restore holds it so that two restores of a
# deleted record (which has no row to lock) queue rather than both write.
LATEST = (
    f"SELECT rev.number, rev.operation, rev.state::text AS state FROM revisions rev"
    f" WHERE {OF_RECORD} ORDER BY rev.number DESC LIMIT 1 FOR UPDATE"
)
# What the seed loader needs to know of a record it loads: the operation of
# its latest revision, and the state the loader itself last wrote there.
LOADED = f"""
    SELECT
        (SELECT rev.operation FROM revisions rev WHERE {OF_RECORD}
         ORDER BY rev.number DESC LIMIT 1) AS latest,
        (SELECT rev.state FROM revisions rev WHERE {OF_RECORD}
             AND starts_with(rev.author, %(seed_author)s)
         ORDER BY rev.number DESC LIMIT 1) AS loaded
"""
# Each record keeps its latest revision, whatever its age: the state it is in,
# or for a deleted record the state it had, to be restored.
PRUNE = """
    DELETE FROM revisions r
    WHERE r.at < %(before)s
        AND r.number < (SELECT max(l.number) FROM revisions l
                        WHERE l.kind = r.kind AND l.record_id = r.record_id)
"""


def history(conn, kind, record_id, args):
    """One page of the record's revisions, newest first, each as JSON text (`json`)."""
    page_size = args["page_size"]
    page = args.get("page", 1)
    offset = (page - 1) * page_size
    params = {"kind": kind, "record_id": record_id, "limit": page_size + 1, "offset": offset}
    rows = conn.execute(HISTORY, params).fetchall()
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not more and (rows or not offset):
        # The page holds the last revision: their number needs no count.
        total = offset + len(rows)
    else:
        total = conn.execute(HISTORY_TOTAL, params).fetchone()["total"]
    return Page(
        rows, page_size, total=proven_total(total, offset, len(rows), more), page=page, more=more
    )


def has_history(conn, kind, record_id):
    """Whether any revision of the record is kept."""
    return conn.execute(HISTORY_KEPT, {"kind": kind, "record_id": record_id}).fetchone()["kept"]


def revision(conn, kind, record_id, number):
    """Revision `number` of the record: `json`, the revision as the API sends it, and
    `state`, the record's JSON text then; or None."""
    params = {"kind": kind, "record_id": record_id, "number": number}
    return conn.execute(REVISION, params).fetchone()


def lock_latest(conn, kind, record_id):
    """The record's latest revision (number, operation, state), locked; or None."""
    return conn.execute(LATEST, {"kind": kind, "record_id": record_id}).fetchone()


def loaded(conn, kind, record_id):
    """(the operation of the record's latest revision, the state the seed loader last
    wrote there, decoded); None for what there is not."""
    row = conn.execute(
        LOADED, {"kind": kind, "record_id": record_id, "seed_author": SEED_AUTHOR}
    ).fetchone()
    return row["latest"], row["loaded"]


def prune(conn, before):
    """Delete the revisions made before `before`, but each record's latest; return how many."""
    return conn.execute(PRUNE, {"before": before}).rowcount
