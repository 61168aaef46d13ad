"""Sources: the documents that events and statements cite."""

import uuid

from flask import url_for
from flask.views import MethodView

from api import render
from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.query import Conditions, list_records
from api.records import (
    Problems,
    exists,
    merge_patch,
    refuse_if_referenced,
    summary,
    touch_embedders,
)
from schemas.sources import SourcePatchSchema, SourceQueryArgsSchema, SourceSchema

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description="The documents records are drawn from, with their full text.",
)

COLUMNS = """
    id, title, url, publisher, published_on, language, body, notes, created_at,
        updated_at
"""
SELECT_SOURCES = "SELECT " + COLUMNS + " FROM sources"
FIELDS = ("title", "url", "publisher", "published_on", "language", "body", "notes")
# A source as the JSON text the API sends (api/render.py), for lists.
JSON_MEMBERS = [
    *render.record_members("sources"),
    *render.columns("sources", FIELDS),
]
# What a list selects besides the JSON: the values its keyset cursors are made of.
SORT_COLUMNS = "id, published_on, title, created_at, updated_at"
WRITE_SOURCE = """
    INSERT INTO sources (id, title, url, publisher, published_on, language, body, notes)
    VALUES (%(id)s, %(title)s, %(url)s, %(publisher)s, %(published_on)s, %(language)s,
        %(body)s, %(notes)s)
    ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, url = EXCLUDED.url,
        publisher = EXCLUDED.publisher, published_on = EXCLUDED.published_on,
        language = EXCLUDED.language, body = EXCLUDED.body, notes = EXCLUDED.notes,
        updated_at = now()
"""
# What citing records embed of a source: its title (and offsets into its body).
SUMMARY_FIELDS = ("title",)
EMBEDDED_IN = (
    "UPDATE events SET updated_at = now()"
    " WHERE id IN (SELECT event_id FROM citations WHERE source_id = %(id)s)",
    "UPDATE statements SET updated_at = now()"
    " WHERE id IN (SELECT statement_id FROM citations WHERE source_id = %(id)s)",
)
REFERRERS = """
    SELECT DISTINCT 'event' AS kind, event_id AS id FROM citations WHERE source_id = %(id)s
        AND event_id IS NOT NULL
    UNION ALL
    SELECT DISTINCT 'statement', statement_id FROM citations WHERE source_id = %(id)s
        AND statement_id IS NOT NULL
    ORDER BY kind, id LIMIT 100
"""


def fetch(conn, source_id, *, lock=False):
    if lock and not exists(conn, "sources", source_id, lock=True):
        return None
    return conn.execute(SELECT_SOURCES + " WHERE id = %(id)s", {"id": source_id}).fetchone()


# Filters that are one condition on one parameter of the same name.
SIMPLE_FILTERS = {
    "publisher": "publisher = ANY(%(publisher)s)",
    "language": "language = ANY(%(language)s)",
    "url": "url = %(url)s",
    "published_from": "published_on >= %(published_from)s",
    "published_to": "published_on <= %(published_to)s",
    "q": "search @@ websearch_to_tsquery('english', %(q)s)",
    "updated_since": "updated_at >= %(updated_since)s",
}


def conditions(args, where=None):
    """The SQL conditions for the filters in `args` (a SourceQueryArgsSchema load)."""
    where = where or Conditions()
    for name, clause in SIMPLE_FILTERS.items():
        if name in args:
            where.add(clause, **{name: args[name]})
    return where


def list_sources(conn, args, where=None, *, rendered=False):
    """One page of the sources `args` select (plus any `where` conditions).

    `rendered`: each source as the JSON text the API sends (its `json`).
    """
    columns = COLUMNS
    if rendered:
        columns = render.list_columns(SORT_COLUMNS, JSON_MEMBERS, args.get("fields_"))
    return list_records(
        conn,
        columns=columns,
        rendered=rendered,
        source="sources",
        conditions=conditions(args, where),
        args=args,
        schema_cls=SourceQueryArgsSchema,
        alias="sources",
    )


def write(conn, source, *, source_id=None):
    """Create the source, or replace it when `source_id` exists; return it as stored.

    Citations of a replaced source follow its body, or the change is refused.
    """
    before = summary(conn, "sources", SUMMARY_FIELDS, source_id)
    source_id = source_id or uuid.uuid4()
    conn.execute(WRITE_SOURCE, {"id": source_id, **{name: source.get(name) for name in FIELDS}})
    moved = relocate_citations(conn, source_id, source["body"])
    touch_embedders(conn, before, source, EMBEDDED_IN, source_id, changed=moved)
    return fetch(conn, source_id)


def relocate_citations(conn, source_id, body):
    """Point every citation of the source at its quote in the new body.

    A citation whose quote is still at its offsets stays there; one whose quote
    is gone makes the change fail, naming who cites it. Returns whether any
    citation moved.
    """
    problems = Problems()
    moved = []
    citations = conn.execute(
        "SELECT id, quote, start_offset, event_id, statement_id FROM citations"
        " WHERE source_id = %(id)s ORDER BY id",
        {"id": source_id},
    ).fetchall()
    for citation in citations:
        quote, start = citation["quote"], citation["start_offset"]
        if body[start : start + len(quote)] == quote:
            continue
        start = body.find(quote)
        if start < 0:
            owner = (
                ("event", citation["event_id"])
                if citation["event_id"]
                else ("statement", citation["statement_id"])
            )
            problems.add(
                "body", f"No longer contains the quote {quote!r} cited by {owner[0]} {owner[1]}."
            )
            continue
        moved.append({"id": citation["id"], "start": start, "end": start + len(quote)})
    problems.raise_any()
    with conn.cursor() as cursor:
        cursor.executemany(
            "UPDATE citations SET start_offset = %(start)s, end_offset = %(end)s WHERE id = %(id)s",
            moved,
        )
    return bool(moved)


def delete(conn, source_id):
    refuse_if_referenced(conn, "source", REFERRERS, source_id)
    conn.execute("DELETE FROM sources WHERE id = %(id)s", {"id": source_id})


@blp.route("")
class Sources(MethodView):
    @blp.etag
    @blp.arguments(SourceQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, SourceSchema(many=True))
    @blp.listing()
    def get(self, args):
        """List sources, newest first, filtered, searched and sorted as asked."""
        with get_db().transaction() as conn:
            return blp.json_page(list_sources(conn, args, rendered=True))

    @blp.etag
    @blp.arguments(SourceSchema)
    @blp.response(201, SourceSchema)
    @blp.errors(409, 422)
    def post(self, source):
        """Create a source."""
        with get_db().transaction() as conn:
            created = write(conn, source)
        created_at(url_for("sources.SourceById", source_id=created["id"]))
        return created


@blp.route("/<uuid:source_id>")
class SourceById(MethodView):
    @blp.etag
    @blp.response(200, SourceSchema)
    @blp.errors(404)
    def get(self, source_id):
        """Get a source."""
        with get_db().single_statement() as conn:
            return fetch(conn, source_id) or not_found("source", source_id)

    @blp.etag
    @blp.arguments(SourceSchema)
    @blp.response(200, SourceSchema)
    @blp.errors(404, 409, 412, 422)
    def put(self, source, source_id):
        """Replace a source.

        ---
        Citations of the source are moved to where their quotes are in the new
        body; a body that drops a cited quote is refused with 422.
        """
        with get_db().transaction() as conn:
            current = fetch(conn, source_id, lock=True) or not_found("source", source_id)
            blp.check_etag(current, SourceSchema)
            return write(conn, source, source_id=source_id)

    @blp.etag
    @blp.arguments(SourcePatchSchema(partial=True))
    @blp.response(200, SourceSchema)
    @blp.errors(404, 409, 412, 422)
    def patch(self, changes, source_id):
        """Change some fields of a source."""
        with get_db().transaction() as conn:
            current = fetch(conn, source_id, lock=True) or not_found("source", source_id)
            blp.check_etag(current, SourceSchema)
            return write(conn, merge_patch(SourceSchema(), current, changes), source_id=source_id)

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 409, 412)
    def delete(self, source_id):
        """Delete a source that nothing cites."""
        with get_db().transaction() as conn:
            current = fetch(conn, source_id, lock=True) or not_found("source", source_id)
            blp.check_etag(current, SourceSchema)
            delete(conn, source_id)
