"""The article's doubt, as a machine reads it: scenes, background, a garbled attribution,
and a certainty that follows the denials (seeds/README.md, "Doubt a machine can read")."""

from seeds import loader
from seeds.loader import record_id
from tests.helpers import ReadsTheArticle

SHOOT_DOWN = "event/alleged-f16-shoot-down-of-armenian-su25"
SOLDIER = "event/wounded-soldier-carried-to-erebouni-medical-center"
DUGOUT = "event/terter-residents-shelter-in-dugout"
WAR = "event/nagorno-karabakh-war"
TURKISH_DENIAL = "statement/turkey-denies-shoot-down-claim"
ARMENIAN_DENIAL = "statement/armenian-denial-of-shoot-down-claim"


def attacks_on_the_map(client, query=""):
    """The places of the ASSAULTs on the map of events: {(place, event title)}."""
    response = client.get(f"/v1/events?format=geojson&event_type=ASSAULT&page_size=500&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {
        (feature["properties"]["location"]["name"], feature["properties"]["title"])
        for feature in response.get_json()["features"]
    }


def places(attacks):
    return {place for place, _ in attacks}


class TestTheArticle(ReadsTheArticle):
    def test_the_map_of_attacks_shows_none_in_yerevan(self, client):
        attacks = attacks_on_the_map(client)

        assert "Erebouni Medical Center" not in places(attacks)
        assert "Yerevan" not in places(attacks)
        # The fighting, the shelling of Tartar and the shoot-down are still there.
        assert {"Nagorno-Karabakh", "Tartar", "Armenian airspace"} <= places(attacks)

    def test_the_scene_in_yerevan_is_there_when_asked(self, client):
        soldier = client.get(f"/v1/events/{record_id(SOLDIER)}").get_json()

        shown = attacks_on_the_map(client, "include=scene") - attacks_on_the_map(client)

        assert shown == {
            ("Erebouni Medical Center", soldier["title"]),
            ("Tartar", client.get(f"/v1/events/{record_id(DUGOUT)}").get_json()["title"]),
        }

    def test_lists_keep_the_scenes_and_the_background(self, client):
        listed = client.get("/v1/events?reported_as=background,scene").get_json()
        assert {event["id"] for event in listed} == {
            str(record_id(key)) for key in (SOLDIER, DUGOUT, WAR)
        }
        assert client.get(f"/v1/events/{record_id(WAR)}").get_json()["reported_as"] == (
            "background"
        )

    def test_the_timeline_starts_with_the_fighting(self, client):
        """The 1994 war is background: a daily timeline of the article needs no date_from."""
        response = client.get("/v1/stats/timeline?interval=day")

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["buckets"][0]["period"] == "2020-09-27"
        with_history = client.get("/v1/stats/timeline?interval=year&include=background")
        assert with_history.get_json()["buckets"][0]["period"] == "1994-01-01"

    def test_the_garbled_denial_is_doubtful(self, client):
        armenian = client.get(f"/v1/statements/{record_id(ARMENIAN_DENIAL)}").get_json()
        turkish = client.get(f"/v1/statements/{record_id(TURKISH_DENIAL)}").get_json()

        assert armenian["attribution"] == "doubtful"
        assert "Turkey and Armenian denied the claims" in armenian["attribution_note"]
        assert (turkish["attribution"], turkish["attribution_note"]) == ("clear", None)
        doubtful = client.get("/v1/statements?attribution=doubtful").get_json()
        assert [statement["id"] for statement in doubtful] == [armenian["id"]]

    def test_the_shoot_down_is_disputed_by_the_denials(self, client):
        """Coded alleged (Armenia's claim); Turkey's denial, loaded after it, disputes it."""
        path = f"/v1/events/{record_id(SHOOT_DOWN)}"
        event = client.get(path).get_json()
        assert (event["certainty"], event["certainty_set_by_hand"]) == ("disputed", False)

        revisions = client.get(f"{path}/revisions").get_json()
        states = [client.get(f"{path}/revisions/{r['number']}").get_json() for r in revisions]
        assert [(s["state"]["certainty"], s["author"]) for s in reversed(states)] == [
            ("alleged", "seed:nagorno_karabakh_2020-09-30.yaml"),
            ("disputed", "seed:nagorno_karabakh_2020-09-30.yaml"),
        ]

    def test_no_certainty_was_set_by_hand(self, client):
        assert client.get("/v1/events?certainty_set_by_hand=true").get_json() == []


class TestLoadingAgain:
    def test_changes_nothing(self, db, article):
        report = loader.load(db, loader.ARTICLE_SEED)

        assert not report.changed
        assert report.total("unchanged") == article.total("created")

    def test_a_denial_deleted_since_is_kept_deleted_and_the_event_follows(
        self, client, db, article
    ):
        """With both denials gone, the shoot-down is alleged again; the load keeps that."""
        for key in (TURKISH_DENIAL, ARMENIAN_DENIAL):
            assert client.delete(f"/v1/statements/{record_id(key)}").status_code == 204
        path = f"/v1/events/{record_id(SHOOT_DOWN)}"
        assert client.get(path).get_json()["certainty"] == "alleged"

        report = loader.load(db, loader.ARTICLE_SEED)

        assert report.deleted == {"statements": [TURKISH_DENIAL, ARMENIAN_DENIAL]}
        # Its certainty changed by a person's write: it is theirs now, and stays so.
        assert report.edited == {"events": [SHOOT_DOWN]}
        assert client.get(path).get_json()["certainty"] == "alleged"
