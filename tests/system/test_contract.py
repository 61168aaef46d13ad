"""Contract tests: schemathesis holds the app to the checked-in openapi.yaml.

Every operation is fuzzed with schema-valid and schema-invalid data, under every
built-in check (not_a_server_error, status_code_conformance,
content_type_conformance, response_schema_conformance, response_headers_conformance,
positive_data_acceptance, negative_data_rejection, ignored_auth, ...), writes
carrying a real bearer token: 20 examples per operation in process (WSGI), then 5
over HTTP against a live gunicorn. A stateful run then chains operations (create,
read, change, delete) through the links in the spec (each create links its record's
GET, PUT, PATCH and DELETE) and those schemathesis infers.

Each test starts from an empty database. The runs are derandomized, so CI sees the
same cases every time.

A few 422s are tolerated, each one named in TOLERATED_422: rules OpenAPI cannot
state (a rule across fields, a record that must exist) and rules the spec leaves
to the app on purpose (ranges of coordinates, assigned country codes)."""

import json
import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from psycopg import sql
from schemathesis.core.failures import FailureGroup

from api.store.tokens import hash_token
from tests.helpers import SPEC_FILE, TALLY, create, event_body, read_spec, source_body
from tests.live import call, gunicorn

# Fuzzing takes minutes; schemathesis draws from `random` inside its strategies,
# which Hypothesis deprecates.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(
        "ignore:Do not use the `random` module inside strategies"
        ":hypothesis.errors.HypothesisDeprecationWarning"
    ),
]

SPEC = read_spec()

# Bounded for CI: examples per operation, and stateful scenarios of a few steps.
EXAMPLES_PER_OPERATION = 20
EXAMPLES_OVER_HTTP = 5
STATEFUL_SCENARIOS = 40
STATEFUL_STEPS = 8
SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """POST /v1/events/bulk takes NDJSON too: one JSON value per line."""
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def load_schema():
    return schemathesis.openapi.from_path(SPEC_FILE)


schema = load_schema()


def credentials(case, token):
    """Headers that carry the real token to a write, unless the case is about a bad one.

    schemathesis applies auth providers in its fuzzing phase only, so the coverage and
    examples phases would send generated (refused) credentials to every write. Given
    as headers, they also count as configured auth, which ignored_auth then probes.
    """
    method, path = case.operation.label.split(" ", 1)
    if "security" not in SPEC["paths"][path][method.lower()]:
        return {}
    if case.operation.schema.is_security_param_negated(case):
        return {}
    return {"Authorization": f"Bearer {token}"}


# --- What is tolerated, and why -------------------------------------------------------

# 422 answers to schema-valid data that are not faults: rules OpenAPI cannot express.
INEXPRESSIBLE_422 = [
    r"Give page or cursor, not both\.",
    # A cursor is opaque: only one the API issued, for the same sort, is valid.
    r"Not a cursor this API issued\.",
    r"The cursor belongs to another sort order\.",
    r"Sort by relevance needs q\.",
    r"Sort by relevance pages by page number only\.",
    r"A CSV export has every matching record: no page or cursor\.",
    # profile shapes a CSV: it takes format=csv or no format, not another one.
    r"A profile is a CSV: give format=csv or no format\.",
    r"Give near and radius_km together\.",
    r"Give (latitude|longitude) with (longitude|latitude), or neither\.",
    r"Only coordinates have a precision\.",
    r"Only a date has a precision\.",
    r"Must not be before \w+\.",
    r"Must not be less than low\.",
    r"No \w+ has the id .*",
    r"This actor is already listed in this role\.",
    r"This event is already listed\.",
    # Reports: one per source; dates and estimates ordered across fields; citations,
    # when given with reports, the same quotes.
    r"This source already has a report here\.",
    r"Needs start_date\.",
    r"Must not be more than (high|the total's low|the total's high)\.",
    r"Not the quotes of reports: send reports or citations, or both as read\.",
    r"Not found verbatim in the source's body\.",
    # A merge: the ids must name events there are, other than the one kept, and a
    # stance chosen must be of a statement about them.
    r"This is the event kept: it cannot be merged into itself\.",
    r"This statement is about none of the events merged\.",
    r"Already listed\.",
    # A statement's attribution_note: required when its attribution is doubtful, and
    # refused otherwise.
    r"Say why the attribution is doubtful\.",
    r"Only a doubtful attribution has a note\.",
    # The modes of an event depend on its event_type.
    r"Not a mode of .*",
    # An Idempotency-Key (the spec's example, sent again and again) is bound to one body.
    r"this key was used with another request; send a new key for a new request\.",
]
# 422 answers to schema-valid data where stating the rule in the spec would cost more
# than it tells a client.
UNSTATED_422 = [
    # bbox, near: the spec gives the shape (a pattern of numbers); ranges are checked here.
    r"Latitudes run from -90 to 90\.",
    r"Longitudes run from -180 to 180\.",
    r"min_lat must not exceed max_lat\.",
    # country: the pattern ^[A-Z]{3}$ lets through codes ISO 3166 does not assign (the
    # list of 249 codes is in the vocabulary endpoint, not inlined into every schema).
    r"'[A-Z]{3}' is not an ISO 3166-1 alpha-3 country code\.",
    # Text: blank and NUL-bearing strings are refused; a pattern on every text field
    # would make the spec unreadable for that.
    r"Must not be blank\.",
    r"Must not contain NUL \(\\u0000\) characters\.",
]
TOLERATED_422 = re.compile(
    "|".join(f"(?:{rule})" for rule in INEXPRESSIBLE_422 + UNSTATED_422), re.DOTALL
)


def _documents(label, status, media_type):
    method, path = label.split(" ", 1)
    response = SPEC["paths"][path][method.lower()]["responses"].get(str(status), {})
    return media_type in response.get("content", {})


def _integral_float(body, path):
    """Whether the body holds a float such as 3.0 at the dotted `path`."""
    for key in path.split("."):
        if isinstance(body, list) and key.isdigit() and int(key) < len(body):
            body = body[int(key)]
        elif isinstance(body, dict) and key in body:
            body = body[key]
        else:
            return False
    return isinstance(body, float) and body.is_integer()


def _tolerated_422(case, response):
    try:
        errors = response.json().get("errors") or {}
    except (ValueError, AttributeError):
        return False
    return bool(errors) and all(
        TOLERATED_422.fullmatch(message)
        # JSON Schema counts 3.0 as an integer; marshmallow's strict Integer does not.
        or (message == "Not a valid integer." and _integral_float(case.body, field))
        for field, entries in errors.items()
        for message in (entry["message"] for entry in entries)
    )


def tolerated(failure, case, response):
    """Why `failure` is not a fault of the app, or None when it is."""
    code = failure.code
    if code == "ST202" and response.status_code == 422 and _tolerated_422(case, response):
        TALLY["schemathesis 422s tolerated (a rule the spec does not state)"] += 1
        return "a rule the spec does not state"
    return None


def validate(case, response, **kwargs):
    """Run every check (kwargs: case.validate_response's); fail on anything not tolerated."""
    TALLY["schemathesis cases"] += 1
    TALLY["schemathesis cases answered 5xx"] += response.status_code >= 500
    try:
        case.validate_response(response, **kwargs)
    except FailureGroup as group:
        faults = [f for f in group.exceptions if tolerated(f, case, response) is None]
        if faults:
            group.add_note("Not tolerated: " + "; ".join(f"{f.code} {f.title}" for f in faults))
            raise


# --- Every operation ---------------------------------------------------------------


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, **SETTINGS)
def test_operation_keeps_its_contract(case, app, token):
    # The schema is loaded from the file: probes (ignored_auth...) reach the app through it.
    case.operation.schema.app = app
    headers = credentials(case, token)
    response = case.call(app=app, headers=headers)
    validate(case, response, headers=headers, transport_kwargs={"app": app, "headers": headers})


# --- The same, over HTTP, against gunicorn --------------------------------------------

http_schema = load_schema()


@pytest.fixture(scope="module")
def live_server(session_database):
    """gunicorn as `make run` starts it, on the tests' database, without rate limits
    (the fuzzing is a flood from one address)."""
    url, _tables = session_database
    env = {"RATE_LIMIT_PER_TOKEN": "off", "RATE_LIMIT_PER_ADDRESS": "off", "ACCESS_LOG": "0"}
    with gunicorn(url, config="python:api.serve", env=env) as (host, port):
        yield f"http://{host}:{port}"


@pytest.mark.live
@http_schema.parametrize()
@settings(max_examples=EXAMPLES_OVER_HTTP, **SETTINGS)
def test_operation_keeps_its_contract_over_http(case, live_server, database_url, token):
    """Real sockets, gunicorn's parsing and headers: what a client sees."""
    headers = credentials(case, token)
    response = case.call(base_url=live_server, headers=headers)
    validate(
        case,
        response,
        headers=headers,
        transport_kwargs={"base_url": live_server, "headers": headers},
    )


# --- Create, read, change, delete -----------------------------------------------------


def test_stateful_workflows(app, token, db):
    stateful = load_schema()
    stateful.app = app
    etags = {}
    # Every scenario starts from an empty database (the token kept), so that Hypothesis
    # replays a failing one, to shrink it, as it first ran.
    tables = [
        row["tablename"]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename NOT IN ('schema_migrations', 'api_tokens')"
        )
    ]
    empty = sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
        sql.SQL(", ").join(sql.Identifier(table) for table in tables)
    )

    class Workflows(stateful.as_state_machine()):
        """Chains operations through inferred links; writes send the latest ETag in If-Match."""

        def setup(self):
            db.execute(empty)
            # Tokens too (the runs may create and revoke them): only ours, active.
            db.execute(
                "DELETE FROM api_tokens WHERE token_hash <> %(hash)s", {"hash": hash_token(token)}
            )
            db.execute("UPDATE api_tokens SET revoked_at = NULL")
            etags.clear()

        def before_call(self, case):
            # If-Match is optional: send the record's current ETag, or
            # none when we have not seen the record (the app does not require it).
            if case.method in ("PUT", "PATCH", "DELETE"):
                headers = {k: v for k, v in (case.headers or {}).items() if k != "If-Match"}
                if case.formatted_path in etags:
                    headers["If-Match"] = etags[case.formatted_path]
                case.headers = headers

        def after_call(self, response, case):
            super().after_call(response, case)
            etag = response.headers.get("etag")
            if response.status_code == 201 and etag:
                etags[f"{case.formatted_path}/{response.json()['id']}"] = etag[0]
            elif response.status_code == 200 and etag and case.path.endswith("_id}"):
                etags[case.formatted_path] = etag[0]

        def get_call_kwargs(self, case):
            return {"app": app, "headers": credentials(case, token)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            validate(
                case,
                response,
                additional_checks=additional_checks,
                headers=kwargs["headers"],
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    Workflows.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            phases=[Phase.generate],
            **SETTINGS,
        )
    )


# --- Regressions found by these runs ---------------------------------------------------


def test_patching_an_estimate_without_low_is_not_a_server_error(client):
    """EstimateSchema read data["low"], absent from a partial (PATCH) load: KeyError, 500."""
    source = create(client, "/v1/sources", source_body())
    event = create(client, "/v1/events", event_body(source["id"]))
    response = client.patch(f"/v1/events/{event['id']}", json={"injuries": {"high": 99}})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "injuries.low" in response.get_json()["errors"]
    missing = client.patch(f"/v1/events/{uuid.uuid4()}", json={"injuries": {"high": 99}})
    assert missing.status_code in (404, 422)


@pytest.mark.live
def test_what_gunicorn_refuses_is_problem_details_too(live_server):
    """A request line past gunicorn's limit never reaches the app: still problem+json."""
    host, port = live_server.removeprefix("http://").split(":")
    ids = ",".join(str(uuid.uuid4()) for _ in range(101))
    status, headers, body = call((host, int(port)), "GET", f"/v1/events?actor_id={ids}")
    assert status == 422, body  # 3,700 characters reach the app, which takes 100 ids
    status, headers, body = call((host, int(port)), "GET", "/v1/events?q=" + "x" * 9000)
    assert status == 414
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == 414
    assert body["type"] == "/problems/uri-too-long"
