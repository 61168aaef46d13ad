"""Tests of api/resources/statements/: create, read, list, replace, patch and delete statements."""

import json
from datetime import datetime
from types import SimpleNamespace
from unittest.mock import ANY

import pytest

from tests.helpers import (
    ACCUSED,
    CO_CHAIRS,
    CONDEMN,
    MINISTRY,
    actor_body,
    actor_summary,
    assert_problem,
    cited,
    create,
    event_body,
    nowhere,
    problem_type,
    reports_of,
    row_counts,
    server_fields,
    setting,
    source_body,
    source_summary,
    statement_body,
    without,
)

STATEMENTS = "/v1/statements"
EVENTS = "/v1/events"


def event_summary(event):
    return {key: event[key] for key in ("id", "title", "event_type", "start_date", "certainty")}


def about(event, stance):
    return {"event_id": event["id"], "event": event_summary(event), "stance": stance}


@pytest.fixture
def refs(client):
    """A source, three actors and two events for statements to refer to."""
    source = create(client, "/v1/sources", source_body())
    azerbaijan = create(client, "/v1/actors", actor_body())
    armenia = create(client, "/v1/actors", actor_body(name="Armenia", country="ARM"))
    co_chairs = create(
        client,
        "/v1/actors",
        actor_body(
            name="OSCE Minsk Group co-chairs", kind="international_organization", country=None
        ),
    )
    shelling = create(client, EVENTS, event_body(source["id"], (azerbaijan["id"], armenia["id"])))
    clashes = create(
        client,
        EVENTS,
        event_body(
            source["id"],
            title="Clashes along the line of contact",
            event_type="ASSAULT",
            mode=None,
            start_date="2020-09-27",
            certainty="reported",
            citations=[{"source_id": source["id"], "quote": "Dozens of people have been killed."}],
        ),
    )
    return SimpleNamespace(
        source=source,
        azerbaijan=azerbaijan,
        armenia=armenia,
        co_chairs=co_chairs,
        shelling=shelling,
        clashes=clashes,
    )


def full_body(refs, **overrides):
    """The co-chairs' condemnation, to both sides, about both events."""
    return statement_body(
        refs.source["id"],
        refs.co_chairs["id"],
        **{
            "medium": "joint statement",
            "addressee_ids": [refs.azerbaijan["id"], refs.armenia["id"]],
            "events": [
                {"event_id": refs.shelling["id"], "stance": "condemns"},
                {"event_id": refs.clashes["id"], "stance": "refers_to"},
            ],
            **overrides,
        },
    )


def expected_statement(refs, body, **fields):
    """A statement by the co-chairs as the API shows it, with the server's fields of `body`."""
    server_fields(body)
    expected = {
        "id": body["id"],
        "speaker_id": refs.co_chairs["id"],
        "speaker": actor_summary(refs.co_chairs),
        "text": "We strongly condemn the use of force",
        "is_direct_quote": True,
        "statement_type": "condemnation",
        "stated_on": "2020-09-27",
        "date_precision": "day",
        "medium": None,
        "addressees": [],
        "addressee_ids": [],
        "events": [],
        "notes": None,
        "citations": [cited(refs.source, CONDEMN)],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        **fields,
    }
    expected.setdefault("reports", reports_of(expected["citations"], event=False))
    expected.setdefault("source_count", len(expected["reports"]))
    return expected


def full_expected(refs, body, **fields):
    """The statement full_body() creates, as the API shows it."""
    return expected_statement(
        refs,
        body,
        **{
            "medium": "joint statement",
            "addressees": [actor_summary(refs.azerbaijan), actor_summary(refs.armenia)],
            "addressee_ids": [refs.azerbaijan["id"], refs.armenia["id"]],
            "events": [about(refs.shelling, "condemns"), about(refs.clashes, "refers_to")],
            **fields,
        },
    )


# Changes that make a valid statement body invalid, each with the field the 422 must name.
def in_list(name, index, value=None, **fields):
    """Change item `index` of list `name`: replace it by `value`, or update it with `fields`."""

    def change(refs, body):
        items = [dict(item) if isinstance(item, dict) else item for item in body[name]]
        if fields:
            items[index].update(fields)
        else:
            items[index] = value() if callable(value) else value
        return {**body, name: items}

    return change


BAD_STATEMENTS = [
    pytest.param(without("speaker_id"), "speaker_id", id="missing-speaker_id"),
    pytest.param(without("text"), "text", id="missing-text"),
    pytest.param(without("is_direct_quote"), "is_direct_quote", id="missing-is_direct_quote"),
    pytest.param(without("statement_type"), "statement_type", id="missing-statement_type"),
    pytest.param(setting(text=None), "text", id="null-text"),
    pytest.param(setting(text=""), "text", id="empty-text"),
    pytest.param(setting(text="We condemn\x00"), "text", id="nul-in-text"),
    pytest.param(setting(text="We condemn \udfff"), "text", id="lone-surrogate-in-text"),
    pytest.param(setting(medium="x" * 501), "medium", id="medium-too-long"),
    pytest.param(setting(is_direct_quote="perhaps"), "is_direct_quote", id="bad-is_direct_quote"),
    pytest.param(setting(statement_type="threat"), "statement_type", id="bad-statement_type"),
    pytest.param(setting(statement_type="Claim"), "statement_type", id="capitalised-type"),
    pytest.param(in_list("events", 0, stance="supports"), "events.0.stance", id="bad-stance"),
    pytest.param(
        in_list("events", 1, value=lambda: {"event_id": nowhere()}),
        "events.1.stance",
        id="missing-stance",
    ),
    pytest.param(
        lambda refs, body: {**body, "speaker_id": nowhere()}, "speaker_id", id="no-such-speaker"
    ),
    pytest.param(setting(speaker_id="co-chairs"), "speaker_id", id="speaker_id-not-uuid"),
    pytest.param(setting(speaker_id=None), "speaker_id", id="null-speaker_id"),
    pytest.param(
        lambda refs, body: in_list("addressee_ids", 1, value=nowhere())(refs, body),
        "addressee_ids.1",
        id="no-such-addressee",
    ),
    pytest.param(
        in_list("addressee_ids", 0, value="Armenia"), "addressee_ids.0", id="addressee-not-uuid"
    ),
    pytest.param(
        lambda refs, body: {**body, "addressee_ids": [nowhere() for _ in range(101)]},
        "addressee_ids",
        id="too-many-addressees",
    ),
    pytest.param(
        lambda refs, body: {**body, "addressee_ids": [refs.armenia["id"], refs.armenia["id"]]},
        "addressee_ids",
        id="same-addressee-twice",
    ),
    pytest.param(
        lambda refs, body: in_list("events", 1, event_id=nowhere())(refs, body),
        "events.1.event_id",
        id="no-such-event",
    ),
    pytest.param(
        in_list("events", 0, event_id="shelling"), "events.0.event_id", id="event_id-not-uuid"
    ),
    pytest.param(
        lambda refs, body: in_list("events", 1, event_id=refs.shelling["id"])(refs, body),
        "events.1.event_id",
        id="same-event-twice",
    ),
    pytest.param(
        setting(stated_on=None, date_precision="month"),
        "date_precision",
        id="date_precision-without-stated_on",
    ),
    pytest.param(
        lambda refs, body: {
            key: value
            for key, value in {**body, "date_precision": "year"}.items()
            if key != "stated_on"
        },
        "date_precision",
        id="date_precision-with-stated_on-left-out",
    ),
    pytest.param(setting(date_precision="decade"), "date_precision", id="bad-date_precision"),
    pytest.param(setting(stated_on="2020-02-30"), "stated_on", id="impossible-stated_on"),
    pytest.param(setting(stated_on="27 September 2020"), "stated_on", id="stated_on-not-iso"),
    pytest.param(
        in_list("citations", 0, quote="We strongly condone the use of force"),
        "citations.0.quote",
        id="quote-not-in-source",
    ),
    pytest.param(
        in_list("citations", 0, quote='"We strongly condemn the use of force,"'),
        "citations.0.quote",
        id="straight-quotes-for-curly",
    ),
    pytest.param(
        in_list("citations", 0, quote="Azerbaijan's Defense Ministry"),
        "citations.0.quote",
        id="straight-apostrophe-for-curly",
    ),
    pytest.param(
        lambda refs, body: in_list("citations", 0, source_id=nowhere())(refs, body),
        "citations.0.source_id",
        id="no-such-source",
    ),
    pytest.param(setting(audience="press"), "audience", id="unknown-field"),
    pytest.param(
        in_list("events", 0, confidence="high"), "events.0.confidence", id="unknown-field-in-event"
    ),
    pytest.param(
        in_list("citations", 0, page=2), "citations.0.page", id="unknown-field-in-citation"
    ),
    pytest.param(lambda refs, body: {**body, "id": nowhere()}, "id", id="read-only-id"),
    pytest.param(setting(speaker={"name": "OSCE"}), "speaker", id="read-only-speaker"),
    pytest.param(setting(addressees=[]), "addressees", id="read-only-addressees"),
    pytest.param(
        in_list("events", 0, event={"title": "x"}), "events.0.event", id="read-only-event"
    ),
    pytest.param(
        setting(updated_at="2020-09-30T00:00:00+00:00"), "updated_at", id="read-only-updated_at"
    ),
]


class TestCreateStatement:
    def test_creates_statement_with_addressees_events_and_citations(self, client, refs):
        body = full_body(refs)
        body["citations"].append({"source_id": refs.source["id"], "quote": "the co-chairs said."})

        response = client.post(STATEMENTS, json=body)

        assert response.status_code == 201
        created = response.get_json()
        assert response.headers["Location"] == f"{STATEMENTS}/{created['id']}"
        assert created == {
            **server_fields(created),
            "speaker_id": refs.co_chairs["id"],
            "speaker": {
                "id": refs.co_chairs["id"],
                "name": "OSCE Minsk Group co-chairs",
                "kind": "international_organization",
                "country": None,
            },
            "text": "We strongly condemn the use of force",
            "is_direct_quote": True,
            "statement_type": "condemnation",
            "stated_on": "2020-09-27",
            "date_precision": "day",
            "medium": "joint statement",
            "addressees": [
                {
                    "id": refs.azerbaijan["id"],
                    "name": "Azerbaijan",
                    "kind": "state",
                    "country": "AZE",
                },
                {"id": refs.armenia["id"], "name": "Armenia", "kind": "state", "country": "ARM"},
            ],
            "addressee_ids": [refs.azerbaijan["id"], refs.armenia["id"]],
            "events": [
                {
                    "event_id": refs.shelling["id"],
                    "event": {
                        "id": refs.shelling["id"],
                        "title": "Azerbaijan accuses Armenian forces of shelling Tartar",
                        "event_type": "ASSAULT",
                        "start_date": "2020-09-30",
                        "certainty": "alleged",
                    },
                    "stance": "condemns",
                },
                {
                    "event_id": refs.clashes["id"],
                    "event": {
                        "id": refs.clashes["id"],
                        "title": "Clashes along the line of contact",
                        "event_type": "ASSAULT",
                        "start_date": "2020-09-27",
                        "certainty": "reported",
                    },
                    "stance": "refers_to",
                },
            ],
            "notes": None,
            "source_count": 1,
            "reports": [
                {
                    "source_id": refs.source["id"],
                    "source": source_summary(refs.source),
                    "quotes": [
                        {
                            "quote": "“We strongly condemn the use of force,”",
                            "start": 133,
                            "end": 172,
                        },
                        {"quote": "the co-chairs said.", "start": 173, "end": 192},
                    ],
                }
            ],
            "citations": [
                {
                    "source_id": refs.source["id"],
                    "source": source_summary(refs.source),
                    "quote": "“We strongly condemn the use of force,”",
                    "start": 133,
                    "end": 172,
                },
                {
                    "source_id": refs.source["id"],
                    "source": source_summary(refs.source),
                    "quote": "the co-chairs said.",
                    "start": 173,
                    "end": 192,
                },
            ],
        }
        assert source_summary(refs.source) == {
            "id": refs.source["id"],
            "title": "Clashes over Nagorno-Karabakh",
            "publisher": "Example News",
            "published_on": "2020-09-30",
            "url": "https://example.org/news/clashes",
        }
        assert refs.source["body"][133:172] == "“We strongly condemn the use of force,”"
        assert refs.source["body"][173:192] == "the co-chairs said."

    def test_keeps_addressees_and_events_in_the_order_given(self, client, refs):
        body = full_body(
            refs,
            addressee_ids=[refs.armenia["id"], refs.co_chairs["id"], refs.azerbaijan["id"]],
            events=[
                {"event_id": refs.clashes["id"], "stance": "asserts"},
                {"event_id": refs.shelling["id"], "stance": "denies"},
            ],
        )

        created = create(client, STATEMENTS, body)

        assert created == full_expected(
            refs,
            created,
            addressees=[
                actor_summary(refs.armenia),
                actor_summary(refs.co_chairs),
                actor_summary(refs.azerbaijan),
            ],
            addressee_ids=[refs.armenia["id"], refs.co_chairs["id"], refs.azerbaijan["id"]],
            events=[about(refs.clashes, "asserts"), about(refs.shelling, "denies")],
        )

    def test_defaults_when_only_required_fields_are_given(self, client, db, refs):
        body = {
            "speaker_id": refs.co_chairs["id"],
            "text": "The co-chairs called for restraint.",
            "is_direct_quote": False,
            "statement_type": "appeal",
        }

        created = create(client, STATEMENTS, body)

        assert created == expected_statement(
            refs,
            created,
            text="The co-chairs called for restraint.",
            is_direct_quote=False,
            statement_type="appeal",
            stated_on=None,
            date_precision=None,
            citations=[],
        )
        assert row_counts(db)["statements"] == 1

    def test_date_precision_defaults_to_day_when_stated_on_is_given(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs, stated_on="2020-10-01"))

        assert created == full_expected(refs, created, stated_on="2020-10-01", date_precision="day")

    def test_keeps_a_date_precision_given(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs, date_precision="month"))

        assert created == full_expected(refs, created, date_precision="month")

    def test_a_claim_and_a_denial_of_the_same_event_both_show_up(self, client, refs):
        claim = create(
            client,
            STATEMENTS,
            statement_body(
                refs.source["id"],
                refs.azerbaijan["id"],
                text="Armenian forces shelled Tartar.",
                is_direct_quote=False,
                statement_type="claim",
                stated_on="2020-09-30",
                addressee_ids=[],
                events=[{"event_id": refs.shelling["id"], "stance": "asserts"}],
                citations=[{"source_id": refs.source["id"], "quote": ACCUSED[0]}],
            ),
        )
        denial = create(
            client,
            STATEMENTS,
            statement_body(
                refs.source["id"],
                refs.armenia["id"],
                text="Armenia denies shelling Tartar.",
                is_direct_quote=False,
                statement_type="denial",
                stated_on="2020-09-29",
                citations=[],
                events=[{"event_id": refs.shelling["id"], "stance": "denies"}],
            ),
        )

        expected_claim = expected_statement(
            refs,
            claim,
            speaker_id=refs.azerbaijan["id"],
            speaker=actor_summary(refs.azerbaijan),
            text="Armenian forces shelled Tartar.",
            is_direct_quote=False,
            statement_type="claim",
            stated_on="2020-09-30",
            events=[about(refs.shelling, "asserts")],
            citations=[cited(refs.source, ACCUSED)],
        )
        expected_denial = expected_statement(
            refs,
            denial,
            speaker_id=refs.armenia["id"],
            speaker=actor_summary(refs.armenia),
            text="Armenia denies shelling Tartar.",
            is_direct_quote=False,
            statement_type="denial",
            stated_on="2020-09-29",
            events=[about(refs.shelling, "denies")],
            citations=[],
        )
        assert claim == expected_claim
        assert denial == expected_denial
        assert client.get(f"{STATEMENTS}/{claim['id']}").get_json() == expected_claim
        assert client.get(f"{STATEMENTS}/{denial['id']}").get_json() == expected_denial
        assert client.get(STATEMENTS).get_json() == [expected_claim, expected_denial]

    def test_a_statement_may_be_about_no_event(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs, events=[], addressee_ids=[]))

        assert created == full_expected(refs, created, events=[], addressees=[], addressee_ids=[])
        assert row_counts(db)["statement_events"] == 0

    @pytest.mark.parametrize(("change", "field"), BAD_STATEMENTS)
    def test_refuses_invalid_statement(self, client, db, refs, change, field):
        before = row_counts(db)

        response = client.post(STATEMENTS, json=change(refs, full_body(refs)))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert problem["instance"] == STATEMENTS
        assert row_counts(db) == before

    def test_invalid_third_addressee_leaves_nothing_behind(self, client, db, refs):
        create(client, STATEMENTS, full_body(refs, text="An earlier statement"))
        before = row_counts(db)
        body = full_body(refs)
        body["addressee_ids"].append(nowhere())

        response = client.post(STATEMENTS, json=body)

        problem = assert_problem(response, 422, "addressee_ids.2")
        assert set(problem["errors"]) == {"addressee_ids.2"}
        assert row_counts(db) == before

    def test_reports_every_missing_reference_at_once(self, client, db, refs):
        body = full_body(refs)
        body["speaker_id"] = nowhere()
        body["addressee_ids"][0] = nowhere()
        body["events"][1]["event_id"] = nowhere()
        body["citations"][0]["quote"] = "We condemn"
        before = row_counts(db)

        response = client.post(STATEMENTS, json=body)

        fields = {"speaker_id", "addressee_ids.0", "events.1.event_id", "citations.0.quote"}
        problem = assert_problem(response, 422, *fields)
        assert set(problem["errors"]) == fields
        assert row_counts(db) == before


class TestGetStatement:
    def test_returns_the_statement_with_an_etag(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))

        response = client.get(f"{STATEMENTS}/{created['id']}")

        assert response.status_code == 200
        assert response.get_json() == full_expected(refs, created)
        assert response.headers["ETag"].startswith('"')

    def test_answers_304_to_the_current_etag(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        etag = client.get(path).headers["ETag"]

        response = client.get(path, headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag

    def test_answers_200_to_an_etag_of_another_version(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        old_etag = client.get(path).headers["ETag"]
        changed = client.patch(path, json={"medium": "press conference"}).get_json()

        response = client.get(path, headers={"If-None-Match": old_etag})

        assert response.status_code == 200
        assert response.get_json() == changed
        assert response.headers["ETag"] != old_etag

    def test_shows_changes_to_the_events_it_embeds(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        changed = client.patch(
            f"{EVENTS}/{refs.clashes['id']}", json={"certainty": "confirmed"}
        ).get_json()

        response = client.get(f"{STATEMENTS}/{created['id']}")

        body = response.get_json()
        # It shows a changed summary, so it changed for clients that sync by updated_at.
        assert body["updated_at"] > created["updated_at"]
        assert body == full_expected(
            refs,
            {**created, "updated_at": body["updated_at"]},
            events=[about(refs.shelling, "condemns"), about(changed, "refers_to")],
        )

    def test_unknown_id_is_404(self, client):
        missing = nowhere()

        response = client.get(f"{STATEMENTS}/{missing}")

        assert_problem(response, 404)
        assert response.get_json() == {
            "type": problem_type("not-found"),
            "title": "Not Found",
            "status": 404,
            "detail": f"No statement has the id {missing}.",
            "instance": f"{STATEMENTS}/{missing}",
            "request_id": ANY,
        }

    @pytest.mark.parametrize("bad_id", ["42", "not-a-uuid"], ids=str)
    def test_malformed_id_is_404(self, client, bad_id):
        assert_problem(client.get(f"{STATEMENTS}/{bad_id}"), 404)


class TestListStatements:
    @pytest.fixture
    def three(self, client, refs):
        """Three statements, one undated, created in an order that is not their date order."""
        return {
            stated_on: create(
                client,
                STATEMENTS,
                full_body(refs, text=f"Statement of {stated_on}", stated_on=stated_on),
            )
            for stated_on in ("2020-09-27", None, "2020-10-01")
        }

    def test_empty_list(self, client):
        response = client.get(STATEMENTS)

        assert response.status_code == 200
        assert response.get_json() == []
        assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}

    def test_lists_latest_first_and_undated_last(self, client, refs, three):
        response = client.get(STATEMENTS)

        assert response.status_code == 200
        assert response.get_json() == [three["2020-10-01"], three["2020-09-27"], three[None]]
        assert three[None]["date_precision"] is None
        assert json.loads(response.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 1,
            "first_page": 1,
            "last_page": 1,
            "page": 1,
        }

    def test_pages_with_x_pagination_and_link(self, client, refs, three):
        first = client.get(f"{STATEMENTS}?page_size=2")
        second = client.get(f"{STATEMENTS}?page_size=2&page=2")

        assert first.get_json() == [three["2020-10-01"], three["2020-09-27"]]
        assert json.loads(first.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 2,
            "first_page": 1,
            "last_page": 2,
            "page": 1,
            "next_page": 2,
        }
        assert first.headers["Link"] == (
            '<http://localhost/v1/statements?page_size=2&page=1>; rel="first", '
            '<http://localhost/v1/statements?page_size=2&page=2>; rel="next", '
            '<http://localhost/v1/statements?page_size=2&page=2>; rel="last"'
        )
        assert second.get_json() == [three[None]]
        assert json.loads(second.headers["X-Pagination"]) == {
            "total": 3,
            "total_pages": 2,
            "first_page": 1,
            "last_page": 2,
            "page": 2,
            "previous_page": 1,
        }

    def test_statements_on_the_same_day_are_ordered_by_id_descending(self, client, refs):
        created = [
            create(client, STATEMENTS, full_body(refs, text=f"Statement {n}")) for n in range(3)
        ]

        response = client.get(STATEMENTS)

        # The id breaks ties in the same direction as the sort (here descending),
        # which keeps keyset paging consistent.
        assert response.get_json() == sorted(
            created, key=lambda statement: statement["id"], reverse=True
        )

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            pytest.param("page=0", "page", id="page-zero"),
            pytest.param("page=x", "page", id="page-not-a-number"),
            pytest.param("page_size=0", "page_size", id="page_size-zero"),
            pytest.param("page_size=501", "page_size", id="page_size-too-big"),
        ],
    )
    def test_refuses_bad_page_parameters(self, client, query, field):
        problem = assert_problem(client.get(f"{STATEMENTS}?{query}"), 422, field)
        assert set(problem["errors"]) == {field}


class TestReplaceStatement:
    def test_replaces_fields_addressees_events_and_citations_wholesale(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs, notes="First report."))
        path = f"{STATEMENTS}/{created['id']}"
        replacement = {
            "speaker_id": refs.armenia["id"],
            "text": "Armenia denies shelling Tartar.",
            "is_direct_quote": False,
            "statement_type": "denial",
            "addressee_ids": [refs.co_chairs["id"]],
            "events": [{"event_id": refs.shelling["id"], "stance": "denies"}],
            "citations": [{"source_id": refs.source["id"], "quote": MINISTRY[0]}],
        }

        response = client.put(path, json=replacement)

        assert response.status_code == 200
        replaced = response.get_json()
        assert replaced == expected_statement(
            refs,
            replaced,
            speaker_id=refs.armenia["id"],
            speaker=actor_summary(refs.armenia),
            text="Armenia denies shelling Tartar.",
            is_direct_quote=False,
            statement_type="denial",
            stated_on=None,
            date_precision=None,
            addressees=[actor_summary(refs.co_chairs)],
            addressee_ids=[refs.co_chairs["id"]],
            events=[about(refs.shelling, "denies")],
            citations=[cited(refs.source, MINISTRY)],
        )
        assert replaced["id"] == created["id"]
        assert replaced["created_at"] == created["created_at"]
        assert datetime.fromisoformat(replaced["updated_at"]) > datetime.fromisoformat(
            created["updated_at"]
        )
        assert client.get(path).get_json() == replaced
        counts = row_counts(db)
        assert (
            counts["statements"],
            counts["statement_addressees"],
            counts["statement_events"],
        ) == (1, 1, 1)

    def test_replacing_with_empty_lists_removes_addressees_events_and_citations(
        self, client, db, refs
    ):
        created = create(client, STATEMENTS, full_body(refs))
        events_citations = row_counts(db)["citations"] - 1

        response = client.put(
            f"{STATEMENTS}/{created['id']}",
            json=full_body(refs, addressee_ids=[], events=[], citations=[], medium=None),
        )

        assert response.status_code == 200
        assert response.get_json() == expected_statement(refs, response.get_json(), citations=[])
        counts = row_counts(db)
        assert counts["statement_addressees"] == 0
        assert counts["statement_events"] == 0
        assert counts["citations"] == events_citations

    def test_current_etag_in_if_match_is_accepted(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        etag = client.get(path).headers["ETag"]

        response = client.put(
            path, json=full_body(refs, statement_type="appeal"), headers={"If-Match": etag}
        )

        assert response.status_code == 200
        assert response.get_json() == full_expected(
            refs, response.get_json(), statement_type="appeal"
        )
        assert response.headers["ETag"] != etag

    def test_stale_etag_in_if_match_is_412_and_changes_nothing(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        stale = client.get(path).headers["ETag"]
        current = client.patch(path, json={"medium": "press conference"}).get_json()
        before = row_counts(db)

        response = client.put(
            path, json=full_body(refs, addressee_ids=[]), headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    @pytest.mark.parametrize(("change", "field"), BAD_STATEMENTS)
    def test_invalid_replacement_leaves_the_statement_as_it_was(
        self, client, db, refs, change, field
    ):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        stored = client.get(path).get_json()
        before = row_counts(db)

        response = client.put(path, json=change(refs, full_body(refs, text="Replaced")))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_unknown_id_is_404_and_creates_nothing(self, client, db, refs):
        before = row_counts(db)

        assert_problem(client.put(f"{STATEMENTS}/{nowhere()}", json=full_body(refs)), 404)
        assert_problem(client.put(f"{STATEMENTS}/not-a-uuid", json=full_body(refs)), 404)
        assert row_counts(db) == before


class TestPatchStatement:
    @pytest.fixture
    def stored(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        return client.get(f"{STATEMENTS}/{created['id']}").get_json()

    def patched(self, client, stored, changes, **kwargs):
        response = client.patch(f"{STATEMENTS}/{stored['id']}", json=changes, **kwargs)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["created_at"] == stored["created_at"]
        assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(
            stored["updated_at"]
        )
        return body

    def test_changes_only_the_fields_given(self, client, stored):
        body = self.patched(client, stored, {"medium": "press conference", "notes": "Via TASS."})

        assert body == {
            **stored,
            "medium": "press conference",
            "notes": "Via TASS.",
            "updated_at": body["updated_at"],
        }
        assert client.get(f"{STATEMENTS}/{stored['id']}").get_json() == body

    def test_addressee_ids_given_replace_the_addressees(self, client, db, refs, stored):
        body = self.patched(client, stored, {"addressee_ids": [refs.armenia["id"]]})

        assert body == {
            **stored,
            "addressees": [actor_summary(refs.armenia)],
            "addressee_ids": [refs.armenia["id"]],
            "updated_at": body["updated_at"],
        }
        assert row_counts(db)["statement_addressees"] == 1

    def test_events_given_replace_the_events(self, client, db, refs, stored):
        body = self.patched(
            client, stored, {"events": [{"event_id": refs.clashes["id"], "stance": "condemns"}]}
        )

        assert body == {
            **stored,
            "events": [about(refs.clashes, "condemns")],
            "updated_at": body["updated_at"],
        }
        assert row_counts(db)["statement_events"] == 1

    def test_citations_given_replace_the_citations(self, client, refs, stored):
        body = self.patched(
            client,
            stored,
            {"citations": [{"source_id": refs.source["id"], "quote": CO_CHAIRS[0]}]},
        )

        assert body == {
            **stored,
            "reports": reports_of([cited(refs.source, CO_CHAIRS)], event=False),
            "citations": [cited(refs.source, CO_CHAIRS)],
            "updated_at": body["updated_at"],
        }

    def test_clearing_stated_on_and_date_precision_together(self, client, stored):
        body = self.patched(client, stored, {"stated_on": None, "date_precision": None})

        assert body == {
            **stored,
            "stated_on": None,
            "date_precision": None,
            "updated_at": body["updated_at"],
        }

    def test_dating_an_undated_statement_defaults_its_precision_to_day(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs, stated_on=None))
        assert created["date_precision"] is None

        body = self.patched(client, created, {"stated_on": "2020-09-28"})

        assert body == {
            **created,
            "stated_on": "2020-09-28",
            "date_precision": "day",
            "updated_at": body["updated_at"],
        }

    def test_current_etag_in_if_match_is_accepted(self, client, stored):
        etag = client.get(f"{STATEMENTS}/{stored['id']}").headers["ETag"]

        body = self.patched(
            client, stored, {"statement_type": "appeal"}, headers={"If-Match": etag}
        )

        assert body == {**stored, "statement_type": "appeal", "updated_at": body["updated_at"]}

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param(
                lambda refs: {"stated_on": None}, "date_precision", id="undated-with-precision"
            ),
            pytest.param(lambda refs: {"text": None}, "text", id="null-text"),
            pytest.param(lambda refs: {"text": "a\x00b"}, "text", id="nul-in-text"),
            pytest.param(lambda refs: {"is_direct_quote": None}, "is_direct_quote", id="null-bool"),
            pytest.param(
                lambda refs: {"statement_type": "threat"}, "statement_type", id="bad-type"
            ),
            pytest.param(lambda refs: {"speaker_id": nowhere()}, "speaker_id", id="no-speaker"),
            pytest.param(
                lambda refs: {"addressee_ids": [refs.armenia["id"], nowhere()]},
                "addressee_ids.1",
                id="no-such-addressee",
            ),
            pytest.param(
                lambda refs: {"addressee_ids": [refs.armenia["id"], refs.armenia["id"]]},
                "addressee_ids",
                id="same-addressee-twice",
            ),
            pytest.param(
                lambda refs: {
                    "events": [
                        {"event_id": refs.shelling["id"], "stance": "asserts"},
                        {"event_id": nowhere(), "stance": "asserts"},
                    ]
                },
                "events.1.event_id",
                id="no-such-event",
            ),
            pytest.param(
                lambda refs: {
                    "events": [
                        {"event_id": refs.shelling["id"], "stance": "asserts"},
                        {"event_id": refs.shelling["id"], "stance": "denies"},
                    ]
                },
                "events.1.event_id",
                id="same-event-twice",
            ),
            pytest.param(
                lambda refs: {"events": [{"event_id": refs.shelling["id"], "stance": "supports"}]},
                "events.0.stance",
                id="bad-stance",
            ),
            pytest.param(
                lambda refs: {
                    "citations": [{"source_id": refs.source["id"], "quote": "We condemn force"}]
                },
                "citations.0.quote",
                id="quote-not-in-source",
            ),
            pytest.param(lambda refs: {"audience": "press"}, "audience", id="unknown-field"),
            pytest.param(lambda refs: {"addressees": []}, "addressees", id="read-only-field"),
        ],
    )
    def test_refuses_invalid_changes(self, client, db, refs, stored, change, field):
        before = row_counts(db)
        path = f"{STATEMENTS}/{stored['id']}"

        response = client.patch(path, json=change(refs))

        problem = assert_problem(response, 422, field)
        assert set(problem["errors"]) == {field}
        assert client.get(path).get_json() == stored
        assert row_counts(db) == before

    def test_stale_etag_in_if_match_is_412_and_changes_nothing(self, client, db, stored):
        path = f"{STATEMENTS}/{stored['id']}"
        stale = client.get(path).headers["ETag"]
        current = self.patched(client, stored, {"medium": "press conference"})
        before = row_counts(db)

        response = client.patch(path, json={"medium": "broadcast"}, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    def test_unknown_id_is_404(self, client, db):
        before = row_counts(db)

        assert_problem(client.patch(f"{STATEMENTS}/{nowhere()}", json={"medium": "x"}), 404)
        assert_problem(client.patch(f"{STATEMENTS}/not-a-uuid", json={"medium": "x"}), 404)
        assert row_counts(db) == before


class TestDeleteStatement:
    def test_deletes_the_statement_and_leaves_its_events(self, client, db, refs):
        other = create(client, STATEMENTS, full_body(refs, text="Another statement"))
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        events = [
            client.get(f"{EVENTS}/{event['id']}").get_json()
            for event in (refs.shelling, refs.clashes)
        ]
        before = row_counts(db)

        response = client.delete(path)

        assert response.status_code == 204
        assert response.get_data() == b""
        assert_problem(client.get(path), 404)
        assert client.get(f"{STATEMENTS}/{other['id']}").get_json() == other
        assert [client.get(f"{EVENTS}/{event['id']}").get_json() for event in events] == events
        assert row_counts(db) == {
            **before,
            "statements": before["statements"] - 1,
            "statement_addressees": before["statement_addressees"] - 2,
            "statement_events": before["statement_events"] - 2,
            "citations": before["citations"] - 1,
            "reports": before["reports"] - 1,
        }
        for actor in (refs.co_chairs, refs.azerbaijan, refs.armenia):
            assert client.get(f"/v1/actors/{actor['id']}").status_code == 200

    def test_its_events_can_then_be_deleted(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs))
        assert client.delete(f"{STATEMENTS}/{created['id']}").status_code == 204

        assert client.delete(f"{EVENTS}/{refs.shelling['id']}").status_code == 204

    def test_deleting_twice_is_404(self, client, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        assert client.delete(path).status_code == 204

        assert_problem(client.delete(path), 404)

    def test_current_etag_in_if_match_is_accepted(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        etag = client.get(path).headers["ETag"]

        assert client.delete(path, headers={"If-Match": etag}).status_code == 204
        assert row_counts(db)["statements"] == 0

    def test_stale_etag_in_if_match_is_412_and_deletes_nothing(self, client, db, refs):
        created = create(client, STATEMENTS, full_body(refs))
        path = f"{STATEMENTS}/{created['id']}"
        stale = client.get(path).headers["ETag"]
        current = client.patch(path, json={"medium": "press conference"}).get_json()
        before = row_counts(db)

        response = client.delete(path, headers={"If-Match": stale})

        assert_problem(response, 412)
        assert client.get(path).get_json() == current
        assert row_counts(db) == before

    def test_unknown_or_malformed_id_is_404(self, client, db, refs):
        create(client, STATEMENTS, full_body(refs))
        before = row_counts(db)
        missing = nowhere()

        response = client.delete(f"{STATEMENTS}/{missing}")

        assert_problem(response, 404)
        assert response.get_json()["detail"] == f"No statement has the id {missing}."
        assert_problem(client.delete(f"{STATEMENTS}/not-a-uuid"), 404)
        assert row_counts(db) == before


class TestStatementReports:
    """A statement reported by several sources: each a report with its quotes, no figures."""

    def test_two_sources_report_one_statement(self, client, refs):
        second = create(
            client,
            "/v1/sources",
            source_body(
                title="Co-chairs condemn violence",
                url="https://example.org/news/co-chairs",
                body="Mediators said: “We strongly condemn the use of force,” again on Monday.",
            ),
        )
        body = full_body(refs)
        del body["citations"]
        body["reports"] = [
            {"source_id": refs.source["id"], "quotes": [{"quote": CONDEMN[0]}]},
            {"source_id": second["id"], "quotes": [{"quote": CONDEMN[0]}]},
        ]

        created = create(client, STATEMENTS, body)

        start = second["body"].index(CONDEMN[0])
        assert created["reports"] == [
            {
                "source_id": refs.source["id"],
                "source": source_summary(refs.source),
                "quotes": [{"quote": CONDEMN[0], "start": 133, "end": 172}],
            },
            {
                "source_id": second["id"],
                "source": source_summary(second),
                "quotes": [{"quote": CONDEMN[0], "start": start, "end": start + 39}],
            },
        ]
        assert created["source_count"] == 2
        assert [c["source_id"] for c in created["citations"]] == [refs.source["id"], second["id"]]

    @pytest.mark.parametrize(
        ("report", "field"),
        [
            pytest.param(
                {"quotes": [{"quote": "not in the article"}]},
                "reports.0.quotes.0.quote",
                id="quote-not-in-source",
            ),
            pytest.param(
                {"quotes": [{"quote": CONDEMN[0]}], "fatalities": {"low": 1}},
                "reports.0.fatalities",
                id="a-statement-has-no-figures",
            ),
        ],
    )
    def test_bad_reports(self, client, db, refs, report, field):
        body = full_body(refs)
        del body["citations"]
        body["reports"] = [{"source_id": refs.source["id"], **report}]

        response = client.post(STATEMENTS, json=body)

        assert_problem(response, 422, field)
        assert db.execute("SELECT count(*) AS n FROM statements").fetchone()["n"] == 0
