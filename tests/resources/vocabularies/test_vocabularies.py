"""GET /v1/vocabularies: every controlled vocabulary, as the schemas define them."""

import pytest

from schemas.vocabularies import ALL, PLOVER_MODES

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
        assert set(vocabularies) == set(ALL)

    @pytest.mark.parametrize("name", VOCABULARY_NAMES)
    def test_word_list(self, vocabularies, name):
        assert vocabularies[name] == list(ALL[name])

    def test_event_modes_are_the_plover_modes(self, vocabularies):
        assert vocabularies["event_modes"] == {
            event_type: list(modes) for event_type, modes in PLOVER_MODES.items()
        }

    def test_every_event_type_has_its_modes(self, vocabularies):
        assert list(vocabularies["event_modes"]) == vocabularies["event_types"]

    def test_etag_and_304(self, client):
        etag = client.get("/v1/vocabularies").headers["ETag"]
        response = client.get("/v1/vocabularies", headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.get_data() == b""
