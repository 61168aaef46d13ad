"""Tests of the bulk import: POST /v1/events/bulk imports many events, all or none."""

import json
import uuid
from unittest.mock import ANY

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from api.resources.events.bulk_store import FIRST_WRITE_BATCH, WRITE_BATCH, batches
from tests import live
from tests.helpers import (
    ACCUSED,
    KILLED,
    TABLES,
    Client,
    assert_problem,
    cited,
    create,
    estimate,
    messages,
    nowhere,
    reports_of,
    row_counts,
    statement_body,
)
from tests.resources.events.test_events import BAD_EVENTS, full_body, full_expected, taking_part
from tests.resources.events.test_reports import report

BULK = "/v1/events/bulk"
NDJSON = "application/x-ndjson"
# BULK_MAX_CONTENT_LENGTH of the live server: 64 NDJSON lines of LINE bytes.
LIVE_LIMIT = 64 * 1024
LINE = 1024
EMPTY = dict.fromkeys(TABLES, 0)


def ndjson(*records):
    return "\n".join(json.dumps(record) for record in records) + "\n"


def post_ndjson(client, text, **kwargs):
    return client.post(BULK, data=text, content_type=NDJSON, **kwargs)


def killed_body(refs, **overrides):
    """A second kind of event: no location, one participant, two citations."""
    return {
        "title": "Dozens killed in Tartar",
        "summary": "Both sides report casualties.",
        "event_type": "ASSAULT",
        "start_date": "2020-09-27",
        "end_date": "2020-09-30",
        "certainty": "reported",
        "participants": [{"actor_id": refs.armenia["id"], "role": "affected"}],
        "fatalities": {"low": 24, "high": 99},
        "citations": [
            {"source_id": refs.source["id"], "quote": KILLED[0]},
            {"source_id": refs.source["id"], "quote": ACCUSED[0]},
        ],
        **overrides,
    }


def killed_expected(refs, body):
    return {
        "id": body["id"],
        "title": "Dozens killed in Tartar",
        "summary": "Both sides report casualties.",
        "event_type": "ASSAULT",
        "mode": None,
        "start_date": "2020-09-27",
        "end_date": "2020-09-30",
        "date_precision": "day",
        "location_id": None,
        "location": None,
        "participants": [taking_part(refs.armenia, "affected")],
        "reported_as": "event",
        "certainty": "reported",
        "certainty_set_by_hand": False,
        "fatalities": estimate(24, 99),
        "injuries": None,
        "figures_set_by_hand": True,
        "source_count": 1,
        "notes": None,
        "reports": reports_of([cited(refs.source, KILLED), cited(refs.source, ACCUSED)]),
        "citations": [cited(refs.source, KILLED), cited(refs.source, ACCUSED)],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def read(client, event_id):
    response = client.get(f"/v1/events/{event_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class TestImportJsonArray:
    def test_creates_every_event_with_participants_and_citations(self, client, db, refs):
        response = client.post(BULK, json=[full_body(refs), killed_body(refs), full_body(refs)])

        assert response.status_code == 201, response.get_json()
        result = response.get_json()
        assert result == {"created": 3, "updated": 0, "ids": ANY}
        assert len(set(result["ids"])) == 3
        first, second, third = (read(client, event_id) for event_id in result["ids"])
        assert first == full_expected(refs, first)
        assert second == killed_expected(refs, second)
        assert third == full_expected(refs, third)
        assert row_counts(db) == {
            **EMPTY,
            "events": 3,
            "event_participants": 5,
            "citations": 4,
            "reports": 3,
        }

    def test_events_are_searchable_as_if_posted_one_by_one(self, client, db, refs):
        posted = create(client, "/v1/events", killed_body(refs))
        imported = client.post(BULK, json=[killed_body(refs)]).get_json()["ids"][0]

        search = {
            row["id"]: row["search"]
            for row in db.execute("SELECT id::text, search::text FROM events")
        }
        assert search[imported] == search[posted["id"]]
        assert search[imported]
        found = client.get("/v1/events", query_string={"q": "dozens killed"}).get_json()
        assert {event["id"] for event in found} == {imported, posted["id"]}

    def test_many_events_in_one_request(self, client, db, refs):
        response = client.post(BULK, json=[full_body(refs, title=f"Event {n}") for n in range(500)])

        assert response.status_code == 201, response.get_json()
        ids = response.get_json()["ids"]
        titles = {
            str(row["id"]): row["title"] for row in db.execute("SELECT id, title FROM events")
        }
        assert [titles[event_id] for event_id in ids] == [f"Event {n}" for n in range(500)]
        assert row_counts(db)["event_participants"] == 1000

    def test_the_events_share_the_import_s_created_at(self, client, refs):
        ids = client.post(BULK, json=[full_body(refs)] * 2).get_json()["ids"]
        first, second = (read(client, event_id) for event_id in ids)
        assert first["created_at"] == second["created_at"] == first["updated_at"]


class TestImportNdjson:
    def test_one_event_per_line_blank_lines_ignored(self, client, db, refs):
        text = (
            json.dumps(full_body(refs))
            + "\r\n\n   \n"
            + json.dumps(killed_body(refs))
            + "\n\n"
            + json.dumps(full_body(refs, title="Third"))
        )
        response = post_ndjson(client, text)

        assert response.status_code == 201, response.get_json()
        ids = response.get_json()["ids"]
        assert response.get_json() == {"created": 3, "updated": 0, "ids": ids}
        first, second, third = (read(client, event_id) for event_id in ids)
        assert first == full_expected(refs, first)
        assert second == killed_expected(refs, second)
        assert third == full_expected(refs, third, title="Third")

    def test_errors_are_keyed_by_line_number(self, client, db, refs):
        text = "\n".join(
            [
                json.dumps(full_body(refs)),
                "",
                json.dumps(full_body(refs, certainty="rumoured")),
                '{"title": "unterminated',
                json.dumps(full_body(refs)),
                "[1, 2]",
            ]
        )
        response = post_ndjson(client, text)

        problem = assert_problem(response, 422)
        assert messages(problem) == {
            "3.certainty": ["Must be one of: reported, alleged, disputed, confirmed."],
            "4": ["Not valid JSON: Unterminated string starting at: column 11."],
            "6": ["Invalid input type."],
        }
        assert problem["detail"] == (
            "3 of 5 events are invalid, so none was imported."
            " Errors are keyed by the record's line number (from 1), then the field."
        )
        assert row_counts(db) == EMPTY

    def test_errors_on_both_sides_of_the_first_batch_keep_their_line_numbers(
        self, client, db, refs
    ):
        """Each batch is loaded in one call; a batch with an invalid record is checked
        again one by one, under the records' own line numbers."""
        lines = [json.dumps(full_body(refs, title=f"Event {n}")) for n in range(15)]
        lines[FIRST_WRITE_BATCH - 1] = json.dumps(full_body(refs, certainty="rumoured"))
        missing = nowhere()
        lines[FIRST_WRITE_BATCH + 1] = json.dumps({**full_body(refs), "location_id": missing})
        lines[FIRST_WRITE_BATCH + 3] = json.dumps(full_body(refs, end_date="2020-09-01"))
        # A blank line first: every line number is one more than its record's index + 1.
        response = post_ndjson(client, "\n" + "\n".join(lines))

        problem = assert_problem(response, 422)
        assert messages(problem) == {
            f"{FIRST_WRITE_BATCH + 1}.certainty": [
                "Must be one of: reported, alleged, disputed, confirmed."
            ],
            f"{FIRST_WRITE_BATCH + 3}.location_id": [f"No location has the id {missing}."],
            f"{FIRST_WRITE_BATCH + 5}.end_date": ["Must not be before start_date."],
        }
        assert row_counts(db) == EMPTY

    @pytest.mark.parametrize(
        "line, message",
        [
            pytest.param(
                b'{"title": "a\x00b"}', "Not valid JSON: Invalid control character", id="nul"
            ),
            pytest.param(b'{"title": "\xff"}', "Not valid UTF-8.", id="not-utf-8"),
            pytest.param(b"[" * 100_000, "Not JSON this server can read.", id="too-deep"),
            pytest.param(b"9" * 5000, "Not JSON this server can read.", id="5000-digits"),
        ],
    )
    def test_a_line_python_cannot_parse_is_an_error_at_its_line(
        self, client, db, refs, line, message
    ):
        body = json.dumps(full_body(refs)).encode() + b"\n" + line + b"\n"
        response = post_ndjson(client, body)

        problem = assert_problem(response, 422, "2")
        assert messages(problem)["2"][0].startswith(message), problem
        assert row_counts(db) == EMPTY

    def test_a_repeated_key_is_an_error_at_its_line_and_path(self, client, db, refs):
        repeated = json.dumps(full_body(refs))[:-1] + ', "certainty": "confirmed"}'
        body = "\n".join([json.dumps(full_body(refs)), repeated, json.dumps(full_body(refs))])
        response = post_ndjson(client, body)

        problem = assert_problem(response, 422)
        assert messages(problem) == {"2.certainty": ["Given more than once in its object."]}
        assert problem["detail"] == (
            "1 of 3 events are invalid, so none was imported."
            " Errors are keyed by the record's line number (from 1), then the field."
        )
        assert row_counts(db) == EMPTY

    def test_escaped_nul_in_a_text_field_is_a_422(self, client, db, refs):
        response = post_ndjson(client, ndjson(full_body(refs, title="Shelling\x00of Tartar")))

        problem = assert_problem(response, 422)
        assert messages(problem) == {"1.title": ["Must not contain NUL (\\u0000) characters."]}
        assert row_counts(db) == EMPTY

    def test_nothing_but_blank_lines_is_a_422(self, client, db):
        problem = assert_problem(post_ndjson(client, "\n  \n\r\n"), 422, "_schema")
        assert problem["detail"] == "Send at least one event."


class TestBatches:
    def test_a_small_first_batch_then_full_ones_each_record_once_in_order(self):
        records = list(range(2 * WRITE_BATCH + 15))

        sizes = [len(batch) for batch in batches(records)]

        assert sizes == [FIRST_WRITE_BATCH, WRITE_BATCH, WRITE_BATCH, 15 - FIRST_WRITE_BATCH]
        assert [record for batch in batches(records) for record in batch] == records

    def test_fewer_records_than_the_first_batch_are_one_batch(self):
        assert list(batches(["only"])) == [["only"]]


class TestInvalidRecords:
    def test_one_bad_record_among_many_writes_nothing(self, client, db, refs):
        bodies = [full_body(refs, title=f"Event {n}") for n in range(50)]
        bodies[3] = full_body(refs, participants=[{"actor_id": refs.azerbaijan["id"], "role": "x"}])
        missing = nowhere()
        bodies[7]["participants"][1]["actor_id"] = missing
        bodies[9]["citations"][0]["quote"] = "accused Azerbaijani forces of shelling"
        create(client, "/v1/events", full_body(refs))
        before = row_counts(db)

        response = client.post(BULK, json=bodies)

        problem = assert_problem(response, 422)
        assert messages(problem) == {
            "3.participants.0.role": ["Must be one of: initiator, target, participant, affected."],
            "7.participants.1.actor_id": [f"No actor has the id {missing}."],
            "9.citations.0.quote": ["Not found verbatim in the source's body."],
        }
        assert problem["detail"] == (
            "3 of 50 events are invalid, so none was imported."
            " Errors are keyed by the record's index (from 0), then the field."
        )
        assert row_counts(db) == before

    def test_a_bad_record_after_batches_were_written_writes_nothing(self, client, db, refs):
        """Batches go to the database while later records are checked: all roll back."""
        count = 3 * WRITE_BATCH + 10
        bodies = [full_body(refs, title=f"Event {n}") for n in range(count)]
        missing = nowhere()
        bodies[-1]["location_id"] = missing

        problem = assert_problem(client.post(BULK, json=bodies), 422)
        assert messages(problem) == {
            f"{count - 1}.location_id": [f"No location has the id {missing}."]
        }
        assert row_counts(db) == EMPTY

    @pytest.mark.parametrize(
        "change, field",
        [param for param in BAD_EVENTS if param.id != "read-only-id"],
    )
    def test_what_post_refuses_is_refused_at_its_position(self, client, db, refs, change, field):
        bodies = [full_body(refs), full_body(refs), change(refs, full_body(refs))]

        problem = assert_problem(client.post(BULK, json=bodies), 422, f"2.{field}")
        assert all(path.startswith("2") for path in problem["errors"]), problem
        assert row_counts(db) == EMPTY

    def test_every_missing_reference_is_named(self, client, db, refs):
        location, actor, source = nowhere(), nowhere(), nowhere()
        bodies = [
            {**full_body(refs), "location_id": location},
            full_body(refs, participants=[{"actor_id": actor, "role": "target"}]),
            full_body(refs, citations=[{"source_id": source, "quote": "x"}]),
            full_body(refs, participants=[{"actor_id": actor, "role": "initiator"}]),
        ]

        problem = assert_problem(client.post(BULK, json=bodies), 422)
        assert messages(problem) == {
            "0.location_id": [f"No location has the id {location}."],
            "1.participants.0.actor_id": [f"No actor has the id {actor}."],
            "2.citations.0.source_id": [f"No source has the id {source}."],
            "3.participants.0.actor_id": [f"No actor has the id {actor}."],
        }
        assert row_counts(db) == EMPTY

    def test_the_same_id_twice_is_refused_at_its_second_record(self, client, db, refs):
        event_id = str(uuid.uuid4())
        bodies = [full_body(refs, id=event_id), full_body(refs), full_body(refs, id=event_id)]

        problem = assert_problem(client.post(BULK, json=bodies), 422)
        assert messages(problem) == {"2.id": ["Already given to the record at 0."]}
        assert row_counts(db) == EMPTY

    def test_at_most_100_invalid_records_are_listed(self, client, db, refs):
        bodies = [full_body(refs, certainty="rumoured") for _ in range(150)]

        problem = assert_problem(client.post(BULK, json=bodies), 422)
        assert set(problem["errors"]) == {f"{n}.certainty" for n in range(100)}
        assert problem["detail"].startswith("150 of 150 events are invalid")
        assert problem["detail"].endswith("; those of the first 100 invalid records are listed.")

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({"title": "One event, not in an array"}, id="object"),
            pytest.param("events", id="string"),
            pytest.param(None, id="null"),
        ],
    )
    def test_a_body_that_is_not_an_array_is_a_422(self, client, db, body):
        response = client.post(BULK, data=json.dumps(body), content_type="application/json")
        problem = assert_problem(response, 422, "_schema")
        assert messages(problem) == {"_schema": ["Must be a JSON array of events."]}

    def test_an_empty_array_is_a_422(self, client, db):
        problem = assert_problem(client.post(BULK, json=[]), 422, "_schema")
        assert messages(problem) == {"_schema": ["Must hold at least one event."]}

    def test_a_record_that_is_not_an_object_is_named(self, client, db, refs):
        problem = assert_problem(client.post(BULK, json=[full_body(refs), 42]), 422)
        assert messages(problem) == {"1": ["Invalid input type."]}

    def test_a_repeated_key_is_a_400_naming_its_path(self, client, db, refs):
        body = json.dumps([full_body(refs), full_body(refs)])
        body = body.replace('"role": "target"', '"role": "target", "role": "affected"', 1)
        response = client.post(BULK, data=body, content_type="application/json")

        problem = assert_problem(response, 400)
        assert problem["detail"] == (
            'The request body gives the key "role" more than once in one object,'
            " at 0.participants.1.role."
        )
        assert messages(problem) == {
            "0.participants.1.role": ["Given more than once in its object."]
        }
        assert row_counts(db) == EMPTY

    def test_malformed_json_is_a_400(self, client, db):
        response = client.post(BULK, data='[{"title": ', content_type="application/json")
        problem = assert_problem(response, 400)
        assert problem["detail"] == "The request body is not valid JSON."


class TestReimport:
    def test_given_ids_create_then_replace(self, client, db, refs):
        first_id, second_id = str(uuid.uuid4()), str(uuid.uuid4())
        created = client.post(
            BULK, json=[full_body(refs, id=first_id), killed_body(refs, id=second_id)]
        )
        assert created.get_json() == {"created": 2, "updated": 0, "ids": [first_id, second_id]}
        original = read(client, first_id)

        replaced = client.post(
            BULK,
            json=[
                killed_body(refs, id=second_id),
                full_body(refs, id=first_id, title="Renamed", participants=[], citations=[]),
                full_body(refs),
            ],
        )

        assert replaced.status_code == 201, replaced.get_json()
        result = replaced.get_json()
        assert result == {
            "created": 1,
            "updated": 2,
            "ids": [second_id, first_id, result["ids"][2]],
        }
        renamed = read(client, first_id)
        assert renamed == {
            **original,
            "title": "Renamed",
            "participants": [],
            "citations": [],
            "reports": [],
            "source_count": 0,
            "updated_at": renamed["updated_at"],
        }
        assert renamed["updated_at"] > original["updated_at"]
        assert read(client, second_id)["participants"] == [taking_part(refs.armenia, "affected")]
        assert row_counts(db) == {
            **EMPTY,
            "events": 3,
            "event_participants": 3,
            "citations": 3,
            "reports": 2,
        }
        search = db.execute("SELECT search::text FROM events WHERE id = %s", [first_id]).fetchone()[
            "search"
        ]
        assert search == "'renam':1A"  # the old title and quote are gone

    def test_a_statement_about_a_renamed_event_changes_too(self, client, db, refs):
        event_id = str(uuid.uuid4())
        client.post(BULK, json=[full_body(refs, id=event_id)])
        statement = create(
            client,
            "/v1/statements",
            statement_body(refs.source["id"], refs.azerbaijan["id"], [event_id]),
        )

        client.post(BULK, json=[full_body(refs, id=event_id)])
        unchanged = client.get(f"/v1/statements/{statement['id']}").get_json()
        client.post(BULK, json=[full_body(refs, id=event_id, title="Renamed")])
        touched = client.get(f"/v1/statements/{statement['id']}").get_json()

        assert unchanged["updated_at"] == statement["updated_at"]
        assert touched["updated_at"] > statement["updated_at"]
        assert touched["events"][0]["event"]["title"] == "Renamed"


class TestLimits:
    @pytest.fixture
    def limited(self, make_app, token):
        """A client of an app that takes 3 events, or 3,000 bytes, per import."""
        app = make_app(BULK_MAX_RECORDS=3, BULK_MAX_CONTENT_LENGTH=3000, MAX_CONTENT_LENGTH=1000)
        return Client(app.test_client(), token)

    def test_more_events_than_the_cap_is_a_413(self, limited, db, refs):
        problem = assert_problem(limited.post(BULK, json=[{}] * 4), 413)
        assert problem["detail"] == (
            "4 events in one request; at most 3 are taken. Send them in several requests."
        )

    def test_more_ndjson_lines_than_the_cap_is_a_413(self, limited, db):
        assert_problem(post_ndjson(limited, "{}\n" * 4), 413)

    def test_the_cap_itself_is_taken(self, limited, db, refs):
        response = limited.post(BULK, json=[full_body(refs, summary=None)] * 3)
        assert response.status_code == 201, response.get_json()

    def test_a_body_over_the_bulk_limit_is_a_413(self, limited, db, refs):
        response = limited.post(BULK, json=[full_body(refs, notes="x" * 3000)])
        assert_problem(response, 413)
        assert row_counts(db)["events"] == 0

    def test_bulk_bodies_may_exceed_max_content_length(self, limited, db, refs):
        response = limited.post(BULK, json=[full_body(refs, notes="x" * 1500)])
        assert response.status_code == 201, response.get_json()
        # ...which still holds elsewhere.
        assert_problem(limited.post("/v1/events", json=full_body(refs, notes="x" * 1500)), 413)


@pytest.fixture(scope="module")
def server(session_database):
    """A gunicorn serving the tests' database, taking LIVE_LIMIT bytes per import."""
    url, _tables = session_database
    env = {"BULK_MAX_CONTENT_LENGTH": str(LIVE_LIMIT)}
    with live.gunicorn(url, env=env, workers=1, threads=2) as address:
        yield address


def lines_of(refs, count):
    """`count` NDJSON lines of valid events, each of exactly LINE bytes."""
    bare = json.dumps(full_body(refs, notes="")) + "\n"
    line = json.dumps(full_body(refs, notes="x" * (LINE - len(bare)))) + "\n"
    assert len(line) == LINE
    return line.encode() * count


@pytest.mark.slow
@pytest.mark.live
class TestChunkedBodies:
    """Sent chunked (no Content-Length to check first), to a live gunicorn.

    A body over the limit used to be read up to it and imported as if it ended
    there: whole lines up to the limit were created, the rest dropped.
    """

    @pytest.mark.parametrize(
        ("content_type", "framing"),
        [
            pytest.param(NDJSON, lambda lines: lines, id="ndjson"),
            pytest.param(
                "application/json",
                lambda lines: b"[" + b",".join(lines.splitlines()) + b"]",
                id="json-array",
            ),
        ],
    )
    def test_over_the_limit_is_a_413_and_writes_nothing(
        self, server, db, token, refs, content_type, framing
    ):
        data = framing(lines_of(refs, LIVE_LIMIT // LINE + 6))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
        status, response_headers, problem = live.call_chunked(server, "POST", BULK, data, headers)

        assert status == 413, problem
        assert response_headers["Content-Type"] == "application/problem+json"
        assert problem["detail"] == RequestEntityTooLarge.description
        assert row_counts(db) == EMPTY

    def test_up_to_the_limit_is_imported(self, server, db, token, refs):
        data = lines_of(refs, LIVE_LIMIT // LINE)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": NDJSON}
        status, _, result = live.call_chunked(server, "POST", BULK, data, headers)

        assert status == 201, result
        assert result["created"] == LIVE_LIMIT // LINE
        assert row_counts(db)["events"] == LIVE_LIMIT // LINE


class TestRequest:
    @pytest.mark.parametrize("content_type", ["text/plain", "application/jsonl", "text/csv"])
    def test_another_content_type_is_a_415(self, client, db, content_type):
        response = client.post(BULK, data="[]", content_type=content_type)
        problem = assert_problem(response, 415)
        assert problem["detail"] == (
            "Send the body with 'Content-Type: application/json or application/x-ndjson'."
        )

    def test_ndjson_is_taken_by_this_endpoint_only(self, client, db, refs):
        response = post_ndjson(client, ndjson(full_body(refs))).status_code
        assert response == 201
        elsewhere = client.post("/v1/events", data=ndjson(full_body(refs)), content_type=NDJSON)
        assert_problem(elsewhere, 415)

    def test_without_a_token_is_a_401(self, client, db, refs):
        response = client.post(BULK, json=[full_body(refs)], auth=False)
        assert_problem(response, 401)
        assert row_counts(db) == EMPTY

    def test_get_is_a_405(self, client):
        response = client.get(BULK)
        assert_problem(response, 405)
        assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


class TestRetry:
    def test_an_import_retried_with_its_idempotency_key_is_replayed(self, client, db, refs):
        headers = {"Idempotency-Key": "import-2020-09-30"}
        body = ndjson(full_body(refs), killed_body(refs))
        first = post_ndjson(client, body, headers=headers)
        again = post_ndjson(client, body, headers=headers)

        assert first.status_code == again.status_code == 201, first.get_json()
        assert again.get_json() == first.get_json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert row_counts(db)["events"] == 2


class TestImportReports:
    def test_reports_and_derived_figures_as_if_posted_one_by_one(self, client, db, refs):
        body = {name: value for name, value in full_body(refs).items() if name != "citations"}
        body["reports"] = [report(refs.source, KILLED[0], fatalities={"low": 24, "high": 99})]
        posted = create(client, "/v1/events", body)

        response = client.post(BULK, json=[body])

        assert response.status_code == 201, response.get_json()
        imported = read(client, response.get_json()["ids"][0])
        assert {**imported, "id": None, "created_at": None, "updated_at": None} == {
            **posted,
            "id": None,
            "created_at": None,
            "updated_at": None,
        }
        assert imported["fatalities"] == estimate(24, 99)
        assert imported["source_count"] == 1

    def test_a_quote_not_in_its_source_is_named_under_its_record(self, client, db, refs):
        body = {
            name: value for name, value in full_body(refs).items() if name != "citations"
        } | {"reports": [{"source_id": refs.source["id"], "quotes": [{"quote": "Not there"}]}]}

        response = client.post(BULK, json=[full_body(refs), body])

        assert_problem(response, 422, "1.reports.0.quotes.0.quote")
        assert row_counts(db) == EMPTY

    def test_citations_alone_keep_what_each_source_says_as_put_does(self, client, db, refs):
        body = {name: value for name, value in full_body(refs).items() if name != "citations"}
        body["reports"] = [report(refs.source, KILLED[0], fatalities={"low": 24, "high": 99})]
        event_id = create(client, "/v1/events", body)["id"]
        legacy = {**full_body(refs), "id": event_id}
        legacy["citations"] = [{"source_id": refs.source["id"], "quote": ACCUSED[0]}]
        put = {name: value for name, value in legacy.items() if name != "id"}
        client.put(f"/v1/events/{event_id}", json=put)
        by_put = read(client, event_id)
        client.put(f"/v1/events/{event_id}", json=body)

        response = client.post(BULK, json=[legacy])

        assert response.status_code == 201, response.get_json()
        imported = read(client, event_id)
        assert imported["reports"][0]["fatalities"] == estimate(24, 99)
        assert imported["fatalities"] == estimate(24, 99)
        assert {**imported, "updated_at": None} == {**by_put, "updated_at": None}
