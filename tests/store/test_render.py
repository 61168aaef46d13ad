"""Tests of api/store/render.py: the JSON PostgreSQL writes is written as the schema writes it.


Every record is sent as PostgreSQL writes it (its Record, api/store/record.py).
These tests read each value of every record back through its schema's field
and write it again, as marshmallow and Flask would: the text must not change,
key order included. They run over the article's seed, a second seed and
records built to reach the corners: no place, a place without coordinates,
open estimates, text beyond ASCII, timestamps with and without microseconds.
"""

import json
import re

import marshmallow as ma
import pytest

from schemas.actors import ActorSchema
from schemas.events import EventSchema
from schemas.locations import LocationSchema
from schemas.sources import SourceSchema
from schemas.statements import StatementSchema
from seeds import loader
from tests.helpers import (
    SECOND_SEED,
    OnlyReads,
    actor_body,
    create,
    event_body,
    location_body,
    source_body,
    statement_body,
)

# The corner records share names with the seeds' (Armenia, Tartar): they are meant.
ANOTHER_ACTOR = "/v1/actors?allow_duplicate=true"
ANOTHER_LOCATION = "/v1/locations?allow_duplicate=true"


EVENTS = "/v1/events"


def build_events(client, db):
    """Make the events of both seeds and events made to reach the corners; return their ids."""
    loader.load(db, loader.ARTICLE_SEED)
    loader.load(db, SECOND_SEED)
    body = "Ağdam – “shelling” near the town; \\ backslash, tab\tand\nnewline. Dozens killed."
    source = create(client, "/v1/sources", source_body(body=body, title="Ağdam: “news”"))
    actors = [
        create(client, ANOTHER_ACTOR, actor_body(name="Ermənistan", aliases=["Ərməni “forces”"])),
        create(client, ANOTHER_ACTOR, actor_body(name="Armenia", country=None, kind="state")),
    ]
    create(
        client,
        "/v1/actors",
        actor_body(name="Ministry", kind="government", parent_id=actors[0]["id"], title="Ünïcödé"),
    )
    bare = create(
        client,
        "/v1/locations",
        location_body(
            name="Somewhere", latitude=None, longitude=None, geo_precision=None, aliases=[]
        ),
    )
    town = create(client, ANOTHER_LOCATION, location_body(latitude=-0.000015, longitude=179.99))
    # Whole degrees: PostgreSQL writes 40 where Python writes 40.0 (render.float_json).
    whole = create(
        client,
        "/v1/locations",
        location_body(name="Whole", latitude=40.0, longitude=-45.0, parent_id=town["id"]),
    )
    citations = [
        {"source_id": source["id"], "quote": "“shelling”"},
        {"source_id": source["id"], "quote": "tab\tand\nnewline"},
    ]
    made = [
        event_body(source["id"], [a["id"] for a in actors], town["id"], citations=citations),
        event_body(
            source["id"],
            [actors[0]["id"]],
            bare["id"],
            title="Ağdam – “quoted” \\ title",
            summary=None,
            mode=None,
            fatalities={"low": 3, "high": None},
            injuries={"low": 0, "high": 12},
            notes="Ünïcödé ☃ notes",
            citations=citations[:1],
            end_date="2020-10-02",
            date_precision="month",
        ),
        event_body(source["id"], [], None, title="Nothing but a title", citations=[]),
        event_body(source["id"], [], whole["id"], title="At whole degrees", citations=[]),
    ]
    ids = [create(client, EVENTS, body)["id"] for body in made]
    # Timestamps on whole seconds are written without a fraction; others with six digits.
    db.execute(
        "UPDATE events SET created_at = '2020-09-30 12:00:00+00',"
        " updated_at = '2020-09-30 12:00:00.0001+00' WHERE id = %s",
        [ids[0]],
    )
    db.execute(
        "UPDATE events SET created_at = '1999-12-31 23:59:59.999999+00' WHERE id = %s", [ids[1]]
    )
    return [row["id"] for row in db.execute("SELECT id FROM events ORDER BY id")]


def rewritten(field, value):
    """`value`, as the API sent it, read by the schema's `field` and written again."""
    if value is None:
        return None
    if isinstance(field, ma.fields.List):
        return [rewritten(field.inner, item) for item in value]
    if isinstance(field, ma.fields.Nested):
        return as_schema_writes(field.schema, value)
    return field._serialize(field._deserialize(value, None, None), None, None)


def as_schema_writes(schema, record):
    """The record as `schema` would write it: its members in the schema's order."""
    schema = schema() if isinstance(schema, type) else schema
    assert list(record) == [name for name in schema.fields if name in record]
    return {name: rewritten(schema.fields[name], value) for name, value in record.items()}


def assert_written_as_schema_writes(schema, record):
    assert json.dumps(record) == json.dumps(as_schema_writes(schema, record)), record["id"]


def keyset_walk(client, url):
    """Every record of a keyset listing, following its Link rel="next" from `url`."""
    while url:
        response = client.get(url)
        assert response.status_code == 200
        yield from json.loads(response.get_data(as_text=True))
        link = response.headers.get("Link")
        url = link[link.index("/v1/") : link.index(">")] if link else None


def assert_fields_pick_members_in_schema_order(client, path, schema, fields):
    """fields= gives each record of `path` just those members (and id), in schema order."""
    full = {r["id"]: r for r in client.get(path, query_string={"page_size": 100}).json}
    response = client.get(path, query_string={"page_size": 100, "fields": fields})
    assert response.status_code == 200
    wanted = {"id", *fields.split(",")}
    order = [name for name in schema().fields if name in wanted]
    assert len(response.json) == len(full)
    for record in response.json:
        assert list(record) == order
        assert record == {name: full[record["id"]][name] for name in order}


SCHEMAS = {
    "/v1/events": EventSchema,
    "/v1/statements": StatementSchema,
    "/v1/actors": ActorSchema,
    "/v1/locations": LocationSchema,
    "/v1/sources": SourceSchema,
}


def build_statements(client, db):
    """Make build_events' events, and statements made to reach the corners; return their ids.

    The statements of both seeds are made with their events.
    """
    event_ids = build_events(client, db)
    source = create(
        client,
        "/v1/sources",
        source_body(
            body="Ağdam: “we deny it” – said\tthe\nministry.",
            url="https://example.org/news/denial",
        ),
    )
    speaker = create(client, ANOTHER_ACTOR, actor_body(name="Ermənistan MoD", country=None))
    create(
        client,
        "/v1/statements",
        statement_body(
            source["id"],
            speaker["id"],
            [str(event_ids[0])],
            text="“we deny it” \\ said\tthe\nministry ☃",
            stated_on=None,
            date_precision=None,
            medium=None,
            notes="Ünïcödé",
            citations=[{"source_id": source["id"], "quote": "“we deny it”"}],
        ),
    )
    create(
        client,
        "/v1/statements",
        statement_body(
            source["id"],
            speaker["id"],
            text="Nothing about any event",
            statement_type="claim",
            is_direct_quote=False,
            addressee_ids=[speaker["id"]],
            citations=[{"source_id": source["id"], "quote": "said\tthe\nministry"}],
        ),
    )
    db.execute(
        "UPDATE statements SET created_at = '2020-09-30 12:00:00+00'"
        " WHERE id = (SELECT id FROM statements ORDER BY id LIMIT 1)"
    )
    return [row["id"] for row in db.execute("SELECT id FROM statements ORDER BY id")]


@pytest.fixture
def event_ids(client, db):
    return build_events(client, db)


def test_etag_of_a_rendered_event_guards_its_writes(client, event_ids):
    event_id = event_ids[0]
    got = client.get(f"{EVENTS}/{event_id}")
    etag = got.headers["ETag"]
    assert client.get(f"{EVENTS}/{event_id}", headers={"If-None-Match": etag}).status_code == 304
    changed = client.patch(
        f"{EVENTS}/{event_id}", json={"notes": "Checked again."}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200
    # The write's answer and its ETag are those a GET now gives.
    again = client.get(f"{EVENTS}/{event_id}")
    assert changed.headers["ETag"] == again.headers["ETag"] != etag
    assert changed.get_data() == again.get_data()
    stale = client.patch(
        f"{EVENTS}/{event_id}", json={"notes": "Lost update."}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert client.delete(f"{EVENTS}/{event_id}", headers={"If-Match": etag}).status_code == 412


class TestEvents(OnlyReads):
    """Over the events of build_events and the records they refer to."""

    build = staticmethod(build_events)

    @pytest.fixture
    def event_ids(self, data):
        return data

    def test_corner_values_are_written_as_the_schema_writes_them(self, client, event_ids):
        found = {
            event["title"]: event
            for event in client.get(EVENTS, query_string={"page_size": 100}).get_json()
        }
        corner = found["Ağdam – “quoted” \\ title"]
        assert corner["fatalities"] == {"low": 3, "best": None, "high": None, "civilians": None}
        assert corner["injuries"] == {"low": 0, "best": None, "high": 12, "civilians": None}
        assert corner["location"]["latitude"] is None
        assert corner["notes"] == "Ünïcödé ☃ notes"
        assert corner["created_at"] == "1999-12-31T23:59:59.999999+00:00"
        stamped = [
            event for event in found.values() if event["created_at"].startswith("2020-09-30T")
        ]
        assert [(e["created_at"], e["updated_at"]) for e in stamped] == [
            ("2020-09-30T12:00:00+00:00", "2020-09-30T12:00:00.000100+00:00")
        ]
        assert stamped[0]["location"]["latitude"] == -0.000015
        assert [c["quote"] for c in stamped[0]["citations"]] == ["“shelling”", "tab\tand\nnewline"]

    def test_list_pages_are_the_records_as_got_one_by_one(self, client, event_ids):
        listed = []
        for page in (1, 2):
            response = client.get(EVENTS, query_string={"page_size": 20, "page": page})
            assert response.status_code == 200
            assert response.content_type == "application/json"
            listed += response.get_json()
        assert sorted(event["id"] for event in listed) == sorted(str(i) for i in event_ids)
        for event in listed:
            one = client.get(f"{EVENTS}/{event['id']}")
            assert one.get_json() == event
            assert list(one.get_json()) == list(EventSchema().fields)

    @pytest.mark.parametrize(
        "fields",
        [
            "title",
            "participants,citations",
            "start_date,location,created_at",
            "id",
            "notes,id,title",
        ],
    )
    def test_fields_pick_members_in_schema_order(self, client, event_ids, fields):
        assert_fields_pick_members_in_schema_order(client, EVENTS, EventSchema, fields)

    def test_keyset_pages_are_rendered_and_linked(self, client, event_ids):
        seen = [event["id"] for event in keyset_walk(client, EVENTS + "?cursor=&page_size=7")]
        assert sorted(seen) == sorted(str(i) for i in event_ids)
        assert len(seen) == len(set(seen))

    def test_listed_actors_pick_fields_when_searched(self, client, event_ids):
        named = client.get("/v1/actors", query_string={"q": "ermeni", "fields": "name,parent"}).json
        assert [list(actor) for actor in named] == [["id", "name", "parent"]] * len(named)
        assert "Ermənistan" in [actor["name"] for actor in named]

    @pytest.mark.parametrize("path", ["/v1/sources", "/v1/locations"])
    def test_lists_sorted_by_creation(self, client, event_ids, path):
        listed = list(keyset_walk(client, f"{path}?cursor=&page_size=2"))
        paged = client.get(path, query_string={"page_size": 100, "sort": "-created_at"}).json
        assert [record["id"] for record in paged] == [
            record["id"]
            for record in sorted(listed, key=lambda r: (r["created_at"], r["id"]), reverse=True)
        ]

    def test_whole_degrees_are_written_as_python_writes_them(self, client, event_ids):
        whole = client.get("/v1/locations", query_string={"q": "Whole"}).get_data(as_text=True)
        assert '"latitude":40.0,"longitude":-45.0' in whole
        assert '"latitude":-1.5e-05,"longitude":179.99' in whole  # its parent
        events_there = client.get("/v1/events", query_string={"q": "whole degrees"})
        assert '"latitude":40.0,"longitude":-45.0' in events_there.get_data(as_text=True)

    @pytest.mark.parametrize(
        ("path", "fields", "schema"),
        [
            ("/v1/sources", "title,published_on", SourceSchema),
            ("/v1/sources", "body", SourceSchema),
            ("/v1/locations", "parent,latitude", LocationSchema),
            ("/v1/locations", "name", LocationSchema),
        ],
    )
    def test_source_and_location_fields_pick_members_in_schema_order(
        self, client, event_ids, path, fields, schema
    ):
        assert_fields_pick_members_in_schema_order(client, path, schema, fields)


class TestStatements(OnlyReads):
    """Over the statements of build_statements, and every other record."""

    build = staticmethod(build_statements)

    @pytest.fixture
    def statement_ids(self, data):
        return data

    @pytest.mark.parametrize("path", SCHEMAS)
    def test_every_record_is_written_as_its_schema_writes_it(self, client, statement_ids, path):
        records = list(keyset_walk(client, f"{path}?cursor=&page_size=40"))
        assert len(records) >= 4
        for record in records:
            assert_written_as_schema_writes(SCHEMAS[path], record)
            assert client.get(f"{path}/{record['id']}").get_json() == record

    def test_corner_statements(self, client, statement_ids):
        listed = client.get("/v1/statements", query_string={"page_size": 100}).json
        assert len(listed) == len(statement_ids) >= 20
        corner = next(s for s in listed if s["text"].startswith("“we deny it”"))
        assert corner["stated_on"] is None and corner["medium"] is None
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", corner["events"][0]["event"]["start_date"])
        assert [s["created_at"] for s in listed].count("2020-09-30T12:00:00+00:00") == 1

    def test_statement_searches_and_related_lists_are_rendered(self, client, statement_ids):
        found = client.get("/v1/statements", query_string={"q": "deny"}).json
        assert found
        for statement in found:
            assert_written_as_schema_writes(StatementSchema, statement)
        about = found[0]["events"][0]["event_id"]
        related = client.get(f"/v1/events/{about}/statements").json
        assert found[0]["id"] in [s["id"] for s in related]
        for statement in related:
            assert_written_as_schema_writes(StatementSchema, statement)

    @pytest.mark.parametrize("fields", ["text", "speaker,citations", "events,stated_on,id"])
    def test_statement_fields_pick_members_in_schema_order(self, client, statement_ids, fields):
        assert_fields_pick_members_in_schema_order(
            client, "/v1/statements", StatementSchema, fields
        )
