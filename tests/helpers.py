"""Builders of valid records and checks of problem responses, shared by the tests."""

from schemas.problems import BLANK, KINDS

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


def problem_type(kind):
    """The type of a problem of `kind` (schemas/problems.py): /problems/not-found."""
    return KINDS[kind].type


def assert_problem(response, status, *fields, kind=None):
    """Check an RFC 9457 problem response of `kind` (any of its status when None),
    naming `fields` among its errors, each error with a code and a message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    kinds = [kind] if kind else [name for name, k in KINDS.items() if k.status == status]
    # A status no kind covers (a routing redirect) has RFC 9457's default type.
    assert problem["type"] in ([problem_type(name) for name in kinds] or [BLANK]), problem
    assert problem["title"]
    assert problem["detail"]
    for field in fields:
        assert field in problem.get("errors", {}), problem
    for errors in problem.get("errors", {}).values():
        assert errors and all(set(error) == {"code", "message"} for error in errors), problem
    return problem


def messages(problem):
    """A problem's errors as {path: [message]}, without their codes."""
    return {
        path: [error["message"] for error in errors]
        for path, errors in problem.get("errors", {}).items()
    }
