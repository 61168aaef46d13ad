"""Builders of valid records and checks of problem responses, shared by the tests."""

from http import HTTPStatus
from pathlib import Path
from unittest.mock import ANY

# The repository, wherever a test module sits below tests/.
ROOT = Path(__file__).resolve().parent.parent
SPEC_FILE = ROOT / "openapi.yaml"
# A second, small, invented article (tests/seeds/), loaded after the first.
SECOND_SEED = ROOT / "tests" / "seeds" / "sarvan_ceasefire_2021-03-14.yaml"

ARTICLE_BODY = (
    "Azerbaijan’s Defense Ministry accused Armenian forces of shelling the Azerbaijani "
    "town of Tartar. Dozens of people have been killed. “We strongly condemn the use "
    "of force,” the co-chairs said."
)


def create(client, path, body):
    """POST `body` to `path`, insist on 201, and return the created record."""
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def source_body(**overrides):
    return {
        "title": "Clashes over Nagorno-Karabakh",
        "url": "https://example.org/news/clashes",
        "publisher": "Example News",
        "published_on": "2020-09-30",
        "language": "en",
        "body": ARTICLE_BODY,
        **overrides,
    }


def actor_body(**overrides):
    return {"name": "Azerbaijan", "kind": "state", "country": "AZE", **overrides}


def location_body(**overrides):
    return {
        "name": "Tartar",
        "kind": "town",
        "country": "AZE",
        "aliases": ["Terter"],
        "latitude": 40.3444,
        "longitude": 46.9311,
        "geo_precision": "settlement",
        **overrides,
    }


def event_body(source_id, actor_ids=(), location_id=None, **overrides):
    return {
        "title": "Azerbaijan accuses Armenian forces of shelling Tartar",
        "event_type": "ASSAULT",
        "mode": "heavy-weapons",
        "start_date": "2020-09-30",
        "certainty": "alleged",
        "location_id": location_id,
        "participants": [
            {"actor_id": actor_id, "role": role}
            for actor_id, role in zip(actor_ids, ("initiator", "target"), strict=False)
        ],
        "citations": [{"source_id": source_id, "quote": "accused Armenian forces of shelling"}],
        **overrides,
    }


def statement_body(source_id, speaker_id, event_ids=(), **overrides):
    return {
        "speaker_id": speaker_id,
        "text": "We strongly condemn the use of force",
        "is_direct_quote": True,
        "statement_type": "condemnation",
        "stated_on": "2020-09-27",
        "events": [{"event_id": event_id, "stance": "condemns"} for event_id in event_ids],
        "citations": [{"source_id": source_id, "quote": "“We strongly condemn the use of force,”"}],
        **overrides,
    }


def assert_problem(response, status, *fields):
    """Check an RFC 9457 problem response, naming `fields` among its errors."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"]
    assert problem["detail"]
    for field in fields:
        assert field in problem.get("errors", {}), problem
    return problem


MISSING_ID = "00000000-0000-4000-8000-000000000000"


def expected_problem(status, detail, instance, **extensions):
    """The whole body of a problem response."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": ANY,
        **extensions,
    }


def assert_clean_problem(response, status):
    """A problem response that is not a 500 and shows no traceback."""
    problem = assert_problem(response, status)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert 'File "' not in text
    assert set(problem) >= {"type", "title", "status", "detail", "instance"}
    return problem


def authorised(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


INSUFFICIENT = 'Bearer realm="eventdata", error="insufficient_scope", scope="{}"'


def bearer(token):
    return {"Authorization": f"Bearer {token}"}
