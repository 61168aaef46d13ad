"""Actors in PostgreSQL: the Record, and a write that keeps an actor out of its own tree."""


from api.store import render
from api.store.record import Record, column, columns, embedded
from api.store.references import write_in_tree
from api.store.search import name_rank, name_search, tolerate_typos
from schemas.actors import ActorQueryArgsSchema

# What other records embed of an actor (besides its id).
SUMMARY_FIELDS = ("name", "kind", "country")


def summary_members(alias):
    """The summary of actor `alias` as members of its JSON (api/store/render.py)."""
    return render.columns(alias, ("id", *SUMMARY_FIELDS))


RECORD = Record(
    kind="actor",
    table="actors",
    alias="a",
    members=[
        *columns("a", "name", "kind", "country", "parent_id"),
        embedded(
            "parent",
            render.nested_object(summary_members("p"), "actors p WHERE p.id = a.parent_id"),
            csv=[("parent_name", lambda record: (record["parent"] or {}).get("name"))],
        ),
        column("a", "title"),
        column("a", "aliases", empty=list),
        column("a", "description"),
    ],
    args_schema=ActorQueryArgsSchema,
    filters={
        "kind": "a.kind = ANY(%(kind)s)",
        "country": "a.country = ANY(%(country)s)",
        "parent_id": "a.parent_id = ANY(%(parent_id)s)",
        "updated_since": "a.updated_at >= %(updated_since)s",
    },
    more_conditions=name_search("a"),
    more_filters=("q",),
    rank=name_rank("a", countries=True),
    before_search=tolerate_typos,
    summary=SUMMARY_FIELDS,
    # The records that embed an actor's summary.
    embedded_in=(
        "UPDATE events SET updated_at = now()"
        " WHERE id IN (SELECT event_id FROM event_participants WHERE actor_id = %(id)s)",
        "UPDATE statements SET updated_at = now() WHERE speaker_id = %(id)s"
        " OR id IN (SELECT statement_id FROM statement_addressees WHERE actor_id = %(id)s)",
        "UPDATE actors SET updated_at = now() WHERE parent_id = %(id)s",
    ),
    referrers="""
        (SELECT 'actor' AS kind, id FROM actors WHERE parent_id = %(id)s)
        UNION
        (SELECT 'event', event_id FROM event_participants WHERE actor_id = %(id)s)
        UNION
        (SELECT 'statement', id FROM statements WHERE speaker_id = %(id)s)
        UNION
        (SELECT 'statement', statement_id FROM statement_addressees WHERE actor_id = %(id)s)
        ORDER BY kind, id LIMIT 100
    """,
)


def write(conn, actor, *, record_id=None, author=None):
    """Create the actor, or replace it when `record_id` exists; return its id."""
    return write_in_tree(conn, RECORD, actor, record_id)

