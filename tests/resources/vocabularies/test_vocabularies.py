"""GET /v1/vocabularies: every controlled vocabulary, as the schemas define them, with words."""

import pytest

from schemas.plover import ATTRIBUTION
from schemas.vocabularies import ALL, PLOVER_MODES, TERMS

VOCABULARY_NAMES = [name for name in ALL if name != "event_modes"]


@pytest.fixture
def vocabularies(client):
    response = client.get("/v1/vocabularies", auth=False)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


class TestVocabularies:
    """The endpoint serves the vocabularies of schemas.vocabularies, unchanged."""

    def test_names(self, vocabularies):
        assert set(vocabularies) == {*TERMS, "attribution"}
        assert vocabularies["attribution"] == ATTRIBUTION

    @pytest.mark.parametrize("name", VOCABULARY_NAMES)
    def test_word_list(self, vocabularies, name):
        assert [term["code"] for term in vocabularies[name]] == list(ALL[name])

    @pytest.mark.parametrize("name", VOCABULARY_NAMES)
    def test_every_word_has_a_label_and_a_definition(self, vocabularies, name):
        for term in vocabularies[name]:
            assert term["label"] and term["definition"].endswith("."), term
            for mode in term.get("modes", []):
                assert mode["label"] and mode["definition"].endswith("."), mode

    def test_event_modes_are_the_plover_modes(self, vocabularies):
        assert {
            event_type["code"]: [mode["code"] for mode in event_type["modes"]]
            for event_type in vocabularies["event_types"]
        } == {event_type: list(modes) for event_type, modes in PLOVER_MODES.items()}

    def test_a_front_end_can_say_what_assault_means(self, vocabularies):
        assault = next(t for t in vocabularies["event_types"] if t["code"] == "ASSAULT")
        assert assault["label"] == "Assault"
        assert assault["definition"].startswith("Use of force")

    def test_etag_and_304(self, client):
        etag = client.get("/v1/vocabularies").headers["ETag"]
        response = client.get("/v1/vocabularies", headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.get_data() == b""
