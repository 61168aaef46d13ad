"""One q over every kind of record: each kind's best hits, and the words each matched.

Each kind is searched as its own list searches q (sorted by relevance where it
can be), with what q names looked up once for all of them.
"""

import json

from psycopg import sql

from api.resources.actors.store import RECORD as ACTORS
from api.resources.events.store import RECORD as EVENTS
from api.resources.locations.store import RECORD as LOCATIONS
from api.resources.sources.store import RECORD as SOURCES
from api.resources.statements.store import RECORD as STATEMENTS
from api.store.search import named, names_matched

# Each kind: its Record, and the fields of a hit (its id too).
KINDS = {
    "actors": (ACTORS, ["name", "kind", "country"]),
    "locations": (LOCATIONS, ["name", "kind", "country", "latitude", "longitude"]),
    "events": (EVENTS, ["title", "event_type", "start_date", "certainty"]),
    "statements": (STATEMENTS, ["text", "statement_type", "stated_on", "speaker"]),
    "sources": (SOURCES, ["title", "published_on"]),
}
MATCHED = "SELECT {alias}.id, {matched} AS matched FROM {source} WHERE {alias}.id = ANY(%(ids)s)"


def search(conn, q, limit):
    """The best `limit` hits of each kind for `q`, each with the words it matched."""
    found = named(conn, q)
    hits = {"q": q}
    for kind, (record, fields) in KINDS.items():
        args = {"q": q, "named": found, "page_size": limit, "fields_": fields}
        if "relevance" in record.args_schema.SORTS:
            args["sort"] = "relevance"
        records = [json.loads(row["json"]) for row in record.list(conn, args).items]
        matched = words_matched(conn, record, [r["id"] for r in records], found.params)
        hits[kind] = [{**r, "matched": matched.get(r["id"]) or [q]} for r in records]
    return hits


def words_matched(conn, record, ids, params):
    """The words each of the records `ids` matched, by id: its names (an actor or a
    place), or the words of its text and the names of what it is tied to."""
    if not ids:
        return {}
    text = record.text_search
    matched = text.matched() if text else names_matched(record.alias)
    query = sql.SQL(MATCHED).format(
        alias=sql.SQL(record.alias), matched=sql.SQL(matched), source=sql.SQL(record.source)
    )
    rows = conn.execute(query, {**params, "ids": ids}).fetchall()
    return {str(row["id"]): list(dict.fromkeys(row["matched"])) for row in rows}
