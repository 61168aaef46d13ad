"""Tests of api/resources/events/: create, read, list, replace, patch and delete events."""

import json
from datetime import datetime
from unittest.mock import ANY

import pytest

from tests.helpers import (
    ACCUSED,
    CO_CHAIRS,
    CONDEMN,
    KILLED,
    MINISTRY,
    TABLES,
    actor_body,
    actor_summary,
    assert_problem,
    cited,
    create,
    estimate,
    event_body,
    nowhere,
    problem_type,
    reports_of,
    row_counts,
    server_fields,
    setting,
    source_body,
    statement_body,
    without,
)

EVENTS = "/v1/events"


def location_summary(location):
    return {
        key: location[key]
        for key in ("id", "name", "kind", "country", "latitude", "longitude", "geo_precision")
    }


def taking_part(actor, role):
    return {"actor_id": actor["id"], "actor": actor_summary(actor), "role": role}


def expected_event(body, **fields):
    """An event as the API shows it, from the server's fields and the rest."""
    expected = {
        "id": body["id"],
        "title": "Azerbaijan accuses Armenian forces of shelling Tartar",
        "summary": None,
        "event_type": "ASSAULT",
        "mode": "heavy-weapons",
        "start_date": "2020-09-30",
        "end_date": "2020-09-30",
        "date_precision": "day",
        "location_id": None,
        "location": None,
        "participants": [],
        "reported_as": "event",
        "certainty": "alleged",
        "certainty_set_by_hand": False,
        "fatalities": None,
        "injuries": None,
        "notes": None,
        "citations": [],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        **fields,
    }
    server_fields(body)
    expected.setdefault("reports", reports_of(expected["citations"]))
    expected.setdefault("source_count", len(expected["reports"]))
    expected.setdefault(
        "figures_set_by_hand",
        expected["fatalities"] is not None or expected["injuries"] is not None,
    )
    return expected


def full_body(refs, **overrides):
    """An event with a location, two participants and a citation."""
    return event_body(
        refs.source["id"],
        (refs.azerbaijan["id"], refs.armenia["id"]),
        refs.tartar["id"],
        **overrides,
    )


def full_expected(refs, body, **fields):
    """The event full_body() creates, as the API shows it."""
    return expected_event(
        body,
        **{
            "location_id": refs.tartar["id"],
            "location": location_summary(refs.tartar),
            "participants": [
                taking_part(refs.azerbaijan, "initiator"),
                taking_part(refs.armenia, "target"),
            ],
            "citations": [cited(refs.source, ACCUSED)],
            **fields,
        },
    )


# Changes that make a valid event body invalid, each with the field the 422 must name.
def in_list(name, index, **fields):
    def change(refs, body):
        items = [dict(item) for item in body[name]]
        items[index].update(fields)
        return {**body, name: items}

    return change


def participants(*pairs):
    """Set the participants to (actor attribute of refs, role) pairs."""

    def change(refs, body):
        listed = [{"actor_id": getattr(refs, name)["id"], "role": role} for name, role in pairs]
        return {**body, "participants": listed}

    return change


def adding_participant(**participant):
    def change(refs, body):
        return {**body, "participants": [*body["participants"], participant]}

    return change


BAD_EVENTS = [
    pytest.param(without("title"), "title", id="missing-title"),
    pytest.param(without("event_type"), "event_type", id="missing-event_type"),
    pytest.param(without("start_date"), "start_date", id="missing-start_date"),
    pytest.param(without("certainty"), "certainty", id="missing-certainty"),
    pytest.param(setting(title=None), "title", id="null-title"),
    pytest.param(setting(title=""), "title", id="empty-title"),
    pytest.param(setting(title="x" * 501), "title", id="title-too-long"),
    pytest.param(setting(title="Shelling\x00of Tartar"), "title", id="nul-in-title"),
    pytest.param(setting(title="Shelling \ud800 Tartar"), "title", id="lone-surrogate-in-title"),
    pytest.param(setting(event_type="SHELLING"), "event_type", id="bad-event_type"),
    pytest.param(setting(event_type="assault"), "event_type", id="lower-case-event_type"),
    pytest.param(setting(mode="shelling"), "mode", id="bad-mode"),
    pytest.param(setting(mode="demonstrate"), "mode", id="mode-demonstrate"),
    pytest.param(setting(mode="demo"), "mode", id="mode-of-another-type"),
    pytest.param(setting(event_type="AGREE"), "mode", id="mode-for-type-without-modes"),
    pytest.param(setting(date_precision="decade"), "date_precision", id="bad-date_precision"),
    pytest.param(setting(certainty="rumoured"), "certainty", id="bad-certainty"),
    pytest.param(in_list("participants", 0, role="victim"), "participants.0.role", id="bad-role"),
    pytest.param(setting(end_date="2020-09-29"), "end_date", id="end-before-start"),
    pytest.param(setting(start_date="2020-02-30"), "start_date", id="impossible-start_date"),
    pytest.param(setting(end_date="2020-02-30"), "end_date", id="impossible-end_date"),
    pytest.param(setting(start_date="30/09/2020"), "start_date", id="start_date-not-iso"),
    pytest.param(
        setting(fatalities={"low": 100, "high": 24}), "fatalities.high", id="fatalities-low>high"
    ),
    pytest.param(setting(injuries={"low": 10, "high": 9}), "injuries.high", id="injuries-low>high"),
    pytest.param(setting(fatalities={"high": 5}), "fatalities.low", id="fatalities-without-low"),
    pytest.param(setting(fatalities={"low": -1}), "fatalities.low", id="negative-fatalities"),
    pytest.param(
        setting(injuries={"low": 0, "high": -3}), "injuries.high", id="negative-injuries-high"
    ),
    pytest.param(setting(fatalities={"low": "12"}), "fatalities.low", id="fatalities-as-string"),
    pytest.param(setting(injuries={"low": 1.5}), "injuries.low", id="fractional-injuries"),
    pytest.param(setting(fatalities={"low": 2**31}), "fatalities.low", id="fatalities-too-big"),
    pytest.param(setting(fatalities=12), "fatalities", id="fatalities-not-a-range"),
    pytest.param(
        setting(fatalities={"low": 1, "estimate": 2}), "fatalities.estimate", id="unknown-in-range"
    ),
    pytest.param(setting(casualties=3), "casualties", id="unknown-field"),
    pytest.param(
        in_list("participants", 0, weapon="artillery"),
        "participants.0.weapon",
        id="unknown-field-in-participant",
    ),
    pytest.param(
        in_list("citations", 0, page=2), "citations.0.page", id="unknown-field-in-citation"
    ),
    pytest.param(setting(location={"name": "Tartar"}), "location", id="read-only-location"),
    pytest.param(lambda refs, body: {**body, "id": nowhere()}, "id", id="read-only-id"),
    pytest.param(
        setting(created_at="2020-09-30T00:00:00+00:00"), "created_at", id="read-only-created_at"
    ),
    pytest.param(
        in_list("citations", 0, start=0), "citations.0.start", id="read-only-citation-start"
    ),
    pytest.param(
        participants(
            ("azerbaijan", "initiator"), ("armenia", "target"), ("azerbaijan", "initiator")
        ),
        "participants.2.actor_id",
        id="same-actor-twice-in-same-role",
    ),
    pytest.param(
        setting(participants={"actor_id": None}), "participants", id="participants-not-list"
    ),
    pytest.param(
        lambda refs, body: {**body, "participants": body["participants"][:1] * 101},
        "participants",
        id="too-many-participants",
    ),
    pytest.param(
        lambda refs, body: {**body, "citations": body["citations"] * 101},
        "citations",
        id="too-many-citations",
    ),
    pytest.param(
        in_list("participants", 0, actor_id="Azerbaijan"),
        "participants.0.actor_id",
        id="participant-actor_id-not-uuid",
    ),
    pytest.param(
        lambda refs, body: {**body, "location_id": nowhere()}, "location_id", id="no-such-location"
    ),
    pytest.param(setting(location_id="Tartar"), "location_id", id="location_id-not-uuid"),
    pytest.param(
        lambda refs, body: in_list("participants", 1, actor_id=nowhere())(refs, body),
        "participants.1.actor_id",
        id="no-such-actor",
    ),
    pytest.param(
        lambda refs, body: in_list("citations", 0, source_id=nowhere())(refs, body),
        "citations.0.source_id",
        id="no-such-source",
    ),
    pytest.param(
        in_list("citations", 0, quote="accused Azerbaijani forces of shelling"),
        "citations.0.quote",
        id="quote-not-in-source",
    ),
    pytest.param(
        in_list("citations", 0, quote="Azerbaijan's Defense Ministry"),
        "citations.0.quote",
        id="straight-apostrophe-for-curly",
    ),
    pytest.param(
        in_list("citations", 0, quote='"We strongly condemn the use of force,"'),
        "citations.0.quote",
        id="straight-quotes-for-curly",
    ),
    pytest.param(in_list("citations", 0, quote=""), "citations.0.quote", id="empty-quote"),
    pytest.param(
        lambda refs, body: {**body, "citations": [{"quote": ACCUSED[0]}]},
        "citations.0.source_id",
        id="citation-without-source",
    ),
]


class TestCreateEvent:
    def test_creates_event_with_location_participants_and_citation(self, client, refs):
        response = client.post(EVENTS, json=full_body(refs))

        assert response.status_code == 201
        body = response.get_json()
        assert response.headers["Location"] == f"{EVENTS}/{body['id']}"
        assert body == {
            **server_fields(body),
            "title": "Azerbaijan accuses Armenian forces of shelling Tartar",
            "summary": None,
            "event_type": "ASSAULT",
            "mode": "heavy-weapons",
            "start_date": "2020-09-30",
            "end_date": "2020-09-30",
            "date_precision": "day",
            "location_id": refs.tartar["id"],
            "location": {
                "id": refs.tartar["id"],
                "name": "Tartar",
                "kind": "town",
                "country": "AZE",
                "latitude": 40.3444,
                "longitude": 46.9311,
                "geo_precision": "settlement",
            },
            "participants": [
                {
                    "actor_id": refs.azerbaijan["id"],
                    "actor": {
                        "id": refs.azerbaijan["id"],
                        "name": "Azerbaijan",
                        "kind": "state",
                        "country": "AZE",
                    },
                    "role": "initiator",
                },
                {
                    "actor_id": refs.armenia["id"],
                    "actor": {
                        "id": refs.armenia["id"],
                        "name": "Armenia",
                        "kind": "state",
                        "country": "ARM",
                    },
                    "role": "target",
                },
            ],
            "reported_as": "event",
            "certainty": "alleged",
            "certainty_set_by_hand": False,
            "fatalities": None,
            "injuries": None,
            "figures_set_by_hand": False,
            "source_count": 1,
            "notes": None,
            "reports": [
                {
                    "source_id": refs.source["id"],
                    "source": {
                        "id": refs.source["id"],
                        "title": "Clashes over Nagorno-Karabakh",
                        "publisher": "Example News",
                        "published_on": "2020-09-30",
                        "url": "https://example.org/news/clashes",
                    },
                    "quotes": [
                        {"quote": "accused Armenian forces of shelling", "start": 30, "end": 65}
                    ],
                    "start_date": None,
                    "end_date": None,
                    "date_precision": None,
                    "location_id": None,
                    "location": None,
                    "certainty": None,
                    "fatalities": None,
                    "injuries": None,
                }
            ],
            "citations": [
                {
                    "source_id": refs.source["id"],
                    "source": {
                        "id": refs.source["id"],
                        "title": "Clashes over Nagorno-Karabakh",
                        "publisher": "Example News",
                        "published_on": "2020-09-30",
                        "url": "https://example.org/news/clashes",
                    },
                    "quote": "accused Armenian forces of shelling",
                    "start": 30,
                    "end": 65,
                }
            ],
        }
        assert refs.source["body"][30:65] == "accused Armenian forces of shelling"
        assert body["created_at"] == body["updated_at"]

    def test_keeps_participants_in_the_order_given(self, client, refs):
        body = full_body(refs)
        body["participants"] = [
            {"actor_id": refs.armenia["id"], "role": "affected"},
            {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
            {"actor_id": refs.armenia["id"], "role": "target"},
        ]

        created = create(client, EVENTS, body)

        assert created == full_expected(
            refs,
            created,
            participants=[
                taking_part(refs.armenia, "affected"),
                taking_part(refs.azerbaijan, "initiator"),
                taking_part(refs.armenia, "target"),
            ],
        )

    def test_citation_offsets_count_code_points_past_curly_quotes(self, client, refs):
        quotes = (CO_CHAIRS, CONDEMN, MINISTRY, KILLED)
        body = full_body(refs, citations=[])
        body["citations"] = [{"source_id": refs.source["id"], "quote": q} for q, _ in quotes]

        created = create(client, EVENTS, body)

        assert created == full_expected(
            refs, created, citations=[cited(refs.source, quote_at) for quote_at in quotes]
        )
        for citation in created["citations"]:
            assert refs.source["body"][citation["start"] : citation["end"]] == citation["quote"]

    def test_characters_outside_the_basic_plane_count_as_one(self, client, refs):
        source = create(
            client,
            "/v1/sources",
            source_body(url=None, body="Tartar 🇦🇿 𝐀 “shelled” — said the ministry’s spokesman."),
        )
        body = full_body(refs, citations=[{"source_id": source["id"], "quote": "said the"}])

        created = create(client, EVENTS, body)

        assert created == full_expected(refs, created, citations=[cited(source, ("said the", 24))])

    def test_a_quote_found_twice_points_at_its_first_occurrence(self, client, refs):
        assert refs.source["body"].count("Azerbaijan") == 2
        body = full_body(refs, citations=[{"source_id": refs.source["id"], "quote": "Azerbaijan"}])

        created = create(client, EVENTS, body)

        assert created == full_expected(
            refs, created, citations=[cited(refs.source, ("Azerbaijan", 0))]
        )

    def test_defaults_when_only_required_fields_are_given(self, client, db):
        body = {
            "title": "Armenia announces martial law",
            "event_type": "COERCE",
            "start_date": "2020-09-27",
            "certainty": "reported",
        }

        created = create(client, EVENTS, body)

        assert created == expected_event(
            created,
            title="Armenia announces martial law",
            event_type="COERCE",
            mode=None,
            start_date="2020-09-27",
            end_date="2020-09-27",
            certainty="reported",
        )
        assert row_counts(db)["events"] == 1

    def test_stores_every_optional_field(self, client, refs):
        body = full_body(
            refs,
            summary="Azerbaijan’s ministry said Tartar was shelled.",
            end_date="2020-10-02",
            date_precision="week",
            fatalities={"low": 24, "high": 99},
            injuries={"low": 5},
            notes="Numbers are the ministry’s.",
        )

        created = create(client, EVENTS, body)

        assert created == full_expected(
            refs,
            created,
            summary="Azerbaijan’s ministry said Tartar was shelled.",
            end_date="2020-10-02",
            date_precision="week",
            fatalities=estimate(24, 99),
            injuries=estimate(5),
            notes="Numbers are the ministry’s.",
        )

    def test_ranges_accept_zero_and_equal_bounds(self, client, refs):
        created = create(
            client,
            EVENTS,
            full_body(refs, fatalities={"low": 0, "high": 0}, injuries={"low": 3, "high": 3}),
        )

        assert created == full_expected(
            refs, created, fatalities=estimate(0, 0), injuries=estimate(3, 3)
        )

    @pytest.mark.parametrize(("change", "field"), BAD_EVENTS)
    def test_refuses_invalid_event(self, client, db, refs, change, field):
        before = row_counts(db)

        response = client.post(EVENTS, json=change(refs, full_body(refs)))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert problem["instance"] == EVENTS
        assert row_counts(db) == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param(
                lambda refs, body: adding_participant(actor_id=nowhere(), role="affected")(
                    refs, body
                ),
                "participants.2.actor_id",
                id="third-actor-missing",
            ),
            pytest.param(
                lambda refs, body: adding_participant(actor_id=refs.armenia["id"], role="victim")(
                    refs, body
                ),
                "participants.2.role",
                id="third-role-bad",
            ),
            pytest.param(
                lambda refs, body: adding_participant(actor_id=refs.armenia["id"])(refs, body),
                "participants.2.role",
                id="third-role-missing",
            ),
        ],
    )
    def test_invalid_third_participant_leaves_nothing_behind(self, client, db, refs, change, field):
        create(client, EVENTS, full_body(refs, title="An earlier event"))
        before = row_counts(db)
        assert before["events"] == 1
        assert before["event_participants"] == 2
        assert before["citations"] == 1

        response = client.post(EVENTS, json=change(refs, full_body(refs)))

        assert_problem(response, 422, field)
        assert row_counts(db) == before

    def test_reports_every_missing_reference_at_once(self, client, db, refs):
        body = full_body(refs)
        body["location_id"] = nowhere()
        body["participants"][1]["actor_id"] = nowhere()
        body["citations"].append({"source_id": nowhere(), "quote": "shelling"})
        before = row_counts(db)

        response = client.post(EVENTS, json=body)

        problem = assert_problem(
            response, 422, "location_id", "participants.1.actor_id", "citations.1.source_id"
        )
        assert set(problem["errors"]) == {
            "location_id",
            "participants.1.actor_id",
            "citations.1.source_id",
        }
        assert row_counts(db) == before

    def test_refuses_a_body_that_is_not_json_object(self, client, db, refs):
        before = row_counts(db)

        response = client.post(EVENTS, json=[full_body(refs)])

        assert_problem(response, 422)
        assert row_counts(db) == before

    def test_refuses_malformed_json(self, client, db):
        before = row_counts(db)

        response = client.post(
            EVENTS, data="{not json", headers={"Content-Type": "application/json"}
        )

        assert_problem(response, 400)
        assert row_counts(db) == before


class TestGetEvent:
    def test_returns_the_event_with_an_etag(self, client, refs):
        created = create(client, EVENTS, full_body(refs))

        response = client.get(f"{EVENTS}/{created['id']}")

        assert response.status_code == 200
        assert response.get_json() == full_expected(refs, created)
        assert response.headers["ETag"].startswith('"')

    def test_answers_304_to_the_current_etag(self, client, refs):
        created = create(client, EVENTS, full_body(refs))
        etag = client.get(f"{EVENTS}/{created['id']}").headers["ETag"]

        response = client.get(f"{EVENTS}/{created['id']}", headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_answers_200_to_an_etag_of_another_version(self, client, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        old_etag = client.get(path).headers["ETag"]
        changed = client.patch(path, json={"title": "Tartar shelled"}).get_json()

        response = client.get(path, headers={"If-None-Match": old_etag})

        assert response.status_code == 200
        assert response.get_json() == changed
        assert response.headers["ETag"] != old_etag

    def test_shows_changes_to_the_records_it_embeds(self, client, refs):
        created = create(client, EVENTS, full_body(refs))
        renamed = client.patch(
            f"/v1/actors/{refs.armenia['id']}", json={"name": "Republic of Armenia"}
        ).get_json()

        response = client.get(f"{EVENTS}/{created['id']}")

        body = response.get_json()
        # It shows a changed summary, so it changed for clients that sync by updated_at.
        assert body["updated_at"] > created["updated_at"]
        assert body == full_expected(
            refs,
            {**created, "updated_at": body["updated_at"]},
            participants=[
                taking_part(refs.azerbaijan, "initiator"),
                taking_part(renamed, "target"),
            ],
        )

    def test_unknown_id_is_404(self, client):
        missing = nowhere()

        response = client.get(f"{EVENTS}/{missing}")

        assert_problem(response, 404)
        assert response.get_json() == {
            "type": problem_type("not-found"),
            "title": "Not Found",
            "status": 404,
            "detail": f"No event has the id {missing}.",
            "instance": f"{EVENTS}/{missing}",
            "request_id": ANY,
        }

    @pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "0000"], ids=str)
    def test_malformed_id_is_404(self, client, bad_id):
        assert_problem(client.get(f"{EVENTS}/{bad_id}"), 404)


class TestListEvents:
    @pytest.fixture
    def three(self, client, refs):
        """Three events, created in an order that is not their date order."""
        dates = ("2020-09-27", "2020-10-05", "2020-09-30")
        return {
            date: create(
                client, EVENTS, full_body(refs, title=f"Shelling on {date}", start_date=date)
            )
            for date in dates
        }

    def test_empty_list(self, client):
        response = client.get(EVENTS)

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}

    def test_lists_latest_start_date_first(self, client, refs, three):
        response = client.get(EVENTS)

        assert response.status_code == 200
        assert response.get_json() == [
            three["2020-10-05"],
            three["2020-09-30"],
            three["2020-09-27"],
        ]
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 1,
            "first_page": 1,
            "last_page": 1,
            "page": 1,
        }

    def test_events_on_the_same_day_are_ordered_by_id_descending(self, client, refs):
        created = [create(client, EVENTS, full_body(refs, title=f"Event {n}")) for n in range(3)]

        response = client.get(EVENTS)

        # The id breaks ties in the same direction as the sort (here descending),
        # which keeps keyset paging consistent.
        assert response.get_json() == sorted(created, key=lambda event: event["id"], reverse=True)

    def test_pages_with_x_pagination_and_link(self, client, refs, three):
        first = client.get(f"{EVENTS}?page_size=2")
        second = client.get(f"{EVENTS}?page_size=2&page=2")

        assert first.get_json() == [three["2020-10-05"], three["2020-09-30"]]
        assert json.loads(first.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 2,
            "first_page": 1,
            "last_page": 2,
            "page": 1,
            "next_page": 2,
        }
        assert first.headers["Link"] == (
            '<http://localhost/v1/events?page_size=2&page=1>; rel="first", '
            '<http://localhost/v1/events?page_size=2&page=2>; rel="next", '
            '<http://localhost/v1/events?page_size=2&page=2>; rel="last"'
        )
        assert second.get_json() == [three["2020-09-27"]]
        assert json.loads(second.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 2,
            "first_page": 1,
            "last_page": 2,
            "page": 2,
            "previous_page": 1,
        }
        assert second.headers["Link"] == (
            '<http://localhost/v1/events?page_size=2&page=1>; rel="first", '
            '<http://localhost/v1/events?page_size=2&page=1>; rel="prev", '
            '<http://localhost/v1/events?page_size=2&page=2>; rel="last"'
        )

    def test_a_page_past_the_end_is_empty(self, client, refs, three):
        response = client.get(f"{EVENTS}?page=5")

        assert response.status_code == 200
        assert response.get_json() == []

    def test_list_answers_304_to_its_etag(self, client, refs, three):
        etag = client.get(EVENTS).headers["ETag"]

        assert client.get(EVENTS, headers={"If-None-Match": etag}).status_code == 304

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("page=0", "page", id="page-zero"),
            pytest.param("page=-1", "page", id="page-negative"),
            pytest.param("page=two", "page", id="page-not-a-number"),
            pytest.param("page=1000001", "page", id="page-too-deep"),
            pytest.param("page_size=0", "page_size", id="page_size-zero"),
            pytest.param("page_size=501", "page_size", id="page_size-too-big"),
        ],
    )
    def test_refuses_bad_page_parameters(self, client, query, field):
        response = client.get(f"{EVENTS}?{query}")

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}


class TestReplaceEvent:
    def test_replaces_fields_participants_and_citations_wholesale(self, client, db, refs):
        created = create(
            client, EVENTS, full_body(refs, fatalities={"low": 1}, notes="First report.")
        )
        path = f"{EVENTS}/{created['id']}"
        replacement = {
            "title": "Armenia denies shelling Tartar",
            "event_type": "ASSAULT",
            "start_date": "2020-09-29",
            "end_date": "2020-09-30",
            "certainty": "disputed",
            "participants": [{"actor_id": refs.armenia["id"], "role": "initiator"}],
            "citations": [
                {"source_id": refs.source["id"], "quote": CONDEMN[0]},
                {"source_id": refs.source["id"], "quote": KILLED[0]},
            ],
        }

        response = client.put(path, json=replacement)

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_event(
            replaced,
            title="Armenia denies shelling Tartar",
            mode=None,
            start_date="2020-09-29",
            certainty="disputed",
            participants=[taking_part(refs.armenia, "initiator")],
            citations=[cited(refs.source, CONDEMN), cited(refs.source, KILLED)],
        )
        assert replaced["id"] == created["id"]
        assert replaced["created_at"] == created["created_at"]
        assert datetime.fromisoformat(replaced["updated_at"]) > datetime.fromisoformat(
            created["updated_at"]
        )
        assert client.get(path).get_json() == replaced
        counts = row_counts(db)
        assert (counts["events"], counts["event_participants"], counts["citations"]) == (1, 1, 2)

    def test_replacing_with_empty_lists_removes_participants_and_citations(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))

        response = client.put(
            f"{EVENTS}/{created['id']}",
            json=event_body(refs.source["id"], citations=[]),
        )

        assert response.status_code == 200
        assert response.get_json() == expected_event(response.get_json())
        counts = row_counts(db)
        assert (counts["events"], counts["event_participants"], counts["citations"]) == (1, 0, 0)

    def test_replacing_leaves_other_events_alone(self, client, refs):
        other = create(client, EVENTS, full_body(refs, title="Another shelling"))
        created = create(client, EVENTS, full_body(refs))

        client.put(f"{EVENTS}/{created['id']}", json=full_body(refs, participants=[]))

        assert client.get(f"{EVENTS}/{other['id']}").get_json() == other

    def test_current_etag_in_if_match_is_accepted(self, client, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        etag = client.get(path).headers["ETag"]

        response = client.put(
            path, json=full_body(refs, title="Tartar shelled"), headers={"If-Match": etag}
        )

        assert response.status_code == 200
        assert response.get_json() == full_expected(
            refs, response.get_json(), title="Tartar shelled"
        )
        assert response.headers["ETag"] != etag

    def test_stale_etag_in_if_match_is_412_and_changes_nothing(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        stale = client.get(path).headers["ETag"]
        current = client.patch(path, json={"title": "Tartar shelled"}).get_json()
        before = row_counts(db)

        response = client.put(
            path, json=full_body(refs, participants=[]), headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    @pytest.mark.parametrize(("change", "field"), BAD_EVENTS)
    def test_invalid_replacement_leaves_the_event_as_it_was(self, client, db, refs, change, field):
        created = create(client, EVENTS, full_body(refs, fatalities={"low": 3, "high": 7}))
        path = f"{EVENTS}/{created['id']}"
        stored = client.get(path).get_json()
        before = row_counts(db)

        response = client.put(path, json=change(refs, full_body(refs, title="Replaced")))

        assert_problem(response, 422, field)
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_invalid_third_participant_leaves_the_event_as_it_was(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        stored = client.get(path).get_json()
        before = row_counts(db)
        body = full_body(refs, title="Replaced", citations=[])
        body["participants"].append({"actor_id": nowhere(), "role": "affected"})

        response = client.put(path, json=body)

        assert_problem(response, 422, "participants.2.actor_id")
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_unknown_id_is_404_and_creates_nothing(self, client, db, refs):
        before = row_counts(db)

        response = client.put(f"{EVENTS}/{nowhere()}", json=full_body(refs))

        assert_problem(response, 404)
        assert row_counts(db) == before

    def test_malformed_id_is_404(self, client, db, refs):
        before = row_counts(db)

        assert_problem(client.put(f"{EVENTS}/not-a-uuid", json=full_body(refs)), 404)
        assert row_counts(db) == before


class TestPatchEvent:
    @pytest.fixture
    def stored(self, client, refs):
        created = create(
            client, EVENTS, full_body(refs, end_date="2020-10-01", fatalities={"low": 2})
        )
        return client.get(f"{EVENTS}/{created['id']}").get_json()

    def patched(self, client, stored, changes, **kwargs):
        response = client.patch(f"{EVENTS}/{stored['id']}", json=changes, **kwargs)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["created_at"] == stored["created_at"]
        assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(
            stored["updated_at"]
        )
        return body

    def test_changes_only_the_fields_given(self, client, stored):
        body = self.patched(client, stored, {"title": "Tartar shelled", "certainty": "confirmed"})

        assert body == {
            **stored,
            "title": "Tartar shelled",
            "certainty": "confirmed",
            "updated_at": body["updated_at"],
        }
        assert client.get(f"{EVENTS}/{stored['id']}").get_json() == body

    def test_a_list_given_replaces_the_whole_list(self, client, db, refs, stored):
        body = self.patched(
            client, stored, {"participants": [{"actor_id": refs.armenia["id"], "role": "affected"}]}
        )

        assert body == {
            **stored,
            "participants": [taking_part(refs.armenia, "affected")],
            "updated_at": body["updated_at"],
        }
        assert row_counts(db)["event_participants"] == 1

    def test_citations_given_replace_the_citations(self, client, db, refs, stored):
        body = self.patched(
            client,
            stored,
            {"citations": [{"source_id": refs.source["id"], "quote": CO_CHAIRS[0]}]},
        )

        assert body == {
            **stored,
            "reports": reports_of([cited(refs.source, CO_CHAIRS)]),
            "citations": [cited(refs.source, CO_CHAIRS)],
            "updated_at": body["updated_at"],
        }
        assert row_counts(db)["citations"] == 1

    def test_null_clears_a_field(self, client, stored):
        body = self.patched(client, stored, {"location_id": None, "fatalities": None, "mode": None})

        assert body == {
            **stored,
            "location_id": None,
            "location": None,
            "fatalities": None,
            # No figure left by hand: they follow the reports again (which give none).
            "figures_set_by_hand": False,
            "mode": None,
            "updated_at": body["updated_at"],
        }

    def test_sets_a_range(self, client, stored):
        body = self.patched(client, stored, {"injuries": {"low": 10, "high": 12}})

        assert body == {
            **stored,
            "injuries": estimate(10, 12),
            "updated_at": body["updated_at"],
        }

    def test_end_date_keeps_its_value_when_start_date_changes(self, client, stored):
        body = self.patched(client, stored, {"start_date": "2020-09-28"})

        assert body == {
            **stored,
            "start_date": "2020-09-28",
            "end_date": "2020-10-01",
            "updated_at": body["updated_at"],
        }

    def test_changing_type_and_mode_together(self, client, stored):
        body = self.patched(client, stored, {"event_type": "PROTEST", "mode": "demo"})

        assert body == {
            **stored,
            "event_type": "PROTEST",
            "mode": "demo",
            "updated_at": body["updated_at"],
        }

    def test_current_etag_in_if_match_is_accepted(self, client, stored):
        etag = client.get(f"{EVENTS}/{stored['id']}").headers["ETag"]

        body = self.patched(client, stored, {"title": "Tartar shelled"}, headers={"If-Match": etag})

        assert body == {**stored, "title": "Tartar shelled", "updated_at": body["updated_at"]}

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            pytest.param({"end_date": "2020-09-29"}, "end_date", id="end-before-stored-start"),
            pytest.param({"start_date": "2020-10-02"}, "end_date", id="start-after-stored-end"),
            pytest.param({"mode": "demo"}, "mode", id="mode-not-of-stored-type"),
            pytest.param({"event_type": "PROTEST"}, "mode", id="type-without-stored-mode"),
            pytest.param(
                {"fatalities": {"low": 5, "high": 4}}, "fatalities.high", id="fatalities-low>high"
            ),
            pytest.param({"fatalities": {"low": -1}}, "fatalities.low", id="negative-fatalities"),
            pytest.param({"injuries": {"low": "3"}}, "injuries.low", id="injuries-as-string"),
            pytest.param({"title": None}, "title", id="null-title"),
            pytest.param({"title": "a\x00b"}, "title", id="nul-in-title"),
            pytest.param({"event_type": None}, "event_type", id="null-event_type"),
            pytest.param({"start_date": "2020-02-30"}, "start_date", id="impossible-date"),
            pytest.param({"certainty": "rumoured"}, "certainty", id="bad-certainty"),
            pytest.param({"date_precision": "decade"}, "date_precision", id="bad-date_precision"),
            pytest.param({"casualties": 3}, "casualties", id="unknown-field"),
            pytest.param({"id": "x"}, "id", id="read-only-id"),
            pytest.param({"location": None}, "location", id="read-only-location"),
            pytest.param({"location_id": "nowhere"}, "location_id", id="location_id-not-uuid"),
            pytest.param(
                {"participants": [{"actor_id": "nowhere", "role": "target"}]},
                "participants.0.actor_id",
                id="participant-actor_id-not-uuid",
            ),
            pytest.param(
                {"participants": [{"role": "target"}]},
                "participants.0.actor_id",
                id="participant-without-actor",
            ),
            pytest.param(
                {"citations": [{"source_id": None, "quote": "x"}]},
                "citations.0.source_id",
                id="null-source_id",
            ),
        ],
    )
    def test_refuses_invalid_changes(self, client, db, stored, changes, field):
        before = row_counts(db)
        path = f"{EVENTS}/{stored['id']}"

        response = client.patch(path, json=changes)

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param(
                lambda refs: {"location_id": nowhere()}, "location_id", id="no-such-location"
            ),
            pytest.param(
                lambda refs: {
                    "participants": [
                        {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
                        {"actor_id": nowhere(), "role": "target"},
                    ]
                },
                "participants.1.actor_id",
                id="no-such-actor",
            ),
            pytest.param(
                lambda refs: {
                    "participants": [
                        {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
                        {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
                    ]
                },
                "participants.1.actor_id",
                id="same-actor-twice-in-same-role",
            ),
            pytest.param(
                lambda refs: {"citations": [{"source_id": nowhere(), "quote": "shelling"}]},
                "citations.0.source_id",
                id="no-such-source",
            ),
            pytest.param(
                lambda refs: {
                    "citations": [
                        {"source_id": refs.source["id"], "quote": "Azerbaijan's Defense Ministry"}
                    ]
                },
                "citations.0.quote",
                id="straight-apostrophe-for-curly",
            ),
        ],
    )
    def test_refuses_changes_referring_to_nothing(self, client, db, refs, stored, change, field):
        before = row_counts(db)
        path = f"{EVENTS}/{stored['id']}"

        response = client.patch(path, json=change(refs))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_stale_etag_in_if_match_is_412_and_changes_nothing(self, client, db, stored):
        path = f"{EVENTS}/{stored['id']}"
        stale = client.get(path).headers["ETag"]
        current = self.patched(client, stored, {"title": "Tartar shelled"})
        before = row_counts(db)

        response = client.patch(path, json={"title": "Overwritten"}, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    def test_unknown_id_is_404(self, client, db):
        before = row_counts(db)

        assert_problem(client.patch(f"{EVENTS}/{nowhere()}", json={"title": "Tartar"}), 404)
        assert_problem(client.patch(f"{EVENTS}/not-a-uuid", json={"title": "Tartar"}), 404)
        assert row_counts(db) == before


class TestDeleteEvent:
    def test_deletes_the_event_its_participants_and_citations(self, client, db, refs):
        other = create(client, EVENTS, full_body(refs, title="Another shelling"))
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"

        response = client.delete(path)

        assert response.status_code == 204
        assert response.get_data() == b""
        assert_problem(client.get(path), 404)
        assert client.get(f"{EVENTS}/{other['id']}").get_json() == other
        counts = row_counts(db)
        assert (counts["events"], counts["event_participants"], counts["citations"]) == (1, 2, 1)
        assert client.get(f"/v1/actors/{refs.armenia['id']}").status_code == 200
        assert client.get(f"/v1/sources/{refs.source['id']}").status_code == 200
        assert client.get(f"/v1/locations/{refs.tartar['id']}").status_code == 200

    def test_deleting_twice_is_404(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        assert client.delete(path).status_code == 204

        assert_problem(client.delete(path), 404)

    def test_an_event_a_statement_is_about_is_409(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        claim = create(
            client,
            "/v1/statements",
            statement_body(refs.source["id"], refs.azerbaijan["id"], [created["id"]]),
        )
        stored = client.get(path).get_json()
        before = row_counts(db)

        response = client.delete(path)

        assert_problem(response, 409)
        assert response.get_json() == {
            "type": problem_type("still-referenced"),
            "title": "Conflict",
            "status": 409,
            "detail": "This event is still referred to by 1 record; change or delete those first.",
            "instance": path,
            "request_id": ANY,
            "referrers": [{"kind": "statement", "id": claim["id"]}],
        }
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_409_lists_every_statement_about_the_event(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        statements = [
            create(
                client,
                "/v1/statements",
                statement_body(
                    refs.source["id"],
                    speaker["id"],
                    statement_type=kind,
                    events=[{"event_id": created["id"], "stance": stance}],
                ),
            )
            for speaker, kind, stance in (
                (refs.azerbaijan, "claim", "asserts"),
                (refs.armenia, "denial", "denies"),
            )
        ]
        before = row_counts(db)

        response = client.delete(path)

        problem = assert_problem(response, 409)
        assert problem["detail"] == (
            "This event is still referred to by 2 records; change or delete those first."
        )
        assert problem["referrers"] == sorted(
            ({"kind": "statement", "id": statement["id"]} for statement in statements),
            key=lambda referrer: referrer["id"],
        )
        assert row_counts(db) == before

    def test_can_be_deleted_once_its_statements_are(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        claim = create(
            client,
            "/v1/statements",
            statement_body(refs.source["id"], refs.azerbaijan["id"], [created["id"]]),
        )
        assert client.delete(f"/v1/statements/{claim['id']}").status_code == 204

        assert client.delete(f"{EVENTS}/{created['id']}").status_code == 204
        assert row_counts(db) == dict.fromkeys(TABLES, 0)

    def test_current_etag_in_if_match_is_accepted(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        etag = client.get(path).headers["ETag"]

        assert client.delete(path, headers={"If-Match": etag}).status_code == 204
        assert row_counts(db)["events"] == 0

    def test_stale_etag_in_if_match_is_412_and_deletes_nothing(self, client, db, refs):
        created = create(client, EVENTS, full_body(refs))
        path = f"{EVENTS}/{created['id']}"
        stale = client.get(path).headers["ETag"]
        current = client.patch(path, json={"title": "Tartar shelled"}).get_json()
        before = row_counts(db)

        response = client.delete(path, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    @pytest.mark.parametrize("bad_id", ["not-a-uuid", "42"], ids=str)
    def test_malformed_id_is_404(self, client, db, refs, bad_id):
        create(client, EVENTS, full_body(refs))
        before = row_counts(db)

        assert_problem(client.delete(f"{EVENTS}/{bad_id}"), 404)
        assert row_counts(db) == before

    def test_unknown_id_is_404(self, client, db, refs):
        create(client, EVENTS, full_body(refs))
        before = row_counts(db)
        missing = nowhere()

        response = client.delete(f"{EVENTS}/{missing}")

        assert_problem(response, 404)
        assert response.get_json()["detail"] == f"No event has the id {missing}."
        assert row_counts(db) == before


class TestWriteIsOneTransaction:
    def test_a_failure_after_the_event_row_is_written_leaves_nothing(self, client, db):
        """A database error while the third participant is stored undoes the whole write."""
        source = create(client, "/v1/sources", source_body())
        actors = [
            create(client, "/v1/actors", actor_body(name=name))
            for name in ("Azerbaijan", "Armenia", "Turkey")
        ]
        # Stand in for any fault the schema cannot foresee: the database itself
        # refuses the third participant, after the event and two participants exist.
        db.execute(
            """
            CREATE FUNCTION refuse_third() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.position = 2 THEN
                    RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation',
                        CONSTRAINT = 'event_participants_once';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_third BEFORE INSERT ON event_participants
                FOR EACH ROW EXECUTE FUNCTION refuse_third();
            """
        )
        body = event_body(source["id"], [actor["id"] for actor in actors])
        body["participants"].append({"actor_id": actors[2]["id"], "role": "affected"})
        before = row_counts(db)

        try:
            response = client.post("/v1/events", json=body)
        finally:
            # Tests share one database, emptied between them: leave no trigger behind.
            db.execute("DROP TRIGGER refuse_third ON event_participants")
            db.execute("DROP FUNCTION refuse_third()")

        assert_problem(response, 422, "participants")
        assert row_counts(db) == before
