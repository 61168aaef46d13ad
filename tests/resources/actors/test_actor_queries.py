"""Querying /v1/actors: filters, name search, sorting, paging, sparse fields and sync."""

import json
import uuid

import pytest

from schemas.query import Cursor
from tests import helpers
from tests.helpers import (
    OnlyReads,
    assert_lists,
    assert_parameter_refused,
    create,
    resolve_names,
)

ACTORS = "/v1/actors"

# name, kind, country, parent, aliases; created in this order.
DATA = [
    ("Azerbaijan", "state", "AZE", None, []),
    ("Defense Ministry of Azerbaijan", "government", "AZE", "Azerbaijan", ["Azerbaijani MoD"]),
    ("Ilham Aliyev", "person", "AZE", "Azerbaijan", []),
    ("Mehriban Aliyeva", "person", "AZE", None, []),
    ("Azeri Press Agency", "media", "AZE", None, ["APA"]),
    ("Armenia", "state", "ARM", None, []),
    ("Ministry of Defence of Armenia", "government", "ARM", "Armenia", []),
    ("Nikol Pashinyan", "person", "ARM", "Armenia", []),
    ("Nagorno-Karabakh Defence Army", "armed_group", None, None, ["Artsakh Defence Army"]),
    ("OSCE Minsk Group", "international_organization", None, None, []),
    ("São Tomé and Príncipe", "state", "STP", None, []),
]
CREATED = [row[0] for row in DATA]
# Every name starts differently enough that any collation orders them alike.
BY_NAME = sorted(CREATED)


def make_actors(client, db=None):
    """The DATA actors, by name, as the API returned them when created."""
    made = {}
    for name, kind, country, parent, aliases in DATA:
        made[name] = create(
            client,
            ACTORS,
            {
                "name": name,
                "kind": kind,
                "country": country,
                "parent_id": made[parent]["id"] if parent else None,
                "aliases": aliases,
            },
        )
    return made


@pytest.fixture
def actors(client):
    return make_actors(client)


class ReadsTheActors(OnlyReads):
    """A class of tests that only read the DATA actors, made once for the class."""

    build = staticmethod(make_actors)

    @pytest.fixture
    def actors(self, data):
        return data


def listed(client, query):
    response = client.get(ACTORS, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response


def follow(client, query):
    return helpers.follow(client, ACTORS, query)


class TestFilters(ReadsTheActors):
    @pytest.mark.parametrize(
        ("query", "names"),
        [
            pytest.param({}, BY_NAME, id="none"),
            pytest.param(
                {"kind": "state"},
                ["Armenia", "Azerbaijan", "São Tomé and Príncipe"],
                id="kind",
            ),
            pytest.param(
                {"kind": "person,media"},
                ["Azeri Press Agency", "Ilham Aliyev", "Mehriban Aliyeva", "Nikol Pashinyan"],
                id="kinds-or",
            ),
            pytest.param(
                {"country": "ARM"},
                ["Armenia", "Ministry of Defence of Armenia", "Nikol Pashinyan"],
                id="country",
            ),
            pytest.param(
                {"country": "ARM,STP"},
                [
                    "Armenia",
                    "Ministry of Defence of Armenia",
                    "Nikol Pashinyan",
                    "São Tomé and Príncipe",
                ],
                id="countries-or",
            ),
            pytest.param({"country": "RUS"}, [], id="country-without-actors"),
            pytest.param(
                {"parent_id": ("Azerbaijan",)},
                ["Defense Ministry of Azerbaijan", "Ilham Aliyev"],
                id="parent",
            ),
            pytest.param(
                {"parent_id": ("Azerbaijan", "Armenia")},
                [
                    "Defense Ministry of Azerbaijan",
                    "Ilham Aliyev",
                    "Ministry of Defence of Armenia",
                    "Nikol Pashinyan",
                ],
                id="parents-or",
            ),
            pytest.param({"parent_id": ("Nikol Pashinyan",)}, [], id="parent-without-children"),
            pytest.param(
                {"kind": "person", "country": "AZE"},
                ["Ilham Aliyev", "Mehriban Aliyeva"],
                id="kind-and-country",
            ),
            pytest.param(
                {"kind": "state,person", "country": "ARM"},
                ["Armenia", "Nikol Pashinyan"],
                id="kinds-or-and-country",
            ),
            pytest.param(
                {"kind": "government", "parent_id": ("Azerbaijan", "Armenia")},
                ["Defense Ministry of Azerbaijan", "Ministry of Defence of Armenia"],
                id="kind-and-parents",
            ),
            pytest.param(
                {"kind": "person", "country": "AZE,ARM", "parent_id": ("Armenia",)},
                ["Nikol Pashinyan"],
                id="three-filters",
            ),
            pytest.param({"kind": "armed_group", "country": "AZE"}, [], id="and-excludes"),
            pytest.param(
                {"q": "defence", "kind": "government"},
                ["Ministry of Defence of Armenia", "Defense Ministry of Azerbaijan"],
                id="q-and-kind",
            ),
            pytest.param(
                {"q": "aliev", "country": "AZE", "kind": "person"},
                ["Ilham Aliyev", "Mehriban Aliyeva"],
                id="q-and-country-and-kind",
            ),
            pytest.param(
                {"q": "armenia", "parent_id": ("Armenia",)},
                ["Ministry of Defence of Armenia"],
                id="q-and-parent",
            ),
        ],
    )
    def test_lists_exactly_the_matching_actors(self, client, actors, query, names):
        response = listed(client, resolve_names(actors, query))

        assert_lists(response, actors, names)
        assert json.loads(response.headers["X-Pagination"])["total"] == len(names)


class TestNameSearch:
    @pytest.mark.parametrize(
        ("q", "names"),
        [
            # One typo away, Mehriban Aliyeva follows.
            pytest.param("Ilham Aliyev", ["Ilham Aliyev", "Mehriban Aliyeva"], id="whole-name"),
            pytest.param("ilham aliyev", ["Ilham Aliyev", "Mehriban Aliyeva"], id="any-case"),
            pytest.param("Aliyev", ["Ilham Aliyev", "Mehriban Aliyeva"], id="surname"),
            pytest.param("Aliev", ["Ilham Aliyev", "Mehriban Aliyeva"], id="typo-dropped-letter"),
            pytest.param(
                "Nagorno Karabagh", ["Nagorno-Karabakh Defence Army"], id="typo-and-no-hyphen"
            ),
            pytest.param(
                "Azerbaidjan",
                ["Azerbaijan", "Defense Ministry of Azerbaijan"],
                id="typo-closest-whole-name-first",
            ),
            pytest.param("Pashinian", ["Nikol Pashinyan"], id="typo-transliteration"),
            pytest.param(
                "Aze",
                ["Azerbaijan", "Azeri Press Agency", "Defense Ministry of Azerbaijan"],
                id="prefix-first-then-inside",
            ),
            pytest.param("Pash", ["Nikol Pashinyan"], id="prefix-of-a-later-word"),
            pytest.param("Artsakh", ["Nagorno-Karabakh Defence Army"], id="alias"),
            pytest.param("apa", ["Azeri Press Agency"], id="short-alias"),
            pytest.param(
                "Azerbaijani MoD",
                ["Defense Ministry of Azerbaijan", "Azerbaijan"],
                id="whole-alias",
            ),
            pytest.param("Sao Tome", ["São Tomé and Príncipe"], id="without-accents"),
            pytest.param("SÃO TOMÉ", ["São Tomé and Príncipe"], id="accents-upper-case"),
            pytest.param("principe", ["São Tomé and Príncipe"], id="accent-inside"),
            pytest.param(
                "Defence",
                [
                    "Ministry of Defence of Armenia",
                    "Nagorno-Karabakh Defence Army",
                    "Defense Ministry of Azerbaijan",
                ],
                id="exact-word-before-variant-spelling",
            ),
            pytest.param("Kremlin", [], id="nothing-like-it"),
            pytest.param("%", [], id="percent-is-literal"),
            pytest.param("_", [], id="underscore-is-literal"),
            pytest.param("\\", [], id="backslash-is-literal"),
        ],
    )
    def test_finds_and_ranks_best_first(self, client, actors, q, names):
        assert_lists(listed(client, {"q": q}), actors, names)

    @pytest.mark.parametrize(
        ("q", "names"),
        [
            pytest.param("%", ["50% Club"], id="percent"),
            pytest.param("_", ["Team_Blue"], id="underscore"),
            pytest.param("\\", ["Back\\Slash"], id="backslash"),
            pytest.param("0% c", ["50% Club"], id="percent-inside"),
        ],
    )
    def test_like_wildcards_match_only_themselves(self, client, actors, q, names):
        extra = {
            name: create(client, ACTORS, {"name": name, "kind": "other"})
            for name in ("50% Club", "Team_Blue", "Back\\Slash")
        }

        assert_lists(listed(client, {"q": q}), extra, names)

    @pytest.mark.parametrize("sort", ["relevance", "-relevance"])
    def test_relevance_is_always_best_first(self, client, actors, sort):
        response = listed(client, {"q": "aze", "sort": sort})

        assert_lists(
            response,
            actors,
            ["Azerbaijan", "Azeri Press Agency", "Defense Ministry of Azerbaijan"],
        )

    @pytest.mark.parametrize(
        ("sort", "names"),
        [
            pytest.param(
                "name",
                ["Azerbaijan", "Azeri Press Agency", "Defense Ministry of Azerbaijan"],
                id="name",
            ),
            pytest.param(
                "-name",
                ["Defense Ministry of Azerbaijan", "Azeri Press Agency", "Azerbaijan"],
                id="name-descending",
            ),
            pytest.param(
                "created_at",
                ["Azerbaijan", "Defense Ministry of Azerbaijan", "Azeri Press Agency"],
                id="created_at",
            ),
        ],
    )
    def test_another_sort_with_q(self, client, actors, sort, names):
        assert_lists(listed(client, {"q": "aze", "sort": sort}), actors, names)

    def test_pages_of_a_search_split_the_ranking(self, client, actors):
        first = listed(client, {"q": "aze", "page_size": 2})
        second = listed(client, {"q": "aze", "page_size": 2, "page": 2})

        assert_lists(first, actors, ["Azerbaijan", "Azeri Press Agency"])
        assert_lists(second, actors, ["Defense Ministry of Azerbaijan"])
        assert json.loads(first.headers["X-Pagination"])["total"] == 3

    def test_finds_a_new_alias_and_no_longer_an_old_one(self, client, actors):
        actor = actors["Nikol Pashinyan"]
        response = client.patch(f"{ACTORS}/{actor['id']}", json={"aliases": ["Nikol Pashinian"]})
        assert response.status_code == 200
        changed = response.get_json()

        assert listed(client, {"q": "Nikol Pashinian"}).get_json() == [changed]
        renamed = client.patch(f"{ACTORS}/{actor['id']}", json={"name": "N. P.", "aliases": []})
        assert listed(client, {"q": "Pashinyan"}).get_json() == []
        assert listed(client, {"q": "N. P."}).get_json() == [renamed.get_json()]


class TestSort:
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
    def test_orders_by_the_field(self, client, actors, sort, names):
        query = {"sort": sort} if sort else {}

        assert_lists(listed(client, query), actors, names)

    @pytest.mark.parametrize(
        ("sort", "names"),
        [
            pytest.param("updated_at", [*CREATED[1:], CREATED[0]], id="updated_at"),
            pytest.param("-updated_at", [CREATED[0], *CREATED[:0:-1]], id="updated_at-descending"),
        ],
    )
    def test_orders_by_when_changed(self, client, actors, sort, names):
        first = actors[CREATED[0]]
        response = client.patch(f"{ACTORS}/{first['id']}", json={"title": "State"})
        actors[CREATED[0]] = response.get_json()

        assert_lists(listed(client, {"sort": sort}), actors, names)

    def test_sort_with_a_filter(self, client, actors):
        response = listed(client, {"sort": "-name", "country": "AZE"})

        assert_lists(
            response,
            actors,
            [
                "Mehriban Aliyeva",
                "Ilham Aliyev",
                "Defense Ministry of Azerbaijan",
                "Azeri Press Agency",
                "Azerbaijan",
            ],
        )

    def test_equal_names_are_ordered_by_id(self, client):
        made = [
            create(client, f"{ACTORS}?allow_duplicate=true", {"name": "Twin", "kind": "other"})
            for _ in range(4)
        ]
        ids = sorted(record["id"] for record in made)

        assert [r["id"] for r in listed(client, {"sort": "name"}).get_json()] == ids
        assert [r["id"] for r in listed(client, {"sort": "-name"}).get_json()] == ids[::-1]


class TestPaging:
    def test_page_mode_with_a_total(self, client, actors):
        response = listed(client, {"page": 2, "page_size": 4})

        assert_lists(response, actors, BY_NAME[4:8])
        assert json.loads(response.headers["X-Pagination"])["total"] == len(DATA)

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param({}, id="name"),
            pytest.param({"sort": "-name"}, id="name-descending"),
            pytest.param({"sort": "created_at"}, id="created_at"),
            pytest.param({"sort": "-created_at"}, id="created_at-descending"),
            pytest.param({"sort": "updated_at"}, id="updated_at"),
            pytest.param({"sort": "-updated_at"}, id="updated_at-descending"),
            pytest.param({"country": "AZE,ARM"}, id="filtered"),
            pytest.param({"q": "a", "sort": "name"}, id="searched"),
            pytest.param({"kind": "state", "sort": "-created_at"}, id="filtered-descending"),
        ],
    )
    @pytest.mark.parametrize("page_size", [1, 4, 11])
    def test_keyset_pages_to_the_end_as_page_mode_does(self, client, actors, query, page_size):
        everything = listed(client, {**query, "page_size": 500}).get_json()

        records, pages = follow(client, {**query, "page_size": str(page_size)})

        assert records == everything
        assert len({record["id"] for record in records}) == len(records)
        assert pages == max(1, -(-len(everything) // page_size))

    def test_keyset_first_page_and_its_link(self, client, actors):
        first = listed(client, {"cursor": "", "page_size": 4})

        assert_lists(first, actors, BY_NAME[:4])
        link = first.headers["Link"]
        assert link.startswith("<http://localhost/v1/actors?cursor=")
        assert "page_size=4" in link

    def test_a_cursor_keeps_its_place_when_earlier_records_go(self, client, actors):
        first = listed(client, {"cursor": "", "page_size": 3})
        next_url = first.headers["Link"][1 : first.headers["Link"].index(">")]
        # The last record of the page is deleted: the next page neither repeats nor skips.
        response = client.delete(f"{ACTORS}/{actors['Azeri Press Agency']['id']}")
        assert response.status_code == 204

        assert_lists(client.get(next_url), actors, BY_NAME[3:6])


class TestFields(ReadsTheActors):
    @pytest.mark.parametrize(
        "fields",
        [
            pytest.param(["name"], id="one"),
            pytest.param(["name", "kind", "country"], id="several"),
            pytest.param(["parent", "aliases"], id="embedded-and-lists"),
            pytest.param(["id"], id="only-id"),
            pytest.param(["created_at", "updated_at"], id="timestamps"),
        ],
    )
    def test_only_id_and_the_named_fields(self, client, actors, fields):
        response = listed(client, {"fields": ",".join(fields), "kind": "state"})

        assert response.get_json() == [
            {key: actors[name][key] for key in {"id", *fields}}
            for name in ["Armenia", "Azerbaijan", "São Tomé and Príncipe"]
        ]

    def test_with_keyset_paging_and_search(self, client, actors):
        records, pages = follow(
            client, {"fields": "kind", "page_size": "2", "sort": "-name", "q": "aze"}
        )

        assert pages == 2
        assert records == [
            {"id": actors[name]["id"], "kind": actors[name]["kind"]}
            for name in ["Defense Ministry of Azerbaijan", "Azeri Press Agency", "Azerbaijan"]
        ]


class TestUpdatedSince:
    def test_only_records_changed_at_or_after(self, client, actors):
        last = actors[CREATED[-1]]
        response = client.patch(f"{ACTORS}/{actors['Armenia']['id']}", json={"title": "Republic"})
        actors["Armenia"] = response.get_json()

        since_last = listed(client, {"updated_since": last["updated_at"], "sort": "updated_at"})
        since_change = listed(client, {"updated_since": actors["Armenia"]["updated_at"]})
        since_start = listed(client, {"updated_since": actors[CREATED[0]]["created_at"]})

        assert_lists(since_last, actors, [CREATED[-1], "Armenia"])
        assert_lists(since_change, actors, ["Armenia"])
        assert_lists(since_start, actors, BY_NAME)

    def test_in_the_future_nothing(self, client, actors):
        assert listed(client, {"updated_since": "2999-01-01T00:00:00Z"}).get_json() == []

    def test_any_time_zone(self, client, actors):
        assert_lists(
            listed(client, {"updated_since": "2000-01-01T05:00:00+05:00", "kind": "state"}),
            actors,
            ["Armenia", "Azerbaijan", "São Tomé and Príncipe"],
        )

    def test_with_filters(self, client, actors):
        response = client.patch(f"{ACTORS}/{actors['Armenia']['id']}", json={"title": "Republic"})
        actors["Armenia"] = response.get_json()
        client.patch(f"{ACTORS}/{actors['Azerbaijan']['id']}", json={"title": "Republic"})

        assert_lists(
            listed(client, {"updated_since": actors["Armenia"]["updated_at"], "country": "ARM"}),
            actors,
            ["Armenia"],
        )


class TestRefusals(ReadsTheActors):
    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            pytest.param({"colour": "red"}, "colour", id="unknown"),
            pytest.param({"kinds": "state"}, "kinds", id="misspelt-filter"),
            pytest.param({"name": "Armenia"}, "name", id="field-is-not-a-filter"),
            pytest.param({"bbox": "0,0,1,1"}, "bbox", id="filter-of-locations"),
            pytest.param({"kind": "planet"}, "kind", id="bad-kind"),
            pytest.param({"kind": "state,planet"}, "kind", id="one-bad-kind-of-several"),
            pytest.param({"kind": ""}, "kind", id="empty-kind"),
            pytest.param({"kind": "State"}, "kind", id="kind-case"),
            pytest.param({"country": "XYZ"}, "country", id="unknown-country"),
            pytest.param({"country": "aze"}, "country", id="lower-case-country"),
            pytest.param({"country": "AZ"}, "country", id="alpha-2-country"),
            pytest.param({"country": "AZE,XXX"}, "country", id="one-bad-country-of-several"),
            pytest.param({"parent_id": "not-a-uuid"}, "parent_id", id="bad-uuid"),
            pytest.param(
                {"parent_id": f"{uuid.uuid4()},42"}, "parent_id", id="one-bad-uuid-of-several"
            ),
            pytest.param({"q": ""}, "q", id="empty-q"),
            pytest.param({"q": "a" * 201}, "q", id="q-too-long"),
            pytest.param({"q": "   "}, "q", id="blank-q"),
            pytest.param({"q": "Tar\x00tar"}, "q", id="q-with-nul"),
            pytest.param({"sort": "title"}, "sort", id="sort-by-unknown-field"),
            pytest.param({"sort": "+name"}, "sort", id="sort-with-plus"),
            pytest.param({"sort": "relevance"}, "sort", id="relevance-without-q"),
            pytest.param({"sort": "-relevance"}, "sort", id="descending-relevance-without-q"),
            pytest.param({"fields": "name,colour"}, "fields", id="fields-unknown-name"),
            pytest.param({"page": "1", "cursor": ""}, "cursor", id="page-and-cursor"),
            pytest.param({"cursor": "garbage"}, "cursor", id="garbage-cursor"),
            pytest.param({"cursor": "!!!"}, "cursor", id="cursor-not-base64"),
            pytest.param(
                {"cursor": Cursor.encode("-name", "Armenia", uuid.uuid4())},
                "cursor",
                id="cursor-of-another-sort",
            ),
            pytest.param(
                {"cursor": "", "q": "aze", "sort": "relevance"},
                "cursor",
                id="cursor-with-relevance",
            ),
            pytest.param({"page": "0"}, "page", id="page-zero"),
            pytest.param({"page_size": "501"}, "page_size", id="page-size-too-big"),
            pytest.param({"updated_since": "yesterday"}, "updated_since", id="updated-since-text"),
            pytest.param(
                {"updated_since": "2020-09-30T00:00:00"},
                "updated_since",
                id="updated-since-without-zone",
            ),
        ],
    )
    def test_422_naming_the_parameter(self, client, actors, query, parameter):
        problem = assert_parameter_refused(client.get(ACTORS, query_string=query), parameter)
        assert problem["instance"] == ACTORS

    @pytest.mark.parametrize(
        ("sort", "cursor"),
        [
            pytest.param("name", Cursor.encode("name", "Armenia", "not-a-uuid"), id="bad-id"),
            pytest.param(
                "name", Cursor.encode("name", {"a": 1}, uuid.uuid4()), id="value-an-object"
            ),
            pytest.param(
                "created_at",
                Cursor.encode("created_at", "not-a-time", uuid.uuid4()),
                id="value-not-a-time",
            ),
        ],
    )
    def test_a_forged_cursor_is_422_naming_cursor(self, client, actors, sort, cursor):
        response = client.get(ACTORS, query_string={"sort": sort, "cursor": cursor})

        assert_parameter_refused(response, "cursor")

    @pytest.mark.parametrize(
        ("query_string", "parameter"),
        [
            pytest.param("q=aze&q=arm", "q", id="q"),
            pytest.param("sort=name&sort=-name", "sort", id="sort"),
        ],
    )
    def test_a_repeated_parameter_is_422_not_cut_to_its_first_value(
        self, client, actors, query_string, parameter
    ):
        assert_parameter_refused(client.get(f"{ACTORS}?{query_string}"), parameter)
