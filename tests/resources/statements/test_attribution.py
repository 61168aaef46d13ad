"""A statement's attribution: clear, or doubtful with the reason."""

from types import SimpleNamespace

import pytest

from tests.helpers import actor_body, assert_problem, create, source_body, statement_body

STATEMENTS = "/v1/statements"
GARBLED = "The source says “Turkey and Armenian denied the claims”: Armenia made the claim."


@pytest.fixture
def refs(client):
    return SimpleNamespace(
        source=create(client, "/v1/sources", source_body()),
        armenia=create(client, "/v1/actors", actor_body(name="Armenia", country="ARM")),
    )


def body(refs, **overrides):
    return {**statement_body(refs.source["id"], refs.armenia["id"]), **overrides}


def doubtful(refs, **overrides):
    return body(refs, attribution="doubtful", attribution_note=GARBLED, **overrides)


class TestWriteAttribution:
    def test_clear_by_default(self, client, refs):
        created = create(client, STATEMENTS, body(refs))
        assert (created["attribution"], created["attribution_note"]) == ("clear", None)

    def test_doubtful_with_its_reason(self, client, refs):
        created = create(client, STATEMENTS, doubtful(refs))

        assert (created["attribution"], created["attribution_note"]) == ("doubtful", GARBLED)
        assert client.get(f"{STATEMENTS}/{created['id']}").get_json() == created

    def test_made_clear_again_with_the_note_removed(self, client, refs):
        created = create(client, STATEMENTS, doubtful(refs))

        response = client.patch(
            f"{STATEMENTS}/{created['id']}",
            json={"attribution": "clear", "attribution_note": None},
        )

        assert response.status_code == 200, response.get_json()
        assert (response.get_json()["attribution"], response.get_json()["attribution_note"]) == (
            "clear",
            None,
        )
        revisions = client.get(f"{STATEMENTS}/{created['id']}/revisions").get_json()
        assert revisions[0]["changed"] == ["attribution", "attribution_note"]

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [
            pytest.param(
                {"attribution": "doubtful"}, "required_when_doubtful", id="doubtful-without-note"
            ),
            pytest.param(
                {"attribution": "doubtful", "attribution_note": None},
                "required_when_doubtful",
                id="doubtful-with-null-note",
            ),
            pytest.param({"attribution_note": GARBLED}, "only_when_doubtful", id="note-if-clear"),
            pytest.param(
                {"attribution": "doubtful", "attribution_note": "   "}, "blank", id="blank-note"
            ),
            pytest.param(
                {"attribution": "doubtful", "attribution_note": "x" * 20_001},
                "length",
                id="note-too-long",
            ),
        ],
    )
    def test_refuses_a_note_that_does_not_fit(self, client, db, refs, overrides, code):
        problem = assert_problem(
            client.post(STATEMENTS, json=body(refs, **overrides)), 422, "attribution_note"
        )

        assert [error["code"] for error in problem["errors"]["attribution_note"]] == [code]
        assert db.execute("SELECT count(*) AS n FROM statements").fetchone()["n"] == 0

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            pytest.param("garbled", "not_one_of", id="unknown"),
            pytest.param(None, "null", id="null"),
            pytest.param(True, "invalid_type", id="boolean"),
        ],
    )
    def test_refuses_what_is_not_an_attribution(self, client, refs, value, code):
        problem = assert_problem(
            client.post(STATEMENTS, json=body(refs, attribution=value)), 422, "attribution"
        )
        assert [error["code"] for error in problem["errors"]["attribution"]] == [code]

    def test_a_patch_making_it_clear_must_remove_the_note(self, client, refs):
        created = create(client, STATEMENTS, doubtful(refs))

        assert_problem(
            client.patch(f"{STATEMENTS}/{created['id']}", json={"attribution": "clear"}),
            422,
            "attribution_note",
        )
        assert client.get(f"{STATEMENTS}/{created['id']}").get_json() == created


class TestFilterAttribution:
    def test_lists_the_doubtful_ones(self, client, refs):
        create(client, STATEMENTS, body(refs))
        garbled = create(client, STATEMENTS, doubtful(refs))

        listed = client.get(f"{STATEMENTS}?attribution=doubtful").get_json()

        assert [statement["id"] for statement in listed] == [garbled["id"]]
        assert len(client.get(f"{STATEMENTS}?attribution=clear,doubtful").get_json()) == 2

    def test_refuses_an_unknown_value(self, client):
        assert_problem(client.get(f"{STATEMENTS}?attribution=garbled"), 422, "attribution")


def test_the_vocabulary_is_listed(client):
    vocabularies = client.get("/v1/vocabularies").get_json()
    assert [term["code"] for term in vocabularies["attributions"]] == ["clear", "doubtful"]
