"""Citations: quotes found in their sources' bodies, stored, and written as JSON."""

from psycopg import sql

from api.store import render
from schemas.codes import Message

# What a citation or a report embeds of its source (SourceSummarySchema).
SOURCE_FIELDS = ("id", "title", "publisher", "published_on", "url")
NOT_IN_SOURCE = Message("not_in_source", "Not found verbatim in the source's body.")


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
                f"{path}.{index}.source_id",
                Message("not_found", f"No source has the id {citation['source_id']}."),
            )
            continue
        start = body.find(citation["quote"])
        if start < 0:
            problems.add(f"{path}.{index}.quote", NOT_IN_SOURCE)
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
    """SQL for the JSON array of the citations whose `owner_column` is `owner`
    (api/store/render.py), as CitationSchema writes them."""
    return render.nested_list(
        [
            ("source_id", "c.source_id"),
            ("source", render.nested_object(render.columns("src", SOURCE_FIELDS))),
            ("quote", "c.quote"),
            ('"start"', "c.start_offset"),
            ('"end"', "c.end_offset"),
        ],
        # Aliases that no owner's query uses (a statement's is s, an event's e).
        f"citations c JOIN sources src ON src.id = c.source_id WHERE c.{owner_column} = {owner}",
        "c.position",
    )
