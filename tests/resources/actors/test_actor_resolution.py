"""Tests of entity resolution for actors: 409 on a taken name, allow_duplicate, /match."""

import pytest

from seeds.loader import record_id
from tests.helpers import ReadsTheArticle, actor_body, assert_problem, create, expected_problem

ACTORS = "/v1/actors"
MATCH = f"{ACTORS}/match"


def actor_path(actor_id):
    return f"{ACTORS}/{actor_id}"


def count_actors(db):
    return db.execute("SELECT count(*) AS n FROM actors").fetchone()["n"]


def revisions_of(db):
    return db.execute("SELECT count(*) AS n FROM revisions WHERE kind = 'actor'").fetchone()["n"]


class TestCreateTakenName:
    @pytest.mark.parametrize(
        ("name", "matched"),
        [
            pytest.param("Azeri forces", "Azeri forces", id="alias"),
            pytest.param("AZERI-FORCES", "Azeri forces", id="case-and-punctuation"),
            pytest.param("Azéri  forces", "Azeri forces", id="accent-and-spacing"),
            pytest.param("azerbaijani forces", "Azerbaijani forces", id="name-lower-cased"),
        ],
    )
    def test_a_name_another_actor_has_answers_409_with_that_actor(
        self, client, db, article, name, matched
    ):
        existing = str(record_id("actor/azerbaijani-forces"))
        before = (count_actors(db), revisions_of(db))

        response = client.post(ACTORS, json=actor_body(name=name, kind="military"))

        problem = assert_problem(response, 409, "name", kind="name-taken")
        assert problem == expected_problem(
            409,
            f"Another actor already goes by this name: Azerbaijani forces ({existing})."
            " Refer to it by its id, or send allow_duplicate=true if this is another one.",
            ACTORS,
            kind="name-taken",
            errors={"name": [f"{matched!r} is a name of {existing}."]},
            matches=[
                {
                    "id": existing,
                    "name": "Azerbaijani forces",
                    "matched_name": matched,
                    "href": actor_path(existing),
                }
            ],
        )
        assert response.headers["Link"] == f'<{actor_path(existing)}>; rel="related"'
        assert (count_actors(db), revisions_of(db)) == before

    def test_an_alias_that_is_another_actors_name_answers_409(self, client, article):
        response = client.post(
            ACTORS, json=actor_body(name="Baku's army", aliases=["Azerbaijani Forces"])
        )

        problem = assert_problem(response, 409, "name", kind="name-taken")
        assert [m["name"] for m in problem["matches"]] == ["Azerbaijani forces"]

    def test_allow_duplicate_creates_it_with_its_revision(self, client, db, article):
        before = (count_actors(db), revisions_of(db))

        response = client.post(
            f"{ACTORS}?allow_duplicate=true", json=actor_body(name="Azeri forces", kind="military")
        )

        assert response.status_code == 201, response.get_json()
        assert response.get_json()["name"] == "Azeri forces"
        assert (count_actors(db), revisions_of(db)) == (before[0] + 1, before[1] + 1)

    def test_a_new_name_is_created(self, client, article):
        created = create(client, ACTORS, actor_body(name="Armenian Defense Ministry"))

        assert created["name"] == "Armenian Defense Ministry"

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param("allow_duplicate=yes", id="not-a-boolean"),
            pytest.param("allow_duplicates=true", id="misspelt"),
        ],
    )
    def test_a_bad_flag_answers_422_naming_it(self, client, db, article, query):
        before = count_actors(db)

        response = client.post(f"{ACTORS}?{query}", json=actor_body(name="Azeri forces"))

        assert_problem(response, 422, query.split("=")[0])
        assert count_actors(db) == before


class TestChangeTakenName:
    def test_an_alias_added_that_another_actor_has_answers_409(self, client, db, article):
        armenia = actor_path(record_id("actor/armenia"))
        before = client.get(armenia).get_json()

        response = client.patch(armenia, json={"aliases": ["Azeri forces"]})

        assert_problem(response, 409, "name", kind="name-taken")
        assert client.get(armenia).get_json() == before

    def test_a_change_that_keeps_the_names_is_not_refused(self, client, article):
        # Two actors that share a name by choice: editing one of them is not refused again.
        twin = client.post(
            f"{ACTORS}?allow_duplicate=true", json=actor_body(name="Azerbaijan", kind="state")
        ).get_json()

        response = client.patch(actor_path(twin["id"]), json={"description": "A twin."})

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["description"] == "A twin."

    def test_a_replace_with_its_own_names_is_not_refused(self, client, article):
        path = actor_path(record_id("actor/azerbaijani-forces"))
        actor = client.get(path).get_json()
        body = {key: actor[key] for key in ("name", "kind", "country", "parent_id", "aliases")} | {
            "aliases": ["Azeri forces", "AZERBAIJANI-FORCES"]
        }

        response = client.put(path, json=body)

        assert response.status_code == 200, response.get_json()

    def test_a_rename_to_a_taken_name_answers_409_unless_allowed(self, client, article):
        path = actor_path(record_id("actor/armenia"))

        refused = client.patch(path, json={"name": "Azerbaijan"})
        allowed = client.patch(f"{path}?allow_duplicate=true", json={"name": "Azerbaijan"})

        assert_problem(refused, 409, "name", kind="name-taken")
        assert allowed.status_code == 200
        assert allowed.get_json()["name"] == "Azerbaijan"


class TestMatch(ReadsTheArticle):
    def test_an_alias_matches_exactly_first(self, client, article):
        response = client.get(MATCH, query_string={"name": "azeri-forces"})

        assert response.status_code == 200
        answer = response.get_json()
        best = answer["candidates"][0]
        assert answer["name"] == "azeri-forces"
        assert answer["countries"] == ["AZE"]
        assert best == {
            "id": str(record_id("actor/azerbaijani-forces")),
            "name": "Azerbaijani forces",
            "kind": "military",
            "country": "AZE",
            "parent_id": str(record_id("actor/azerbaijan")),
            "matched_name": "Azeri forces",
            "exact": True,
            "score": 1.0,
            "href": actor_path(record_id("actor/azerbaijani-forces")),
        }
        assert all(not c["exact"] and c["score"] < 1 for c in answer["candidates"][1:])

    def test_another_countrys_ministry_is_not_first(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Armenia Defense Ministry"}).get_json()

        candidates = answer["candidates"]
        assert answer["countries"] == ["ARM"]
        assert candidates[0]["country"] == "ARM"
        ministry = next(c for c in candidates if c["name"] == "Defense Ministry of Azerbaijan")
        armenian = [c for c in candidates if c["country"] == "ARM"]
        assert all(c["score"] > ministry["score"] for c in armenian)
        scores = [c["score"] for c in candidates]
        assert scores == sorted(scores, reverse=True)

    def test_the_named_countrys_ministry_is_first(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Azerbaijani Defense Ministry"}).get_json()

        assert answer["candidates"][0]["name"] == "Defense Ministry of Azerbaijan"

    def test_a_typo_is_tolerated(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Nikol Pashinian"}).get_json()

        assert answer["candidates"][0]["name"] == "Nikol Pashinyan"
        assert 0 < answer["candidates"][0]["score"] < 1

    def test_kind_and_parent_filter_the_candidates(self, client, article):
        azerbaijan = str(record_id("actor/azerbaijan"))

        answer = client.get(
            MATCH, query_string={"name": "forces", "kind": "military", "parent_id": azerbaijan}
        ).get_json()

        assert [c["name"] for c in answer["candidates"]] == ["Azerbaijani forces"]

    def test_country_counts_as_if_named(self, client, article):
        answer = client.get(MATCH, query_string={"name": "forces", "country": "ARM"}).get_json()

        assert answer["countries"] == ["ARM"]
        assert answer["candidates"][0]["name"] == "Armenian forces"

    def test_nothing_near_answers_no_candidates(self, client, article):
        answer = client.get(MATCH, query_string={"name": "Qwxz Zzyq"}).get_json()

        assert answer == {"name": "Qwxz Zzyq", "countries": [], "candidates": []}

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param({"name": ""}, "name", id="empty-name"),
            pytest.param({"name": "x" * 10_000}, "name", id="name-of-10000-characters"),
            pytest.param({"name": "   "}, "name", id="blank-name"),
            pytest.param({}, "name", id="no-name"),
            pytest.param({"name": "a", "kind": "army"}, "kind", id="unknown-kind"),
            pytest.param({"name": "a", "country": "XXX"}, "country", id="unknown-country"),
            pytest.param({"name": "a", "parent_id": "1"}, "parent_id", id="bad-parent"),
            pytest.param({"name": "a", "limit": "0"}, "limit", id="limit-0"),
            pytest.param({"name": "a", "min_score": "2"}, "min_score", id="min-score-2"),
        ],
    )
    def test_bad_input_answers_422_naming_the_field(self, client, query, field):
        assert_problem(client.get(MATCH, query_string=query), 422, field)


class TestSearchNamingACountry(ReadsTheArticle):
    def test_q_does_not_answer_only_another_countrys_ministry(self, client, article):
        names = [
            a["name"]
            for a in client.get(ACTORS, query_string={"q": "Armenia Defense Ministry"}).get_json()
        ]

        assert "Defense Ministry of Azerbaijan" not in names

    def test_q_ranks_the_named_countrys_records_first(self, client, article):
        names = [a["name"] for a in client.get(ACTORS, query_string={"q": "Armenian"}).get_json()]

        assert names[0].startswith("Armenian")
        assert "Ethnic Armenians" in names
