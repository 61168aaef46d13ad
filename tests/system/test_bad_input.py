"""Bad input against every write operation and every list or write parameter of openapi.yaml.

Issue "Reliability and security", item 2. The operations, their fields and their
parameters come from the spec, so a new operation, field or parameter is covered
without a change here (a new collection or a new kind of parameter fails the
guard tests until it is given a body or a corpus).

Each case must answer a 4xx (never a 5xx) as problem details (type, title,
status, detail) naming the field or parameter at fault, show no traceback, and
leave the database as it was: every table's row count and rows before == after.
Where the cases of one test would explode, a test runs a batch, its id says how
many cases it ran, and its failure names every case that failed.
"""

import base64
import json
import re
import uuid
from functools import cache
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from psycopg import sql

from schemas.reports import ReportedSchema
from tests.helpers import ARTICLE_BODY, TALLY, read_spec

# Thousands of requests: every bad value of every write and list parameter.
pytestmark = pytest.mark.slow

SPEC = read_spec()
PROBLEM = "application/problem+json"
INJECTIONS = ("'; DROP TABLE events; --", '" OR 1=1 --', "%' OR '1'='1")
# Wildcards and search operators that must match literally or not at all.
SEARCH_SYNTAX = ("%", "_", "\\", "*", ":*", "!", "&|", "'")
# A source body that holds every injection, so citations may quote them.
CITED_BODY = ARTICLE_BODY + " " + " ".join(INJECTIONS)
QUOTE = "accused Armenian forces of shelling"
LONG_STRING = 100_000


# -- The spec ---------------------------------------------------------------------------


def resolve(schema):
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def types(schema):
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def dotted(path):
    return ".".join(str(part) for part in path)


def leaves(schema, path=()):
    """(path, schema) of every writable scalar in a request schema; 0 stands for an item."""
    if schema.get("readOnly"):
        return
    schema = resolve(schema)
    if "anyOf" in schema:
        for alternative in schema["anyOf"]:
            if resolve(alternative).get("type") != "null":
                yield from leaves(alternative, path)
    elif "properties" in schema:
        for name, sub in schema["properties"].items():
            yield from leaves(sub, (*path, name))
    elif "array" in types(schema):
        yield from leaves(schema["items"], (*path, 0))
    else:
        yield path, schema


def is_string(schema):
    return "string" in types(schema)


def is_free_text(schema):
    return is_string(schema) and not {"format", "pattern", "enum"} & set(schema)


class Operation:
    def __init__(self, method, path, op):
        self.method = method.upper()
        self.path = path
        self.op = op
        self.collection = path.split("/")[2]
        self.id_param = next(iter(re.findall(r"{(\w+)}", path)), None)
        # An action on a record (/v1/events/{event_id}/merge) has a body of its own.
        after_id = path.split("}", 1)[1] if self.id_param else ""
        self.action = after_id.strip("/") or None

    def __str__(self):
        return f"{self.method} {self.path}"

    @property
    def leaves(self):
        schema = self.op["requestBody"]["content"]["application/json"]["schema"]
        return list(leaves(schema))

    def fields(self, predicate):
        return [(path, schema) for path, schema in self.leaves if predicate(schema)]

    @property
    def query(self):
        return [p for p in self.op.get("parameters", []) if p.get("in") == "query"]

    @property
    def success(self):
        # A POST creates (201), unless the spec says it answers otherwise (a merge, 200).
        return min(int(code) for code in self.op["responses"] if code.startswith("2"))


def operations():
    # Under /v1; /problems only explains the types of problem.
    for path, item in SPEC["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, op in item.items():
            if method in ("get", "put", "patch", "post", "delete"):
                yield Operation(method, path, op)


def takes_an_array(op):
    schema = resolve(op.op["requestBody"]["content"]["application/json"]["schema"])
    return "array" in types(schema)


# Writes of one record. POST /v1/events/bulk (an array of events) is left to
# tests/resources/events/test_bulk.py: each of its records goes through the schema of POST
# /v1/events, which this corpus covers field by field.
WRITES = [op for op in operations() if "requestBody" in op.op and not takes_an_array(op)]
COLLECTIONS = sorted({op.collection for op in WRITES})
# Lists (and statistics): the GETs of a collection rather than of one record.
LISTS = [op for op in operations() if op.method == "GET" and not op.path.endswith("}") and op.query]


def id_paths():
    """Each path with an {id} in it, and its methods."""
    paths = {}
    for op in operations():
        if op.id_param:
            paths.setdefault(op.path, []).append(op.method)
    return paths


ID_PATHS = id_paths()


def writes_with(predicate):
    return [op for op in WRITES if op.fields(predicate)]


# -- Records to aim at, created through the API on first use ------------------------------


def full_body(collection, world):
    """A valid body of `collection` with every writable field, so every field can go bad."""
    if collection == "sources":
        return {
            "title": "Clashes over Nagorno-Karabakh",
            "url": f"https://example.org/news/{uuid.uuid4()}",
            "publisher": "Example News",
            "published_on": "2020-09-30",
            "language": "en",
            "body": ARTICLE_BODY,
            "notes": "Title from the page header.",
        }
    if collection == "actors":
        # Names and aliases of their own: a name another actor has is refused (409).
        unique = uuid.uuid4().hex[:8]
        return {
            "name": f"Defense Ministry of Azerbaijan {unique}",
            "kind": "government",
            "country": "AZE",
            "parent_id": world.id("actor"),
            "title": "Ministry",
            "aliases": [f"MoD {unique}"],
            "description": "The ministry in charge of the armed forces.",
        }
    if collection == "locations":
        # As actors: a place's name or alias another place has is refused (409).
        unique = uuid.uuid4().hex[:8]
        return {
            "name": f"Tartar {unique}",
            "kind": "town",
            "country": "AZE",
            "parent_id": world.id("region"),
            "aliases": [f"Terter {unique}"],
            "latitude": 40.3444,
            "longitude": 46.9311,
            "geo_precision": "settlement",
            "description": "A town near the line of contact.",
        }
    if collection == "events":
        return {
            "title": "Azerbaijan accuses Armenian forces of shelling Tartar",
            "summary": "Shelling of the town, as the ministry tells it.",
            "event_type": "ASSAULT",
            "mode": "heavy-weapons",
            "start_date": "2020-09-29",
            "end_date": "2020-09-30",
            "date_precision": "day",
            "location_id": world.id("region"),
            "participants": [
                {"actor_id": world.id("actor"), "role": "initiator"},
                {"actor_id": world.id("addressee"), "role": "target"},
            ],
            "certainty": "alleged",
            "certainty_set_by_hand": True,
            "reported_as": "event",
            "fatalities": {"low": 1, "best": 2, "high": 3, "civilians": ESTIMATE},
            "injuries": {"low": 2, "best": 3, "high": 5, "civilians": ESTIMATE},
            "figures_set_by_hand": True,
            "notes": "Only one side reports it.",
            "reports": [
                {
                    "source_id": world.id("cited_source"),
                    "quotes": [{"quote": QUOTE}],
                    "start_date": "2020-09-29",
                    "end_date": "2020-09-30",
                    "date_precision": "day",
                    "location_id": world.id("region"),
                    "certainty": "alleged",
                    "fatalities": {"low": 1, "best": 1, "high": 2, "civilians": ESTIMATE},
                    "injuries": {"low": 2, "best": 2, "high": 4, "civilians": ESTIMATE},
                }
            ],
            "citations": [{"source_id": world.id("cited_source"), "quote": QUOTE}],
        }
    if collection == "statements":
        return {
            "speaker_id": world.id("actor"),
            "text": "We strongly condemn the use of force",
            "is_direct_quote": True,
            "attribution": "doubtful",
            "attribution_note": "The source does not say who read it out.",
            "statement_type": "condemnation",
            "stated_on": "2020-09-27",
            "date_precision": "day",
            "medium": "joint statement",
            "addressee_ids": [world.id("addressee")],
            "events": [{"event_id": world.id("event"), "stance": "condemns"}],
            "notes": "Reported by the co-chairs.",
            "reports": [{"source_id": world.id("cited_source"), "quotes": [{"quote": QUOTE}]}],
            "citations": [{"source_id": world.id("cited_source"), "quote": QUOTE}],
        }
    if collection == "tokens":
        return {"name": f"importer {uuid.uuid4().hex[:8]}", "scopes": ["read", "write"]}
    raise AssertionError(f"No full body for {collection}: add one to full_body().")


# A civilian share within every estimate of full_body().
ESTIMATE = {"low": 0, "best": 1, "high": 1}


def action_body(action, world):
    """A valid body of an action on a record (POST .../{id}/`action`), with every field."""
    if action == "merge":
        # A duplicate of the event, and a statement about it that keeps its stance.
        return {
            "merge": [world.id("duplicate")],
            "stances": [{"statement_id": world.id("duplicate_statement"), "stance": "condemns"}],
        }
    raise AssertionError(f"No body for {action}: add one to action_body().")


def body_of(op, world):
    """A valid body of `op`: its collection's full body, or its action's."""
    if op.action:
        return action_body(op.action, world)
    return full_body(op.collection, world)


# The record of each collection that others refer to (and nested lists hang from).
MAIN = {
    "sources": "cited_source",
    "actors": "actor",
    "locations": "region",
    "events": "event",
    "statements": "statement",
    "tokens": "token",
}
RECIPES = {
    "cited_source": lambda world: (
        "sources",
        {**full_body("sources", world), "body": CITED_BODY},
    ),
    "actor": lambda world: ("actors", {"name": "Azerbaijan", "kind": "state", "country": "AZE"}),
    "addressee": lambda world: ("actors", {"name": "Armenia", "kind": "state", "country": "ARM"}),
    "region": lambda world: (
        "locations",
        {"name": "Nagorno-Karabakh", "kind": "region", "country": "AZE"},
    ),
    "event": lambda world: ("events", full_body("events", world)),
    "duplicate": lambda world: ("events", full_body("events", world)),
    "duplicate_statement": lambda world: (
        "statements",
        {
            **full_body("statements", world),
            "events": [{"event_id": world.id("duplicate"), "stance": "condemns"}],
        },
    ),
    "statement": lambda world: ("statements", full_body("statements", world)),
    "token": lambda world: ("tokens", full_body("tokens", world)),
}


class World:
    """The records bad input is aimed at, created (through the API) when first asked for."""

    def __init__(self, client):
        self.client = client
        self.ids = {}
        self.created = 0

    def id(self, name):
        if name not in self.ids:
            if name.startswith("target:"):
                collection = name.removeprefix("target:")
                body = full_body(collection, self)
            else:
                collection, body = RECIPES[name](self)
            response = self.client.post(f"/v1/{collection}", json=body)
            assert response.status_code == 201, (name, response.get_json())
            record = response.get_json()
            # Records have ids; tokens are known by name.
            self.ids[name] = record["id"] if "id" in record else record["name"]
            self.created += 1
        return self.ids[name]

    def target(self, collection):
        """The record a PUT or PATCH of `collection` changes: nothing refers to it."""
        return self.id(f"target:{collection}")

    def populate(self):
        """Two records in every list (so each has a second page), and two deletions."""
        for collection in COLLECTIONS:
            self.id(MAIN[collection])
            self.target(collection)
        while self.ids.setdefault("deletions", 0) < 2:
            response = self.client.post("/v1/actors", json={"name": "Gone", "kind": "other"})
            assert response.status_code == 201, response.get_json()
            assert self.client.delete(f"/v1/actors/{response.get_json()['id']}").status_code == 204
            self.ids["deletions"] += 1
            self.created += 1

    def fill(self, path):
        """`path` with each {param} replaced by the main record of the collection before it."""
        parts = path.split("/")
        for index, part in enumerate(parts):
            if part.startswith("{"):
                parts[index] = self.id(MAIN[parts[index - 1]])
        return "/".join(parts)


class FakeWorld:
    """Stands in for World where only the shape of a body matters."""

    def id(self, name):
        return "00000000-0000-4000-8000-000000000000"


# -- Sending and checking -----------------------------------------------------------------


class Raw(str):
    """JSON text sent as it is (1e309, NaN), not as a string."""


def dumps(body):
    raws = {}

    def swap(value):
        if isinstance(value, Raw):
            marker = f"@raw{len(raws)}@"
            raws[json.dumps(marker)] = str(value)
            return marker
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    text = json.dumps(swap(body))
    for marker, raw in raws.items():
        text = text.replace(marker, raw)
    return text


def set_at(body, path, value):
    """`body` with `value` at `path`. A record's reports and citations are two forms of
    its quotes: a client changing one leaves the other out (else they disagree, 422)."""
    body = json.loads(json.dumps(body))
    for tied in ReportedSchema.PATCH_REPLACES.get(path[0], ()):
        body.pop(tied, None)
    container = body
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = value
    return body


def get_at(record, path):
    for part in path:
        record = record[part]
    return record


def short(value):
    text = repr(value)
    if len(text) > 40:
        text = f"{text[:20]}...({len(value):,} chars)"
    return text


@cache
def snapshot_query(tables):
    return sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {name} AS name, count(*) AS rows,"
            " md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM {table} t"
        ).format(name=sql.Literal(table), table=sql.Identifier(table))
        for table in tables
    )


def table_names(db):
    return tuple(
        row["tablename"]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    )


def snapshot(db, tables):
    """Each table of `tables`: its row count and a digest of its rows."""
    return {row["name"]: (row["rows"], row["digest"]) for row in db.execute(snapshot_query(tables))}


def changes(before, after):
    if before == after:
        return []
    return [
        "database changed: "
        + ", ".join(
            f"{table} {before[table][0]}->{after[table][0]} rows"
            for table in sorted(before)
            if before[table] != after[table]
        )
    ]


def problem_faults(response, statuses, field=None):
    """What is wrong with `response` as a problem answer of one of `statuses` naming `field`."""
    text = response.get_data(as_text=True)
    excerpt = f"body {text[:250]}"
    faults = []
    if response.status_code not in statuses:
        faults.append(f"status {response.status_code}, not {'/'.join(map(str, sorted(statuses)))}")
    if response.mimetype != PROBLEM:
        return [*faults, f"content type {response.mimetype}", excerpt]
    if "Traceback" in text or 'File "' in text:
        faults.append("traceback in the body")
    problem = response.get_json(silent=True)
    if not isinstance(problem, dict):
        return [*faults, "body is not a JSON object", excerpt]
    missing = [key for key in ("type", "title", "status", "detail") if not problem.get(key)]
    if missing:
        faults.append(f"no {', '.join(missing)}")
    if problem.get("status") != response.status_code:
        faults.append(f"status {problem.get('status')!r} in the body")
    if field is not None and field not in (problem.get("errors") or {}):
        faults.append(f"errors do not name {field}")
    return [*faults, excerpt] if faults else []


class Probe:
    """Sends the cases of one test, collecting every failure to report them together."""

    def __init__(self, client, db):
        self.client = client
        self.db = db
        self.world = World(client)
        self.tables = table_names(db)
        self.failures = []
        self.cases = 0
        self._last = None

    @property
    def max_content_length(self):
        return self.client.flask.application.config["MAX_CONTENT_LENGTH"]

    def snapshot(self):
        return snapshot(self.db, self.tables)

    def fail(self, label, faults, response=None):
        self.cases += 1
        TALLY["bad inputs sent"] += 1
        TALLY["bad inputs answered 5xx"] += response is not None and response.status_code >= 500
        if faults:
            self.failures.append(f"{label}: {'; '.join(faults)}")

    def url(self, op):
        if op.id_param:
            return op.path.replace(f"{{{op.id_param}}}", self.world.target(op.collection))
        return op.path

    def body(self, op):
        return body_of(op, self.world)

    def write(self, op, label, statuses, field=None, *, body=None, data=None, url=None, **kwargs):
        """Send a bad write to `op`: it must be refused, changing nothing."""
        url = url or self.url(op)
        if body is not None:
            data = dumps(body)
        kwargs.setdefault("content_type", "application/json")
        # The state after the previous case is the state before this one, unless the
        # world has grown since.
        created, before = self._last or (None, None)
        if created != self.world.created:
            before = self.snapshot()
        response = self.client.request(op.method, url, data=data, **kwargs)
        after = self.snapshot()
        self._last = (self.world.created, after)
        faults = problem_faults(response, statuses, field)
        self.fail(f"{op} {label}", faults + changes(before, after), response)
        return response

    def get(self, url, label, statuses, field=None, **kwargs):
        response = self.client.get(url, **kwargs)
        self.fail(label, problem_faults(response, statuses, field), response)
        return response

    def finish(self, unchanged_since=None):
        if unchanged_since is not None:
            self.failures += changes(unchanged_since, self.snapshot())
        assert not self.failures, f"{len(self.failures)} of {self.cases} cases failed:\n" + (
            "\n".join(self.failures)
        )


@pytest.fixture
def probe(client, db):
    return Probe(client, db)


def ops_params(ops, describe):
    """pytest params of `ops`, each id saying what it runs."""
    return [pytest.param(op, id=f"{op}: {describe(op)}") for op in ops]


def by_collection(ops, describe):
    """pytest params of `ops` grouped by collection, each id saying what the group runs."""
    groups = {}
    for op in ops:
        groups.setdefault(op.collection, []).append(op)
    return [
        pytest.param(
            group, id=f"{collection} {'/'.join(op.method for op in group)}: {describe(group)}"
        )
        for collection, group in groups.items()
    ]


# -- Guards: the corpus covers the whole spec ---------------------------------------------


def test_every_write_operation_is_found():
    assert set(COLLECTIONS) == set(MAIN), "Give a new collection a MAIN record and a full_body."
    # Tokens are created and revoked, never changed.
    assert {(op.method, op.collection) for op in WRITES} == {
        (method, collection)
        for method in ("POST", "PUT", "PATCH")
        for collection in COLLECTIONS
        if collection != "tokens" or method == "POST"
    }


@pytest.mark.parametrize("op", WRITES, ids=str)
def test_full_body_has_every_writable_field(op):
    """So that each field of the spec is sent bad by the tests below."""
    body = body_of(op, FakeWorld())
    missing = []
    for path, _ in op.leaves:
        try:
            get_at(body, path)
        except (KeyError, IndexError, TypeError):
            missing.append(dotted(path))
    assert not missing, f"The body of {op} lacks {missing}"


@pytest.mark.parametrize("ops", [pytest.param(WRITES, id=f"{len(WRITES)} operations")])
def test_every_write_operation_accepts_its_full_body(probe, ops):
    for op in ops:
        response = probe.client.request(op.method, probe.url(op), json=probe.body(op))
        assert response.status_code == op.success, (str(op), response.get_json())


# -- Bodies that are not a JSON object ----------------------------------------------------


def envelopes(max_content_length):
    """(label, request keyword arguments, status, field) of bodies refused whole."""
    return [
        ("malformed-json", {"data": '{"title":'}, 400, None),
        ("trailing-garbage", {"data": '{"title": "x"} x'}, 400, None),
        ("nested-arrays-10000-deep", {"data": "[" * 10_000 + "]" * 10_000}, 400, None),
        ("nested-objects-10000-deep", {"data": '{"a":' * 10_000 + "1" + "}" * 10_000}, 400, None),
        ("invalid-utf8", {"data": b'{"title": "\xff\xfe"}'}, 400, None),
        ("overlong-utf8", {"data": b'{"title": "\xc0\xaf"}'}, 400, None),
        ("integer-of-5000-digits", {"data": '{"title": ' + "9" * 5000 + "}"}, 400, None),
        ("array", {"data": "[{}]"}, 422, "_schema"),
        ("string", {"data": '"a string"'}, 422, "_schema"),
        ("number", {"data": "42"}, 422, "_schema"),
        ("null", {"data": "null"}, 422, "_schema"),
        ("boolean", {"data": "true"}, 422, "_schema"),
        ("text-plain", {"data": '{"title": "x"}', "content_type": "text/plain"}, 415, None),
        (
            "form",
            {"data": "title=x", "content_type": "application/x-www-form-urlencoded"},
            415,
            None,
        ),
        (
            f"over-{max_content_length}-bytes",
            {"data": json.dumps({"title": "x" * max_content_length})},
            413,
            None,
        ),
    ]


@pytest.mark.parametrize(
    "ops", by_collection(WRITES, lambda ops: f"{len(ops) * len(envelopes(1))} bodies")
)
def test_body_that_is_not_a_json_object(probe, ops):
    for op in ops:
        for label, kwargs, status, field in envelopes(probe.max_content_length):
            probe.write(op, label, {status}, field, **kwargs)
    probe.finish()


# -- Bad strings in every string field ----------------------------------------------------

BAD_STRINGS = {"nul": "a\x00b", "lone-surrogate": "a\ud800b", "blank": "   "}


def string_cases(ops):
    fields = sum(len(op.fields(is_string)) for op in ops)
    return f"{fields * (len(BAD_STRINGS) + 1)} strings in {fields} fields"


@pytest.mark.parametrize("ops", by_collection(WRITES, string_cases))
def test_bad_string_in_every_string_field(probe, ops):
    """NUL, a lone surrogate, blank, and 100,000 characters: 422 naming the field."""
    for op in ops:
        for path, schema in op.fields(is_string):
            field = dotted(path)
            for label, value in BAD_STRINGS.items():
                body = set_at(probe.body(op), path, value)
                probe.write(op, f"{field}={label}", {422}, field, body=body)
            # Longer than any field takes; a field of a million takes one more (and so
            # makes the body too large).
            length = max(LONG_STRING, schema.get("maxLength", 0) + 1)
            body = set_at(probe.body(op), path, "x" * length)
            label = f"{field}={length:,}-chars"
            if len(dumps(body).encode()) > probe.max_content_length:
                probe.write(op, label, {413}, body=body)
            else:
                probe.write(op, label, {422}, field, body=body)
    probe.finish()


# -- SQL injection is stored and read back literally --------------------------------------


def injection_cases(ops):
    fields = sum(len(op.fields(is_free_text)) for op in ops)
    return f"{fields * len(INJECTIONS)} injections in {fields} fields"


def duplicates_allowed(op):
    """The query that lets `op` give a name another record has, where it takes one."""
    names = {param["name"] for param in op.query}
    return {"allow_duplicate": "true"} if "allow_duplicate" in names else {}


@pytest.mark.parametrize("ops", by_collection(writes_with(is_free_text), injection_cases))
def test_sql_injection_in_every_text_field_is_stored_literally(probe, ops):
    for op in ops:
        for path, _ in op.fields(is_free_text):
            field = dotted(path)
            for injection in INJECTIONS:
                label = f"{op} {field}={injection!r}"
                body = set_at(probe.body(op), path, injection)
                # Each injection is the name (or alias) of one record after another, on
                # purpose: it must be stored, not refused as another record's name.
                response = probe.client.request(
                    op.method, probe.url(op), json=body, query_string=duplicates_allowed(op)
                )
                if response.status_code != op.success:
                    faults = [f"status {response.status_code}", f"body {response.text[:250]}"]
                    probe.fail(label, faults)
                    continue
                stored = probe.client.get(response.headers.get("Location", probe.url(op))).json
                probe.fail(
                    label,
                    [
                        f"{where} as {get_at(record, path)!r}"
                        for where, record in (("answered", response.json), ("read back", stored))
                        if get_at(record, path) != injection
                    ],
                )
    assert table_names(probe.db) == probe.tables
    probe.snapshot()  # every table can still be read
    probe.finish()


# -- Dates, coordinates, counts and types -------------------------------------------------

BAD_DATES = ("2020-02-30", "0000-01-01", "99999-01-01", "2020-9-1", "2020-13-01", "yesterday")


def is_date(schema):
    return schema.get("format") == "date"


def is_number(schema):
    return "number" in types(schema)


def is_integer(schema):
    return "integer" in types(schema)


def is_boolean(schema):
    return "boolean" in types(schema)


def is_typed(schema):
    return is_number(schema) or is_integer(schema) or is_boolean(schema)


def out_of_range_numbers(schema):
    values = [Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e309"), "NaN"]
    if "maximum" in schema:
        values.append(schema["maximum"] + 1)
    if "minimum" in schema:
        values.append(schema["minimum"] - 1)
    return values


def out_of_range_integers(schema):
    low, high = schema.get("minimum"), schema.get("maximum")
    values = [-1, -5, 2**31, 2**63, 10**30]
    return [v for v in values if (low is not None and v < low) or (high is not None and v > high)]


def wrong_types(schema):
    """Strings (and a number) for booleans; strings, a fraction and a boolean for numbers."""
    if is_boolean(schema):
        return ["true", "false", 1]
    if is_integer(schema):
        return ["12", 1.5, True]
    return ["12", True]


TYPED = (
    ("dates", is_date, lambda schema: BAD_DATES),
    ("numbers", is_number, out_of_range_numbers),
    ("counts", is_integer, out_of_range_integers),
    ("wrong types", is_typed, wrong_types),
)


def typed_cases(ops):
    counts = (
        (name, sum(len(values(schema)) for op in ops for _, schema in op.fields(predicate)))
        for name, predicate, values in TYPED
    )
    return ", ".join(f"{count} {name}" for name, count in counts if count)


@pytest.mark.parametrize(
    "ops", by_collection(writes_with(lambda s: is_date(s) or is_typed(s)), typed_cases)
)
def test_bad_date_number_count_or_type(probe, ops):
    """Impossible dates, coordinates off the globe, counts out of range, strings for numbers."""
    for op in ops:
        for _, predicate, values in TYPED:
            for path, schema in op.fields(predicate):
                field = dotted(path)
                for value in values(schema):
                    body = set_at(probe.body(op), path, value)
                    probe.write(op, f"{field}={short(value)}", {422}, field, body=body)
    probe.finish()


# -- Ids in paths -------------------------------------------------------------------------

BAD_IDS = {
    "not-a-uuid": "not-a-uuid",
    "number": "12345",
    "uuid-without-hyphens": "9aacaccddc0556c6827bc8ad46d81d32",
    "uuid-one-short": "9aacaccd-dc05-56c6-827b-c8ad46d81d3",
    "uuid-with-g": "9aacaccd-dc05-56c6-827b-c8ad46d81d3g",
    "braced-uuid": "{9aacaccd-dc05-56c6-827b-c8ad46d81d32}",
    "sql-injection": quote(INJECTIONS[0], safe=""),
    "nul": "%00",
    "5000-chars": "a" * 5000,
    "missing-uuid": "9aacaccd-dc05-56c6-827b-c8ad46d81d32",
}


def id_cases(path):
    return f"{len(ID_PATHS[path]) * (len(BAD_IDS) + len(COLLECTIONS) - 1)} ids"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, id=f"{','.join(methods)} {path}: {id_cases(path)}")
        for path, methods in ID_PATHS.items()
    ],
)
def test_bad_id_in_path(probe, path):
    """404 for an id that is no UUID, no record, or a record of another collection."""
    collection = path.split("/")[2]
    ids = dict(BAD_IDS)
    for other in COLLECTIONS:
        if other != collection:
            ids[f"id-of-{other}"] = probe.world.id(MAIN[other])
    param = re.search(r"{\w+}", path).group()
    for method in ID_PATHS[path]:
        op = Operation(method, path, SPEC["paths"][path][method.lower()])
        body = probe.body(op) if "requestBody" in op.op else None
        for label, bad in ids.items():
            probe.write(op, f"id={label}", {404}, body=body, url=path.replace(param, bad))
    probe.finish()


# -- Query parameters of every list -------------------------------------------------------

NAMED_KINDS = ("cursor", "sort", "fields", "bbox", "near")


def param_kind(param):
    name, schema = param["name"], param["schema"]
    if name in NAMED_KINDS:
        return name
    if "array" in types(schema):
        items = schema["items"]
        if items.get("format") == "uuid":
            return "uuids"
        if "enum" in items:
            return "enums"
        if "pattern" in items:
            return "patterned"
        if "minLength" in items:
            return "texts"
        return None
    for kind in ("integer", "number", "boolean"):
        if kind in types(schema):
            return kind
    if "enum" in schema:
        return "enum"
    if schema.get("format") in ("date", "date-time", "uuid"):
        return schema["format"]
    if schema.get("pattern", "").startswith("^(http|https)://"):
        return "url"
    if "pattern" in schema:
        return "pattern"
    if "minLength" in schema:
        return "text"
    return None


def too_many(item):
    return ",".join([item] * 101)


def bad_query_values(param):
    """Values of `param` that must answer 422 naming it."""
    kind, schema = param_kind(param), param["schema"]
    values = ["\x00"]
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        numbers = [-1, -5, 0, 10**12, 2**31, 2**63, 10**30]
        if high is not None:
            numbers.append(high + 1)
        values += [
            str(n)
            for n in numbers
            if (low is not None and n < low) or (high is not None and n > high)
        ]
        values += ["abc", "1.5", "0x10", ""]
    elif kind == "number":
        values += ["-1", str(schema["maximum"] + 1), "NaN", "inf", "-inf", "1e309", "abc", ""]
    elif kind == "boolean":
        values += ["maybe", "2", "truee", ""]
    elif kind == "date":
        values += [*BAD_DATES, "2020-01-01T00:00:00Z", ""]
    elif kind == "date-time":
        values += [
            "2020-02-30T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "99999-01-01T00:00:00Z",
            "2020-9-1T00:00:00Z",
            "2020-01-01T25:00:00Z",
            "2020-01-01T00:00:00",
            "2020-01-01",
            "yesterday",
        ]
    elif kind == "url":
        values += ["not a url", "javascript:alert(1)", "ftp://example.org/x", *INJECTIONS]
        values.append("https://example.org/" + "a" * schema["maxLength"])
    elif kind == "enum":
        values += ["nope", schema["enum"][0].upper() + "X", *INJECTIONS, ""]
    elif kind == "uuid":
        values += ["not-a-uuid", "12345", "9aacaccddc0556c6827bc8ad46d81d3", *INJECTIONS, ""]
        values.append(",".join([str(uuid.uuid4())] * 2))
    elif kind == "pattern":
        example = schema["example"]
        values += ["x", "x1!", example.lower(), example + example[-1], *INJECTIONS, ""]
    elif kind == "enums":
        first = schema["items"]["enum"][0]
        values += ["nope", f"{first},nope", *INJECTIONS, too_many(first), ""]
    elif kind == "uuids":
        an_id = str(uuid.uuid4())
        values += ["not-a-uuid", "12345", f"{an_id},nope", *INJECTIONS, too_many(an_id), ""]
    elif kind == "patterned":
        values += ["x", "x1!", *INJECTIONS, too_many(schema["items"]["example"]), ""]
    elif kind in ("text", "texts"):
        inner = schema["items"] if kind == "texts" else schema
        values += ["a\x00b", "   ", "", "x" * (inner["maxLength"] + 1)]
        if kind == "texts":
            values.append(too_many("x"))
    elif kind == "cursor":
        values += ["garbage!", "x" * 1001, *INJECTIONS]
        values += [
            base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
            for text in ('"a string"', "[1, 2, 3]", "{}", "null", "not json", "[]")
        ]
    elif kind == "sort":
        values += ["nope", "-", "--updated_at", "updated_at;", *INJECTIONS, ""]
    elif kind == "fields":
        values += ["nope", "id,nope", *INJECTIONS]
    elif kind == "bbox":
        values += ["1,2,3", "a,b,c,d", "181,0,182,1", "0,91,1,92", "0,1,1,0"]
        values += ["NaN,0,1,1", "inf,0,1,1", "1e309,0,1,1", *INJECTIONS, ""]
    elif kind == "near":
        values += ["91,0", "0,181", "a,b", "NaN,0", "1,2,3", "1e309,0", *INJECTIONS, ""]
    return values


def free_text_params(op):
    return [param for param in op.query if param_kind(param) in ("text", "texts")]


def encode_cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def forged_cursors(sort, value, record_id):
    flipped = sort[1:] if sort.startswith("-") else "-" + sort
    return {
        "value-lone-surrogate": [sort, "a\ud800b", record_id],
        "value-nul": [sort, "a\x00b", record_id],
        "value-null": [sort, None, record_id],
        "value-list": [sort, [], record_id],
        "value-object": [sort, {}, record_id],
        "value-boolean": [sort, True, record_id],
        "value-infinite": [sort, float("inf"), record_id],
        "id-not-a-uuid": [sort, value, "not-a-uuid"],
        "id-null": [sort, value, None],
        "id-number": [sort, value, 12],
        "id-lone-surrogate": [sort, value, "\ud800"],
        "sort-null": [None, value, record_id],
        "sort-number": [5, value, record_id],
        "sort-lone-surrogate": ["\ud800", value, record_id],
        "sort-other-order": [flipped, value, record_id],
        "sort-unknown": ["nope", value, record_id],
        "two-items": [sort, value],
        "four-items": [sort, value, record_id, record_id],
    }


def has_cursor(op):
    return any(param["name"] == "cursor" for param in op.query)


def query_cases(op):
    values = sum(len(bad_query_values(param)) + 1 for param in op.query)
    cases = f"{values} values of {len(op.query)} params"
    if free_text_params(op):
        searches = len(free_text_params(op)) * (len(INJECTIONS) + len(SEARCH_SYNTAX))
        cases += f", {searches} searches"
    if has_cursor(op):
        cases += f", {len(forged_cursors('s', 1, 2))} forged cursors"
    return cases


def test_every_query_parameter_has_a_corpus():
    unknown = sorted(
        {
            f"{op} {param['name']}"
            for op in (*LISTS, *WRITES)
            for param in op.query
            if not param_kind(param)
        }
    )
    assert not unknown, f"Give these parameters bad values in bad_query_values(): {unknown}"


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def listed_ids(client, path, query):
    return {record["id"] for record in client.get(path, query_string=query).json}


def search_literally(probe, op, url):
    """SQL and search syntax in free text: 200, finding only records that hold the text."""
    for param in free_text_params(op):
        name = param["name"]
        nothing = probe.client.get(url, query_string={name: "qqqzzxxqq"}).json
        for text in (*INJECTIONS, *SEARCH_SYNTAX):
            label = f"{op} ?{name}={text!r}"
            response = probe.client.get(url, query_string={name: text})
            if response.status_code != 200:
                probe.fail(label, [f"status {response.status_code}", f"body {response.text[:250]}"])
                continue
            found = response.json
            if isinstance(found, dict) and "q" in found:
                # /v1/search: each kind's hits are among what its own list finds.
                faults = [
                    f"found {kind} {hit['id']}, which /v1/{kind} does not"
                    for kind, hits in found.items()
                    if kind != "q"
                    for hit in hits
                    if hit["id"] not in listed_ids(probe.client, f"/v1/{kind}", {name: text})
                ]
            elif isinstance(found, list):
                faults = [
                    f"found {record.get('id')}, which does not hold the text"
                    for record in found
                    if not any(text in string for string in strings_in(record))
                ]
            else:
                # Statistics of events, or the records a name may mean (which repeat the
                # name asked): no record holds the text, so nothing matches.
                if isinstance(found, dict) and found.get(name) == text:
                    found = {**found, name: nothing.get(name)}
                faults = [] if found == nothing else [f"answered {found}, not {nothing}"]
            probe.fail(label, faults)


def forge_cursors(probe, op, url):
    """Cursors the API did not issue, made from one it did: 422 naming cursor."""
    first = probe.client.get(url, query_string={"cursor": "", "page_size": 1})
    assert first.status_code == 200, first.json
    match = re.search(r'<([^>]*)>; rel="next"', first.headers.get("Link", ""))
    assert match, f"{op}: the world gives this list no second page to forge a cursor from"
    issued = parse_qs(urlsplit(match.group(1)).query)["cursor"][0]
    sort, value, record_id = json.loads(base64.urlsafe_b64decode(issued + "=" * (-len(issued) % 4)))
    for label, payload in forged_cursors(sort, value, record_id).items():
        query = {"cursor": encode_cursor(payload), "page_size": 1}
        probe.get(url, f"{op} cursor {label} {payload!r}", {422}, "cursor", query_string=query)


@pytest.mark.parametrize("op", ops_params(LISTS, query_cases), ids=str)
def test_bad_query_parameters(probe, op):
    """Each parameter alone with each bad value, and given twice: 422 naming it."""
    probe.world.populate()
    url = probe.world.fill(op.path)
    before = probe.snapshot()
    for param in op.query:
        name = param["name"]
        for value in bad_query_values(param):
            probe.get(url, f"{op} ?{name}={short(value)}", {422}, name, query_string={name: value})
        if "array" not in types(param["schema"]):
            # A list takes its values repeated too (tests/web/test_query_arrays.py).
            twice = [(name, "1"), (name, "1")]
            probe.get(url, f"{op} ?{name} twice", {422}, name, query_string=twice)
    search_literally(probe, op, url)
    if has_cursor(op):
        forge_cursors(probe, op, url)
    probe.finish(unchanged_since=before)


# -- Query parameters of writes (allow_duplicate) -----------------------------------------


def write_query_cases(op):
    return f"{sum(len(bad_query_values(param)) + 1 for param in op.query)} values"


@pytest.mark.parametrize("op", ops_params([op for op in WRITES if op.query], write_query_cases))
def test_bad_query_parameters_of_writes(probe, op):
    """A valid body with each bad value of each parameter, or one given twice: 422 naming
    it, and nothing written."""
    for param in op.query:
        name = param["name"]
        for value in bad_query_values(param):
            body = probe.body(op)
            probe.write(
                op, f"?{name}={short(value)}", {422}, name, body=body, query_string={name: value}
            )
        if "array" not in types(param["schema"]):
            twice = [(name, "1"), (name, "1")]
            probe.write(op, f"?{name} twice", {422}, name, body=probe.body(op), query_string=twice)
    probe.finish()


# -- Dates not in the form the spec gives (RFC 3339 full-date, YYYY-MM-DD) -----------------

OTHER_DATE_FORMS = ("20200901", "2020-W36-2", "2020-245")


def date_params(op):
    return [param for param in op.query if param_kind(param) == "date"]


DATE_FORM_CASES = len(OTHER_DATE_FORMS) * (
    sum(len(op.fields(is_date)) for op in WRITES) + sum(len(date_params(op)) for op in LISTS)
)


@pytest.mark.parametrize("forms", [pytest.param(OTHER_DATE_FORMS, id=f"{DATE_FORM_CASES} dates")])
def test_date_in_another_iso_form_is_refused(probe, forms):
    """format: date is YYYY-MM-DD; a basic, week or ordinal ISO 8601 date is not."""
    for op in WRITES:
        for path, _ in op.fields(is_date):
            field = dotted(path)
            for value in forms:
                body = set_at(probe.body(op), path, value)
                probe.write(op, f"{field}={value}", {422}, field, body=body)
    for op in LISTS:
        url = probe.world.fill(op.path)
        for param in date_params(op):
            name = param["name"]
            for value in forms:
                probe.get(url, f"{op} ?{name}={value}", {422}, name, query_string={name: value})
    probe.finish()
