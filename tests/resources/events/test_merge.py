"""Tests of POST /v1/events/{id}/merge: duplicates folded into one event, nothing lost."""

import threading
from pathlib import Path

import psycopg
import pytest

from seeds import loader
from tests.helpers import (
    ACCUSED,
    CONDEMN,
    KILLED,
    MINISTRY,
    actor_body,
    assert_problem,
    cited,
    create,
    estimate,
    event_body,
    nowhere,
    row_counts,
    source_body,
    statement_body,
)

EVENTS = "/v1/events"
ONE = {"low": 1, "best": 1, "high": 1}


SECOND_BODY = "Shelling of Tartar killed at least 3 people, the ministry said."


def report(source, *quotes, **says):
    """A report as a client writes it."""
    return {"source_id": source["id"], "quotes": [{"quote": q} for q in quotes], **says}


def reported(refs, *reports, **fields):
    """An event given by its reports (no citations), its figures derived from them."""
    body = event_body(refs.source["id"], reports=list(reports), **fields)
    del body["citations"]
    return body


def merge(client, survivor, *others, **body):
    return client.post(
        f"{EVENTS}/{survivor['id']}/merge",
        json={"merge": [other["id"] for other in others], **body},
    )


def revisions(client, kind, record_id):
    response = client.get(f"/v1/{kind}s/{record_id}/revisions")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def pair(client, refs):
    """Two events of one shelling, as two coders entered them, and a statement on each."""
    kept = create(
        client,
        EVENTS,
        event_body(
            refs.source["id"],
            (refs.azerbaijan["id"], refs.armenia["id"]),
            refs.tartar["id"],
            fatalities={"low": 2, "high": 2},
            notes="Checked against the ministry's statement.",
        ),
    )
    ministry = create(client, "/v1/actors", actor_body(name="Defense Ministry", kind="government"))
    duplicate = create(
        client,
        EVENTS,
        event_body(
            refs.source["id"],
            (refs.azerbaijan["id"],),
            None,
            title="Shelling of Tartar",
            summary="Armenian forces shelled Tartar.",
            mode=None,
            participants=[
                {"actor_id": refs.azerbaijan["id"], "role": "initiator"},
                {"actor_id": ministry["id"], "role": "participant"},
            ],
            citations=[
                {"source_id": refs.source["id"], "quote": ACCUSED[0]},
                {"source_id": refs.source["id"], "quote": KILLED[0]},
            ],
            fatalities={"low": 1, "high": 1},
            injuries={"low": 3, "high": None},
            notes="The second source says one was killed.",
        ),
    )
    about_kept = create(
        client,
        "/v1/statements",
        statement_body(refs.source["id"], refs.armenia["id"], [kept["id"]]),
    )
    about_duplicate = create(
        client,
        "/v1/statements",
        statement_body(
            refs.source["id"],
            refs.azerbaijan["id"],
            [duplicate["id"]],
            events=[{"event_id": duplicate["id"], "stance": "asserts"}],
            citations=[{"source_id": refs.source["id"], "quote": MINISTRY[0]}],
        ),
    )
    return kept, duplicate, ministry, about_kept, about_duplicate


class TestMerge:
    def test_the_kept_event_holds_what_both_held(self, client, refs, pair):
        kept, duplicate, ministry, *_ = pair

        response = merge(client, kept, duplicate)

        assert response.status_code == 200, response.get_json()
        event = response.get_json()
        assert event["id"] == kept["id"]
        assert [(p["actor_id"], p["role"]) for p in event["participants"]] == [
            (refs.azerbaijan["id"], "initiator"),
            (refs.armenia["id"], "target"),
            (ministry["id"], "participant"),
        ]
        assert event["citations"] == [cited(refs.source, ACCUSED), cited(refs.source, KILLED)]
        # The kept event's own fields stay; what it lacked comes from the other.
        assert (event["title"], event["mode"], event["location_id"]) == (
            kept["title"],
            "heavy-weapons",
            refs.tartar["id"],
        )
        assert event["summary"] == "Armenian forces shelled Tartar."
        # Figures both set by hand stay so, derived from both by the reports' rule.
        assert event["figures_set_by_hand"] is True
        assert event["fatalities"] == estimate(2, 2)
        assert event["injuries"] == estimate(3)
        assert event["notes"] == (
            "Checked against the ministry's statement.\n\n"
            f"Merged from the event {duplicate['id']} (Shelling of Tartar):\n"
            "The second source says one was killed."
        )
        assert client.get(f"{EVENTS}/{kept['id']}").get_json() == event

    def test_figures_are_derived_again_from_the_reports_of_both(self, client, refs):
        second = create(
            client,
            "/v1/sources",
            source_body(title="Second", url="https://example.org/2", body=SECOND_BODY),
        )
        kept = create(
            client,
            EVENTS,
            reported(
                refs,
                report(refs.source, ACCUSED[0], fatalities={"low": 1, "best": 1, "high": 1}),
            ),
        )
        other = create(
            client,
            EVENTS,
            reported(
                refs,
                report(refs.source, KILLED[0]),
                report(second, "killed at least 3 people", fatalities={"low": 3, "high": 5}),
            ),
        )

        event = merge(client, kept, other).get_json()

        assert event["figures_set_by_hand"] is False
        assert event["source_count"] == 2
        assert event["fatalities"] == estimate(3, 5, best=3)
        # One report per source: the kept event's, with the other's quote of it.
        first = event["reports"][0]
        assert [q["quote"] for q in first["quotes"]] == [ACCUSED[0], KILLED[0]]
        assert first["fatalities"] == estimate(1, 1, best=1)
        assert event["reports"][1]["source_id"] == second["id"]

    def test_a_report_silent_where_the_other_speaks_takes_its_words(self, client, refs):
        kept = create(client, EVENTS, reported(refs, report(refs.source, ACCUSED[0])))
        other = create(
            client,
            EVENTS,
            reported(
                refs,
                report(refs.source, KILLED[0], fatalities={"low": 24, "high": 99}),
            ),
        )

        event = merge(client, kept, other).get_json()

        [joined] = event["reports"]
        assert [q["quote"] for q in joined["quotes"]] == [ACCUSED[0], KILLED[0]]
        assert joined["fatalities"] == estimate(24, 99)
        assert event["fatalities"] == estimate(24, 99)

    def test_a_differing_summary_is_kept_in_the_notes(self, client, refs):
        kept = create(client, EVENTS, event_body(refs.source["id"], summary="Shelling."))
        other = create(client, EVENTS, event_body(refs.source["id"], summary="Shells fell."))

        event = merge(client, kept, other).get_json()

        assert event["summary"] == "Shelling."
        assert event["notes"] == (
            f"Merged from the event {other['id']} ({other['title']}):\nIts summary: Shells fell."
        )

    def test_statements_come_to_be_about_the_kept_event(self, client, pair):
        kept, duplicate, _, about_kept, about_duplicate = pair

        merge(client, kept, duplicate)

        statement = client.get(f"/v1/statements/{about_duplicate['id']}").get_json()
        assert [(e["event_id"], e["stance"]) for e in statement["events"]] == [
            (kept["id"], "asserts")
        ]
        assert statement["updated_at"] > about_duplicate["updated_at"]
        listed = client.get(f"{EVENTS}/{kept['id']}/statements").get_json()
        assert sorted(s["id"] for s in listed) == sorted([about_kept["id"], about_duplicate["id"]])

    def test_the_merged_id_answers_308_to_the_kept_event(self, client, pair):
        kept, duplicate, *_ = pair
        merge(client, kept, duplicate)

        response = client.get(f"{EVENTS}/{duplicate['id']}?fields=title")

        assert_problem(response, 308)
        assert response.headers["Location"] == f"{EVENTS}/{kept['id']}?fields=title"
        assert response.get_json()["merged_into"] == kept["id"]
        followed = client.get(response.headers["Location"])
        assert followed.get_json()["id"] == kept["id"]

    def test_a_patch_follows_and_a_put_or_delete_does_not(self, client, refs, pair):
        kept, duplicate, *_ = pair
        merge(client, kept, duplicate)
        path = f"{EVENTS}/{duplicate['id']}"

        patch = client.patch(path, json={"certainty": "confirmed"})
        put = client.put(path, json=event_body(refs.source["id"]))
        delete = client.delete(path)

        assert patch.status_code == 308
        assert patch.headers["Location"] == f"{EVENTS}/{kept['id']}"
        for response in (put, delete):
            problem = assert_problem(response, 409, kind="conflict")
            assert problem["merged_into"] == kept["id"]
        assert client.get(f"{EVENTS}/{kept['id']}").status_code == 200

    def test_the_lists_of_a_merged_event_answer_308(self, client, pair):
        kept, duplicate, *_ = pair
        merge(client, kept, duplicate)

        for tail in ("statements", "similar"):
            response = client.get(f"{EVENTS}/{duplicate['id']}/{tail}")
            assert response.status_code == 308, tail
            assert response.headers["Location"] == f"{EVENTS}/{kept['id']}/{tail}"

    def test_a_chain_of_merges_leads_to_the_last(self, client, refs):
        first, second, third = (
            create(client, EVENTS, event_body(refs.source["id"], title=f"Event {n}"))
            for n in range(3)
        )
        merge(client, second, first)
        merge(client, third, second)

        response = client.get(f"{EVENTS}/{first['id']}")

        assert response.headers["Location"] == f"{EVENTS}/{third['id']}"

    def test_the_deletions_feed_says_where_they_went(self, client, pair):
        kept, duplicate, *_ = pair
        merge(client, kept, duplicate)

        [deletion] = client.get("/v1/deletions?kind=event").get_json()

        assert deletion["id"] == duplicate["id"]
        assert deletion["merged_into"] == kept["id"]
        last = client.get(deletion["last_revision"]).get_json()
        assert last["operation"] == "merge"
        assert last["state"] == duplicate

    def test_the_histories_record_the_merge(self, client, pair):
        kept, duplicate, _, about_kept, about_duplicate = pair
        note = {"into": kept["id"], "merged": [duplicate["id"]]}

        merge(client, kept, duplicate)

        [latest, created] = revisions(client, "event", kept["id"])
        assert (latest["operation"], latest["merge"]) == ("merge", note)
        assert latest["changed"] == [
            "summary",
            "participants",
            "injuries",
            "notes",
            "reports",
            "citations",
        ]
        assert created["merge"] is None
        [gone, _] = revisions(client, "event", duplicate["id"])
        assert (gone["operation"], gone["merge"]) == ("merge", note)
        [moved, _] = revisions(client, "statement", about_duplicate["id"])
        assert (moved["operation"], moved["changed"], moved["merge"]) == (
            "merge",
            ["events"],
            note,
        )
        # A statement whose links did not change has no revision of the merge.
        assert len(revisions(client, "statement", about_kept["id"])) == 1

    def test_if_match_is_compared_with_the_kept_event(self, client, pair, db):
        kept, duplicate, *_ = pair
        etag = client.get(f"{EVENTS}/{kept['id']}").headers["ETag"]
        client.patch(f"{EVENTS}/{kept['id']}", json={"certainty": "confirmed"})
        before = row_counts(db)

        stale = client.post(
            f"{EVENTS}/{kept['id']}/merge",
            json={"merge": [duplicate["id"]]},
            headers={"If-Match": etag},
        )

        assert_problem(stale, 412)
        assert row_counts(db) == before
        current = client.get(f"{EVENTS}/{kept['id']}").headers["ETag"]
        fresh = client.post(
            f"{EVENTS}/{kept['id']}/merge",
            json={"merge": [duplicate["id"]]},
            headers={"If-Match": current},
        )
        assert fresh.status_code == 200, fresh.get_json()

    def test_a_write_token_is_needed(self, client, pair):
        kept, duplicate, *_ = pair

        response = client.post(
            f"{EVENTS}/{kept['id']}/merge", json={"merge": [duplicate["id"]]}, auth=False
        )

        assert_problem(response, 401)


class TestStances:
    def test_different_stances_are_not_merged_silently(self, client, refs, pair, db):
        kept, duplicate, *_ = pair
        torn = create(
            client,
            "/v1/statements",
            statement_body(
                refs.source["id"],
                refs.armenia["id"],
                events=[
                    {"event_id": kept["id"], "stance": "asserts"},
                    {"event_id": duplicate["id"], "stance": "denies"},
                ],
            ),
        )
        before = row_counts(db)

        response = merge(client, kept, duplicate)

        problem = assert_problem(response, 409, "stances", kind="conflict")
        assert problem["errors"]["stances"][0]["code"] == "stance_conflict"
        assert problem["conflicts"] == [
            {
                "statement_id": torn["id"],
                "stances": [
                    {"event_id": kept["id"], "stance": "asserts"},
                    {"event_id": duplicate["id"], "stance": "denies"},
                ],
            }
        ]
        assert row_counts(db) == before

    def test_a_stance_chosen_settles_it(self, client, refs, pair):
        kept, duplicate, *_ = pair
        torn = create(
            client,
            "/v1/statements",
            statement_body(
                refs.source["id"],
                refs.armenia["id"],
                events=[
                    {"event_id": duplicate["id"], "stance": "denies"},
                    {"event_id": kept["id"], "stance": "asserts"},
                ],
            ),
        )

        response = merge(
            client, kept, duplicate, stances=[{"statement_id": torn["id"], "stance": "denies"}]
        )

        assert response.status_code == 200, response.get_json()
        statement = client.get(f"/v1/statements/{torn['id']}").get_json()
        assert [(e["event_id"], e["stance"]) for e in statement["events"]] == [
            (kept["id"], "denies")
        ]

    def test_refers_to_gives_way(self, client, refs, pair):
        kept, duplicate, *_ = pair
        both = create(
            client,
            "/v1/statements",
            statement_body(
                refs.source["id"],
                refs.armenia["id"],
                events=[
                    {"event_id": kept["id"], "stance": "refers_to"},
                    {"event_id": duplicate["id"], "stance": "condemns"},
                ],
                citations=[{"source_id": refs.source["id"], "quote": CONDEMN[0]}],
            ),
        )

        assert merge(client, kept, duplicate).status_code == 200

        statement = client.get(f"/v1/statements/{both['id']}").get_json()
        assert [(e["event_id"], e["stance"]) for e in statement["events"]] == [
            (kept["id"], "condemns")
        ]


def merged_into_another(client, refs, kept, other):
    third = create(client, EVENTS, event_body(refs.source["id"], title="Third"))
    assert merge(client, third, other).status_code == 200
    return [other["id"]]


def deleted(client, refs, kept, other):
    assert client.delete(f"{EVENTS}/{other['id']}").status_code == 204
    return [other["id"]]


class TestBadInput:
    @pytest.mark.parametrize(
        ("merged", "status", "field", "code"),
        [
            pytest.param(lambda c, r, k, o: [k["id"]], 422, "merge.0", "same_record", id="itself"),
            pytest.param(lambda c, r, k, o: [], 422, "merge", "length", id="empty"),
            pytest.param(
                lambda c, r, k, o: [o["id"], o["id"]], 422, "merge.1", "duplicate", id="twice"
            ),
            pytest.param(lambda c, r, k, o: [nowhere()], 422, "merge.0", "not_found", id="unknown"),
            pytest.param(lambda c, r, k, o: ["x"], 422, "merge.0", "invalid_format", id="not-id"),
            pytest.param(deleted, 409, "merge.0", "deleted", id="deleted"),
            pytest.param(merged_into_another, 409, "merge.0", "merged", id="merged-already"),
        ],
    )
    def test_refused_naming_the_field(self, client, refs, db, merged, status, field, code):
        kept = create(client, EVENTS, event_body(refs.source["id"]))
        other = create(client, EVENTS, event_body(refs.source["id"], title="Other"))
        ids = merged(client, refs, kept, other)
        before = row_counts(db)

        response = client.post(f"{EVENTS}/{kept['id']}/merge", json={"merge": ids})

        problem = assert_problem(response, status, field)
        assert [error["code"] for error in problem["errors"][field]] == [code]
        assert row_counts(db) == before

    def test_merging_twice_says_where_it_went(self, client, refs):
        kept = create(client, EVENTS, event_body(refs.source["id"]))
        other = create(client, EVENTS, event_body(refs.source["id"], title="Other"))
        assert merge(client, kept, other).status_code == 200

        again = merge(client, kept, other)

        problem = assert_problem(again, 409, "merge.0", kind="conflict")
        assert problem["errors"]["merge.0"][0]["message"] == (
            f"Already merged into the event {kept['id']}."
        )

    def test_into_a_deleted_event(self, client, refs, db):
        kept = create(client, EVENTS, event_body(refs.source["id"]))
        other = create(client, EVENTS, event_body(refs.source["id"], title="Other"))
        client.delete(f"{EVENTS}/{kept['id']}")
        before = row_counts(db)

        response = merge(client, kept, other)

        problem = assert_problem(response, 409, "event_id", kind="conflict")
        assert problem["errors"]["event_id"][0]["code"] == "deleted"
        assert row_counts(db) == before

    def test_into_an_unknown_event(self, client, refs):
        other = create(client, EVENTS, event_body(refs.source["id"]))

        response = merge(client, {"id": nowhere()}, other)

        assert_problem(response, 404)

    def test_into_a_merged_event_follows_it(self, client, refs):
        kept = create(client, EVENTS, event_body(refs.source["id"]))
        gone = create(client, EVENTS, event_body(refs.source["id"], title="Gone"))
        other = create(client, EVENTS, event_body(refs.source["id"], title="Other"))
        merge(client, kept, gone)

        response = merge(client, gone, other)

        assert response.status_code == 308
        assert response.headers["Location"] == f"{EVENTS}/{kept['id']}/merge"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({}, "merge", id="no-merge"),
            pytest.param({"merge": "x"}, "merge", id="not-a-list"),
            pytest.param({"merge": [], "into": 1}, "into", id="unknown-field"),
            pytest.param(
                {"stances": [{"statement_id": "x", "stance": "asserts"}]},
                "stances.0.statement_id",
                id="stance-not-id",
            ),
            pytest.param(
                {"stances": [{"statement_id": "00000000-0000-4000-8000-000000000000"}]},
                "stances.0.stance",
                id="stance-missing",
            ),
        ],
    )
    def test_a_malformed_body(self, client, refs, body, field):
        kept = create(client, EVENTS, event_body(refs.source["id"]))

        response = client.post(f"{EVENTS}/{kept['id']}/merge", json=body)

        assert_problem(response, 422, field)

    def test_a_stance_for_a_statement_about_none_of_them(self, client, refs, pair):
        kept, duplicate, *_ = pair
        other = create(client, EVENTS, event_body(refs.source["id"], title="Unrelated"))
        elsewhere = create(
            client,
            "/v1/statements",
            statement_body(refs.source["id"], refs.armenia["id"], [other["id"]]),
        )

        response = merge(
            client, kept, duplicate, stances=[{"statement_id": elsewhere["id"], "stance": "denies"}]
        )

        problem = assert_problem(response, 422, "stances.0.statement_id")
        assert problem["errors"]["stances.0.statement_id"][0]["code"] == "not_linked"


class TestRaces:
    def test_two_merges_at_once_lose_nothing(self, app, token, client, refs, db):
        """Two merges into one event, and two of one event into two others, at once."""
        for round_ in range(5):
            kept = create(client, EVENTS, event_body(refs.source["id"], title="Kept"))
            others = [
                create(
                    client,
                    EVENTS,
                    event_body(
                        refs.source["id"],
                        participants=[{"actor_id": actor["id"], "role": "participant"}],
                        title=f"Other {n}",
                    ),
                )
                for n, actor in enumerate(
                    [
                        create(client, "/v1/actors", actor_body(name=f"Actor {round_}.{n}"))
                        for n in range(2)
                    ]
                )
            ]
            rival = create(client, EVENTS, event_body(refs.source["id"], title="Rival"))
            results = at_once(
                app,
                token,
                [
                    (kept["id"], [others[0]["id"]]),
                    (kept["id"], [others[1]["id"]]),
                    (rival["id"], [others[0]["id"]]),
                ],
            )
            statuses = [status for status, _ in results]
            assert statuses[1] == 200
            # One event can go into one other only: the kept event, or the rival.
            assert sorted([statuses[0], statuses[2]]) == [200, 409], results
            event = client.get(f"{EVENTS}/{kept['id']}").get_json()
            actors = {p["actor_id"] for p in event["participants"]}
            assert others[1]["participants"][0]["actor_id"] in actors
            winner = kept if statuses[0] == 200 else rival
            winner_event = client.get(f"{EVENTS}/{winner['id']}").get_json()
            assert others[0]["participants"][0]["actor_id"] in {
                p["actor_id"] for p in winner_event["participants"]
            }
            merged = db.execute(
                "SELECT count(*) AS n FROM deletions WHERE merged_into IS NOT NULL"
                " AND record_id = ANY(%s)",
                [[others[0]["id"], others[1]["id"]]],
            ).fetchone()["n"]
            assert merged == 2

    def test_merges_queue_behind_a_writer_of_the_kept_event(self, app, token, client, refs, db):
        kept = create(client, EVENTS, event_body(refs.source["id"], title="Kept"))
        others = [
            create(client, EVENTS, event_body(refs.source["id"], title=f"Other {n}"))
            for n in range(2)
        ]
        with psycopg.connect(app.config["DATABASE_URL"]) as writer:
            writer.execute("SELECT 1 FROM events WHERE id = %s FOR UPDATE", [kept["id"]])
            waiting = threading.Thread(
                target=lambda: results.extend(
                    at_once(app, token, [(kept["id"], [other["id"]]) for other in others])
                )
            )
            results = []
            waiting.start()
            waiting.join(timeout=1)
            # Both merges wait for the lock: neither has answered.
            assert waiting.is_alive()
            writer.execute(
                "UPDATE events SET summary = 'Written meanwhile.' WHERE id = %s", [kept["id"]]
            )
        waiting.join(timeout=60)

        assert [status for status, _ in results] == [200, 200]
        event = client.get(f"{EVENTS}/{kept['id']}").get_json()
        assert event["summary"] == "Written meanwhile."
        gone = [client.get(f"{EVENTS}/{other['id']}").status_code for other in others]
        assert gone == [308, 308]


def at_once(app, token, merges):
    """Send the merges [(kept id, [ids])] from one thread each, released together;
    return (status, body) of each."""
    barrier = threading.Barrier(len(merges))
    results = [None] * len(merges)

    def send(index, kept_id, merged_ids):
        flask_client = app.test_client()
        barrier.wait()
        response = flask_client.post(
            f"{EVENTS}/{kept_id}/merge",
            json={"merge": merged_ids},
            headers={"Authorization": f"Bearer {token}"},
        )
        results[index] = (response.status_code, response.get_json())

    threads = [
        threading.Thread(target=send, args=(index, *merge)) for index, merge in enumerate(merges)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert None not in results
    return results


class TestOnTheArticle:
    """A second report of an event of the seeded article, entered over HTTP."""

    def test_similar_finds_it_and_the_merge_joins_them(self, client, db, article):
        seeded = db.execute(
            "SELECT id::text FROM events WHERE title = %s",
            ["Armenian forces allegedly shell the Azerbaijani town of Tartar"],
        ).fetchone()["id"]
        [tartar] = client.get("/v1/locations?q=Terter").get_json()
        forces, azerbaijan = (
            client.get("/v1/actors", query_string={"q": name}).get_json()[0]
            for name in ("Armenian forces", "Azerbaijan")
        )
        source = create(
            client,
            "/v1/sources",
            {
                "title": "Artillery hits Terter",
                "published_on": "2020-10-01",
                "language": "en",
                "body": "Armenian artillery hit Terter on Tuesday, killing one civilian,"
                " the ministry said.",
            },
        )
        report = create(
            client,
            EVENTS,
            {
                "title": "Armenian artillery hits Terter",
                "event_type": "ASSAULT",
                "mode": "heavy-weapons",
                "start_date": "2020-09-29",
                "certainty": "reported",
                "location_id": tartar["id"],
                "participants": [
                    {"actor_id": forces["id"], "role": "initiator"},
                    {"actor_id": azerbaijan["id"], "role": "target"},
                ],
                "fatalities": {"low": 1, "high": 1},
                "citations": [
                    {"source_id": source["id"], "quote": "Armenian artillery hit Terter"}
                ],
            },
        )

        before = client.get(f"{EVENTS}/{seeded}").get_json()
        [best, *_] = client.get(f"{EVENTS}/{seeded}/similar").get_json()
        assert best["event"]["id"] == report["id"]
        assert {r["code"] for r in best["reasons"]} >= {
            "dates_overlap",
            "same_location",
            "shared_participants",
            "same_mode",
        }

        response = client.post(f"{EVENTS}/{seeded}/merge", json={"merge": [report["id"]]})

        assert response.status_code == 200, response.get_json()
        event = response.get_json()
        assert event["citations"] == [
            *before["citations"],
            cited(source, ("Armenian artillery hit Terter", 0)),
        ]
        assert event["fatalities"] == estimate(1, 1)
        assert event["source_count"] == 2
        assert len(event["participants"]) == 2
        moved = client.get(f"{EVENTS}/{report['id']}")
        assert moved.status_code == 308
        assert moved.headers["Location"] == f"{EVENTS}/{seeded}"

    def test_the_seed_loaded_again_leaves_a_merged_event_merged(self, client, db, article):
        kept, duplicate = (
            db.execute("SELECT id::text FROM events WHERE title = %s", [title]).fetchone()["id"]
            for title in (
                "Armenian forces allegedly shell the Azerbaijani town of Tartar",
                "Azerbaijani forces allegedly bomb northern parts of Nagorno-Karabakh",
            )
        )
        assert client.post(f"{EVENTS}/{kept}/merge", json={"merge": [duplicate]}).status_code == 200
        merged = client.get(f"{EVENTS}/{kept}").get_json()

        loader.load(db, loader.ARTICLE_SEED)

        assert client.get(f"{EVENTS}/{duplicate}").status_code == 308
        assert client.get(f"{EVENTS}/{kept}").get_json() == merged


class TestBulkImport:
    def test_a_merged_id_is_not_given_again(self, client, refs, db):
        kept = create(client, EVENTS, event_body(refs.source["id"]))
        other = create(client, EVENTS, event_body(refs.source["id"], title="Other"))
        assert merge(client, kept, other).status_code == 200
        before = row_counts(db)

        response = client.post(
            f"{EVENTS}/bulk", json=[{**event_body(refs.source["id"]), "id": other["id"]}]
        )

        problem = assert_problem(response, 422, "0.id")
        assert problem["errors"]["0.id"][0]["code"] == "merged"
        assert row_counts(db) == before


class TestASecondArticle:
    """An invented report of the shelling of Tartar, loaded through the seed format."""

    SEED = Path(__file__).resolve().parents[2] / "seeds" / "tartar_shelled_again_2020-10-02.yaml"

    def test_similar_finds_the_pair_and_the_merge_makes_one_event(self, client, db, article):
        loader.load(db, self.SEED)
        seeded = str(loader.record_id("event/alleged-shelling-of-tartar"))
        again = str(loader.record_id("event/test-tartar-shelled-again"))
        before = client.get(f"{EVENTS}/{seeded}").get_json()

        [best, *_] = client.get(f"{EVENTS}/{seeded}/similar").get_json()
        assert best["event"]["id"] == again
        merged = client.post(f"{EVENTS}/{seeded}/merge", json={"merge": [again]})

        assert merged.status_code == 200, merged.get_json()
        event = merged.get_json()
        assert [r["source"]["title"] for r in event["reports"]] == [
            before["reports"][0]["source"]["title"],
            "Tartar shelled again, ministry says",
        ]
        assert event["source_count"] == 2
        assert event["figures_set_by_hand"] is False
        civilians = {"low": 1, "best": 1, "high": 1}
        assert event["fatalities"] == estimate(1, 1, best=1, civilians=civilians)
        assert event["injuries"] == estimate(3, 3, best=3, civilians=None)
        moved = client.get(f"{EVENTS}/{again}")
        assert (moved.status_code, moved.headers["Location"]) == (308, f"{EVENTS}/{seeded}")
        # Loaded again, the seed leaves the merge as it is.
        loader.load(db, self.SEED)
        assert client.get(f"{EVENTS}/{again}").status_code == 308

    def test_loaded_over_http_it_is_one_event_of_two_sources(self, client, db, article):
        """An analyst keys the invented report in over HTTP, as a client would."""
        seeded = str(loader.record_id("event/alleged-shelling-of-tartar"))
        text = (self.SEED.parent / "tartar_shelled_again.txt").read_text()
        counted = ("sources", "actors", "locations", "events")

        def counts():
            return {
                t: db.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in counted
            }

        before = counts()
        source = create(
            client,
            "/v1/sources",
            source_body(
                title="Tartar shelled again, ministry says",
                url=None,
                published_on="2020-10-02",
                body=text,
            ),
        )

        # The article's own spellings are taken: each answers 409 naming the record meant.
        place = client.post(
            "/v1/locations", json={"name": "Terter", "kind": "town", "country": "AZE"}
        )
        ministry = client.post(
            "/v1/actors",
            json={"name": "Azerbaijan's Defense Ministry", "kind": "government", "country": "AZE"},
        )
        assert (place.status_code, ministry.status_code) == (409, 409)
        [tartar] = place.get_json()["matches"]
        assert tartar["id"] == str(loader.record_id("location/tartar"))
        assert ministry.get_json()["matches"][0]["id"] == str(
            loader.record_id("actor/azerbaijan-defense-ministry")
        )
        [shooter, *_] = client.get("/v1/actors/match?name=Armenian forces").get_json()["candidates"]
        assert shooter["id"] == str(loader.record_id("actor/armenian-forces"))

        quote = (
            "Armenian artillery shelled the Azerbaijani town of Tartar on Tuesday,"
            " killing one civilian and wounding three"
        )
        again = create(
            client,
            EVENTS,
            {
                "title": "Armenian artillery shells Tartar, killing one civilian",
                "event_type": "ASSAULT",
                "mode": "heavy-weapons",
                "start_date": "2020-09-29",
                "certainty": "reported",
                "location_id": tartar["id"],
                "participants": [
                    {"actor_id": shooter["id"], "role": "initiator"},
                    {"actor_id": str(loader.record_id("actor/azerbaijan")), "role": "target"},
                ],
                "reports": [
                    report(
                        source,
                        quote,
                        fatalities=estimate(1, 1, best=1, civilians=ONE),
                        injuries=estimate(3, 3, best=3),
                    )
                ],
            },
        )

        [best, *_] = client.get(f"{EVENTS}/{seeded}/similar").get_json()
        assert best["event"]["id"] == again["id"]
        merged = merge(client, {"id": seeded}, again)

        assert merged.status_code == 200, merged.get_json()
        event = merged.get_json()
        assert [r["source_id"] for r in event["reports"]][1:] == [source["id"]]
        assert event["source_count"] == 2
        assert event["fatalities"] == estimate(1, 1, best=1, civilians=ONE)
        assert event["injuries"] == estimate(3, 3, best=3)
        moved = client.get(f"{EVENTS}/{again['id']}")
        assert (moved.status_code, moved.headers["Location"]) == (308, f"{EVENTS}/{seeded}")
        after = counts()
        # One source more, not one actor or place more; the event merged is gone.
        assert after["sources"] == before["sources"] + 1
        assert (after["actors"], after["locations"]) == (before["actors"], before["locations"])
        assert after["events"] == before["events"]
