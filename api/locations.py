"""Locations: states, governments, forces, organisations and people."""

import uuid

from flask import url_for
from flask.views import MethodView

from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.records import (
    Problems,
    check_parent,
    lock_row,
    merge_patch,
    page_window,
    refuse_if_referenced,
)
from schemas.locations import LocationPatchSchema, LocationSchema

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/v1/locations",
    description="Countries, regions, towns, facilities, airspace and front lines.",
)

SELECT_LOCATIONS = """
    SELECT l.id, l.name, l.kind, l.country, l.parent_id,
        (SELECT json_build_object('id', p.id, 'name', p.name, 'kind', p.kind,
                'country', p.country, 'latitude', p.latitude, 'longitude', p.longitude)
            FROM locations p WHERE p.id = l.parent_id) AS parent,
        l.aliases, l.latitude, l.longitude, l.geo_precision, l.description,
        l.created_at, l.updated_at
    FROM locations l
"""
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
    if lock and not lock_row(conn, "locations", location_id):
        return None
    return conn.execute(SELECT_LOCATIONS + " WHERE l.id = %(id)s", {"id": location_id}).fetchone()


def count(conn):
    return conn.execute("SELECT count(*) AS n FROM locations").fetchone()["n"]


def list_page(conn, *, limit, offset):
    query = SELECT_LOCATIONS + " ORDER BY l.name, l.id LIMIT %(limit)s OFFSET %(offset)s"
    return conn.execute(query, {"limit": limit, "offset": offset}).fetchall()


def write(conn, location, *, location_id=None):
    """Create the location, or replace it when `location_id` exists; return it as stored."""
    problems = Problems()
    check_parent(conn, problems, "locations", location_id, location.get("parent_id"), "location")
    problems.raise_any()
    location_id = location_id or uuid.uuid4()
    conn.execute(
        WRITE_LOCATION,
        {
            "id": location_id,
            **{name: location.get(name) for name in FIELDS},
            "aliases": location.get("aliases") or [],
        },
    )
    return fetch(conn, location_id)


def delete(conn, location_id):
    refuse_if_referenced(conn, "location", REFERRERS, location_id)
    conn.execute("DELETE FROM locations WHERE id = %(id)s", {"id": location_id})


@blp.route("")
class Locations(MethodView):
    @blp.etag
    @blp.response(200, LocationSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List locations by name."""
        with get_db().transaction() as conn:
            pagination_parameters.item_count = count(conn)
            return list_page(conn, **page_window(pagination_parameters))

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
        with get_db().transaction() as conn:
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
