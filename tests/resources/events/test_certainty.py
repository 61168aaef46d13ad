"""An event's certainty follows the statements about it, unless it was set by hand."""

import pytest

from tests.helpers import assert_problem, create, event_body, statement_body

EVENTS = "/v1/events"
STATEMENTS = "/v1/statements"


@pytest.fixture
def shelling(client, refs):
    """An alleged shelling of Tartar, with no statement about it yet."""
    return create(
        client,
        EVENTS,
        event_body(
            refs.source["id"], (refs.armenia["id"], refs.azerbaijan["id"]), refs.tartar["id"]
        ),
    )


def about(refs, event, stance, **overrides):
    """A statement by Armenia taking `stance` towards `event`."""
    return {
        **statement_body(
            refs.source["id"],
            refs.armenia["id"],
            text="Armenia denies shelling Tartar.",
            is_direct_quote=False,
            statement_type="denial" if stance == "denies" else "claim",
            events=[{"event_id": event["id"], "stance": stance}],
            citations=[],
        ),
        **overrides,
    }


def read(client, event):
    return client.get(f"{EVENTS}/{event['id']}").get_json()


def history(client, event):
    """The event's revisions, oldest first: (operation, certainty then, author)."""
    entries = client.get(f"{EVENTS}/{event['id']}/revisions").get_json()
    states = [
        client.get(f"{EVENTS}/{event['id']}/revisions/{entry['number']}").get_json()
        for entry in reversed(entries)
    ]
    return [(state["operation"], state["state"]["certainty"], state["author"]) for state in states]


class TestADenialDisputes:
    def test_a_denial_makes_an_alleged_event_disputed(self, client, refs, shelling):
        denial = create(client, STATEMENTS, about(refs, shelling, "denies"))

        event = read(client, shelling)
        assert (event["certainty"], event["certainty_set_by_hand"]) == ("disputed", False)
        assert event["updated_at"] > shelling["updated_at"]
        assert denial["events"][0]["event"]["certainty"] == "disputed"
        # The statement's write left a revision of the event, by the same author.
        assert history(client, shelling) == [
            ("create", "alleged", "tests"),
            ("update", "disputed", "tests"),
        ]
        assert client.get(f"{EVENTS}?certainty=disputed").get_json()[0]["id"] == shelling["id"]

    @pytest.mark.parametrize(
        ("written", "shown"),
        [
            pytest.param("reported", "disputed", id="reported"),
            pytest.param("alleged", "disputed", id="alleged"),
            pytest.param("disputed", "disputed", id="disputed"),
            # Confirmed independently: a denial does not undo it.
            pytest.param("confirmed", "confirmed", id="confirmed"),
        ],
    )
    def test_at_least_disputed(self, client, refs, written, shown):
        event = create(client, EVENTS, event_body(refs.source["id"], certainty=written))
        create(client, STATEMENTS, about(refs, event, "denies"))
        assert read(client, event)["certainty"] == shown

    def test_other_stances_change_nothing(self, client, refs, shelling):
        for stance in ("asserts", "condemns", "refers_to"):
            create(client, STATEMENTS, about(refs, shelling, stance))
        assert read(client, shelling) == shelling
        assert len(history(client, shelling)) == 1

    def test_a_second_denial_leaves_no_revision(self, client, refs, shelling):
        create(client, STATEMENTS, about(refs, shelling, "denies"))
        create(client, STATEMENTS, about(refs, shelling, "denies", text="Not us."))
        assert [operation for operation, _, _ in history(client, shelling)] == ["create", "update"]

    def test_a_doubtful_denial_counts(self, client, refs, shelling):
        """The doubt is about who denied it, not whether it was denied."""
        create(
            client,
            STATEMENTS,
            about(
                refs,
                shelling,
                "denies",
                attribution="doubtful",
                attribution_note="The source's sentence is garbled.",
            ),
        )
        assert read(client, shelling)["certainty"] == "disputed"


class TestUndoingADenial:
    @pytest.fixture
    def denial(self, client, refs, shelling):
        return create(client, STATEMENTS, about(refs, shelling, "denies"))

    def test_deleting_the_denial_makes_it_alleged_again(self, client, shelling, denial):
        assert client.delete(f"{STATEMENTS}/{denial['id']}").status_code == 204

        assert read(client, shelling)["certainty"] == "alleged"
        assert [certainty for _, certainty, _ in history(client, shelling)] == [
            "alleged",
            "disputed",
            "alleged",
        ]

    def test_changing_the_stance_makes_it_alleged_again(self, client, shelling, denial):
        events = [{"event_id": shelling["id"], "stance": "refers_to"}]
        response = client.patch(f"{STATEMENTS}/{denial['id']}", json={"events": events})

        assert response.status_code == 200, response.get_json()
        assert read(client, shelling)["certainty"] == "alleged"

    def test_unlinking_the_event_makes_it_alleged_again(self, client, shelling, denial):
        response = client.patch(f"{STATEMENTS}/{denial['id']}", json={"events": []})

        assert response.status_code == 200, response.get_json()
        assert read(client, shelling)["certainty"] == "alleged"

    def test_restoring_the_deleted_denial_disputes_it_again(self, client, shelling, denial):
        client.delete(f"{STATEMENTS}/{denial['id']}")
        restored = client.post(f"{STATEMENTS}/{denial['id']}/revisions/1/restore")

        assert restored.status_code == 200, restored.get_json()
        assert read(client, shelling)["certainty"] == "disputed"

    def test_an_edit_of_the_event_keeps_the_certainty_it_was_given(self, client, shelling, denial):
        """A PATCH sends back the certainty the event shows: it stays alleged underneath."""
        patched = client.patch(f"{EVENTS}/{shelling['id']}", json={"title": "Tartar shelled"})
        assert patched.get_json()["certainty"] == "disputed"
        put = client.put(
            f"{EVENTS}/{shelling['id']}",
            json={
                key: value
                for key, value in patched.get_json().items()
                if key
                not in ("id", "created_at", "updated_at", "location", "reports", "source_count")
            }
            | {
                "participants": [
                    {"actor_id": p["actor_id"], "role": p["role"]}
                    for p in patched.get_json()["participants"]
                ],
                "citations": [
                    {"source_id": c["source_id"], "quote": c["quote"]}
                    for c in patched.get_json()["citations"]
                ],
            },
        )
        assert put.status_code == 200, put.get_json()

        client.delete(f"{STATEMENTS}/{denial['id']}")

        assert read(client, shelling)["certainty"] == "alleged"

    def test_a_certainty_written_while_denied_is_the_one_it_falls_back_to(
        self, client, shelling, denial
    ):
        patched = client.patch(f"{EVENTS}/{shelling['id']}", json={"certainty": "reported"})
        # The denial still disputes it; what was written shows once nothing denies it.
        assert patched.get_json()["certainty"] == "disputed"

        client.delete(f"{STATEMENTS}/{denial['id']}")

        assert read(client, shelling)["certainty"] == "reported"


class TestSetByHand:
    def test_a_certainty_set_by_hand_stays_as_written(self, client, refs):
        event = create(client, EVENTS, event_body(refs.source["id"], certainty_set_by_hand=True))
        assert (event["certainty"], event["certainty_set_by_hand"]) == ("alleged", True)

        create(client, STATEMENTS, about(refs, event, "denies"))

        assert read(client, event) == event
        assert len(history(client, event)) == 1

    def test_setting_it_by_hand_overrides_a_denial(self, client, refs, shelling):
        create(client, STATEMENTS, about(refs, shelling, "denies"))

        response = client.patch(
            f"{EVENTS}/{shelling['id']}",
            json={"certainty": "confirmed", "certainty_set_by_hand": True},
        )

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["certainty"] == "confirmed"
        # Written and set by hand: what was sent, even what a denial would raise.
        response = client.patch(f"{EVENTS}/{shelling['id']}", json={"certainty": "reported"})
        assert response.get_json()["certainty"] == "reported"

    def test_letting_it_follow_again(self, client, refs):
        event = create(client, EVENTS, event_body(refs.source["id"], certainty_set_by_hand=True))
        create(client, STATEMENTS, about(refs, event, "denies"))

        response = client.patch(f"{EVENTS}/{event['id']}", json={"certainty_set_by_hand": False})

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["certainty"] == "disputed"
        assert (
            client.get(f"{EVENTS}?certainty_set_by_hand=false").get_json()[0]["id"] == (event["id"])
        )
        assert client.get(f"{EVENTS}?certainty_set_by_hand=true").get_json() == []

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            pytest.param("yes", "invalid_type", id="string"),
            pytest.param(1, "invalid_type", id="number"),
            pytest.param(None, "null", id="null"),
        ],
    )
    def test_refuses_what_is_not_a_boolean(self, client, db, refs, value, code):
        body = event_body(refs.source["id"], certainty_set_by_hand=value)

        problem = assert_problem(client.post(EVENTS, json=body), 422, "certainty_set_by_hand")

        assert [error["code"] for error in problem["errors"]["certainty_set_by_hand"]] == [code]
        assert db.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 0

    def test_refuses_a_filter_that_is_not_a_boolean(self, client):
        assert_problem(
            client.get(f"{EVENTS}?certainty_set_by_hand=yes"), 422, "certainty_set_by_hand"
        )


class TestOneTransaction:
    def test_a_refused_statement_leaves_the_event_as_it_was(self, client, refs, shelling):
        body = about(refs, shelling, "denies", speaker_id="00000000-0000-4000-8000-000000000000")

        assert_problem(client.post(STATEMENTS, json=body), 422, "speaker_id")

        assert read(client, shelling) == shelling
        assert len(history(client, shelling)) == 1


def test_bulk_import_keeps_the_certainty_an_event_was_given(client, refs, shelling):
    """Replacing a disputed event with what a GET gave keeps it alleged underneath."""
    denial = create(client, STATEMENTS, about(refs, shelling, "denies"))
    body = event_body(
        refs.source["id"],
        (refs.armenia["id"], refs.azerbaijan["id"]),
        refs.tartar["id"],
        id=shelling["id"],
        certainty="disputed",
    )

    response = client.post(f"{EVENTS}/bulk", json=[body])

    assert response.status_code == 201, response.get_json()
    assert read(client, shelling)["certainty"] == "disputed"
    client.delete(f"{STATEMENTS}/{denial['id']}")
    assert read(client, shelling)["certainty"] == "alleged"
