"""Querying /v1/locations: filters, geography, name search, sorting, paging, fields and sync."""

import json
import math
import uuid

import pytest

from api.store.geo import EARTH_RADIUS_KM
from tests import helpers
from tests.helpers import (
    OnlyReads,
    assert_lists,
    assert_parameter_refused,
    create,
    resolve_names,
)

LOCATIONS = "/v1/locations"

# name, kind, country, parent, aliases, latitude, longitude; created in this order.
DATA = [
    ("Azerbaijan", "country", "AZE", None, [], 40.5, 47.5),
    ("Tartar", "town", "AZE", "Azerbaijan", ["Terter"], 40.3444, 46.9311),
    ("Barda", "city", "AZE", "Azerbaijan", [], 40.3744, 47.1267),
    ("Nagorno-Karabakh", "region", "AZE", "Azerbaijan", ["Artsakh"], 39.83, 46.75),
    ("Khankendi", "city", "AZE", "Nagorno-Karabakh", ["Stepanakert"], 39.8153, 46.7519),
    ("Lachin corridor", "area", "AZE", "Azerbaijan", [], None, None),
    ("Yerevan", "city", "ARM", None, ["Erevan"], 40.1792, 44.4991),
    ("São Paulo", "city", "BRA", None, [], -23.5505, -46.6333),
    ("Sao Bento do Sul", "town", "BRA", None, [], -26.25, -49.38),
    # Either side of the antimeridian.
    ("Taveuni", "area", "FJI", None, [], -16.85, 179.5),
    ("Lakeba", "area", "FJI", None, [], -16.85, -179.5),
    ("Date Line Buoy", "facility", None, None, [], -16.85, -179.9),
    ("Null Island", "area", None, None, [], 0.0, 0.0),
    # Near the North Pole, on opposite meridians.
    ("Polar Station Alpha", "facility", None, None, [], 89.95, 10.0),
    ("Polar Station Beta", "facility", None, None, [], 89.95, -170.0),
    # Round (10, 20): just inside and just outside 50 km, north and east.
    ("Inner Post", "facility", "TCD", None, [], 10.44, 20.0),
    ("Outlying Post", "facility", "TCD", None, [], 10.46, 20.0),
    ("East Post", "facility", "TCD", None, [], 10.0, 20.45),
    ("Far East Post", "facility", "TCD", None, [], 10.0, 20.47),
]
CREATED = [row[0] for row in DATA]
# The names differ early enough that any collation orders them alike.
BY_NAME = sorted(CREATED)
LOCATED = [name for name in BY_NAME if name != "Lachin corridor"]
CAUCASUS = ["Azerbaijan", "Barda", "Khankendi", "Nagorno-Karabakh", "Tartar"]
FIJI = ["Date Line Buoy", "Lakeba", "Taveuni"]


def distance_km(latitude_1, longitude_1, latitude_2, longitude_2):
    """Great-circle distance (haversine), as the API computes it."""
    lat_1, lon_1, lat_2, lon_2 = map(
        math.radians, (latitude_1, longitude_1, latitude_2, longitude_2)
    )
    h = (
        math.sin((lat_2 - lat_1) / 2) ** 2
        + math.cos(lat_1) * math.cos(lat_2) * math.sin((lon_2 - lon_1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1, math.sqrt(h)))


def position(name):
    row = next(row for row in DATA if row[0] == name)
    return row[5], row[6]


def make_places(client, db=None):
    """The DATA locations, by name, as the API returned them when created."""
    made = {}
    for name, kind, country, parent, aliases, latitude, longitude in DATA:
        made[name] = create(
            client,
            LOCATIONS,
            {
                "name": name,
                "kind": kind,
                "country": country,
                "parent_id": made[parent]["id"] if parent else None,
                "aliases": aliases,
                "latitude": latitude,
                "longitude": longitude,
            },
        )
    return made


@pytest.fixture
def places(client):
    return make_places(client)


class ReadsThePlaces(OnlyReads):
    """A class of tests that only read the DATA locations, made once for the class."""

    build = staticmethod(make_places)

    @pytest.fixture
    def places(self, data):
        return data


def listed(client, query):
    response = client.get(LOCATIONS, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response


def follow(client, query):
    return helpers.follow(client, LOCATIONS, query)


class TestFilters(ReadsThePlaces):
    @pytest.mark.parametrize(
        ("query", "names"),
        [
            pytest.param({}, BY_NAME, id="none"),
            pytest.param(
                {"kind": "city"}, ["Barda", "Khankendi", "São Paulo", "Yerevan"], id="kind"
            ),
            pytest.param(
                {"kind": "town,region"},
                ["Nagorno-Karabakh", "Sao Bento do Sul", "Tartar"],
                id="kinds-or",
            ),
            pytest.param({"country": "ARM"}, ["Yerevan"], id="country"),
            pytest.param(
                {"country": "ARM,BRA"},
                ["Sao Bento do Sul", "São Paulo", "Yerevan"],
                id="countries-or",
            ),
            pytest.param(
                {"parent_id": ("Azerbaijan",)},
                ["Barda", "Lachin corridor", "Nagorno-Karabakh", "Tartar"],
                id="parent-direct-children-only",
            ),
            pytest.param(
                {"parent_id": ("Azerbaijan", "Nagorno-Karabakh")},
                ["Barda", "Khankendi", "Lachin corridor", "Nagorno-Karabakh", "Tartar"],
                id="parents-or",
            ),
            pytest.param(
                {"kind": "city", "country": "AZE"}, ["Barda", "Khankendi"], id="kind-and-country"
            ),
            pytest.param(
                {"kind": "city,town", "country": "AZE,ARM"},
                ["Barda", "Khankendi", "Tartar", "Yerevan"],
                id="kinds-or-and-countries-or",
            ),
            pytest.param(
                {"kind": "town", "parent_id": ("Azerbaijan", "Nagorno-Karabakh")},
                ["Tartar"],
                id="kind-and-parents",
            ),
            pytest.param({"kind": "airspace"}, [], id="kind-without-places"),
            pytest.param({"kind": "country", "country": "ARM"}, [], id="and-excludes"),
            pytest.param(
                {"kind": "facility", "bbox": "19,9,21,11"},
                ["East Post", "Far East Post", "Inner Post", "Outlying Post"],
                id="kind-and-bbox",
            ),
            pytest.param(
                {"country": "AZE", "near": "40.3444,46.9311", "radius_km": "25"},
                ["Barda", "Tartar"],
                id="country-and-near",
            ),
            pytest.param(
                {"bbox": "46,39,48,41", "near": "39.8,46.75", "radius_km": "10"},
                ["Khankendi", "Nagorno-Karabakh"],
                id="bbox-and-near",
            ),
            pytest.param(
                {"q": "post", "near": "10,20", "radius_km": "50"},
                ["East Post", "Inner Post"],
                id="q-and-near",
            ),
            pytest.param(
                {"q": "karabakh", "parent_id": ("Azerbaijan",)},
                ["Nagorno-Karabakh"],
                id="q-and-parent",
            ),
        ],
    )
    def test_lists_exactly_the_matching_places(self, client, places, query, names):
        response = listed(client, resolve_names(places, query))

        assert_lists(response, places, names)
        assert json.loads(response.headers["X-Pagination"])["total"] == len(names)


class TestBoundingBox(ReadsThePlaces):
    @pytest.mark.parametrize(
        ("bbox", "names"),
        [
            pytest.param("46,39,48,41", CAUCASUS, id="caucasus"),
            pytest.param("44,40,45,41", ["Yerevan"], id="yerevan-only"),
            pytest.param("46.9,40.3,47.2,40.4", ["Barda", "Tartar"], id="small"),
            pytest.param("47.5,40.5,48,41", ["Azerbaijan"], id="corner-is-inside"),
            pytest.param("46,39,47.4999,40.4999", CAUCASUS[1:], id="just-short-of-a-corner"),
            pytest.param("0,50,1,51", [], id="empty"),
            pytest.param("-180,-90,180,90", LOCATED, id="whole-world"),
            pytest.param("170,-30,-170,10", FIJI, id="across-the-antimeridian"),
            pytest.param("179.6,-30,-179.6,10", ["Date Line Buoy"], id="narrow-across"),
            pytest.param("-179.6,-20,179.6,-10", ["Lakeba", "Taveuni"], id="not-across"),
            pytest.param("-10,-30,10,10", ["Null Island"], id="round-null"),
            pytest.param("-60,-30,-40,-20", ["Sao Bento do Sul", "São Paulo"], id="southern-west"),
            pytest.param("0,89,180,90", ["Polar Station Alpha"], id="polar-east"),
            pytest.param("-180,89,0,90", ["Polar Station Beta"], id="polar-west"),
        ],
    )
    def test_places_inside(self, client, places, bbox, names):
        assert_lists(listed(client, {"bbox": bbox}), places, names)

    def test_across_the_antimeridian_with_a_filter(self, client, places):
        response = listed(client, {"bbox": "170,-30,-170,10", "country": "FJI"})

        assert_lists(response, places, ["Lakeba", "Taveuni"])


class TestRadius(ReadsThePlaces):
    def test_the_distances_the_cases_rely_on(self):
        centre = (10.0, 20.0)
        # 1° of latitude is about 111.2 km; a degree of longitude, that times cos(latitude).
        assert 48.9 < distance_km(*centre, *position("Inner Post")) < 49
        assert 49.2 < distance_km(*centre, *position("East Post")) < 49.3
        assert 51.1 < distance_km(*centre, *position("Outlying Post")) < 51.2
        assert 51.4 < distance_km(*centre, *position("Far East Post")) < 51.5
        date_line = (-16.85, 179.9)
        assert 21 < distance_km(*date_line, *position("Date Line Buoy")) < 22
        assert 42 < distance_km(*date_line, *position("Taveuni")) < 43
        assert 63 < distance_km(*date_line, *position("Lakeba")) < 64
        pole = (89.9, 10.0)
        assert 5.5 < distance_km(*pole, *position("Polar Station Alpha")) < 5.6
        assert 16.6 < distance_km(*pole, *position("Polar Station Beta")) < 16.7
        assert 5.5 < distance_km(90, 0, *position("Polar Station Beta")) < 5.6

    @pytest.mark.parametrize(
        ("near", "radius_km", "names"),
        [
            pytest.param("10,20", "50", ["East Post", "Inner Post"], id="just-inside-not-outside"),
            pytest.param("10,20", "49", ["Inner Post"], id="north-only"),
            pytest.param("10,20", "48.9", [], id="none"),
            pytest.param(
                "10,20",
                "52",
                ["East Post", "Far East Post", "Inner Post", "Outlying Post"],
                id="all-four",
            ),
            pytest.param("40.3444,46.9311", "0.001", ["Tartar"], id="the-centre-itself"),
            pytest.param("-16.85,179.9", "30", ["Date Line Buoy"], id="antimeridian-east-side"),
            pytest.param(
                "-16.85,179.9", "50", ["Date Line Buoy", "Taveuni"], id="antimeridian-both-sides"
            ),
            pytest.param("-16.85,179.9", "70", FIJI, id="antimeridian-wider"),
            pytest.param("-16.85,-179.9", "30", ["Date Line Buoy"], id="antimeridian-west-centre"),
            pytest.param("-16.85,-179.9", "50", ["Date Line Buoy", "Lakeba"], id="west-centre-50"),
            pytest.param("89.9,10", "10", ["Polar Station Alpha"], id="near-pole"),
            pytest.param(
                "89.9,10", "20", ["Polar Station Alpha", "Polar Station Beta"], id="over-the-pole"
            ),
            pytest.param("90,0", "6", ["Polar Station Alpha", "Polar Station Beta"], id="at-pole"),
            pytest.param("90,0", "5", [], id="at-pole-too-small"),
            pytest.param("-89.9,0", "100", [], id="south-pole"),
            pytest.param("40,47", "20000", LOCATED, id="huge"),
            pytest.param("0,0", "20038", LOCATED, id="largest"),
        ],
    )
    def test_places_within(self, client, places, near, radius_km, names):
        response = listed(client, {"near": near, "radius_km": radius_km})

        assert_lists(response, places, names)


class TestNameSearch(ReadsThePlaces):
    @pytest.mark.parametrize(
        ("q", "names"),
        [
            pytest.param("Tartar", ["Tartar"], id="name"),
            pytest.param("Terter", ["Tartar"], id="alias"),
            pytest.param("terter", ["Tartar"], id="alias-lower-case"),
            pytest.param("Stepanakert", ["Khankendi"], id="another-alias"),
            pytest.param("Erevan", ["Yerevan"], id="alias-also-a-typo"),
            # Sao Bento do Sul is one word away.
            pytest.param(
                "Sao Paulo", ["São Paulo", "Sao Bento do Sul"], id="without-accents-finds-accented"
            ),
            pytest.param("São", ["São Paulo", "Sao Bento do Sul"], id="accented-finds-unaccented"),
            pytest.param("SÃO BENTO", ["Sao Bento do Sul", "São Paulo"], id="accented-upper-case"),
            pytest.param("Nagorno Karabagh", ["Nagorno-Karabakh"], id="typo-and-no-hyphen"),
            pytest.param("Karabakh", ["Nagorno-Karabakh"], id="second-word"),
            pytest.param("Azerbaidjan", ["Azerbaijan"], id="typo"),
            pytest.param("Stepanakrt", ["Khankendi"], id="dropped-letter-in-alias"),
            pytest.param("Aze", ["Azerbaijan"], id="prefix"),
            pytest.param("Tar", ["Tartar"], id="short-prefix"),
            pytest.param(
                "Post",
                # Each has the word; the closer whole (fewer trigrams) first.
                ["East Post", "Inner Post", "Far East Post", "Outlying Post"],
                id="word-in-several",
            ),
            pytest.param("Polar", ["Polar Station Beta", "Polar Station Alpha"], id="prefix-two"),
            # Below five letters, no typo tolerance: 'baku' would be 0.4 like 'barda'.
            pytest.param("Baku", [], id="short-shares-only-first-letters"),
            pytest.param("Tav", ["Taveuni"], id="short-prefix-only-its-own"),
            pytest.param("Bakuu", [], id="nothing-like-it"),
            pytest.param("%", [], id="percent-is-literal"),
            pytest.param("_", [], id="underscore-is-literal"),
            pytest.param("\\", [], id="backslash-is-literal"),
        ],
    )
    def test_finds_and_ranks_best_first(self, client, places, q, names):
        assert_lists(listed(client, {"q": q}), places, names)

    @pytest.mark.parametrize("sort", ["name", "-name", "created_at"])
    def test_another_sort_with_q(self, client, places, sort):
        response = listed(client, {"q": "post", "sort": sort})
        expected = {
            "name": ["East Post", "Far East Post", "Inner Post", "Outlying Post"],
            "-name": ["Outlying Post", "Inner Post", "Far East Post", "East Post"],
            "created_at": ["Inner Post", "Outlying Post", "East Post", "Far East Post"],
        }[sort]

        assert_lists(response, places, expected)


class TestSort(ReadsThePlaces):
    @pytest.mark.parametrize(
        ("sort", "names"),
        [
            pytest.param(None, BY_NAME, id="default-name"),
            pytest.param("name", BY_NAME, id="name"),
            pytest.param("-name", BY_NAME[::-1], id="name-descending"),
            pytest.param("created_at", CREATED, id="created_at"),
            pytest.param("-created_at", CREATED[::-1], id="created_at-descending"),
        ],
    )
    def test_orders_by_the_field(self, client, places, sort, names):
        query = {"sort": sort} if sort else {}

        assert_lists(listed(client, query), places, names)

    def test_sort_with_a_geographic_filter(self, client, places):
        response = listed(client, {"sort": "-created_at", "bbox": "46,39,48,41"})

        assert_lists(
            response, places, ["Khankendi", "Nagorno-Karabakh", "Barda", "Tartar", "Azerbaijan"]
        )


class TestSortByWhenChanged:
    @pytest.mark.parametrize(
        ("sort", "names"),
        [
            pytest.param("updated_at", [*CREATED[1:], CREATED[0]], id="updated_at"),
            pytest.param("-updated_at", [CREATED[0], *CREATED[:0:-1]], id="updated_at-descending"),
        ],
    )
    def test_orders_by_when_changed(self, client, places, sort, names):
        first = places[CREATED[0]]
        response = client.patch(f"{LOCATIONS}/{first['id']}", json={"description": "State"})
        places[CREATED[0]] = response.get_json()

        assert_lists(listed(client, {"sort": sort}), places, names)


class TestPaging(ReadsThePlaces):
    def test_page_mode_with_a_total(self, client, places):
        response = listed(client, {"page": 3, "page_size": 5})

        assert_lists(response, places, BY_NAME[10:15])
        assert json.loads(response.headers["X-Pagination"])["total"] == len(DATA)

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param({}, id="name"),
            pytest.param({"sort": "-name"}, id="name-descending"),
            pytest.param({"sort": "created_at"}, id="created_at"),
            pytest.param({"sort": "-updated_at"}, id="updated_at-descending"),
            pytest.param({"bbox": "170,-30,-170,10"}, id="bbox-across"),
            pytest.param({"near": "40,47", "radius_km": "20000"}, id="near"),
            pytest.param({"kind": "facility,area", "sort": "-created_at"}, id="filtered"),
            pytest.param({"q": "a", "sort": "name"}, id="searched"),
        ],
    )
    @pytest.mark.parametrize("page_size", [1, 4, 19])
    def test_keyset_pages_to_the_end_as_page_mode_does(self, client, places, query, page_size):
        everything = listed(client, {**query, "page_size": 500}).get_json()

        records, pages = follow(client, {**query, "page_size": str(page_size)})

        assert records == everything
        assert len({record["id"] for record in records}) == len(records)
        assert pages == max(1, -(-len(everything) // page_size))


class TestFields(ReadsThePlaces):
    @pytest.mark.parametrize(
        "fields",
        [
            pytest.param(["name"], id="one"),
            pytest.param(["latitude", "longitude"], id="coordinates"),
            pytest.param(["parent", "aliases", "geo_precision"], id="embedded-and-lists"),
            pytest.param(["id"], id="only-id"),
        ],
    )
    def test_only_id_and_the_named_fields(self, client, places, fields):
        response = listed(client, {"fields": ",".join(fields), "country": "AZE", "kind": "city"})

        assert response.get_json() == [
            {key: places[name][key] for key in {"id", *fields}} for name in ["Barda", "Khankendi"]
        ]

    def test_with_keyset_paging_and_geography(self, client, places):
        records, pages = follow(
            client, {"fields": "name", "page_size": "2", "bbox": "170,-30,-170,10"}
        )

        assert pages == 2
        assert records == [{"id": places[name]["id"], "name": name} for name in FIJI]


class TestUpdatedSince:
    def test_only_records_changed_at_or_after(self, client, places):
        last = places[CREATED[-1]]
        response = client.patch(f"{LOCATIONS}/{places['Barda']['id']}", json={"aliases": ["Berde"]})
        places["Barda"] = response.get_json()

        since_last = listed(client, {"updated_since": last["updated_at"], "sort": "updated_at"})
        since_change = listed(client, {"updated_since": places["Barda"]["updated_at"]})
        since_start = listed(client, {"updated_since": places[CREATED[0]]["created_at"]})

        assert_lists(since_last, places, [CREATED[-1], "Barda"])
        assert_lists(since_change, places, ["Barda"])
        assert_lists(since_start, places, BY_NAME)
        assert_lists(listed(client, {"q": "Berde"}), places, ["Barda"])

    def test_with_geography(self, client, places):
        response = client.patch(f"{LOCATIONS}/{places['Taveuni']['id']}", json={"kind": "town"})
        places["Taveuni"] = response.get_json()

        response = listed(
            client, {"updated_since": places["Taveuni"]["updated_at"], "bbox": "170,-30,-170,10"}
        )

        assert_lists(response, places, ["Taveuni"])

    def test_a_place_that_loses_its_coordinates_no_longer_matches(self, client, places):
        response = client.patch(
            f"{LOCATIONS}/{places['Lakeba']['id']}", json={"latitude": None, "longitude": None}
        )
        assert response.status_code == 200

        assert_lists(
            listed(client, {"bbox": "170,-30,-170,10"}), places, ["Date Line Buoy", "Taveuni"]
        )
        assert listed(client, {"near": "-16.85,-179.5", "radius_km": "1"}).get_json() == []


class TestRefusals(ReadsThePlaces):
    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            pytest.param({"colour": "red"}, "colour", id="unknown"),
            pytest.param({"boundingbox": "0,0,1,1"}, "boundingbox", id="misspelt-filter"),
            pytest.param({"latitude": "40"}, "latitude", id="field-is-not-a-filter"),
            pytest.param({"title": "x"}, "title", id="filter-of-actors"),
            pytest.param({"kind": "planet"}, "kind", id="bad-kind"),
            pytest.param({"kind": "city,planet"}, "kind", id="one-bad-kind-of-several"),
            pytest.param({"country": "XYZ"}, "country", id="unknown-country"),
            pytest.param({"country": "aze"}, "country", id="lower-case-country"),
            pytest.param({"country": "AZE,XX"}, "country", id="one-bad-country-of-several"),
            pytest.param({"parent_id": "not-a-uuid"}, "parent_id", id="bad-uuid"),
            pytest.param(
                {"parent_id": f"{uuid.uuid4()},x"}, "parent_id", id="one-bad-uuid-of-several"
            ),
            pytest.param({"bbox": "46,39,48"}, "bbox", id="bbox-three-numbers"),
            pytest.param({"bbox": "46,39,48,41,5"}, "bbox", id="bbox-five-numbers"),
            pytest.param({"bbox": "46,39,48,91"}, "bbox", id="bbox-latitude-91"),
            pytest.param({"bbox": "46,-91,48,41"}, "bbox", id="bbox-latitude-minus-91"),
            pytest.param({"bbox": "181,39,48,41"}, "bbox", id="bbox-longitude-181"),
            pytest.param({"bbox": "46,41,48,39"}, "bbox", id="bbox-min-lat-above-max-lat"),
            pytest.param({"bbox": "a,b,c,d"}, "bbox", id="bbox-not-numbers"),
            pytest.param({"bbox": "46,39,nan,41"}, "bbox", id="bbox-nan"),
            pytest.param({"bbox": "46,39,inf,41"}, "bbox", id="bbox-infinite"),
            pytest.param({"bbox": ""}, "bbox", id="bbox-empty"),
            pytest.param({"near": "40,47"}, "radius_km", id="near-without-radius"),
            pytest.param({"radius_km": "50"}, "radius_km", id="radius-without-near"),
            pytest.param({"near": "40,47", "radius_km": "0"}, "radius_km", id="radius-zero"),
            pytest.param({"near": "40,47", "radius_km": "-5"}, "radius_km", id="radius-negative"),
            pytest.param(
                {"near": "40,47", "radius_km": "20039"}, "radius_km", id="radius-beyond-half-earth"
            ),
            pytest.param({"near": "40,47", "radius_km": "far"}, "radius_km", id="radius-text"),
            pytest.param({"near": "40,47", "radius_km": "nan"}, "radius_km", id="radius-nan"),
            pytest.param({"near": "91,47", "radius_km": "5"}, "near", id="near-latitude-91"),
            pytest.param({"near": "40,181", "radius_km": "5"}, "near", id="near-longitude-181"),
            pytest.param({"near": "40,47,3", "radius_km": "5"}, "near", id="near-three-numbers"),
            pytest.param({"near": "40", "radius_km": "5"}, "near", id="near-one-number"),
            pytest.param({"q": ""}, "q", id="empty-q"),
            pytest.param({"q": "a" * 201}, "q", id="q-too-long"),
            pytest.param({"q": "   "}, "q", id="blank-q"),
            pytest.param({"q": "Tar\x00tar"}, "q", id="q-with-nul"),
            pytest.param({"sort": "latitude"}, "sort", id="sort-by-unknown-field"),
            pytest.param({"sort": "relevance"}, "sort", id="relevance-without-q"),
            pytest.param({"fields": "name,population"}, "fields", id="fields-unknown-name"),
            pytest.param({"page": "2", "cursor": ""}, "cursor", id="page-and-cursor"),
            pytest.param({"cursor": "garbage"}, "cursor", id="garbage-cursor"),
            pytest.param(
                {"cursor": "", "q": "tar", "sort": "-relevance"},
                "cursor",
                id="cursor-with-relevance",
            ),
            pytest.param({"updated_since": "2020-09-30"}, "updated_since", id="updated-since-date"),
        ],
    )
    def test_422_naming_the_parameter(self, client, places, query, parameter):
        problem = assert_parameter_refused(client.get(LOCATIONS, query_string=query), parameter)
        assert problem["instance"] == LOCATIONS

    @pytest.mark.parametrize(
        ("query_string", "parameter"),
        [
            pytest.param("q=aze&q=arm", "q", id="q"),
            pytest.param("sort=name&sort=-name", "sort", id="sort"),
        ],
    )
    def test_a_repeated_parameter_is_422_not_cut_to_its_first_value(
        self, client, places, query_string, parameter
    ):
        assert_parameter_refused(client.get(f"{LOCATIONS}?{query_string}"), parameter)
