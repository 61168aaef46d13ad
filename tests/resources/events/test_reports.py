"""Tests of an event's reports: each source's quotes and figures, the figures derived from
them, the citations clients wrote before reports, and the lists by source."""

import pytest

from tests.helpers import (
    ACCUSED,
    KILLED,
    assert_problem,
    cited,
    create,
    estimate,
    event_body,
    nowhere,
    source_body,
    source_summary,
)
from tests.resources.events.test_events import location_summary

EVENTS = "/v1/events"
SECOND_BODY = (
    "Shelling of Tartar killed at least 3 people, among them 2 civilians, the ministry said."
    " Twelve were wounded."
)


@pytest.fixture
def second(client):
    """A second source, two days later, about the same shelling."""
    return create(
        client,
        "/v1/sources",
        source_body(
            title="Tartar shelled again",
            url="https://example.org/news/tartar",
            published_on="2020-10-02",
            body=SECOND_BODY,
        ),
    )


def report(source, *quotes, **says):
    """A report as a client writes it."""
    return {"source_id": source["id"], "quotes": [{"quote": q} for q in quotes], **says}


def two_reports(refs, second, **overrides):
    """The shelling as two sources report it, with different figures."""
    return event_body(
        refs.source["id"],
        (refs.azerbaijan["id"], refs.armenia["id"]),
        refs.tartar["id"],
        citations=None,
        reports=[
            report(
                refs.source,
                ACCUSED[0],
                KILLED[0],
                fatalities={"low": 24, "high": 99, "civilians": {"low": 1}},
            ),
            report(
                second,
                "killed at least 3 people, among them 2 civilians",
                "Twelve were wounded.",
                start_date="2020-09-30",
                location_id=refs.tartar["id"],
                certainty="confirmed",
                fatalities={"low": 3, "best": 3, "high": None, "civilians": {"low": 2, "best": 2}},
                injuries={"low": 12, "best": 12, "high": 12},
            ),
        ],
        **overrides,
    )


def without_citations(body):
    return {name: value for name, value in body.items() if name != "citations"}


class TestReports:
    def test_each_source_reports_what_it_says_and_the_event_derives_its_figures(
        self, client, refs, second
    ):
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))

        start = SECOND_BODY.index("killed at least")
        assert created["reports"] == [
            {
                "source_id": refs.source["id"],
                "source": source_summary(refs.source),
                "quotes": [
                    {"quote": ACCUSED[0], "start": 30, "end": 65},
                    {"quote": KILLED[0], "start": 98, "end": 98 + len(KILLED[0])},
                ],
                "start_date": None,
                "end_date": None,
                "date_precision": None,
                "location_id": None,
                "location": None,
                "certainty": None,
                "fatalities": estimate(24, 99, civilians={"low": 1, "best": None, "high": None}),
                "injuries": None,
            },
            {
                "source_id": second["id"],
                "source": {
                    "id": second["id"],
                    "title": "Tartar shelled again",
                    "publisher": "Example News",
                    "published_on": "2020-10-02",
                    "url": "https://example.org/news/tartar",
                },
                "quotes": [
                    {
                        "quote": "killed at least 3 people, among them 2 civilians",
                        "start": start,
                        "end": start + 48,
                    },
                    {
                        "quote": "Twelve were wounded.",
                        "start": SECOND_BODY.index("Twelve"),
                        "end": len(SECOND_BODY),
                    },
                ],
                "start_date": "2020-09-30",
                "end_date": "2020-09-30",
                "date_precision": "day",
                "location_id": refs.tartar["id"],
                "location": location_summary(refs.tartar),
                "certainty": "confirmed",
                "fatalities": estimate(3, best=3, civilians={"low": 2, "best": 2, "high": None}),
                "injuries": estimate(12, 12, best=12),
            },
        ]
        # low: the highest low; best: the highest best, raised to low; high: none
        # when a source gives no upper bound. The civilians by the same rule.
        assert created["fatalities"] == estimate(
            24, None, best=24, civilians={"low": 2, "best": 2, "high": None}
        )
        assert created["injuries"] == estimate(12, 12, best=12)
        assert created["figures_set_by_hand"] is False
        assert created["source_count"] == 2
        # The flat citations are the reports' quotes, each with its source.
        assert created["citations"] == [
            cited(refs.source, ACCUSED),
            cited(refs.source, KILLED),
            *(
                {"source_id": second["id"], "source": created["reports"][1]["source"], **quote}
                for quote in created["reports"][1]["quotes"]
            ),
        ]
        assert client.get(f"{EVENTS}/{created['id']}").get_json() == created

    def test_figures_set_by_hand_are_kept(self, client, refs, second):
        body = without_citations(
            two_reports(
                refs, second, figures_set_by_hand=True, fatalities={"low": 5, "best": 7, "high": 9}
            )
        )

        created = create(client, EVENTS, body)

        assert created["fatalities"] == estimate(5, 9, best=7)
        assert created["injuries"] is None
        assert created["figures_set_by_hand"] is True

    def test_while_derived_the_figures_sent_are_replaced(self, client, refs, second):
        body = without_citations(
            two_reports(refs, second, figures_set_by_hand=False, fatalities={"low": 1000})
        )

        created = create(client, EVENTS, body)

        assert created["fatalities"]["low"] == 24

    def test_a_round_trip_with_reports_and_citations_as_read_changes_nothing(
        self, client, refs, second
    ):
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))
        body = {
            name: value
            for name, value in created.items()
            if name not in ("id", "created_at", "updated_at", "location", "source_count")
        }
        body["participants"] = [
            {"actor_id": p["actor_id"], "role": p["role"]} for p in body["participants"]
        ]
        body["reports"] = [
            {
                name: ([{"quote": q["quote"]} for q in value] if name == "quotes" else value)
                for name, value in r.items()
                if name not in ("source", "location")
            }
            for r in body["reports"]
        ]
        body["citations"] = [
            {"source_id": c["source_id"], "quote": c["quote"]} for c in body["citations"]
        ]

        response = client.put(f"{EVENTS}/{created['id']}", json=body)

        assert response.status_code == 200, response.get_json()
        assert {**response.get_json(), "updated_at": None} == {**created, "updated_at": None}

    def test_revisions_record_each_write(self, client, refs, second):
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))
        client.patch(f"{EVENTS}/{created['id']}", json={"reports": created_reports(created)[:1]})

        history = client.get(f"{EVENTS}/{created['id']}/revisions").get_json()

        assert [(r["number"], r["operation"]) for r in history] == [(2, "update"), (1, "create")]
        assert "reports" in history[0]["changed"]
        assert "source_count" in history[0]["changed"]
        assert "fatalities" in history[0]["changed"]


def created_reports(event):
    """The reports of `event` as a client writes them."""
    return [
        {
            **{name: value for name, value in r.items() if name not in ("source", "location")},
            "quotes": [{"quote": q["quote"]} for q in r["quotes"]],
        }
        for r in event["reports"]
    ]


class TestChangingReports:
    def test_a_patch_of_reports_derives_the_figures_again(self, client, refs, second):
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))

        response = client.patch(
            f"{EVENTS}/{created['id']}", json={"reports": created_reports(created)[1:]}
        )

        assert response.status_code == 200, response.get_json()
        changed = response.get_json()
        assert changed["fatalities"] == estimate(
            3, best=3, civilians={"low": 2, "best": 2, "high": None}
        )
        assert changed["source_count"] == 1
        assert [c["source_id"] for c in changed["citations"]] == [second["id"]] * 2

    def test_a_patch_of_figures_sets_them_by_hand(self, client, refs, second):
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))

        response = client.patch(
            f"{EVENTS}/{created['id']}", json={"fatalities": {"low": 30, "high": 40}}
        )

        changed = response.get_json()
        assert changed["figures_set_by_hand"] is True
        assert changed["fatalities"] == estimate(30, 40)
        # The injuries stay as they were when the figures were taken in hand.
        assert changed["injuries"] == created["injuries"]

    def test_back_to_derived(self, client, refs, second):
        created = create(
            client,
            EVENTS,
            without_citations(two_reports(refs, second, figures_set_by_hand=True)),
        )
        assert created["fatalities"] is None

        response = client.patch(f"{EVENTS}/{created['id']}", json={"figures_set_by_hand": False})

        assert response.get_json()["fatalities"]["low"] == 24

    def test_citations_alone_keep_what_each_source_says(self, client, refs, second):
        """A client that predates reports writes citations: the reports of the sources
        it still quotes keep their dates, place, figures and certainty."""
        created = create(client, EVENTS, without_citations(two_reports(refs, second)))
        citations = [
            {"source_id": second["id"], "quote": "Twelve were wounded."},
            {"source_id": refs.source["id"], "quote": ACCUSED[0]},
        ]

        response = client.patch(f"{EVENTS}/{created['id']}", json={"citations": citations})

        assert response.status_code == 200, response.get_json()
        changed = response.get_json()
        assert [r["source_id"] for r in changed["reports"]] == [second["id"], refs.source["id"]]
        assert changed["reports"][0] == {
            **created["reports"][1],
            "quotes": [created["reports"][1]["quotes"][1]],
        }
        assert changed["reports"][1]["fatalities"] == created["reports"][0]["fatalities"]
        assert [c["quote"] for c in changed["citations"]] == [
            "Twelve were wounded.",
            ACCUSED[0],
        ]
        assert changed["fatalities"] == created["fatalities"]

    def test_citations_interleaving_sources_keep_their_order(self, client, refs, second):
        citations = [
            {"source_id": refs.source["id"], "quote": ACCUSED[0]},
            {"source_id": second["id"], "quote": "Twelve were wounded."},
            {"source_id": refs.source["id"], "quote": KILLED[0]},
        ]

        created = create(client, EVENTS, event_body(refs.source["id"], citations=citations))

        assert [c["quote"] for c in created["citations"]] == [c["quote"] for c in citations]
        assert [[q["quote"] for q in r["quotes"]] for r in created["reports"]] == [
            [ACCUSED[0], KILLED[0]],
            ["Twelve were wounded."],
        ]
        assert created["source_count"] == 2


def reports_change(index, **fields):
    def change(refs, second, body):
        reports = [dict(r) for r in body["reports"]]
        reports[index].update(fields)
        return {**body, "reports": reports}

    return change


BAD_REPORTS = [
    pytest.param(
        reports_change(0, quotes=[{"quote": "Tartar was bombed from the air"}]),
        "reports.0.quotes.0.quote",
        id="quote-not-in-source",
    ),
    pytest.param(
        reports_change(1, source_id=nowhere()), "reports.1.source_id", id="unknown-source"
    ),
    pytest.param(
        reports_change(0, fatalities={"low": 5, "best": 4}),
        "reports.0.fatalities.best",
        id="low>best",
    ),
    pytest.param(
        reports_change(0, fatalities={"low": 5, "best": 9, "high": 8}),
        "reports.0.fatalities.best",
        id="best>high",
    ),
    pytest.param(
        reports_change(0, fatalities={"low": 5, "civilians": {"low": 6}}),
        "reports.0.fatalities.civilians.low",
        id="more-civilians-than-dead",
    ),
    pytest.param(
        reports_change(0, injuries={"low": 5, "high": 9, "civilians": {"low": 1, "high": 10}}),
        "reports.0.injuries.civilians.high",
        id="civilians-high-above-high",
    ),
    pytest.param(
        reports_change(0, location_id=nowhere()), "reports.0.location_id", id="unknown-place"
    ),
    pytest.param(
        reports_change(0, start_date="2020-09-30", end_date="2020-09-29"),
        "reports.0.end_date",
        id="report-ends-before-it-starts",
    ),
    pytest.param(reports_change(0, quotes=[]), "reports.0.quotes", id="report-without-quotes"),
    pytest.param(reports_change(0, certainty="sure"), "reports.0.certainty", id="bad-certainty"),
    pytest.param(
        lambda refs, second, body: {**body, "reports": [body["reports"][0]] * 2},
        "reports.1.source_id",
        id="one-source-twice",
    ),
    pytest.param(
        lambda refs, second, body: {
            **body,
            "citations": [{"source_id": refs.source["id"], "quote": ACCUSED[0]}],
        },
        "citations",
        id="citations-disagree-with-reports",
    ),
    pytest.param(
        lambda refs, second, body: {
            **body,
            "figures_set_by_hand": True,
            "fatalities": {"low": 3, "best": 2},
        },
        "fatalities.best",
        id="event-low>best",
    ),
]


class TestBadReports:
    @pytest.mark.parametrize(("change", "field"), BAD_REPORTS)
    def test_refused_and_nothing_written(self, client, db, refs, second, change, field):
        body = change(refs, second, without_citations(two_reports(refs, second)))

        response = client.post(EVENTS, json=body)

        assert_problem(response, 422, field)
        assert db.execute("SELECT count(*) AS n FROM reports").fetchone()["n"] == 0
        assert db.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 0


class TestListsBySource:
    def test_min_sources_and_source_id(self, client, refs, second):
        both = create(client, EVENTS, without_citations(two_reports(refs, second)))
        first_only = create(client, EVENTS, event_body(refs.source["id"], title="One source"))
        unreported = create(
            client, EVENTS, event_body(refs.source["id"], title="No source", citations=[])
        )

        def titles(**query):
            listed = client.get(EVENTS, query_string={**query, "fields": "title"}).get_json()
            return sorted(event["title"] for event in listed)

        assert titles(min_sources=2) == [both["title"]]
        assert titles(min_sources=1) == sorted([both["title"], first_only["title"]])
        assert titles(min_sources=0) == sorted(
            [both["title"], first_only["title"], unreported["title"]]
        )
        assert titles(source_id=second["id"]) == [both["title"]]
        assert titles(source_id=refs.source["id"], min_sources=2) == [both["title"]]

    @pytest.mark.parametrize("value", ["-1", "two", ""])
    def test_bad_min_sources(self, client, value):
        assert_problem(client.get(EVENTS, query_string={"min_sources": value}), 422, "min_sources")


class TestPlacesReportsName:
    def test_a_place_a_report_names_cannot_be_deleted(self, client, refs, second):
        body = {**without_citations(two_reports(refs, second)), "location_id": None}
        created = create(client, EVENTS, body)
        path = f"/v1/locations/{refs.tartar['id']}"

        response = client.delete(path)

        assert_problem(response, 409)
        assert response.get_json()["referrers"] == [{"kind": "event", "id": created["id"]}]
