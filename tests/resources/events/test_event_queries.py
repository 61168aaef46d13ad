"""Tests of listing events: every filter, their combinations, sorts, sparse fields,
page and keyset paging, the related routes, strict query arguments and their docs.

Every test that lists reads the same small, known data set, built through the API,
and asserts exactly which events come back, in what order. The classes that only
read share one data set, built once for the class; a test that writes builds its own.
"""

import base64
import json
import re
import threading
import time
import uuid
from collections import Counter
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode

import psycopg
import pytest

from api.resources.events import store as events
from schemas.events import EventQueryArgsSchema
from tests.helpers import (
    OnlyReads,
    actor_body,
    assert_problem,
    create,
    location_body,
    source_body,
    statement_body,
)

EVENTS = "/v1/events"

# ---------------------------------------------------------------------------
# The data set
# ---------------------------------------------------------------------------

SOURCES = {
    "s1": "Azerbaijan’s Defense Ministry accused Armenian forces of shelling the town of "
    "Tartar. Dozens of people have been killed.",
    "s2": "Witnesses reported shelling near the reservoir outside Barda. "
    "A drone struck artillery positions near Vardenis.",
    "s3": "Armenia declared martial law and general mobilisation. An expedition camp on the "
    "sea ice was taken over. Both sides welcomed the humanitarian ceasefire.",
    # Cited by nothing.
    "s4": "Nothing of note happened.",
}

ACTORS = {
    "aze": {"name": "Azerbaijan", "kind": "state", "country": "AZE"},
    "arm": {"name": "Armenia", "kind": "state", "country": "ARM"},
    "fji": {"name": "Fiji", "kind": "state", "country": "FJI"},
    "un": {"name": "United Nations", "kind": "international_organization", "country": None},
    # Takes part in nothing.
    "rus": {"name": "Russia", "kind": "state", "country": "RUS"},
}

# name -> (parent, fields); parents come first.
LOCATIONS = {
    "aze": (None, {"name": "Azerbaijan", "kind": "country", "country": "AZE",
                   "latitude": 40.5, "longitude": 47.5, "geo_precision": "country"}),
    "district": ("aze", {"name": "Tartar District", "kind": "region", "country": "AZE",
                         "latitude": 40.4, "longitude": 46.9, "geo_precision": "region"}),
    "tartar": ("district", {"name": "Tartar", "kind": "town", "country": "AZE",
                            "latitude": 40.3444, "longitude": 46.9311}),
    "barda": ("aze", {"name": "Barda", "kind": "town", "country": "AZE",
                      "latitude": 40.3744, "longitude": 47.1266}),
    "arm": (None, {"name": "Armenia", "kind": "country", "country": "ARM",
                   "latitude": 40.1, "longitude": 45.0, "geo_precision": "country"}),
    "vardenis": ("arm", {"name": "Vardenis", "kind": "town", "country": "ARM",
                         "latitude": 40.1833, "longitude": 45.7333}),
    "fji": (None, {"name": "Fiji", "kind": "country", "country": "FJI",
                   "latitude": -17.7, "longitude": 178.1, "geo_precision": "country"}),
    # Either side of the antimeridian.
    "east": ("fji", {"name": "Eastside", "kind": "town", "country": "FJI",
                     "latitude": -16.8, "longitude": 179.5}),
    "west": ("fji", {"name": "Westside", "kind": "town", "country": "FJI",
                     "latitude": -16.8, "longitude": -179.5}),
    "pole": (None, {"name": "North Pole Camp", "kind": "area", "country": None,
                    "latitude": 89.9, "longitude": 45.0, "geo_precision": "exact"}),
}  # fmt: skip

# Created in this order; titles begin with distinct capitals, so any collation sorts
# them the same way.
EVENT_SPECS = {
    "shelling": {
        "title": "Shelling of Tartar",
        "event_type": "ASSAULT",
        "mode": "heavy-weapons",
        "certainty": "alleged",
        "start_date": "2020-09-27",
        "end_date": "2020-09-30",
        "place": "tartar",
        "participants": [("arm", "initiator"), ("aze", "target")],
        "fatalities": {"low": 24, "high": 99},
        "injuries": {"low": 10, "high": None},
        "citations": [("s1", "accused Armenian forces of shelling")],
    },
    "barda": {
        "title": "Missile strike on Barda",
        "event_type": "ASSAULT",
        "mode": "explosives",
        "certainty": "confirmed",
        "start_date": "2020-09-28",
        "place": "barda",
        "participants": [("arm", "initiator"), ("aze", "target")],
        "fatalities": {"low": 21, "high": 21},
        "injuries": {"low": 70, "high": None},
        # "shelling" only in a quote.
        "citations": [("s2", "reported shelling near the reservoir")],
    },
    "drone": {
        "title": "Drone attack near Vardenis",
        "event_type": "ASSAULT",
        "mode": "drone",
        "certainty": "disputed",
        "start_date": "2020-09-29",
        "end_date": "2020-10-01",
        "place": "vardenis",
        "participants": [("aze", "initiator"), ("arm", "target")],
        "fatalities": {"low": 2, "high": 5},
        # "artillery" only in a quote.
        "citations": [("s2", "A drone struck artillery positions")],
    },
    "curfew": {
        "title": "Curfew declared in Azerbaijan",
        "event_type": "COERCE",
        "mode": "curfew",
        "certainty": "reported",
        "start_date": "2020-09-28",
        "end_date": "2020-10-10",
        "place": "aze",
        "participants": [("aze", "initiator")],
    },
    "mobilise": {
        "title": "Armenia mobilises reservists",
        "event_type": "MOBILIZE",
        "mode": "troops",
        "certainty": "confirmed",
        "start_date": "2020-09-27",
        "place": "arm",
        "participants": [("arm", "initiator")],
        "citations": [("s3", "declared martial law and general mobilisation")],
    },
    "protest": {
        "title": "Protest in Eastside",
        "event_type": "PROTEST",
        "mode": "demo",
        "certainty": "reported",
        "start_date": "2021-03-01",
        "place": "east",
        "participants": [("fji", "participant")],
        "injuries": {"low": 3, "high": 4},
    },
    "riot": {
        "title": "Riot in Westside",
        "event_type": "PROTEST",
        "mode": "riot",
        "certainty": "alleged",
        "start_date": "2021-03-02",
        "place": "west",
        "participants": [("fji", "affected")],
        "fatalities": {"low": 0, "high": 1},
        "injuries": {"low": 12, "high": 20},
    },
    "polar": {
        "title": "North pole camp seized",
        "event_type": "COERCE",
        "mode": "seize",
        "certainty": "disputed",
        "start_date": "2019-04-01",
        "end_date": "2019-04-03",
        "place": "pole",
        "participants": [("un", "affected")],
        "citations": [("s3", "expedition camp on the sea ice")],
    },
    "ceasefire": {
        "title": "Humanitarian ceasefire agreed",
        "event_type": "AGREE",
        "mode": None,
        "certainty": "confirmed",
        "start_date": "2020-10-10",
        "place": None,
        "participants": [("aze", "participant"), ("arm", "participant"), ("un", "participant")],
    },
    "accusation": {
        "title": "Baku accuses Yerevan of attacks on civilians",
        "event_type": "ACCUSE",
        "mode": "allege",
        "certainty": "alleged",
        "start_date": "2020-09-30",
        "place": "district",
        "participants": [("aze", "initiator"), ("arm", "target")],
        "citations": [("s1", "Dozens of people have been killed.")],
    },
    "gunfire": {
        "title": "Gunfire at a Tartar checkpoint",
        # "shelling" in the summary.
        "summary": "Shelling was heard nearby.",
        "event_type": "ASSAULT",
        "mode": "firearms",
        "certainty": "reported",
        "start_date": "2020-10-05",
        "place": "tartar",
        "participants": [("aze", "target")],
        "fatalities": {"low": 1, "high": None},
    },
}
CREATION_ORDER = list(EVENT_SPECS)
ALL = set(EVENT_SPECS)
LOCATED = ALL - {"ceasefire"}


def build_data_set(client):
    """Create the sources, actors, locations, events and a statement; return their records."""
    sources = {
        name: create(
            client,
            "/v1/sources",
            source_body(title=f"Report {name}", url=f"https://example.org/{name}", body=body),
        )
        for name, body in SOURCES.items()
    }
    actors = {
        name: create(client, "/v1/actors", actor_body(**body)) for name, body in ACTORS.items()
    }
    places = {}
    for name, (parent, fields) in LOCATIONS.items():
        body = location_body(**{"aliases": [], "geo_precision": "settlement", **fields})
        body["parent_id"] = places[parent]["id"] if parent else None
        places[name] = create(client, "/v1/locations", body)
    events = {}
    for name, spec in EVENT_SPECS.items():
        spec = dict(spec)
        place = spec.pop("place")
        body = {
            **spec,
            "location_id": places[place]["id"] if place else None,
            "participants": [
                {"actor_id": actors[actor]["id"], "role": role}
                for actor, role in spec["participants"]
            ],
            "citations": [
                {"source_id": sources[source]["id"], "quote": quote}
                for source, quote in spec.get("citations", ())
            ],
        }
        events[name] = create(client, EVENTS, body)
    # A statement about the ceasefire citing s3: its citation is not the event's.
    create(
        client,
        "/v1/statements",
        statement_body(
            sources["s3"]["id"],
            actors["un"]["id"],
            [events["ceasefire"]["id"]],
            citations=[
                {
                    "source_id": sources["s3"]["id"],
                    "quote": "Both sides welcomed the humanitarian ceasefire.",
                }
            ],
        ),
    )
    return SimpleNamespace(sources=sources, actors=actors, places=places, events=events)


@pytest.fixture
def data(client):
    return build_data_set(client)


class ReadsTheDataSet(OnlyReads):
    """A class of tests that only read the data set, built once for the class."""

    build = staticmethod(lambda client, db: build_data_set(client))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def fill(template, data):
    """Put the ids of the data set into a query template: {actor[aze]}, {place[tartar]}..."""
    return template.format(
        source={name: record["id"] for name, record in data.sources.items()},
        actor={name: record["id"] for name, record in data.actors.items()},
        place={name: record["id"] for name, record in data.places.items()},
        event={name: record["id"] for name, record in data.events.items()},
        nowhere=str(uuid.uuid4()),
    )


def get_list(client, path, query=""):
    """GET a list, insist on 200, and return the response."""
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def names_of(data, records):
    by_id = {record["id"]: name for name, record in data.events.items()}
    return [by_id[record["id"]] for record in records]


def ordered(data, groups, *, descending=False):
    """Names in the order of ascending `groups` (ties within a group broken by id)."""
    flat = [
        name
        for group in groups
        for name in sorted(
            [group] if isinstance(group, str) else group, key=lambda n: data.events[n]["id"]
        )
    ]
    return flat[::-1] if descending else flat


def by_default_order(data, names):
    """The default order: latest start_date first, then id descending."""
    return sorted(
        names,
        key=lambda name: (data.events[name]["start_date"], data.events[name]["id"]),
        reverse=True,
    )


def assert_lists(client, data, path, query, expected_names):
    """The list is exactly these events, whole, in this order."""
    records = get_list(client, path, query).get_json()
    assert names_of(data, records) == expected_names
    assert records == [data.events[name] for name in expected_names]


def next_link(response):
    """The path and query of the Link rel="next" URL (keyset mode), or None."""
    link = response.headers.get("Link")
    if link is None:
        return None
    match = re.fullmatch(r'<http://localhost(/[^>]*)>; rel="next"', link)
    assert match, link
    return match.group(1)


def follow_cursor(client, path, query, page_size):
    """Page with cursors from the start to the end; return the pages."""
    url = f"{path}?{query + '&' if query else ''}page_size={page_size}&cursor="
    pages = []
    while url:
        assert len(pages) < 50, "the cursor never ends"
        response = get_list(client, url)
        assert "X-Pagination" not in response.headers
        pages.append(response.get_json())
        url = next_link(response)
    return pages


def error_fields(problem):
    """The query parameters a 422 names (the first part of each error path)."""
    return {key.split(".")[0] for key in problem.get("errors", {})}


def forged_cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------
# Each filter alone, several values, and combinations
# ---------------------------------------------------------------------------

FILTERS = [
    # Dates overlap the range, both ends inclusive.
    pytest.param("date_from=2020-09-29&date_to=2020-09-29", {"shelling", "drone", "curfew"},
                 id="dates-one-day-inside-spans"),
    pytest.param("date_from=2020-09-30&date_to=2020-09-30",
                 {"shelling", "drone", "curfew", "accusation"}, id="dates-last-day-of-span"),
    pytest.param("date_from=2020-09-28&date_to=2020-09-28",
                 {"shelling", "barda", "curfew"}, id="dates-single-day-event"),
    pytest.param("date_from=2020-10-01",
                 {"drone", "curfew", "protest", "riot", "ceasefire", "gunfire"},
                 id="date_from-alone"),
    pytest.param("date_to=2020-09-27", {"shelling", "mobilise", "polar"}, id="date_to-alone"),
    pytest.param("date_from=2020-10-10&date_to=2020-10-10", {"curfew", "ceasefire"},
                 id="dates-inclusive-end"),
    pytest.param("date_from=2019-04-03&date_to=2019-04-03", {"polar"}, id="dates-span-end"),
    pytest.param("date_from=2019-04-04&date_to=2020-09-26", set(), id="dates-gap"),
    pytest.param("date_to=2019-03-31", set(), id="date_to-before-all"),
    pytest.param("date_from=2021-03-03", set(), id="date_from-after-all"),
    # Vocabularies.
    pytest.param("event_type=ASSAULT", {"shelling", "barda", "drone", "gunfire"},
                 id="event_type"),
    pytest.param("event_type=COERCE", {"curfew", "polar"}, id="event_type-coerce"),
    pytest.param("event_type=ASSAULT,COERCE",
                 {"shelling", "barda", "drone", "gunfire", "curfew", "polar"},
                 id="event_type-or"),
    pytest.param("event_type=SANCTION", set(), id="event_type-none"),
    pytest.param("mode=heavy-weapons", {"shelling"}, id="mode"),
    pytest.param("mode=curfew,seize", {"curfew", "polar"}, id="mode-or"),
    pytest.param("mode=demo,riot", {"protest", "riot"}, id="mode-or-protest"),
    pytest.param("certainty=alleged", {"shelling", "riot", "accusation"}, id="certainty"),
    pytest.param("certainty=confirmed", {"barda", "mobilise", "ceasefire"},
                 id="certainty-confirmed"),
    pytest.param("certainty=disputed,reported",
                 {"drone", "polar", "curfew", "protest", "gunfire"}, id="certainty-or"),
    # Participants.
    pytest.param("actor_id={actor[fji]}", {"protest", "riot"}, id="actor_id-any-role"),
    pytest.param("actor_id={actor[un]}", {"polar", "ceasefire"}, id="actor_id-affected"),
    pytest.param("actor_id={actor[fji]},{actor[un]}", {"protest", "riot", "polar", "ceasefire"},
                 id="actor_id-or"),
    pytest.param("actor_id={actor[aze]}",
                 {"shelling", "barda", "drone", "curfew", "ceasefire", "accusation", "gunfire"},
                 id="actor_id-every-role"),
    pytest.param("actor_id={actor[rus]}", set(), id="actor_id-no-events"),
    pytest.param("actor_id={nowhere}", set(), id="actor_id-unknown"),
    pytest.param("initiator_id={actor[aze]}", {"drone", "curfew", "accusation"},
                 id="initiator_id"),
    pytest.param("initiator_id={actor[arm]}", {"shelling", "barda", "mobilise"},
                 id="initiator_id-arm"),
    pytest.param("initiator_id={actor[fji]}", set(), id="initiator_id-other-roles"),
    pytest.param("target_id={actor[aze]}", {"shelling", "barda", "gunfire"}, id="target_id"),
    pytest.param("target_id={actor[arm]}", {"drone", "accusation"}, id="target_id-arm"),
    pytest.param("target_id={actor[aze]},{actor[arm]}",
                 {"shelling", "barda", "gunfire", "drone", "accusation"}, id="target_id-or"),
    # Participants and dates: the dates are the participant's copy of its event's.
    pytest.param("actor_id={actor[aze]}&date_from=2020-09-30&date_to=2020-10-01",
                 {"shelling", "drone", "curfew", "accusation"}, id="actor_id-and-dates"),
    pytest.param("initiator_id={actor[aze]}&date_from=2020-09-30&date_to=2020-10-01",
                 {"drone", "curfew", "accusation"}, id="initiator_id-and-dates"),
    pytest.param("target_id={actor[aze]}&date_from=2020-09-30&date_to=2020-10-01",
                 {"shelling"}, id="target_id-and-dates"),
    pytest.param("actor_id={actor[arm]}&date_from=2020-10-02", {"ceasefire"},
                 id="actor_id-and-date_from"),
    pytest.param("actor_id={actor[aze]}&date_to=2020-09-28", {"shelling", "barda", "curfew"},
                 id="actor_id-and-date_to"),
    pytest.param("initiator_id={actor[arm]}&date_from=2020-09-29", {"shelling"},
                 id="initiator_id-and-span-reaching-date_from"),
    pytest.param("target_id={actor[aze]},{actor[arm]}&date_from=2020-09-29&date_to=2020-09-29",
                 {"shelling", "drone"}, id="target_id-or-and-one-day"),
    pytest.param("actor_id={actor[un]}&date_from=2019-04-02&date_to=2019-04-02", {"polar"},
                 id="actor_id-and-day-inside-span"),
    pytest.param("actor_id={actor[fji]}&date_from=2020-09-01&date_to=2020-09-30", set(),
                 id="actor_id-and-dates-disjoint"),
    # Places.
    pytest.param("country=AZE", {"shelling", "barda", "curfew", "accusation", "gunfire"},
                 id="country"),
    pytest.param("country=ARM", {"drone", "mobilise"}, id="country-arm"),
    pytest.param("country=AZE,ARM",
                 {"shelling", "barda", "curfew", "accusation", "gunfire", "drone", "mobilise"},
                 id="country-or"),
    pytest.param("country=FJI", {"protest", "riot"}, id="country-fji"),
    pytest.param("country=RUS", set(), id="country-none"),
    pytest.param("location_id={place[aze]}",
                 {"shelling", "barda", "curfew", "accusation", "gunfire"},
                 id="location_id-country-and-everything-inside"),
    pytest.param("location_id={place[district]}", {"shelling", "accusation", "gunfire"},
                 id="location_id-region-and-its-towns"),
    pytest.param("location_id={place[tartar]}", {"shelling", "gunfire"}, id="location_id-town"),
    pytest.param("location_id={place[fji]}", {"protest", "riot"}, id="location_id-fiji"),
    pytest.param("location_id={place[east]}", {"protest"}, id="location_id-east"),
    pytest.param("location_id={place[district]},{place[arm]}",
                 {"shelling", "accusation", "gunfire", "drone", "mobilise"}, id="location_id-or"),
    pytest.param("location_id={place[pole]}", {"polar"}, id="location_id-pole"),
    pytest.param("location_id={nowhere}", set(), id="location_id-unknown"),
    # Bounding boxes: min_lon,min_lat,max_lon,max_lat.
    pytest.param("bbox=46.5,40.2,47.2,40.5", {"shelling", "barda", "accusation", "gunfire"},
                 id="bbox"),
    pytest.param("bbox=44,39,48,41",
                 {"shelling", "barda", "curfew", "accusation", "gunfire", "drone", "mobilise"},
                 id="bbox-caucasus"),
    pytest.param("bbox=170,-20,-170,-10", {"protest", "riot"}, id="bbox-across-antimeridian"),
    pytest.param("bbox=170,-20,180,-10", {"protest"}, id="bbox-up-to-180"),
    pytest.param("bbox=-180,-20,-170,-10", {"riot"}, id="bbox-from-minus-180"),
    pytest.param("bbox=179.6,-20,-179.6,-10", set(), id="bbox-across-antimeridian-between"),
    pytest.param("bbox=0,89,90,90", {"polar"}, id="bbox-at-pole"),
    pytest.param("bbox=-180,-90,180,90", LOCATED, id="bbox-world"),
    # Radius searches: great-circle distance, just inside and just outside.
    pytest.param("near=40.3444,46.9311&radius_km=16.89", {"shelling", "accusation", "gunfire"},
                 id="near-just-outside-barda"),
    pytest.param("near=40.3444,46.9311&radius_km=16.9",
                 {"shelling", "accusation", "gunfire", "barda"}, id="near-just-inside-barda"),
    pytest.param("near=-16.8,179.9&radius_km=50", {"protest"}, id="near-east-of-antimeridian"),
    pytest.param("near=-16.8,179.9&radius_km=64", {"protest", "riot"},
                 id="near-reaching-across-antimeridian"),
    pytest.param("near=-16.8,-179.9&radius_km=50", {"riot"}, id="near-west-of-antimeridian"),
    pytest.param("near=-16.8,-179.9&radius_km=64", {"protest", "riot"},
                 id="near-reaching-back-across-antimeridian"),
    pytest.param("near=-16.8,180&radius_km=53.2", set(), id="near-on-180-just-outside"),
    pytest.param("near=-16.8,180&radius_km=53.25", {"protest", "riot"},
                 id="near-on-180-just-inside"),
    pytest.param("near=-16.8,-180&radius_km=53.25", {"protest", "riot"},
                 id="near-on-minus-180-just-inside"),
    pytest.param("near=90,0&radius_km=11.1", set(), id="near-pole-just-outside"),
    pytest.param("near=90,0&radius_km=11.2", {"polar"}, id="near-pole-just-inside"),
    pytest.param("near=89.95,-135&radius_km=16.65", set(), id="near-across-pole-just-outside"),
    pytest.param("near=89.95,-135&radius_km=16.7", {"polar"}, id="near-across-pole-just-inside"),
    pytest.param("near=88.5,45&radius_km=155.6", set(), id="near-high-latitude-just-outside"),
    pytest.param("near=88.5,45&radius_km=155.7", {"polar"}, id="near-high-latitude-just-inside"),
    pytest.param("near=-90,0&radius_km=20000", LOCATED - {"polar"}, id="near-south-pole-huge"),
    pytest.param("near=-90,0&radius_km=20038", LOCATED, id="near-south-pole-whole-earth"),
    pytest.param("near=0,0&radius_km=20038", LOCATED, id="near-equator-whole-earth"),
    # Casualties: the low estimate, at least.
    pytest.param("fatalities_min=0", {"shelling", "barda", "drone", "riot", "gunfire"},
                 id="fatalities_min-zero-skips-unknown"),
    pytest.param("fatalities_min=21", {"shelling", "barda"}, id="fatalities_min-equal"),
    pytest.param("fatalities_min=22", {"shelling"}, id="fatalities_min"),
    pytest.param("fatalities_min=100", set(), id="fatalities_min-above-all"),
    pytest.param("injuries_min=0", {"shelling", "barda", "protest", "riot"},
                 id="injuries_min-zero-skips-unknown"),
    pytest.param("injuries_min=10", {"shelling", "barda", "riot"}, id="injuries_min-equal"),
    pytest.param("injuries_min=12", {"barda", "riot"}, id="injuries_min"),
    # Sources cited by the event itself (not by a statement about it).
    pytest.param("source_id={source[s1]}", {"shelling", "accusation"}, id="source_id"),
    pytest.param("source_id={source[s2]}", {"barda", "drone"}, id="source_id-s2"),
    pytest.param("source_id={source[s3]}", {"mobilise", "polar"},
                 id="source_id-not-via-statements"),
    pytest.param("source_id={source[s1]},{source[s3]}",
                 {"shelling", "accusation", "mobilise", "polar"}, id="source_id-or"),
    pytest.param("source_id={source[s4]}", set(), id="source_id-uncited"),
    # Different filters: AND.
    pytest.param("event_type=ASSAULT&country=AZE", {"shelling", "barda", "gunfire"},
                 id="and-type-country"),
    pytest.param("actor_id={actor[aze]}&initiator_id={actor[arm]}", {"shelling", "barda"},
                 id="and-actor-initiator"),
    pytest.param("actor_id={actor[aze]}&initiator_id={actor[arm]}&date_from=2020-09-29",
                 {"shelling"}, id="and-actor-initiator-date"),
    pytest.param("event_type=ASSAULT&certainty=alleged,confirmed&date_from=2020-09-28",
                 {"shelling", "barda"}, id="and-type-certainty-date"),
    pytest.param("bbox=170,-20,-170,-10&certainty=alleged", {"riot"}, id="and-bbox-certainty"),
    pytest.param("location_id={place[aze]}&bbox=46.5,40.2,47.2,40.5&fatalities_min=22",
                 {"shelling"}, id="and-place-bbox-fatalities"),
    pytest.param("near=40.3444,46.9311&radius_km=20&target_id={actor[aze]}&injuries_min=50",
                 {"barda"}, id="and-near-target-injuries"),
    pytest.param("country=FJI&event_type=ASSAULT", set(), id="and-disjoint"),
    pytest.param("source_id={source[s2]}&q=artillery", {"drone"}, id="and-source-q"),
]  # fmt: skip


class TestFilters(ReadsTheDataSet):
    @pytest.mark.parametrize(("template", "expected"), FILTERS)
    def test_filter(self, client, data, template, expected):
        assert_lists(client, data, EVENTS, fill(template, data), by_default_order(data, expected))

    def test_no_filter_lists_everything_latest_first(self, client, data):
        expected = ordered(
            data,
            [
                "polar",
                ["shelling", "mobilise"],
                ["barda", "curfew"],
                "drone",
                "accusation",
                "gunfire",
                "ceasefire",
                "protest",
                "riot",
            ],
            descending=True,
        )
        assert expected == by_default_order(data, ALL)
        assert_lists(client, data, EVENTS, "", expected)


# ---------------------------------------------------------------------------
# Full-text search
# ---------------------------------------------------------------------------

SEARCHES = [
    # Title (A) above summary (B) above quote (C); English stemming.
    pytest.param("q=shelled", ["shelling", "gunfire", "barda"], id="stemming-ranked"),
    pytest.param("q=shelling", ["shelling", "gunfire", "barda"], id="ranked"),
    pytest.param("q=SHELLS", ["shelling", "gunfire", "barda"], id="case-and-plural"),
    pytest.param("q=artillery", ["drone"], id="word-only-in-a-quote"),
    pytest.param("q=reservoir", ["barda"], id="another-word-only-in-a-quote"),
    pytest.param("q=heard", ["gunfire"], id="word-only-in-a-summary"),
    pytest.param("q=shelling%20Tartar", ["shelling", "gunfire"], id="all-words"),
    pytest.param("q=shelling%20-reservoir", ["shelling", "gunfire"], id="websearch-not"),
    pytest.param("q=%22drone%20struck%22", ["drone"], id="websearch-phrase"),
    pytest.param("q=zeppelin", [], id="no-match"),
    pytest.param("q=shelling&sort=relevance", ["shelling", "gunfire", "barda"],
                 id="sort-relevance"),
    # Relevance is always best first.
    pytest.param("q=shelling&sort=-relevance", ["shelling", "gunfire", "barda"],
                 id="sort-minus-relevance"),
    pytest.param("q=shelling&sort=title", ["gunfire", "barda", "shelling"], id="sort-title"),
    pytest.param("q=shelling&sort=-start_date", ["gunfire", "barda", "shelling"],
                 id="sort-start_date"),
    pytest.param("q=shelling&country=AZE&event_type=ASSAULT", ["shelling", "gunfire", "barda"],
                 id="with-filters"),
    pytest.param("q=shelling&location_id={place[district]}", ["shelling", "gunfire"],
                 id="with-location"),
]  # fmt: skip


class TestSearch(ReadsTheDataSet):
    @pytest.mark.parametrize(("template", "expected"), SEARCHES)
    def test_search(self, client, data, template, expected):
        assert_lists(client, data, EVENTS, fill(template, data), expected)

    def test_title_ranks_above_quote(self, client, data):
        # Two events, the word in one's title and in the other's quote only: the
        # title one first, whichever was created first or has the larger id.
        names = names_of(data, get_list(client, EVENTS, "q=artillery%20OR%20drone").get_json())
        assert names == ["drone"]
        names = names_of(data, get_list(client, EVENTS, "q=reservoir%20OR%20Barda").get_json())
        assert names == ["barda"]
        names = names_of(data, get_list(client, EVENTS, "q=Vardenis%20OR%20reservoir").get_json())
        assert names == ["drone", "barda"]

    def test_stop_words_only_match_nothing(self, client, data):
        assert get_list(client, EVENTS, "q=the").get_json() == []


class TestSearchAfterAWrite:
    def test_search_follows_changes_to_the_text(self, client, data):
        drone = data.events["drone"]["id"]
        response = client.patch(f"{EVENTS}/{drone}", json={"summary": "Shelling followed."})
        assert response.status_code == 200, response.get_json()

        names = names_of(data, get_list(client, EVENTS, "q=shelled").get_json())
        # drone and gunfire now both have the word in their summaries: equally relevant,
        # so the id breaks the tie (descending, as relevance is best first).
        tied = sorted(["drone", "gunfire"], key=lambda n: data.events[n]["id"], reverse=True)
        assert names == ["shelling", *tied, "barda"]


# ---------------------------------------------------------------------------
# updated_since
# ---------------------------------------------------------------------------


class TestUpdatedSince(ReadsTheDataSet):
    def test_a_moment_before_everything_lists_everything(self, client, data):
        records = get_list(client, EVENTS, "updated_since=2000-01-01T00:00:00Z").get_json()
        assert names_of(data, records) == by_default_order(data, ALL)

    def test_a_moment_after_everything_lists_nothing(self, client, db, data):
        mark = db.execute("SELECT clock_timestamp() AS t").fetchone()["t"]
        query = urlencode({"updated_since": mark.isoformat()})
        assert get_list(client, EVENTS, query).get_json() == []


class TestUpdatedSinceAfterAChange:
    def test_only_records_changed_at_or_after_the_moment(self, client, db, data):
        mark = db.execute("SELECT clock_timestamp() AS t").fetchone()["t"]
        time.sleep(0.01)
        drone = data.events["drone"]["id"]
        response = client.patch(f"{EVENTS}/{drone}", json={"certainty": "confirmed"})
        assert response.status_code == 200, response.get_json()
        changed = response.get_json()

        records = get_list(client, EVENTS, urlencode({"updated_since": mark.isoformat()}))
        assert records.get_json() == [changed]
        # At exactly the moment of the change: included.
        at = urlencode({"updated_since": changed["updated_at"]})
        assert get_list(client, EVENTS, at).get_json() == [changed]
        # Combined with another filter: AND.
        both = urlencode({"updated_since": mark.isoformat(), "certainty": "disputed"})
        assert get_list(client, EVENTS, both).get_json() == []
        # The changed event is now the most recently updated.
        by_update = names_of(data, get_list(client, EVENTS, "sort=-updated_at").get_json())
        assert by_update == ["drone", *reversed([n for n in CREATION_ORDER if n != "drone"])]


# ---------------------------------------------------------------------------
# Sorting and sparse fields
# ---------------------------------------------------------------------------

# Each sort key's ascending order, as groups of events with equal values.
SORT_ORDERS = {
    "start_date": [
        "polar",
        ["shelling", "mobilise"],
        ["barda", "curfew"],
        "drone",
        "accusation",
        "gunfire",
        "ceasefire",
        "protest",
        "riot",
    ],
    "end_date": [
        "polar",
        "mobilise",
        "barda",
        ["shelling", "accusation"],
        "drone",
        "gunfire",
        ["curfew", "ceasefire"],
        "protest",
        "riot",
    ],
    "title": [
        "mobilise",
        "accusation",
        "curfew",
        "drone",
        "gunfire",
        "ceasefire",
        "barda",
        "polar",
        "protest",
        "riot",
        "shelling",
    ],
    "created_at": CREATION_ORDER,
    "updated_at": CREATION_ORDER,
}


class TestSort(ReadsTheDataSet):
    @pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
    @pytest.mark.parametrize("key", list(SORT_ORDERS))
    def test_sort(self, client, data, key, descending):
        expected = ordered(data, SORT_ORDERS[key], descending=descending)
        sort = f"-{key}" if descending else key
        assert_lists(client, data, EVENTS, f"sort={sort}", expected)

    @pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
    def test_ties_break_by_id_in_the_sort_direction(self, client, data, descending):
        records = get_list(client, EVENTS, f"sort={'-' if descending else ''}start_date").json
        pairs = [(record["start_date"], record["id"]) for record in records]
        assert pairs == sorted(pairs, reverse=descending)
        tied = [record["id"] for record in records if record["start_date"] == "2020-09-28"]
        assert tied == sorted(
            [data.events["barda"]["id"], data.events["curfew"]["id"]], reverse=descending
        )

    def test_sort_applies_to_filtered_lists(self, client, data):
        expected = ordered(data, ["accusation", "curfew", "gunfire", "barda", "shelling"])
        assert_lists(client, data, EVENTS, "country=AZE&sort=title", expected)


class TestFields(ReadsTheDataSet):
    def test_only_id_and_the_fields_asked_for(self, client, data):
        records = get_list(client, EVENTS, "fields=title,start_date").get_json()
        assert records == [
            {
                "id": data.events[name]["id"],
                "title": data.events[name]["title"],
                "start_date": data.events[name]["start_date"],
            }
            for name in by_default_order(data, ALL)
        ]

    def test_fields_with_filters_and_sort(self, client, data):
        records = get_list(client, EVENTS, "fields=location&country=FJI&sort=title").get_json()
        assert records == [
            {"id": data.events[name]["id"], "location": data.events[name]["location"]}
            for name in ("protest", "riot")
        ]

    def test_fields_id_alone(self, client, data):
        records = get_list(client, EVENTS, "fields=id&event_type=COERCE").get_json()
        assert records == [{"id": data.events[name]["id"]} for name in ("curfew", "polar")]


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------

KEYSET = [
    pytest.param("", 3, id="default-sort"),
    pytest.param("", 1, id="default-sort-one-per-page"),
    pytest.param("sort=start_date", 2, id="start_date"),
    pytest.param("sort=-end_date", 1, id="end_date-desc-every-tie"),
    pytest.param("sort=end_date", 4, id="end_date"),
    pytest.param("sort=title", 4, id="title"),
    pytest.param("sort=-title", 11, id="title-desc-exactly-one-page"),
    pytest.param("sort=created_at", 5, id="created_at"),
    pytest.param("sort=-updated_at", 3, id="updated_at-desc"),
    pytest.param("country=AZE,ARM&sort=-start_date", 2, id="filtered"),
    pytest.param("fields=title&sort=-end_date", 3, id="fields-without-the-sort-key"),
    pytest.param("q=shelling&sort=-start_date", 1, id="search-by-date"),
    pytest.param("event_type=SANCTION", 3, id="empty"),
]


class TestKeysetPaging(ReadsTheDataSet):
    @pytest.mark.parametrize(("query", "page_size"), KEYSET)
    def test_following_next_gives_the_page_mode_order(self, client, data, query, page_size):
        whole = get_list(client, EVENTS, f"{query + '&' if query else ''}page_size=500")
        expected = whole.get_json()

        pages = follow_cursor(client, EVENTS, query, page_size)

        concatenated = [record for page in pages for record in page]
        ids = [record["id"] for record in concatenated]
        assert len(ids) == len(set(ids)), "a record came twice"
        assert concatenated == expected
        assert all(len(page) == page_size for page in pages[:-1])
        assert len(pages) == max(1, -(-len(expected) // page_size))
        if expected:
            assert pages[-1]

    def test_next_link_keeps_the_other_arguments(self, client, data):
        response = get_list(client, EVENTS, "country=AZE&sort=title&page_size=2&cursor=")
        url = next_link(response)
        assert url.startswith(f"{EVENTS}?country=AZE&sort=title&page_size=2&cursor=")
        cursor = url.rsplit("cursor=", 1)[1]
        assert cursor

    def test_no_link_when_everything_fits(self, client, data):
        response = get_list(client, EVENTS, "cursor=&page_size=11")
        assert len(response.get_json()) == 11
        assert "Link" not in response.headers
        assert "X-Pagination" not in response.headers

    def test_a_cursor_is_refused_with_another_sort(self, client, data):
        url = next_link(get_list(client, EVENTS, "sort=title&page_size=2&cursor="))
        cursor = url.rsplit("cursor=", 1)[1]
        for sort in ("-title", "start_date", None):
            query = f"page_size=2&cursor={cursor}" + (f"&sort={sort}" if sort else "")
            problem = assert_problem(client.get(f"{EVENTS}?{query}"), 422, "cursor")
            assert error_fields(problem) == {"cursor"}

    def test_a_default_sort_cursor_works_with_that_sort_spelt_out(self, client, data):
        url = next_link(get_list(client, EVENTS, "page_size=4&cursor="))
        cursor = url.rsplit("cursor=", 1)[1]
        records = get_list(client, EVENTS, f"sort=-start_date&page_size=4&cursor={cursor}")
        assert names_of(data, records.get_json()) == by_default_order(data, ALL)[4:8]

    def test_relevance_refuses_cursors(self, client, data):
        response = client.get(f"{EVENTS}?q=shelling&sort=relevance&cursor=")
        problem = assert_problem(response, 422, "cursor")
        assert error_fields(problem) == {"cursor"}


class TestPageMode(ReadsTheDataSet):
    def test_x_pagination_and_link_keep_the_filters(self, client, data):
        query = "country=AZE,ARM&page_size=3"
        expected = by_default_order(
            data, {"shelling", "barda", "curfew", "accusation", "gunfire", "drone", "mobilise"}
        )
        base = f"<http://localhost{EVENTS}?country=AZE%2CARM&page_size=3&page="

        first = get_list(client, EVENTS, query)
        assert names_of(data, first.get_json()) == expected[:3]
        assert json.loads(first.headers["X-Pagination"]) == {
            "total": 7,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }
        assert first.headers["Link"] == (
            f'{base}1>; rel="first", {base}2>; rel="next", {base}3>; rel="last"'
        )

        second = get_list(client, EVENTS, query + "&page=2")
        assert names_of(data, second.get_json()) == expected[3:6]
        assert json.loads(second.headers["X-Pagination"]) == {
            "total": 7,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        assert second.headers["Link"] == (
            f'{base}1>; rel="first", {base}1>; rel="prev", '
            f'{base}3>; rel="next", {base}3>; rel="last"'
        )

        third = get_list(client, EVENTS, query + "&page=3")
        assert names_of(data, third.get_json()) == expected[6:]
        assert json.loads(third.headers["X-Pagination"]) == {
            "total": 7,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 3,
            "previous_page": 2,
        }
        assert third.headers["Link"] == (
            f'{base}1>; rel="first", {base}2>; rel="prev", {base}3>; rel="last"'
        )

    def test_total_counts_the_filtered_events(self, client, data):
        response = get_list(client, EVENTS, "q=shelling&page_size=2&page=2")
        assert names_of(data, response.get_json()) == ["barda"]
        assert json.loads(response.headers["X-Pagination"])["total"] == 3

    def test_a_page_past_the_end_is_empty(self, client, data):
        response = get_list(client, EVENTS, "event_type=PROTEST&page=2")
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"])["total"] == 2


# ---------------------------------------------------------------------------
# Actor filters and dates: each participant carries its event's dates
# ---------------------------------------------------------------------------

# The actor filters as they read before migration 0005: the events' own dates.
# The API must select exactly these events, in this order, whatever wrote them.
FROM_EVENTS_DATES = """
    SELECT e.id::text AS id, date_trunc('month', e.start_date)::date AS month FROM events e
    WHERE e.id IN (SELECT p.event_id FROM event_participants p WHERE p.actor_id = ANY(%(actors)s)
                   AND (%(role)s::text IS NULL OR p.role = %(role)s))
      AND daterange(e.start_date, e.end_date, '[]')
          && daterange(%(date_from)s::date, %(date_to)s::date, '[]')
    ORDER BY e.start_date DESC, e.id DESC
"""
STALE_PARTICIPANTS = """
    SELECT count(*) AS n FROM event_participants p LEFT JOIN events e ON e.id = p.event_id
    WHERE p.start_date IS DISTINCT FROM e.start_date OR p.end_date IS DISTINCT FROM e.end_date
"""
ROLES = {"actor_id": None, "initiator_id": "initiator", "target_id": "target"}
DATE_RANGES = [
    {},
    {"date_from": "2020-09-29", "date_to": "2020-09-29"},
    {"date_from": "2020-09-30", "date_to": "2020-10-01"},
    {"date_from": "2020-10-01"},
    {"date_to": "2020-09-27"},
    {"date_from": "2019-04-03", "date_to": "2019-04-03"},
    {"date_from": "2021-03-01", "date_to": "2021-12-31"},
    {"date_from": "2021-03-03"},
]


def assert_filters_read_the_events_dates(client, db, actor_ids, ranges=DATE_RANGES):
    """Each actor filter, with each date range, lists and counts what FROM_EVENTS_DATES does.

    The timeline, which takes the same filters, counts the same events per month.
    """
    assert db.execute(STALE_PARTICIPANTS).fetchone()["n"] == 0
    for name, role in ROLES.items():
        for actors in actor_ids:
            for dates in ranges:
                expected = db.execute(
                    FROM_EVENTS_DATES,
                    {"actors": actors, "role": role, "date_from": None, "date_to": None, **dates},
                ).fetchall()
                query = urlencode({name: ",".join(actors), **dates})
                response = get_list(client, EVENTS, f"{query}&page_size=100")
                assert [record["id"] for record in response.get_json()] == [
                    row["id"] for row in expected
                ], query
                assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)
                timeline = client.get(f"/v1/stats/timeline?interval=month&{query}").get_json()
                months = Counter(row["month"].isoformat() for row in expected)
                assert {
                    bucket["period"]: bucket["count"]
                    for bucket in timeline["buckets"]
                    if bucket["count"]
                } == months, query


def actor_sets(data, *groups):
    return [[data.actors[name]["id"] for name in group] for group in groups]


def event_put_body(record, **changes):
    """The body of a PUT that keeps `record` as it is but for `changes`."""
    body = {
        name: record[name]
        for name in (
            "title", "summary", "event_type", "mode", "start_date", "end_date",
            "date_precision", "location_id", "certainty", "fatalities", "injuries", "notes",
        )
    }  # fmt: skip
    body["participants"] = [
        {"actor_id": p["actor_id"], "role": p["role"]} for p in record["participants"]
    ]
    body["citations"] = [
        {"source_id": c["source_id"], "quote": c["quote"]} for c in record["citations"]
    ]
    return {**body, **changes}


def listed(client, data, query):
    """The names of the events a list with this query (ids filled in) returns."""
    return names_of(data, get_list(client, EVENTS, fill(query, data)).get_json())


class TestActorFiltersAndDates(ReadsTheDataSet):
    @pytest.mark.parametrize("sort", ["-start_date", "start_date"])
    @pytest.mark.parametrize(
        "filters",
        [
            "actor_id={actor[aze]}",
            "actor_id={actor[aze]},{actor[arm]}&date_from=2020-09-28",
            "target_id={actor[aze]}&date_to=2020-10-05",
            "initiator_id={actor[aze]}&date_from=2020-09-29&date_to=2020-10-10",
        ],
    )
    def test_pages_found_among_participations_are_those_found_among_events(
        self, client, data, filters, sort
    ):
        """An actor filter alone pages and counts through the participations (a Driver);
        with any other filter too, through the events: the pages are the same."""
        query = f"{fill(filters, data)}&sort={sort}"
        # Every event matches it; it makes the list page through the events.
        through_events = f"{query}&updated_since=2000-01-01T00:00:00Z"
        loaded = EventQueryArgsSchema().load(dict(parse_qsl(query)))
        assert events.participants_driver(loaded) is not None
        assert events.participants_driver(dict(loaded, updated_since=0)) is None

        pages = follow_cursor(client, EVENTS, query, 2)
        assert pages == follow_cursor(client, EVENTS, through_events, 2)
        assert sum(len(page) for page in pages) >= 3
        for page in (1, 2, 3, 9):
            driven = get_list(client, EVENTS, f"{query}&page_size=2&page={page}")
            plain = get_list(client, EVENTS, f"{through_events}&page_size=2&page={page}")
            assert driven.get_json() == plain.get_json()
            assert json.loads(driven.headers["X-Pagination"]) == json.loads(
                plain.headers["X-Pagination"]
            )

    def test_every_filter_reads_the_events_dates(self, client, data, db):
        actors = actor_sets(data, ["aze"], ["arm"], ["fji"], ["un"], ["rus"], ["aze", "un"])
        assert_filters_read_the_events_dates(client, db, actors)


class TestActorFiltersAndDatesAfterWrites:
    def test_put_moves_an_event_to_its_new_dates(self, client, data, db):
        shelling = data.events["shelling"]
        response = client.put(
            f"{EVENTS}/{shelling['id']}",
            json=event_put_body(shelling, start_date="2021-03-02", end_date="2021-03-05"),
        )
        assert response.status_code == 200, response.get_json()

        window = "actor_id={actor[aze]}&date_from=2020-09-27&date_to=2020-09-30"
        assert "shelling" not in listed(client, data, window)
        assert listed(client, data, "target_id={actor[aze]}&date_from=2021-03-04") == ["shelling"]
        assert_filters_read_the_events_dates(client, db, actor_sets(data, ["aze"], ["arm"]))

    def test_patch_of_the_dates_moves_the_event(self, client, data, db):
        drone = data.events["drone"]["id"]
        response = client.patch(
            f"{EVENTS}/{drone}", json={"start_date": "2019-04-02", "end_date": "2019-04-02"}
        )
        assert response.status_code == 200, response.get_json()
        assert listed(client, data, "initiator_id={actor[aze]}&date_to=2019-12-31") == ["drone"]

        # Only the end: the span now reaches into 2020 again.
        response = client.patch(f"{EVENTS}/{drone}", json={"end_date": "2020-09-29"})
        assert response.status_code == 200, response.get_json()
        assert "drone" in listed(client, data, "target_id={actor[arm]}&date_from=2020-09-29")
        assert_filters_read_the_events_dates(client, db, actor_sets(data, ["aze"], ["arm"]))

    def test_a_patch_of_other_fields_keeps_the_dates(self, client, data, db):
        curfew = data.events["curfew"]["id"]
        response = client.patch(f"{EVENTS}/{curfew}", json={"summary": "Extended."})
        assert response.status_code == 200, response.get_json()
        assert listed(
            client, data, "initiator_id={actor[aze]}&date_from=2020-10-10&date_to=2020-10-10"
        ) == ["curfew"]
        assert db.execute(STALE_PARTICIPANTS).fetchone()["n"] == 0

    def test_replaced_participants_carry_the_dates(self, client, data, db):
        curfew = data.events["curfew"]["id"]
        participants = [
            {"actor_id": data.actors["fji"]["id"], "role": "initiator"},
            {"actor_id": data.actors["arm"]["id"], "role": "target"},
        ]
        response = client.patch(f"{EVENTS}/{curfew}", json={"participants": participants})
        assert response.status_code == 200, response.get_json()

        window = "date_from=2020-10-02&date_to=2020-10-09"
        assert listed(client, data, "actor_id={actor[aze]}&" + window) == ["gunfire"]
        assert listed(client, data, "initiator_id={actor[fji]}&" + window) == ["curfew"]
        assert listed(client, data, "target_id={actor[arm]}&" + window) == ["curfew"]
        assert_filters_read_the_events_dates(
            client, db, actor_sets(data, ["aze"], ["arm"], ["fji"])
        )

    def test_an_end_date_left_out_is_the_start_date(self, client, data, db):
        accusation = data.events["accusation"]
        body = event_put_body(accusation, start_date="2020-10-03")
        del body["end_date"]
        response = client.put(f"{EVENTS}/{accusation['id']}", json=body)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["end_date"] == "2020-10-03"

        one_day = "initiator_id={actor[aze]}&date_from={day}&date_to={day}"
        assert listed(client, data, one_day.replace("{day}", "2020-10-03")) == [
            "accusation",
            "curfew",
        ]
        assert listed(client, data, one_day.replace("{day}", "2020-10-04")) == ["curfew"]
        # An event always has an end: null is refused, so no participant lacks one.
        response = client.put(f"{EVENTS}/{accusation['id']}", json={**body, "end_date": None})
        assert_problem(response, 422, "end_date")
        assert_filters_read_the_events_dates(client, db, actor_sets(data, ["aze"], ["arm"]))

    def test_bulk_imported_events_carry_their_dates(self, client, data, db):
        gunfire = data.events["gunfire"]
        new = event_put_body(
            gunfire,
            title="Artillery duel at dawn",
            start_date="2022-05-01",
            end_date="2022-05-03",
            participants=[{"actor_id": data.actors["rus"]["id"], "role": "initiator"}],
        )
        without_end = {**new, "title": "A second duel", "start_date": "2022-05-05"}
        del without_end["end_date"]
        # Replaces gunfire: new dates, and Armenia in place of Azerbaijan.
        replaced = event_put_body(
            gunfire,
            id=gunfire["id"],
            start_date="2022-05-02",
            end_date="2022-05-02",
            participants=[{"actor_id": data.actors["arm"]["id"], "role": "target"}],
        )
        response = client.post("/v1/events/bulk", json=[new, without_end, replaced])
        assert response.status_code == 201, response.get_json()

        assert listed(client, data, "target_id={actor[aze]}&date_from=2020-10-01") == []
        assert listed(
            client, data, "target_id={actor[arm]}&date_from=2022-05-02&date_to=2022-05-02"
        ) == ["gunfire"]
        records = get_list(
            client, EVENTS, fill("actor_id={actor[rus]}&date_from=2022-05-03", data)
        ).get_json()
        assert [record["title"] for record in records] == [
            "A second duel",
            "Artillery duel at dawn",
        ]
        assert_filters_read_the_events_dates(
            client, db, actor_sets(data, ["aze"], ["arm"], ["rus"])
        )

    def test_an_actor_in_two_roles_is_one_event(self, client, data, db):
        both = event_put_body(
            data.events["barda"],
            title="Friendly fire",
            start_date="2020-09-29",
            end_date="2020-09-29",
            participants=[
                {"actor_id": data.actors["aze"]["id"], "role": "initiator"},
                {"actor_id": data.actors["aze"]["id"], "role": "target"},
            ],
        )
        friendly_fire = create(client, EVENTS, both)

        response = get_list(
            client,
            EVENTS,
            fill("actor_id={actor[aze]}&date_from=2020-09-29&date_to=2020-09-29", data),
        )
        ids = [record["id"] for record in response.get_json()]
        assert ids.count(friendly_fire["id"]) == 1
        assert json.loads(response.headers["X-Pagination"])["total"] == len(ids) == 4
        assert_filters_read_the_events_dates(client, db, actor_sets(data, ["aze"], ["aze", "arm"]))


class TestParticipantDates:
    """The triggers of migration 0005, met by writes that do not go through the API."""

    def test_follow_an_update_of_the_event(self, data, db):
        db.execute(
            "UPDATE events SET start_date = start_date - 400, end_date = end_date - 300"
            " WHERE id = %s",
            [data.events["shelling"]["id"]],
        )
        assert db.execute(STALE_PARTICIPANTS).fetchone()["n"] == 0

    def test_cannot_be_written_apart_from_the_event(self, data, db):
        db.execute("UPDATE event_participants SET start_date = '1900-01-01', end_date = NULL")
        db.execute(
            "INSERT INTO event_participants (event_id, position, actor_id, role, start_date,"
            " end_date) VALUES (%s, 9, %s, 'participant', '1900-01-01', '1900-01-02')",
            [data.events["polar"]["id"], data.actors["rus"]["id"]],
        )
        assert db.execute(STALE_PARTICIPANTS).fetchone()["n"] == 0

    def test_copy_fills_them(self, data, db):
        with db.cursor().copy(
            "COPY event_participants (event_id, position, actor_id, role) FROM STDIN"
        ) as copy:
            copy.write_row((data.events["riot"]["id"], 5, data.actors["rus"]["id"], "participant"))
        row = db.execute(
            "SELECT start_date, end_date FROM event_participants WHERE position = 5"
        ).fetchone()
        assert (row["start_date"].isoformat(), row["end_date"].isoformat()) == (
            "2021-03-02",
            "2021-03-02",
        )

    def test_a_missing_event_is_still_a_foreign_key_violation(self, data, db):
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            db.execute(
                "INSERT INTO event_participants (event_id, position, actor_id, role)"
                " VALUES (%s, 0, %s, 'participant')",
                [uuid.uuid4(), data.actors["rus"]["id"]],
            )

    def test_a_change_of_dates_waits_for_participants_being_written(self, app, data, db):
        """A participant written while the event's dates change still gets the new dates."""
        polar = data.events["polar"]["id"]
        url = app.config["DATABASE_URL"]
        with psycopg.connect(url) as writing, psycopg.connect(url, autocommit=True) as moving:
            writing.execute(
                "INSERT INTO event_participants (event_id, position, actor_id, role)"
                " VALUES (%s, 7, %s, 'participant')",
                [polar, data.actors["rus"]["id"]],
            )
            move = threading.Thread(
                target=moving.execute,
                args=(
                    "UPDATE events SET start_date = '2018-01-01', end_date = '2018-01-02'"
                    " WHERE id = %s",
                    [polar],
                ),
            )
            move.start()
            move.join(0.5)
            assert move.is_alive(), "the change of dates did not wait for the participant"
            writing.commit()
            move.join(10)
            assert not move.is_alive()
        assert db.execute(STALE_PARTICIPANTS).fetchone()["n"] == 0
        assert (
            db.execute("SELECT start_date FROM event_participants WHERE position = 7")
            .fetchone()["start_date"]
            .isoformat()
            == "2018-01-01"
        )


# ---------------------------------------------------------------------------
# Related routes
# ---------------------------------------------------------------------------

RELATED = [
    pytest.param("/v1/actors/{actor[fji]}/events", "", {"protest", "riot"}, id="actor"),
    pytest.param("/v1/actors/{actor[fji]}/events", "certainty=alleged", {"riot"},
                 id="actor-certainty"),
    pytest.param("/v1/actors/{actor[aze]}/events", "initiator_id={actor[arm]}",
                 {"shelling", "barda"}, id="actor-initiator"),
    pytest.param("/v1/actors/{actor[aze]}/events", "event_type=ASSAULT&date_from=2020-10-01",
                 {"drone", "gunfire"}, id="actor-type-date"),
    pytest.param("/v1/actors/{actor[aze]}/events", "date_from=2020-09-30&date_to=2020-09-30",
                 {"shelling", "drone", "curfew", "accusation"}, id="actor-one-day"),
    pytest.param("/v1/actors/{actor[aze]}/events", "date_to=2020-09-28",
                 {"shelling", "barda", "curfew"}, id="actor-until"),
    pytest.param("/v1/actors/{actor[aze]}/events", "country=FJI", set(), id="actor-disjoint"),
    pytest.param("/v1/actors/{actor[rus]}/events", "", set(), id="actor-without-events"),
    pytest.param("/v1/actors/{actor[un]}/events", "bbox=0,89,90,90", {"polar"}, id="actor-bbox"),
    pytest.param("/v1/locations/{place[aze]}/events", "",
                 {"shelling", "barda", "curfew", "accusation", "gunfire"},
                 id="location-everything-inside"),
    pytest.param("/v1/locations/{place[district]}/events", "",
                 {"shelling", "accusation", "gunfire"}, id="location-region"),
    pytest.param("/v1/locations/{place[aze]}/events", "location_id={place[district]}",
                 {"shelling", "accusation", "gunfire"}, id="location-and-location_id"),
    pytest.param("/v1/locations/{place[aze]}/events", "location_id={place[arm]}", set(),
                 id="location-and-other-location_id"),
    pytest.param("/v1/locations/{place[aze]}/events", "event_type=ASSAULT",
                 {"shelling", "barda", "gunfire"}, id="location-type"),
    pytest.param("/v1/locations/{place[fji]}/events", "bbox=170,-20,180,-10", {"protest"},
                 id="location-bbox"),
    pytest.param("/v1/locations/{place[fji]}/events", "near=-16.8,-179.9&radius_km=50",
                 {"riot"}, id="location-near"),
    pytest.param("/v1/locations/{place[pole]}/events", "", {"polar"}, id="location-pole"),
    pytest.param("/v1/locations/{place[east]}/events", "actor_id={actor[fji]}", {"protest"},
                 id="location-actor"),
]  # fmt: skip


class TestRelatedRoutes(ReadsTheDataSet):
    @pytest.mark.parametrize(("path", "template", "expected"), RELATED)
    def test_takes_the_filters(self, client, data, path, template, expected):
        assert_lists(
            client,
            data,
            fill(path, data),
            fill(template, data),
            by_default_order(data, expected),
        )

    def test_search_ranks(self, client, data):
        path = fill("/v1/locations/{place[aze]}/events", data)
        assert_lists(client, data, path, "q=shelled", ["shelling", "gunfire", "barda"])

    def test_sorts(self, client, data):
        path = fill("/v1/actors/{actor[un]}/events", data)
        assert_lists(client, data, path, "sort=title", ["ceasefire", "polar"])
        assert_lists(client, data, path, "sort=-title", ["polar", "ceasefire"])

    @pytest.mark.parametrize(
        "path", ["/v1/actors/{actor[aze]}/events", "/v1/locations/{place[aze]}/events"]
    )
    def test_keyset_paging(self, client, data, path):
        path = fill(path, data)
        expected = get_list(client, path, "page_size=500").get_json()
        pages = follow_cursor(client, path, "sort=title", 2)
        assert [record for page in pages for record in page] == sorted(
            expected, key=lambda record: record["title"]
        )

    def test_page_mode_links_point_at_the_route(self, client, data):
        path = fill("/v1/locations/{place[aze]}/events", data)
        response = get_list(client, path, "page_size=2&page=2")
        assert json.loads(response.headers["X-Pagination"])["total"] == 5
        base = f"<http://localhost{path}?page_size=2&page="
        assert response.headers["Link"] == (
            f'{base}1>; rel="first", {base}1>; rel="prev", '
            f'{base}3>; rel="next", {base}3>; rel="last"'
        )

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/v1/actors/{nowhere}/events", id="unknown-actor"),
            pytest.param("/v1/locations/{nowhere}/events", id="unknown-location"),
            pytest.param("/v1/actors/{place[aze]}/events", id="location-id-as-actor"),
            pytest.param("/v1/locations/{actor[aze]}/events", id="actor-id-as-location"),
            pytest.param("/v1/actors/not-a-uuid/events", id="malformed-actor-id"),
            pytest.param("/v1/locations/not-a-uuid/events", id="malformed-location-id"),
        ],
    )
    def test_unknown_ids_are_404(self, client, data, path):
        assert_problem(client.get(fill(path, data)), 404)

    @pytest.mark.parametrize(
        "path", ["/v1/actors/{actor[aze]}/events", "/v1/locations/{place[aze]}/events"]
    )
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("evnt_type=ASSAULT", "evnt_type", id="unknown-parameter"),
            pytest.param("event_type=SHELLING", "event_type", id="bad-event_type"),
            pytest.param("sort=relevance", "sort", id="relevance-without-q"),
            pytest.param("near=40,46", "radius_km", id="near-without-radius"),
        ],
    )
    def test_refuses_what_the_list_refuses(self, client, data, path, query, field):
        problem = assert_problem(client.get(f"{fill(path, data)}?{query}"), 422, field)
        assert error_fields(problem) == {field}


# ---------------------------------------------------------------------------
# Strictness: every invalid query argument is a 422 naming it
# ---------------------------------------------------------------------------

INVALID = [
    pytest.param("evnt_type=ASSAULT", "evnt_type", id="unknown-parameter"),
    pytest.param("event_types=ASSAULT", "event_types", id="unknown-plural-parameter"),
    pytest.param("limit=10", "limit", id="unknown-limit"),
    pytest.param("event_type=SHELLING", "event_type", id="bad-event_type"),
    pytest.param("event_type=assault", "event_type", id="lower-case-event_type"),
    pytest.param("event_type=ASSAULT,NOPE", "event_type", id="one-bad-event_type-of-two"),
    pytest.param("event_type=", "event_type", id="empty-event_type"),
    pytest.param("mode=shelling", "mode", id="bad-mode"),
    pytest.param("certainty=certain", "certainty", id="bad-certainty"),
    pytest.param("actor_id=not-a-uuid", "actor_id", id="malformed-actor_id"),
    pytest.param("initiator_id=123", "initiator_id", id="malformed-initiator_id"),
    pytest.param("target_id=x", "target_id", id="malformed-target_id"),
    pytest.param("location_id=nowhere", "location_id", id="malformed-location_id"),
    pytest.param("source_id=", "source_id", id="empty-source_id"),
    pytest.param("country=XXX", "country", id="country-not-iso"),
    pytest.param("country=aze", "country", id="country-lower-case"),
    pytest.param("country=AZ", "country", id="country-alpha-2"),
    pytest.param("date_from=2020-02-30", "date_from", id="date_from-no-such-day"),
    pytest.param("date_to=2020-02-30", "date_to", id="date_to-no-such-day"),
    pytest.param("date_from=30/09/2020", "date_from", id="date_from-not-iso"),
    pytest.param("date_from=2020-09-30&date_to=2020-09-29", "date_to", id="date_to-before-from"),
    pytest.param("bbox=1,2,3", "bbox", id="bbox-three-numbers"),
    pytest.param("bbox=1,2,3,4,5", "bbox", id="bbox-five-numbers"),
    pytest.param("bbox=a,b,c,d", "bbox", id="bbox-not-numbers"),
    pytest.param("bbox=nan,0,1,1", "bbox", id="bbox-nan"),
    pytest.param("bbox=0,0,inf,1", "bbox", id="bbox-infinite"),
    pytest.param("bbox=0,0,1,91", "bbox", id="bbox-lat-91"),
    pytest.param("bbox=0,-91,1,0", "bbox", id="bbox-lat-minus-91"),
    pytest.param("bbox=0,0,181,1", "bbox", id="bbox-lon-181"),
    pytest.param("bbox=-181,0,1,1", "bbox", id="bbox-lon-minus-181"),
    pytest.param("bbox=0,10,1,5", "bbox", id="bbox-min_lat-above-max_lat"),
    pytest.param("near=91,0&radius_km=10", "near", id="near-lat-91"),
    pytest.param("near=0,181&radius_km=10", "near", id="near-lon-181"),
    pytest.param("near=40&radius_km=10", "near", id="near-one-number"),
    pytest.param("near=a,b&radius_km=10", "near", id="near-not-numbers"),
    pytest.param("near=40,46", "radius_km", id="near-without-radius_km"),
    pytest.param("radius_km=10", "radius_km", id="radius_km-without-near"),
    pytest.param("near=40,46&radius_km=0", "radius_km", id="radius_km-zero"),
    pytest.param("near=40,46&radius_km=-1", "radius_km", id="radius_km-negative"),
    pytest.param("near=40,46&radius_km=30000", "radius_km", id="radius_km-beyond-antipode"),
    pytest.param("near=40,46&radius_km=far", "radius_km", id="radius_km-not-a-number"),
    pytest.param("near=40,46&radius_km=nan", "radius_km", id="radius_km-nan"),
    pytest.param("fatalities_min=-1", "fatalities_min", id="fatalities_min-negative"),
    pytest.param("fatalities_min=many", "fatalities_min", id="fatalities_min-not-a-number"),
    pytest.param("fatalities_min=1.5", "fatalities_min", id="fatalities_min-fraction"),
    pytest.param("fatalities_min=2147483648", "fatalities_min", id="fatalities_min-too-big"),
    pytest.param("injuries_min=-1", "injuries_min", id="injuries_min-negative"),
    pytest.param("q=", "q", id="q-empty"),
    pytest.param("q=" + "a" * 201, "q", id="q-201-characters"),
    pytest.param("q=%20%20", "q", id="q-blank"),
    pytest.param("q=a%00b", "q", id="q-nul-character"),
    pytest.param("sort=nope", "sort", id="sort-unknown"),
    pytest.param("sort=--start_date", "sort", id="sort-double-minus"),
    pytest.param("sort=", "sort", id="sort-empty"),
    pytest.param("sort=relevance", "sort", id="sort-relevance-without-q"),
    pytest.param("sort=-relevance", "sort", id="sort-minus-relevance-without-q"),
    pytest.param("fields=nope", "fields", id="fields-unknown"),
    pytest.param("fields=title,nope", "fields", id="fields-one-unknown"),
    pytest.param("page=0", "page", id="page-zero"),
    pytest.param("page=x", "page", id="page-not-a-number"),
    pytest.param("page_size=501", "page_size", id="page_size-too-big"),
    pytest.param("page_size=0", "page_size", id="page_size-zero"),
    pytest.param("page=1&cursor=", "cursor", id="page-and-cursor"),
    pytest.param("cursor=garbage", "cursor", id="cursor-garbage"),
    pytest.param("cursor=!!!!", "cursor", id="cursor-not-base64"),
    pytest.param("cursor=" + forged_cursor({"a": 1}), "cursor", id="cursor-not-a-list"),
    pytest.param("cursor=" + forged_cursor(["-start_date", "2020"]), "cursor",
                 id="cursor-too-short"),
    pytest.param("cursor=" + forged_cursor(["-start_date", "not-a-date", str(uuid.uuid4())]),
                 "cursor", id="cursor-forged-value"),
    pytest.param("cursor=" + forged_cursor(["-start_date", "2020-09-27", "not-a-uuid"]),
                 "cursor", id="cursor-forged-id"),
    pytest.param("cursor=" + "a" * 1001, "cursor", id="cursor-too-long"),
    pytest.param("updated_since=2020-09-30T00:00:00", "updated_since",
                 id="updated_since-without-offset"),
    pytest.param("updated_since=yesterday", "updated_since", id="updated_since-not-a-moment"),
    pytest.param("format=xml", "format", id="format-unknown"),
]  # fmt: skip


class TestStrictness:
    @pytest.mark.parametrize(("query", "field"), INVALID)
    def test_refuses_invalid_argument(self, client, query, field):
        problem = assert_problem(client.get(f"{EVENTS}?{query}"), 422)
        # The parameter is named as a whole, even for one bad value of a list.
        assert set(problem["errors"]) == {field}, problem
        assert problem["detail"] == f"Invalid input: {field}."

    def test_names_every_invalid_argument_at_once(self, client):
        response = client.get(f"{EVENTS}?evnt_type=ASSAULT&mode=nope&page=0&country=XXX")
        problem = assert_problem(response, 422)
        assert error_fields(problem) == {"evnt_type", "mode", "page", "country"}

    @pytest.mark.parametrize(
        ("query", "field", "union"),
        [
            pytest.param(
                "event_type=ASSAULT&event_type=COERCE",
                "event_type",
                {"shelling", "barda", "drone", "gunfire", "curfew", "polar"},
                id="event_type",
            ),
            pytest.param(
                "country=FJI&country=ARM",
                "country",
                {"protest", "riot", "drone", "mobilise"},
                id="country",
            ),
        ],
    )
    def test_a_repeated_parameter_is_not_silently_cut_short(
        self, client, data, query, field, union
    ):
        # Either every value counts (OR) or the repetition is refused; never only the first.
        response = client.get(f"{EVENTS}?{query}")
        if response.status_code == 200:
            assert names_of(data, response.get_json()) == by_default_order(data, union)
        else:
            problem = assert_problem(response, 422)
            assert error_fields(problem) == {field}


# ---------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------

QUERY_PARAMETERS = {
    "profile",
    "page",
    "page_size",
    "cursor",
    "sort",
    "fields",
    "updated_since",
    "date_from",
    "date_to",
    "event_type",
    "mode",
    "certainty",
    "certainty_set_by_hand",
    "reported_as",
    "include",
    "actor_id",
    "initiator_id",
    "target_id",
    "country",
    "location_id",
    "bbox",
    "near",
    "radius_km",
    "fatalities_min",
    "injuries_min",
    "source_id",
    "min_sources",
    "q",
    "format",
}


@pytest.mark.parametrize(
    "path", [EVENTS, "/v1/actors/{actor_id}/events", "/v1/locations/{location_id}/events"]
)
def test_openapi_documents_every_query_parameter(client, path):
    spec = client.get("/openapi.json").get_json()
    parameters = [p for p in spec["paths"][path]["get"]["parameters"] if p.get("in") == "query"]

    assert {p["name"] for p in parameters} == QUERY_PARAMETERS
    assert len(parameters) == len(QUERY_PARAMETERS)
    undescribed = sorted(p["name"] for p in parameters if not p.get("description"))
    assert undescribed == []
    without_example = sorted(
        p["name"]
        for p in parameters
        if "example" not in p and "example" not in p.get("schema", {}) and "examples" not in p
    )
    assert without_example == []
