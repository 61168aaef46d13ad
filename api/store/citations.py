"""Citations: the flat list of a record's quotes (its reports' quotes) as JSON, and the
sources' bodies quotes are found in (api/store/reports.py writes them)."""


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
