"""Locations: states, governments, forces, organisations and people."""

import uuid

from flask import url_for
from flask.views import MethodView

from api import formats, geo, render
from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.query import Conditions, list_records
from api.records import (
    Problems,
    check_parent,
    exists,
    merge_patch,
    refuse_if_referenced,
    summary,
    touch_embedders,
)
from api.search import name_match, name_rank, tolerate_typos
from schemas.locations import LocationPatchSchema, LocationQueryArgsSchema, LocationSchema

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/v1/locations",
    description="Countries, regions, towns, facilities, airspace and front lines.",
)

COLUMNS = """
    l.id, l.name, l.kind, l.country, l.parent_id,
        (SELECT json_build_object('id', p.id, 'name', p.name, 'kind', p.kind,
                'country', p.country, 'latitude', p.latitude, 'longitude', p.longitude)
            FROM locations p WHERE p.id = l.parent_id) AS parent,
        l.aliases, l.latitude, l.longitude, l.geo_precision, l.description,
        l.created_at, l.updated_at
"""
SELECT_LOCATIONS = "SELECT " + COLUMNS + " FROM locations l"
REFERRERS = """
    (SELECT 'location' AS kind, id FROM locations WHERE parent_id = %(id)s)
    UNION
    (SELECT 'event', id FROM events WHERE location_id = %(id)s)
    ORDER BY kind, id LIMIT 100
"""
WRITE_LOCATION = """
    INSERT INTO locations (id, name, kind, country, parent_id, aliases, latitude, longitude,
        geo_precision, description)
    VALUES (%(id)s, %(name)s, %(kind)s, %(country)s, %(parent_id)s, %(aliases)s, %(latitude)s,
        %(longitude)s, %(geo_precision)s, %(description)s)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
        country = EXCLUDED.country, parent_id = EXCLUDED.parent_id, aliases = EXCLUDED.aliases,
        latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
        geo_precision = EXCLUDED.geo_precision, description = EXCLUDED.description,
        updated_at = now()
"""
# The ids of the locations in %(inside_ids)s and of every place inside them.
INSIDE = """
    WITH RECURSIVE inside (id) AS (
        SELECT id FROM locations WHERE id = ANY(%(inside_ids)s)
        UNION
        SELECT l.id FROM locations l JOIN inside i ON l.parent_id = i.id
    )
    SELECT id FROM inside
"""
# What other records embed of a location, and the records that embed it.
SUMMARY_FIELDS = ("name", "kind", "country", "latitude", "longitude")
COORDINATES = ("latitude", "longitude")


def summary_members(alias):
    """The summary of location `alias` as members of its JSON (api/render.py)."""
    return [
        (name, render.float_json(f"{alias}.{name}") if name in COORDINATES else f"{alias}.{name}")
        for name in ("id", *SUMMARY_FIELDS)
    ]


# A location as the JSON text the API sends, for lists.
JSON_MEMBERS = [
    *render.record_members("l"),
    ("name", "l.name"),
    ("kind", "l.kind"),
    ("country", "l.country"),
    ("parent_id", "l.parent_id"),
    ("parent", render.nested_object(summary_members("p"), "locations p WHERE p.id = l.parent_id")),
    ("aliases", "l.aliases"),
    ("latitude", render.float_json("l.latitude")),
    ("longitude", render.float_json("l.longitude")),
    ("geo_precision", "l.geo_precision"),
    ("description", "l.description"),
]
# What a list selects besides the JSON: the values its keyset cursors are made of.
SORT_COLUMNS = "l.id, l.name, l.created_at, l.updated_at"
EMBEDDED_IN = (
    "UPDATE events SET updated_at = now() WHERE location_id = %(id)s",
    "UPDATE locations SET updated_at = now() WHERE parent_id = %(id)s",
)
FIELDS = (
    "name",
    "kind",
    "country",
    "parent_id",
    "latitude",
    "longitude",
    "geo_precision",
    "description",
)


def fetch(conn, location_id, *, lock=False):
    if lock and not exists(conn, "locations", location_id, lock=True):
        return None
    return conn.execute(SELECT_LOCATIONS + " WHERE l.id = %(id)s", {"id": location_id}).fetchone()


# Filters that are one condition on one parameter of the same name.
SIMPLE_FILTERS = {
    "kind": "l.kind = ANY(%(kind)s)",
    "country": "l.country = ANY(%(country)s)",
    "parent_id": "l.parent_id = ANY(%(parent_id)s)",
    "q": name_match("l"),
    "updated_since": "l.updated_at >= %(updated_since)s",
}


def conditions(args, where=None):
    """The SQL conditions for the filters in `args` (a LocationQueryArgsSchema load)."""
    where = where or Conditions()
    for name, clause in SIMPLE_FILTERS.items():
        if name in args:
            where.add(clause, **{name: args[name]})
    # Places without coordinates have no point: neither condition holds for them.
    if "bbox" in args:
        boxes, params = geo.in_boxes("l", geo.split_box(*args["bbox"]), "bbox")
        where.add(boxes, **params)
    if "near" in args:
        near, params = geo.within_radius("l", *args["near"], args["radius_km"])
        where.add(near, **params)
    return where


RANK = name_rank("l")


def list_locations(conn, args, where=None, *, rendered=False):
    """One page of the locations `args` select (plus any `where` conditions).

    `rendered`: each location as the JSON text the API sends (its `json`).
    """
    if "q" in args:
        tolerate_typos(conn)
    columns = COLUMNS
    if rendered:
        columns = render.list_columns(SORT_COLUMNS, JSON_MEMBERS, args.get("fields_"))
    return list_records(
        conn,
        columns=columns,
        rendered=rendered,
        source="locations l",
        conditions=conditions(args, where),
        args=args,
        schema_cls=LocationQueryArgsSchema,
        alias="l",
        rank=RANK,
    )


def write(conn, location, *, location_id=None):
    """Create the location, or replace it when `location_id` exists; return it as stored."""
    problems = Problems()
    check_parent(conn, problems, "locations", location_id, location.get("parent_id"), "location")
    problems.raise_any()
    before = summary(conn, "locations", SUMMARY_FIELDS, location_id)
    location_id = location_id or uuid.uuid4()
    conn.execute(
        WRITE_LOCATION,
        {
            "id": location_id,
            **{name: location.get(name) for name in FIELDS},
            "aliases": location.get("aliases") or [],
        },
    )
    touch_embedders(conn, before, location, EMBEDDED_IN, location_id)
    return fetch(conn, location_id)


def delete(conn, location_id):
    refuse_if_referenced(conn, "location", REFERRERS, location_id)
    conn.execute("DELETE FROM locations WHERE id = %(id)s", {"id": location_id})


@blp.route("")
class Locations(MethodView):
    @blp.etag
    @blp.arguments(LocationQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, LocationSchema(many=True))
    @blp.doc(**formats.alternatives_doc("geojson"))
    @blp.listing()
    def get(self, args):
        """List locations by name; also as GeoJSON (format=geojson).

        ---
        GeoJSON with format=geojson or Accept: application/geo+json.
        """
        return formats.respond(
            blp,
            args,
            schema=LocationSchema,
            allowed=("json", "geojson"),
            list_page=list_locations,
            json_page=lambda conn, args: list_locations(conn, args, rendered=True),
            geometry=(None, lambda location: location),
        )

    @blp.etag
    @blp.arguments(LocationSchema)
    @blp.response(201, LocationSchema)
    @blp.errors(422)
    def post(self, location):
        """Create a location."""
        with get_db().transaction() as conn:
            created = write(conn, location)
        created_at(url_for("locations.LocationById", location_id=created["id"]))
        return created


@blp.route("/<uuid:location_id>")
class LocationById(MethodView):
    @blp.etag
    @blp.response(200, LocationSchema)
    @blp.errors(404)
    def get(self, location_id):
        """Get a location."""
        with get_db().single_statement() as conn:
            return fetch(conn, location_id) or not_found("location", location_id)

    @blp.etag
    @blp.arguments(LocationSchema)
    @blp.response(200, LocationSchema)
    @blp.errors(404, 412, 422)
    def put(self, location, location_id):
        """Replace a location."""
        with get_db().transaction() as conn:
            current = fetch(conn, location_id, lock=True) or not_found("location", location_id)
            blp.check_etag(current, LocationSchema)
            return write(conn, location, location_id=location_id)

    @blp.etag
    @blp.arguments(LocationPatchSchema(partial=True))
    @blp.response(200, LocationSchema)
    @blp.errors(404, 412, 422)
    def patch(self, changes, location_id):
        """Change some fields of a location."""
        with get_db().transaction() as conn:
            current = fetch(conn, location_id, lock=True) or not_found("location", location_id)
            blp.check_etag(current, LocationSchema)
            return write(
                conn, merge_patch(LocationSchema(), current, changes), location_id=location_id
            )

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 409, 412)
    def delete(self, location_id):
        """Delete a location that nothing refers to."""
        with get_db().transaction() as conn:
            current = fetch(conn, location_id, lock=True) or not_found("location", location_id)
            blp.check_etag(current, LocationSchema)
            delete(conn, location_id)
