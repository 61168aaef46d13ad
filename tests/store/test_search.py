"""One search: q on every collection takes the names and aliases of what it names.

On the article: Tartar is also spelled Terter, and "Pashinian" is a typo of
Nikol Pashinyan's name, which none of his statements' texts holds.
"""

import json

import pytest

from api.store import query, record, search
from seeds import loader
from tests.helpers import (
    ReadsTheArticle,
    actor_body,
    assert_problem,
    create,
    event_body,
    source_body,
)


@pytest.fixture
def article(client, db):
    loader.load(db, loader.ARTICLE_SEED)


def ids(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_json()
    return sorted(record["id"] for record in response.get_json())


def titles(client, path):
    return sorted(record["title"] for record in client.get(path).get_json())


class TestEvents(ReadsTheArticle):
    def test_a_place_by_either_of_its_names(self, client, article):
        tartar = ids(client, "/v1/events?q=Tartar")
        assert tartar
        assert ids(client, "/v1/events?q=Terter") == tartar
        assert ids(client, "/v1/events?q=terter&sort=-start_date") == tartar

    def test_what_says_the_other_spelling_and_what_happened_there(self, client, article):
        found = client.get("/v1/events?q=Terter").get_json()
        for event in found:
            text = " ".join(
                [event["title"], event["summary"] or "", *(c["quote"] for c in event["citations"])]
            )
            at_tartar = (event["location"] or {}).get("name") == "Tartar"
            assert "Tartar" in text or "Terter" in text or at_tartar, event["title"]

    def test_an_actor_by_a_typo_of_its_name(self, client, article):
        pashinyan = client.get("/v1/actors?q=Pashinyan").get_json()[0]["id"]
        found = client.get("/v1/events?q=Pashinian").get_json()
        assert found
        for event in found:
            actors = {p["actor_id"] for p in event["participants"]}
            text = event["title"] + " ".join(c["quote"] for c in event["citations"])
            assert pashinyan in actors or "Pashinyan" in text, event["title"]

    def test_every_word_still_counts(self, client, article):
        """A q of several words names what holds them all: 'shelling Tartar' names no place."""
        both = titles(client, "/v1/events?q=shelling%20Tartar")
        assert both
        assert set(both) <= set(titles(client, "/v1/events?q=shelling"))

    def test_a_word_that_names_nothing_is_plain_full_text(self, client, article):
        assert titles(client, "/v1/events?q=zeppelin") == []

    def test_the_csv_export_and_the_timeline_search_alike(self, client, article):
        listed = len(client.get("/v1/events?q=Terter&page_size=500").get_json())
        exported = client.get("/v1/events?q=Terter&format=csv").get_data(as_text=True)
        assert len(exported.strip().splitlines()) - 1 == listed
        # A timeline leaves scenes out unless asked (the dugout in Terter is one).
        timeline = client.get("/v1/stats/timeline?q=Terter&include=scene").get_json()
        assert timeline["total"] == listed


class TestStatements(ReadsTheArticle):
    def test_an_actors_statements_by_a_typo_of_its_name(self, client, article):
        pashinyan = client.get("/v1/actors?q=Pashinyan").get_json()[0]["id"]
        found = client.get("/v1/statements?q=Pashinian").get_json()
        spoken = [s for s in found if s["speaker_id"] == pashinyan]
        assert spoken
        assert ids(client, f"/v1/statements?speaker_id={pashinyan}") == sorted(
            s["id"] for s in spoken
        )

    def test_statements_by_a_name_equal_those_by_its_typo(self, client, article):
        assert ids(client, "/v1/statements?q=Pashinian") == ids(
            client, "/v1/statements?q=Pashinyan"
        )


class TestSources(ReadsTheArticle):
    def test_the_article_by_the_other_spelling(self, client, article):
        assert ids(client, "/v1/sources?q=Terter") == ids(client, "/v1/sources?q=Tartar")


def test_search_syntax_in_a_name_is_harmless(client, article):
    for q in ('Tartar"', "Tar-tar", "%", "Tartar OR", '"'):
        response = client.get("/v1/events", query_string={"q": q})
        assert response.status_code == 200, (q, response.get_json())
    assert_problem(client.get("/v1/events?q="), 422, "q")


class TestAPoolOfTheNewest:
    """Relevance ranks a pool of the newest matches: when many events are tied to what q
    names, only those the pool can hold are looked up, by date (search.Tie.recent). Here
    the pool holds 4 and a name has 12 events, a month apart, so that the lookup widens
    its window once (32 days hold 2 of them, 128 days 5)."""

    POOL = 4

    @pytest.fixture
    def events(self, client):
        source = create(client, "/v1/sources", source_body())
        guard = create(client, "/v1/actors", actor_body(name="Zorvanian Guard"))
        tied = [
            create(
                client,
                "/v1/events",
                event_body(source["id"], [guard["id"]], start_date=f"2021-{month:02d}-15"),
            )
            for month in range(1, 13)
        ]
        # Two whose text names it, the newer among the four newest matches.
        for day in ("2021-10-01", "2020-01-01"):
            create(
                client,
                "/v1/events",
                event_body(source["id"], title="The Zorvanian Guard withdrew", start_date=day),
            )
        return tied

    @pytest.fixture
    def small_pool(self, monkeypatch):
        monkeypatch.setattr(query, "RELEVANCE_POOL", self.POOL)
        monkeypatch.setattr(record, "RELEVANCE_POOL", self.POOL)

    @pytest.fixture
    def lookups(self, monkeypatch):
        """What Tie.recent answered, each time it was asked."""
        answers = []
        recent = search.Tie.recent

        def spy(tie, conn, params, wanted):
            answers.append(recent(tie, conn, params, wanted))
            return answers[-1]

        monkeypatch.setattr(search.Tie, "recent", spy)
        return answers

    def test_the_same_page_as_from_every_tied_event(
        self, client, events, small_pool, lookups, monkeypatch
    ):
        path = "/v1/events?q=Zorvanian%20Guard"
        every = client.get(path).get_json()
        assert lookups == []  # 12 tied events are few: all of them are listed.

        monkeypatch.setattr(search, "FEW_TIED", 5)
        windowed = client.get(path)

        assert windowed.status_code == 200, windowed.get_json()
        assert windowed.get_json() == every
        assert json.loads(windowed.headers["X-Pagination"])["total"] == self.POOL
        (looked_up,) = lookups
        assert sorted(map(str, looked_up)) == sorted(e["id"] for e in events[7:])
        newest = client.get(path + "&sort=-start_date").get_json()[: self.POOL]
        assert sorted(e["id"] for e in every) == sorted(e["id"] for e in newest)

    def test_a_list_by_date_and_the_export_take_every_tied_event(
        self, client, events, small_pool, lookups, monkeypatch
    ):
        monkeypatch.setattr(search, "FEW_TIED", 5)
        by_date = client.get("/v1/events?q=Zorvanian%20Guard&sort=-start_date&page_size=100")
        exported = client.get("/v1/events?q=Zorvanian%20Guard&format=csv")

        assert len(by_date.get_json()) == len(events) + 2
        assert len(exported.get_data(as_text=True).strip().splitlines()) == 1 + len(events) + 2
        assert lookups == []
