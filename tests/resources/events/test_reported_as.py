"""Events reported as background or as a scene: kept in lists, left off maps unless asked."""

import json

import pytest

from tests.helpers import assert_problem, create, event_body, location_body

EVENTS = "/v1/events"


@pytest.fixture
def told(client, refs):
    """An attack at Tartar, the war it follows (background), and a photo in Yerevan (scene)."""
    yerevan = create(
        client,
        "/v1/locations",
        location_body(name="Yerevan", country="ARM", latitude=40.18, longitude=44.51, aliases=[]),
    )
    actors = (refs.azerbaijan["id"], refs.armenia["id"])
    return {
        "event": create(client, EVENTS, event_body(refs.source["id"], actors, refs.tartar["id"])),
        "background": create(
            client,
            EVENTS,
            event_body(
                refs.source["id"],
                actors,
                refs.tartar["id"],
                title="The war that ended in 1994",
                start_date="1994-01-01",
                date_precision="year",
                reported_as="background",
            ),
        ),
        "scene": create(
            client,
            EVENTS,
            event_body(
                refs.source["id"],
                actors,
                yerevan["id"],
                title="A wounded soldier carried into a Yerevan hospital",
                start_date="2020-09-29",
                reported_as="scene",
            ),
        ),
    }


def ids(records):
    return {record["id"] for record in records}


def mapped(client, query=""):
    """The ids of the features of the map of events asked for with `query`."""
    response = client.get(f"{EVENTS}?format=geojson&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {feature["id"] for feature in response.get_json()["features"]}


class TestWriteReportedAs:
    def test_an_ordinary_event_by_default(self, told):
        assert told["event"]["reported_as"] == "event"

    def test_kept_as_given_and_changed_by_patch(self, client, told):
        assert told["background"]["reported_as"] == "background"
        assert told["scene"]["reported_as"] == "scene"

        response = client.patch(f"{EVENTS}/{told['scene']['id']}", json={"reported_as": "event"})

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["reported_as"] == "event"
        revisions = client.get(f"{EVENTS}/{told['scene']['id']}/revisions").get_json()
        assert revisions[0]["changed"] == ["reported_as"]

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            pytest.param("photo", "not_one_of", id="unknown"),
            pytest.param(None, "null", id="null"),
            pytest.param(["scene"], "invalid_type", id="list"),
        ],
    )
    def test_refuses_what_is_not_a_way_of_reporting(self, client, db, refs, value, code):
        body = event_body(refs.source["id"], reported_as=value)

        problem = assert_problem(client.post(EVENTS, json=body), 422, "reported_as")

        assert [error["code"] for error in problem["errors"]["reported_as"]] == [code]
        assert db.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 0


class TestListsKeepEverything:
    def test_a_list_has_every_event(self, client, told):
        assert ids(client.get(EVENTS).get_json()) == ids(told.values())

    def test_the_csv_export_has_every_event(self, client, told):
        exported = client.get(f"{EVENTS}?format=csv").get_data(as_text=True)
        assert len(exported.strip().splitlines()) == 1 + len(told)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            pytest.param("reported_as=scene", ["scene"], id="scenes"),
            pytest.param("reported_as=background,scene", ["background", "scene"], id="both"),
            pytest.param("reported_as=event", ["event"], id="events"),
        ],
    )
    def test_filters_by_reported_as(self, client, told, query, expected):
        listed = client.get(f"{EVENTS}?{query}")
        assert ids(listed.get_json()) == ids(told[name] for name in expected)
        assert json.loads(listed.headers["X-Pagination"])["total"] == len(expected)

    def test_refuses_an_unknown_value(self, client):
        assert_problem(client.get(f"{EVENTS}?reported_as=photo"), 422, "reported_as")


class TestMapsLeaveThemOut:
    def test_a_map_shows_ordinary_events_only(self, client, told):
        assert mapped(client) == {told["event"]["id"]}

    @pytest.mark.parametrize(
        ("include", "expected"),
        [
            pytest.param("scene", ["event", "scene"], id="scenes"),
            pytest.param("background", ["event", "background"], id="background"),
            pytest.param("background,scene", ["event", "background", "scene"], id="both"),
        ],
    )
    def test_include_asks_for_them(self, client, told, include, expected):
        assert mapped(client, f"include={include}") == ids(told[name] for name in expected)

    def test_a_reported_as_filter_says_what_the_map_shows(self, client, told):
        assert mapped(client, "reported_as=scene") == {told["scene"]["id"]}

    def test_so_does_the_map_asked_for_by_accept(self, client, told):
        response = client.get(EVENTS, headers={"Accept": "application/geo+json"})
        assert {feature["id"] for feature in response.get_json()["features"]} == {
            told["event"]["id"]
        }

    def test_the_map_of_an_actor_leaves_them_out(self, client, refs, told):
        """Counted from the actor's participations alone, and through the related list."""
        by_filter = mapped(client, f"actor_id={refs.armenia['id']}")
        related = client.get(f"/v1/actors/{refs.armenia['id']}/events?format=geojson")
        assert by_filter == {told["event"]["id"]}
        assert {f["id"] for f in related.get_json()["features"]} == {told["event"]["id"]}
        with_scenes = mapped(client, f"actor_id={refs.armenia['id']}&include=scene")
        assert with_scenes == ids([told["event"], told["scene"]])

    def test_refuses_to_include_ordinary_events_or_unknown_values(self, client):
        for value in ("event", "photo"):
            assert_problem(client.get(f"{EVENTS}?format=geojson&include={value}"), 422, "include")


def test_the_vocabulary_is_listed(client):
    vocabularies = client.get("/v1/vocabularies").get_json()
    assert [term["code"] for term in vocabularies["reported_as"]] == [
        "event",
        "background",
        "scene",
    ]
    assert all(term["label"] and term["definition"] for term in vocabularies["reported_as"])
