"""Data-layer helpers that every resource shares: references, citations, trees, patches, pages."""

import marshmallow as ma
from psycopg import sql

from api.store import render
from api.store.errors import InvalidInput, StillReferenced


class Problems:
    """Collects 422 messages by field path, to report them all at once."""

    def __init__(self):
        self.errors = {}

    def add(self, path, message):
        self.errors.setdefault(path, []).append(message)

    def raise_any(self):
        if self.errors:
            raise InvalidInput(self.errors)


def exists(conn, table, record_id, *, lock=False):
    """Return whether `table` has a row with this id; with `lock`, lock it.

    Locking makes writers of the same record queue behind each other, so the
    ETag a writer checks is still current when it writes.
    """
    query = sql.SQL("SELECT 1 FROM {} WHERE id = %(id)s{}").format(
        sql.Identifier(table), sql.SQL(" FOR UPDATE" if lock else "")
    )
    return conn.execute(query, {"id": record_id}).fetchone() is not None


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
            problems.add(path, f"No {noun} has the id {ref}.")


def source_bodies(conn, source_ids):
    """The bodies of the sources with these ids, by id; an id no source has is left out."""
    return {
        row["id"]: row["body"]
        for row in conn.execute(
            "SELECT id, body FROM sources WHERE id = ANY(%(ids)s)", {"ids": list(set(source_ids))}
        )
    }


def locate_quotes(conn, problems, citations, path="citations", *, bodies=None):
    """Return `citations` with the offsets of each quote in its source's body.

    A quote found more than once resolves to its first occurrence. `bodies`,
    from source_bodies(), saves fetching them when many records cite the same
    sources.
    """
    if bodies is None:
        bodies = source_bodies(conn, (citation["source_id"] for citation in citations))
    located = []
    for index, citation in enumerate(citations):
        body = bodies.get(citation["source_id"])
        if body is None:
            problems.add(
                f"{path}.{index}.source_id", f"No source has the id {citation['source_id']}."
            )
            continue
        start = body.find(citation["quote"])
        if start < 0:
            problems.add(f"{path}.{index}.quote", "Not found verbatim in the source's body.")
            continue
        located.append({**citation, "start": start, "end": start + len(citation["quote"])})
    return located


def insert_citations(conn, owner_column, owner_id, citations):
    """Store the located citations of one event or statement, in order."""
    with conn.cursor() as cursor:
        cursor.executemany(
            sql.SQL(
                "INSERT INTO citations ({owner}, position, source_id, quote, start_offset,"
                " end_offset) VALUES (%(owner_id)s, %(position)s, %(source_id)s, %(quote)s,"
                " %(start)s, %(end)s)"
            ).format(owner=sql.Identifier(owner_column)),
            [
                {"owner_id": owner_id, "position": position, **citation}
                for position, citation in enumerate(citations)
            ],
        )


def citations_json(owner_column, owner):
    """SQL for the JSON array of the citations whose `owner_column` is `owner` (api/render.py),
    as CitationSchema writes them."""
    return render.nested_list(
        [
            ("source_id", "c.source_id"),
            ("source", render.nested_object([("id", "src.id"), ("title", "src.title")])),
            ("quote", "c.quote"),
            ('"start"', "c.start_offset"),
            ('"end"', "c.end_offset"),
        ],
        # Aliases that no owner's query uses (a statement's is s, an event's e).
        f"citations c JOIN sources src ON src.id = c.source_id WHERE c.{owner_column} = {owner}",
        "c.position",
    )


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
        problems.add("parent_id", f"Would make this {noun} part of itself.")


def summary(conn, table, fields, record_id):
    """The fields of a record that other records embed, before a write; None if new."""
    if record_id is None:
        return None
    query = sql.SQL("SELECT {} FROM {} WHERE id = %(id)s").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in fields), sql.Identifier(table)
    )
    return conn.execute(query, {"id": record_id}).fetchone()


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


def input_form(schema, document):
    """Dump `document` (as the schema loads it) keeping only what the schema loads.

    That is the body a client would send to recreate the record as it is.
    """
    return sent_input(schema, schema.dump(document))


def sent_input(schema, sent):
    """The fields of `sent`, a record as the API sends it, that its schema loads."""
    return _strip_dump_only(schema, sent)


def _strip_dump_only(schema, dumped):
    form = {}
    for name, field in schema.fields.items():
        if field.dump_only or name not in dumped:
            continue
        value = dumped[name]
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Nested) and value is not None:
            if isinstance(field, ma.fields.List):
                value = [_strip_dump_only(inner.schema, item) for item in value]
            else:
                value = _strip_dump_only(inner.schema, value)
        form[name] = value
    return form


def merge_patch(schema, current, changes):
    """Apply the fields in `changes` to `current` (as the API sends it) and validate the result.

    Rules that span fields (end_date after start_date) are checked against the
    merged record, so a PATCH cannot produce what a PUT would refuse.
    """
    merged = {**sent_input(schema, current), **input_form(schema, changes)}
    return schema.load(merged)
