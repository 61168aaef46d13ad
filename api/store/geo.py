"""Geographic conditions without PostGIS: bounding boxes on a GiST index of points,
and great-circle distance for radius searches.

Boxes that cross the antimeridian, and circles that reach across it or over a
pole, are split into boxes that do not, so every query can use the index.
"""

import math

from psycopg import sql

EARTH_RADIUS_KM = 6371.0088


def split_box(min_lon, min_lat, max_lon, max_lat):
    """The boxes, none crossing 180°, that make up a (possibly crossing) box."""
    if min_lon <= max_lon:
        return [(min_lon, min_lat, max_lon, max_lat)]
    return [(min_lon, min_lat, 180.0, max_lat), (-180.0, min_lat, max_lon, max_lat)]


def boxes_around(latitude, longitude, radius_km):
    """Boxes that together contain every point within `radius_km` of the centre."""
    angle = radius_km / EARTH_RADIUS_KM
    delta_lat = math.degrees(angle)
    south, north = latitude - delta_lat, latitude + delta_lat
    if south <= -90 or north >= 90:
        # The circle contains a pole: every longitude is in reach.
        return [(-180.0, max(south, -90.0), 180.0, min(north, 90.0))]
    ratio = math.sin(angle) / math.cos(math.radians(latitude))
    if ratio >= 1:
        return [(-180.0, south, 180.0, north)]
    delta_lon = math.degrees(math.asin(ratio))
    west, east = longitude - delta_lon, longitude + delta_lon
    if west < -180:
        return split_box(west + 360, south, east, north)
    if east > 180:
        return split_box(west, south, east - 360, north)
    return [(west, south, east, north)]


def in_boxes(alias, boxes, prefix):
    """A condition true for rows of `alias` whose point lies in any of `boxes`.

    Written as the indexed expression point(longitude, latitude) so the GiST
    index on locations answers it.
    """
    clauses, params = [], {}
    for index, (west, south, east, north) in enumerate(boxes):
        names = {side: f"{prefix}{index}_{side}" for side in ("w", "s", "e", "n")}
        clauses.append(
            sql.SQL(
                "point({a}.longitude, {a}.latitude) <@ box(point({w}, {s}), point({e}, {n}))"
            ).format(
                a=sql.Identifier(alias),
                **{side: sql.Placeholder(name) for side, name in names.items()},
            )
        )
        params.update({names["w"]: west, names["s"]: south, names["e"]: east, names["n"]: north})
    return sql.SQL(" OR ").join(clauses), params


def great_circle_km(latitude, longitude, other_latitude, other_longitude):
    """The great-circle distance between two points (haversine), as within_radius computes it."""
    phi, other_phi = math.radians(latitude), math.radians(other_latitude)
    half = (
        math.sin((other_phi - phi) / 2) ** 2
        + math.cos(phi)
        * math.cos(other_phi)
        * math.sin(math.radians(other_longitude - longitude) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half)))


def within_radius(alias, latitude, longitude, radius_km, prefix="near"):
    """A condition true for rows of `alias` within `radius_km` (great-circle) of the centre."""
    boxes, params = in_boxes(alias, boxes_around(latitude, longitude, radius_km), prefix)
    distance = sql.SQL(
        "2 * %(earth_radius_km)s * asin(least(1, sqrt("
        "power(sin(radians({a}.latitude - %(near_lat)s) / 2), 2)"
        " + cos(radians(%(near_lat)s)) * cos(radians({a}.latitude))"
        " * power(sin(radians({a}.longitude - %(near_lon)s) / 2), 2))))"
    ).format(a=sql.Identifier(alias))
    params.update(
        near_lat=latitude,
        near_lon=longitude,
        radius_km=radius_km,
        earth_radius_km=EARTH_RADIUS_KM,
    )
    clause = sql.SQL("({boxes}) AND {distance} <= %(radius_km)s").format(
        boxes=boxes, distance=distance
    )
    return clause, params
