"""The flat CSV of events: one row per event, in the columns ACLED and UCDP GED users load.

GET /v1/events?profile=flat. What it adds to each event, in SQL: the places
that contain its location (walked up by parent_id, the country first); its
source_count and its estimates are the event's own, derived from its reports.
The codes follow the two data sets' codebooks:

- time_precision (ACLED): 1 the day is known, 2 the week, 3 the month or
  coarser (a year-precise event is 3: ACLED has no coarser code);
- date_prec (UCDP GED): 1 the day, 3 the week, 4 the month, 5 the year;
- geo_precision (ACLED): 1 the place itself (exact, settlement), 3 a larger
  region or the country (ACLED's 2, "near a town", has no equal here);
- where_prec (UCDP GED): 1 the place itself, 3 a region inside a region of
  the country (second order), 4 a region directly in the country (first
  order), 5 a front line (a linear feature), 6 the country, 7 airspace.

actor1 and actor2 are ACLED's: the first initiator and the first target (by
their order in the event); without an initiator, the first participant of
another role stands as actor1, and without a target, the next as actor2.
The other initiators and targets are assoc_actor_1 and assoc_actor_2.
admin1 and admin2 are the first and second regions or areas below the
country on the way down to the event's location (by parent_id), the location
itself counted when it is one: a town in a district in a province gives the
province and the district.
"""

import pycountry

from api.store.record import Profile, joined

# The places containing an event's location, from the outermost, and the location.
PLACES = """
    COALESCE((
        WITH RECURSIVE up (id, name, kind, country, geo_precision, parent_id, depth) AS (
            SELECT l.id, l.name, l.kind, l.country, l.geo_precision, l.parent_id, 0
            FROM locations l WHERE l.id = e.location_id
            UNION ALL
            SELECT l.id, l.name, l.kind, l.country, l.geo_precision, l.parent_id, up.depth + 1
            FROM locations l JOIN up ON l.id = up.parent_id
            WHERE up.depth < 32
        )
        SELECT json_agg(json_build_object('id', id, 'name', name, 'kind', kind,
            'geo_precision', geo_precision) ORDER BY depth DESC)
        FROM up
    ), '[]')
"""

TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
DATE_PREC = {"day": 1, "week": 3, "month": 4, "year": 5}
GEO_PRECISION = {"exact": 1, "settlement": 1, "region": 3, "country": 3}
# Location kinds that are admin areas when they stand between a country and a place.
AREA_KINDS = ("region", "area")


def sides(event):
    """(actor1, the other initiators, actor2, the other targets) as ACLED codes them."""
    participants = event["participants"]
    initiators = [p for p in participants if p["role"] == "initiator"]
    targets = [p for p in participants if p["role"] == "target"]
    others = [p for p in participants if p["role"] not in ("initiator", "target")]
    first = initiators[:1] or others[:1]
    rest = [p for p in others if p not in first]
    second = targets[:1] or rest[:1]
    return (
        first[0]["actor"] if first else None,
        [p["actor"] for p in initiators[1:]],
        second[0]["actor"] if second else None,
        [p["actor"] for p in targets[1:]],
    )


def _actor(number, key):
    def cell(event):
        actor = sides(event)[0 if number == 1 else 2]
        return actor[key] if actor else None

    return cell


def _associates(number):
    return lambda event: joined(a["name"] for a in sides(event)[1 if number == 1 else 3])


def admin_areas(event):
    """The names of the regions and areas below the country down to the location, the
    location itself included when it is one (see the module)."""
    places = event["places"]
    countries = [index for index, place in enumerate(places) if place["kind"] == "country"]
    below = places[countries[-1] + 1 :] if countries else places
    return [place["name"] for place in below if place["kind"] in AREA_KINDS]


def _admin(level):
    def cell(event):
        areas = admin_areas(event)
        return areas[level - 1] if len(areas) >= level else None

    return cell


def _location(key):
    return lambda event: (event["location"] or {}).get(key)


def country_name(event):
    """The name of the event's country: its containing country, or ISO 3166's name."""
    for place in event["places"]:
        if place["kind"] == "country":
            return place["name"]
    code = (event["location"] or {}).get("country")
    found = pycountry.countries.get(alpha_3=code) if code else None
    return found.name if found else None


def _precision(table):
    def cell(event):
        places = event["places"]
        return table.get(places[-1]["geo_precision"]) if places else None

    return cell


def where_prec(event):
    """UCDP GED's where_prec of the event's location (see the module)."""
    places = event["places"]
    if not places:
        return None
    place = places[-1]
    if place["kind"] == "airspace":
        return 7
    if place["kind"] == "frontline":
        return 5
    if place["kind"] == "country" or place["geo_precision"] == "country":
        return 6
    if place["kind"] in AREA_KINDS or place["geo_precision"] == "region":
        return 4 if len(admin_areas(event)) <= 1 else 3
    return 1 if place["geo_precision"] in ("exact", "settlement") else None


def _estimate(name, key, civilians=False):
    def cell(event):
        estimate = event[name] or {}
        return (estimate.get("civilians") or {}).get(key) if civilians else estimate.get(key)

    return cell


FLAT = Profile(
    description="One row per event, in the columns of ACLED and UCDP GED: actor1 and actor2,"
    " their kinds and countries; the country, admin1 and admin2 from the places containing"
    " its location; ACLED's time_precision and geo_precision and UCDP's date_prec and"
    " where_prec; deaths and injuries low/best/high; its number of sources.",
    members=(("places", PLACES),),
    csv=(
        ("event_id", lambda event: event["id"]),
        ("event_date", lambda event: event["start_date"]),
        ("date_start", lambda event: event["start_date"]),
        ("date_end", lambda event: event["end_date"]),
        ("year", lambda event: int(event["start_date"][:4])),
        ("date_precision", lambda event: event["date_precision"]),
        ("time_precision", lambda event: TIME_PRECISION.get(event["date_precision"])),
        ("date_prec", lambda event: DATE_PREC.get(event["date_precision"])),
        ("event_type", lambda event: event["event_type"]),
        ("mode", lambda event: event["mode"]),
        ("title", lambda event: event["title"]),
        ("actor1", _actor(1, "name")),
        ("actor1_id", _actor(1, "id")),
        ("actor1_kind", _actor(1, "kind")),
        ("actor1_country", _actor(1, "country")),
        ("assoc_actor_1", _associates(1)),
        ("actor2", _actor(2, "name")),
        ("actor2_id", _actor(2, "id")),
        ("actor2_kind", _actor(2, "kind")),
        ("actor2_country", _actor(2, "country")),
        ("assoc_actor_2", _associates(2)),
        ("iso", _location("country")),
        ("country", country_name),
        ("admin1", _admin(1)),
        ("admin2", _admin(2)),
        ("location", _location("name")),
        ("location_id", _location("id")),
        ("location_kind", _location("kind")),
        ("latitude", _location("latitude")),
        ("longitude", _location("longitude")),
        ("geo_precision", _precision(GEO_PRECISION)),
        ("where_prec", where_prec),
        (
            "place_precision",
            lambda event: event["places"][-1]["geo_precision"] if event["places"] else None,
        ),
        ("certainty", lambda event: event["certainty"]),
        ("fatalities_low", _estimate("fatalities", "low")),
        ("fatalities_best", _estimate("fatalities", "best")),
        ("fatalities_high", _estimate("fatalities", "high")),
        ("fatalities_civilians_low", _estimate("fatalities", "low", civilians=True)),
        ("fatalities_civilians_best", _estimate("fatalities", "best", civilians=True)),
        ("fatalities_civilians_high", _estimate("fatalities", "high", civilians=True)),
        ("injuries_low", _estimate("injuries", "low")),
        ("injuries_best", _estimate("injuries", "best")),
        ("injuries_high", _estimate("injuries", "high")),
        ("source_count", lambda event: event["source_count"]),
        ("source_ids", lambda event: joined(report["source_id"] for report in event["reports"])),
        ("notes", lambda event: event["notes"]),
        ("updated_at", lambda event: event["updated_at"]),
    ),
)

PROFILES = {"flat": FLAT}
