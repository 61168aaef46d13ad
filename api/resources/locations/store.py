"""Locations in PostgreSQL: the Record, places inside places, and coordinates."""


from psycopg import sql

from api.store import geo, render
from api.store.record import Record, column, columns, embedded
from api.store.references import write_in_tree
from api.store.search import name_rank, name_search, tolerate_typos
from schemas.locations import LocationQueryArgsSchema


def inside(parameter):
    """SQL of the ids of the locations in %(parameter)s and of every place inside them."""
    return sql.SQL(
        """
        WITH RECURSIVE inside (id) AS (
            SELECT id FROM locations WHERE id = ANY({ids})
            UNION
            SELECT l.id FROM locations l JOIN inside i ON l.parent_id = i.id
        )
        SELECT id FROM inside
        """
    ).format(ids=sql.Placeholder(parameter))


# What other records embed of a location (besides its id).
SUMMARY_FIELDS = ("name", "kind", "country", "latitude", "longitude", "geo_precision")
COORDINATES = ("latitude", "longitude")


def summary_members(alias):
    """The summary of location `alias` as members of its JSON (api/store/render.py)."""
    return [
        (name, render.float_json(f"{alias}.{name}") if name in COORDINATES else f"{alias}.{name}")
        for name in ("id", *SUMMARY_FIELDS)
    ]


_named = name_search("l")


def in_area(args, where):
    """q, bbox and near: places without coordinates have no point, and match neither
    bbox nor near."""
    _named(args, where)
    if "bbox" in args:
        boxes, params = geo.in_boxes("l", geo.split_box(*args["bbox"]), "bbox")
        where.add(boxes, **params)
    if "near" in args:
        near, params = geo.within_radius("l", *args["near"], args["radius_km"])
        where.add(near, **params)


RECORD = Record(
    kind="location",
    table="locations",
    alias="l",
    members=[
        *columns("l", "name", "kind", "country", "parent_id"),
        embedded(
            "parent",
            render.nested_object(summary_members("p"), "locations p WHERE p.id = l.parent_id"),
            csv=[("parent_name", lambda record: (record["parent"] or {}).get("name"))],
        ),
        column("l", "aliases", empty=list),
        *(column("l", name, json=render.float_json(f"l.{name}")) for name in COORDINATES),
        *columns("l", "geo_precision", "description"),
    ],
    args_schema=LocationQueryArgsSchema,
    filters={
        "kind": "l.kind = ANY(%(kind)s)",
        "country": "l.country = ANY(%(country)s)",
        "parent_id": "l.parent_id = ANY(%(parent_id)s)",
        "updated_since": "l.updated_at >= %(updated_since)s",
    },
    more_conditions=in_area,
    more_filters=("q", "bbox", "near"),
    rank=name_rank("l", countries=True),
    before_search=tolerate_typos,
    summary=SUMMARY_FIELDS,
    embedded_in=(
        "UPDATE events SET updated_at = now() WHERE location_id = %(id)s",
        "UPDATE locations SET updated_at = now() WHERE parent_id = %(id)s",
    ),
    referrers="""
        (SELECT 'location' AS kind, id FROM locations WHERE parent_id = %(id)s)
        UNION
        (SELECT 'event', id FROM events WHERE location_id = %(id)s)
        UNION
        (SELECT 'event', event_id FROM reports WHERE location_id = %(id)s)
        ORDER BY kind, id LIMIT 100
    """,
)


def write(conn, location, *, record_id=None, author=None):
    """Create the location, or replace it when `record_id` exists; return its id."""
    return write_in_tree(conn, RECORD, location, record_id)

