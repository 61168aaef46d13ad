"""Sources in PostgreSQL: the Record, and a write that keeps citations on their quotes."""

import uuid

from api.store.record import Record, columns
from api.store.references import Problems, touch_embedders
from api.store.search import TextSearch
from schemas.codes import Message
from schemas.sources import SourceQueryArgsSchema

RECORD = Record(
    kind="source",
    table="sources",
    alias="s",
    members=[
        *columns("s", "title", "url", "publisher", "published_on", "language", "body", "notes"),
    ],
    args_schema=SourceQueryArgsSchema,
    # Undated sources sort as the earliest: their cursors carry -infinity.
    sorts={"published_on": "coalesce(s.published_on, '-infinity')"},
    filters={
        "publisher": "s.publisher = ANY(%(publisher)s)",
        "language": "s.language = ANY(%(language)s)",
        "url": "s.url = %(url)s",
        "published_from": "s.published_on >= %(published_from)s",
        "published_to": "s.published_on <= %(published_to)s",
        "updated_since": "s.updated_at >= %(updated_since)s",
    },
    text_search=TextSearch("s.search"),
    # What reporting records embed of a source (and offsets into its body).
    summary=("title", "publisher", "published_on", "url"),
    embedded_in=(
        "UPDATE events SET updated_at = now()"
        " WHERE id IN (SELECT event_id FROM citations WHERE source_id = %(id)s)",
        "UPDATE statements SET updated_at = now()"
        " WHERE id IN (SELECT statement_id FROM citations WHERE source_id = %(id)s)",
    ),
    referrers="""
        SELECT DISTINCT 'event' AS kind, event_id AS id FROM citations WHERE source_id = %(id)s
            AND event_id IS NOT NULL
        UNION ALL
        SELECT DISTINCT 'statement', statement_id FROM citations WHERE source_id = %(id)s
            AND statement_id IS NOT NULL
        ORDER BY kind, id LIMIT 100
    """,
)


def write(conn, source, *, record_id=None):
    """Create the source, or replace it when `record_id` exists; return its id.

    Citations of a replaced source follow its body, or the change is refused.
    """
    before = RECORD.summary_of(conn, record_id)
    record_id = record_id or uuid.uuid4()
    RECORD.store(conn, source, record_id)
    moved = relocate_citations(conn, record_id, source["body"])
    touch_embedders(conn, before, source, RECORD.embedded_in, record_id, changed=moved)
    return record_id


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
                "body",
                Message(
                    "quote_removed",
                    f"No longer contains the quote {quote!r} cited by {owner[0]} {owner[1]}.",
                ),
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
