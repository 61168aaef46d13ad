"""What the tests share: builders of valid records, checks of responses, a client, paths."""

import copy
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from unittest.mock import ANY

import pytest
import yaml

from api.web.problems import type_of
from schemas.problems import BLANK, KINDS
from seeds import loader

# The repository, wherever a test module sits below tests/.
ROOT = Path(__file__).resolve().parent.parent
SPEC_FILE = ROOT / "openapi.yaml"
# libyaml's loader where PyYAML has it: its own parser takes half a second for openapi.yaml.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What a path that names nothing answers.
NOTHING_HERE = "Nothing is at this path: the paths are listed in /openapi.json."
# A second, small, invented article (tests/seeds/), loaded after the first.
SECOND_SEED = ROOT / "tests" / "seeds" / "sarvan_ceasefire_2021-03-14.yaml"

MISSING_ID = "00000000-0000-4000-8000-000000000000"
INSUFFICIENT = 'Bearer realm="eventdata", error="insufficient_scope", scope="{}"'
# Seconds a probe may take to answer: an orchestrator gives up on one after a
# second by default (Kubernetes' timeoutSeconds), and counts that as a failure.
PROBE_BOUND = 1.0

# Figures the reliability tests count (cases sent, 5xx seen, races run...), printed
# at the end of the run: docs/RELIABILITY.md quotes them.
TALLY = Counter()


class Client:
    """A test client that sends JSON and, for writes, the bearer token."""

    def __init__(self, flask_client, token):
        self.flask = flask_client
        self.token = token

    def request(self, method, path, *, json=None, headers=None, auth=True, **kwargs):
        headers = dict(headers or {})
        # Writes need the token; so does every request about tokens (admin scope).
        if auth and (method in {"POST", "PUT", "PATCH", "DELETE"} or "/v1/tokens" in path):
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.flask.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


class OnlyReads:
    """A class of tests that only read one data set, built once for the class.

    The class says how in `build(client, db)`, a static method given a client
    that may write and a connection; the tests' `client`, `db` and `data` (what
    `build` returned) are then the data set's, read only (tests/conftest.py,
    share_data_set). A test that writes, or asks for a database of its own, fails.
    """

    @pytest.fixture
    def client(self, data_set):
        return data_set.client

    @pytest.fixture
    def db(self, data_set):
        return data_set.db

    @pytest.fixture
    def data(self, data_set):
        # A copy: a test that changes it changes its own.
        return copy.deepcopy(data_set.data)


def read_spec():
    """openapi.yaml, parsed: a fresh copy for each caller."""
    return yaml.load(SPEC_FILE.read_text("utf-8"), Loader=YAML_LOADER)


def load_the_article(client, db):
    """Load the article's seed: the data set of a class that reads it (OnlyReads)."""
    return loader.load(db, loader.ARTICLE_SEED)


class ReadsTheArticle(OnlyReads):
    """A class of tests that only read the article, loaded once for the class."""

    build = staticmethod(load_the_article)

    @pytest.fixture
    def article(self, data):
        return data


def bearer(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


# -- valid records ---------------------------------------------------------------------

ARTICLE_BODY = (
    "Azerbaijan’s Defense Ministry accused Armenian forces of shelling the Azerbaijani "
    "town of Tartar. Dozens of people have been killed. “We strongly condemn the use "
    "of force,” the co-chairs said."
)


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
    # Terter is Tartar's other name: another place gets none, or it would take
    # Tartar's (a 409, name-taken).
    aliases = ["Terter"] if overrides.get("name", "Tartar") == "Tartar" else []
    return {
        "name": "Tartar",
        "kind": "town",
        "country": "AZE",
        "aliases": aliases,
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


# Where quotes from ARTICLE_BODY begin, in Unicode code points, counted by hand.
# The body has a curly apostrophe and curly double quotes, so byte offsets would differ.
ACCUSED = ("accused Armenian forces of shelling", 30)
MINISTRY = ("Azerbaijan’s Defense Ministry", 0)
CONDEMN = ("“We strongly condemn the use of force,”", 133)
CO_CHAIRS = ("the co-chairs said.", 173)
KILLED = ("Dozens of people have been killed.", 98)


def create(client, path, body):
    """POST `body` to `path`, insist on 201, and return the created record."""
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_with_etag(client, path, body):
    """POST `body` to `path`, insist on 201, and return the record and its ETag."""
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), response.headers["ETag"]


def nowhere():
    """An id no record has."""
    return str(uuid.uuid4())


# Changes to a valid body (functions of the test's refs and the body), for tables of
# bad input: each makes the body invalid in one field.
def without(field):
    return lambda refs, body: {key: value for key, value in body.items() if key != field}


def setting(**fields):
    return lambda refs, body: {**body, **fields}


# Tables an event or statement write touches.
TABLES = (
    "events",
    "event_participants",
    "citations",
    "reports",
    "statements",
    "statement_addressees",
    "statement_events",
)


def row_counts(db):
    """The number of rows in every table an event or statement write touches."""
    return {
        table: db.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"] for table in TABLES
    }


# -- records as the API shows them -----------------------------------------------------


def assert_server_fields(record):
    """The id is a UUID and the timestamps are RFC 3339 with a time zone."""
    assert str(uuid.UUID(record["id"])) == record["id"]
    created = datetime.fromisoformat(record["created_at"])
    updated = datetime.fromisoformat(record["updated_at"])
    assert created.tzinfo is not None
    assert updated.tzinfo is not None
    assert created <= updated


def server_fields(body):
    """Check the form of the fields the server sets (UTC timestamps), and return them."""
    assert str(uuid.UUID(body["id"])) == body["id"]
    created_at = datetime.fromisoformat(body["created_at"])
    updated_at = datetime.fromisoformat(body["updated_at"])
    assert created_at.utcoffset() == timedelta(0)
    assert updated_at.utcoffset() == timedelta(0)
    assert updated_at >= created_at
    return {key: body[key] for key in ("id", "created_at", "updated_at")}


def actor_summary(actor):
    return {key: actor[key] for key in ("id", "name", "kind", "country")}


def source_summary(source):
    """A source as reports and citations embed it."""
    return {key: source[key] for key in ("id", "title", "publisher", "published_on", "url")}


def cited(source, quote_at):
    """The citation expected for `quote_at` = (quote, start) in `source`."""
    quote, start = quote_at
    end = start + len(quote)
    assert source["body"][start:end] == quote
    return {
        "source_id": source["id"],
        "source": source_summary(source),
        "quote": quote,
        "start": start,
        "end": end,
    }


# What an event's report says besides its source and quotes, all null.
SILENT_REPORT = dict.fromkeys(
    (
        "start_date",
        "end_date",
        "date_precision",
        "location_id",
        "location",
        "certainty",
        "fatalities",
        "injuries",
    )
)


def reports_of(citations, *, event=True):
    """The reports expected of `citations` (as the API shows them): one per source, in the
    order each was first quoted, saying nothing else (for an event)."""
    reports = {}
    for citation in citations:
        report = reports.setdefault(
            citation["source_id"],
            {
                "source_id": citation["source_id"],
                "source": citation["source"],
                "quotes": [],
                **(SILENT_REPORT if event else {}),
            },
        )
        report["quotes"].append({key: citation[key] for key in ("quote", "start", "end")})
    return list(reports.values())


def estimate(low, high=None, *, best=None, civilians=None):
    """An estimate as the API shows it."""
    return {"low": low, "best": best, "high": high, "civilians": civilians}


# -- problems ----------------------------------------------------------------------------


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


def expected_problem(status, detail, instance, *, kind=None, errors=None, **extensions):
    """The whole body of a problem response (of `kind`, else of its status's first kind);
    `errors` by path, their messages (each error has its code too)."""
    if errors:
        extensions["errors"] = {
            path: [{"code": ANY, "message": message} for message in messages]
            for path, messages in errors.items()
        }
    return {
        "type": type_of(status, kind),
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


def assert_refused(response, status, field, path):
    """A problem response naming exactly `field`."""
    problem = assert_problem(response, status, field)
    assert problem["instance"] == path
    assert list(problem["errors"]) == [field], problem
    return problem


def assert_parameter_refused(response, parameter):
    """422 naming exactly the query `parameter`."""
    problem = assert_problem(response, 422, parameter)
    assert list(problem["errors"]) == [parameter], problem
    return problem


def assert_not_found(response, path):
    problem = assert_problem(response, 404)
    assert problem["instance"] == path


def assert_still_referenced(response, path, referrers):
    """A 409 problem listing exactly `referrers`, ordered by kind then id."""
    problem = assert_problem(response, 409)
    assert problem["instance"] == path
    assert problem["referrers"] == sorted(referrers, key=lambda r: (r["kind"], r["id"]))


# -- lists and pages ---------------------------------------------------------------------


def resolve_names(records, query):
    """The query string, with tuples of record names turned into their ids, comma-joined."""
    return {
        name: ",".join(records[n]["id"] for n in value) if isinstance(value, tuple) else value
        for name, value in query.items()
    }


def assert_lists(response, records, names):
    """The response lists exactly the records `names`, whole, in that order."""
    assert [record["name"] for record in response.get_json()] == names
    assert response.get_json() == [records[name] for name in names]


def follow(client, path, query):
    """Every record of a keyset listing, page after page; also the number of pages."""
    records, pages = [], 0
    response = client.get(path, query_string={**query, "cursor": ""})
    assert response.status_code == 200, response.get_json()
    while True:
        pages += 1
        assert len(response.get_json()) <= int(query["page_size"])
        records.extend(response.get_json())
        link = response.headers.get("Link")
        if link is None:
            return records, pages
        assert link.endswith('>; rel="next"')
        assert "X-Pagination" not in response.headers
        response = client.get(link[link.index("<") + 1 : link.index(">")])
        assert response.status_code == 200, response.get_json()


def next_link(response):
    """The URL of the Link rel="next" header, or None."""
    match = re.search(r'<([^>]*)>; rel="next"', response.headers.get("Link", ""))
    return match and match.group(1)


def walk(client, url):
    """Follow Link rel="next" from `url` to the end; return every page's records."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        assert "X-Pagination" not in response.headers
        pages.append(response.get_json())
        url = next_link(response)
        assert len(pages) <= 50, "the cursor does not advance"
    return pages
