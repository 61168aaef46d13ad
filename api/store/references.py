"""What every write checks of the records it refers to, and of those that refer to it."""

import uuid

from psycopg import sql

from api.store.errors import InvalidInput, StillReferenced
from schemas.codes import Message


class Problems:
    """Collects 422 messages by field path, to report them all at once."""

    def __init__(self):
        self.errors = {}

    def add(self, path, message):
        self.errors.setdefault(path, []).append(message)

    def raise_any(self):
        if self.errors:
            raise InvalidInput(self.errors)


def existing_ids(conn, table, ids):
    """The ids among `ids` that are rows of `table`."""
    return {
        row["id"]
        for row in conn.execute(
            sql.SQL("SELECT id FROM {} WHERE id = ANY(%(ids)s)").format(sql.Identifier(table)),
            {"ids": list(set(ids))},
        )
    }


def check_exist(conn, problems, table, references, noun, *, found=None):
    """Report each (path, id) in `references` whose id is not a row of `table`.

    `found`, from existing_ids(), saves the query when many records are checked.
    """
    references = [(path, ref) for path, ref in references if ref is not None]
    if not references:
        return
    if found is None:
        found = existing_ids(conn, table, (ref for _, ref in references))
    for path, ref in references:
        if ref not in found:
            problems.add(path, Message("not_found", f"No {noun} has the id {ref}."))


def check_parent(conn, problems, table, record_id, parent_id, noun):
    """Report a parent that does not exist, or that would put the record inside itself."""
    if parent_id is None:
        return
    check_exist(conn, problems, table, [("parent_id", parent_id)], noun)
    if record_id is None or "parent_id" in problems.errors:
        return
    cycle = conn.execute(
        sql.SQL(
            """
            WITH RECURSIVE ancestors (id, parent_id) AS (
                SELECT id, parent_id FROM {table} WHERE id = %(parent_id)s
                UNION
                SELECT t.id, t.parent_id FROM {table} t JOIN ancestors a ON t.id = a.parent_id
            )
            SELECT EXISTS (SELECT 1 FROM ancestors WHERE id = %(record_id)s) AS cycle
            """
        ).format(table=sql.Identifier(table)),
        {"parent_id": parent_id, "record_id": record_id},
    ).fetchone()["cycle"]
    if cycle:
        problems.add("parent_id", Message("cycle", f"Would make this {noun} part of itself."))


def touch_embedders(conn, before, record, statements, record_id, *, changed=False):
    """Mark the records that embed this one's summary as changed, if the summary changed.

    A record's updated_at is what updated_since compares, so a client that
    mirrors the data by it would otherwise keep an old name inside an event.
    `statements` are UPDATEs of those records, given %(id)s; `changed` says
    the summary changed whatever the fields show.
    """
    if before is None:
        return
    if not changed and all(before[name] == record.get(name) for name in before):
        return
    for statement in statements:
        conn.execute(statement, {"id": record_id})


def refuse_if_referenced(conn, kind, query, record_id):
    """Raise StillReferenced when `query` finds records that refer to `record_id`.

    `query` selects (kind, id) rows of the referrers given %(id)s.
    """
    referrers = conn.execute(query, {"id": record_id}).fetchall()
    if referrers:
        raise StillReferenced(
            kind, [{"kind": row["kind"], "id": str(row["id"])} for row in referrers]
        )


def write_in_tree(conn, record, data, record_id=None):
    """Create a record of a kind nested by parent_id (actors, locations), or replace it
    when `record_id` exists; return its id.

    Its parent must exist and must not be the record or inside it; the records
    that embed its summary are marked as changed when the summary changes.
    """
    problems = Problems()
    check_parent(conn, problems, record.table, record_id, data.get("parent_id"), record.kind)
    problems.raise_any()
    before = record.summary_of(conn, record_id)
    record_id = record_id or uuid.uuid4()
    record.store(conn, data, record_id)
    touch_embedders(conn, before, data, record.embedded_in, record_id)
    return record_id
