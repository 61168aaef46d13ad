"""The spec as a code generator reads it: operationIds, one form per use, required fields.

openapi-typescript (tests/clients/test_typescript_client.py) compiles against
these; the checks here say, on openapi.yaml itself, what it relies on.
"""

import re

import pytest

from schemas import forms
from schemas.events import EventSchema
from tests.helpers import create, event_body, read_spec, source_body

SPEC = read_spec()
SCHEMAS = SPEC["components"]["schemas"]
METHODS = ("get", "post", "put", "patch", "delete")
RECORDS = ("Source", "Actor", "Location", "Event", "Statement")


def operations():
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(schema):
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def referenced(schema, seen=None):
    """The names of the component schemas `schema` refers to, however deep."""
    seen = set() if seen is None else seen
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                referenced(SCHEMAS[name], seen)
        for value in schema.values():
            referenced(value, seen)
    elif isinstance(schema, list):
        for value in schema:
            referenced(value, seen)
    return seen


class TestOperationIds:
    def test_every_operation_has_one(self):
        assert [f"{m.upper()} {p}" for p, m, o in operations() if "operationId" not in o] == []

    def test_they_are_unique_and_camel_case(self):
        ids = [operation["operationId"] for _, _, operation in operations()]
        assert len(ids) == len(set(ids))
        assert [i for i in ids if not re.fullmatch(r"[a-z]+([A-Z][a-z]*)*", i)] == []

    @pytest.mark.parametrize(
        ("method", "path", "operation_id"),
        [
            ("get", "/v1/events", "listEvents"),
            ("post", "/v1/events", "createEvent"),
            ("get", "/v1/events/{event_id}", "getEvent"),
            ("put", "/v1/events/{event_id}", "replaceEvent"),
            ("patch", "/v1/events/{event_id}", "updateEvent"),
            ("delete", "/v1/events/{event_id}", "deleteEvent"),
            ("get", "/v1/actors/{actor_id}/events", "listActorEvents"),
            ("post", "/v1/events/bulk", "importEvents"),
            ("get", "/v1/events/{event_id}/similar", "listSimilarEvents"),
            ("post", "/v1/events/{event_id}/merge", "mergeEvents"),
        ],
    )
    def test_named_as_a_generator_names_methods(self, method, path, operation_id):
        assert SPEC["paths"][path][method]["operationId"] == operation_id


@pytest.mark.parametrize("record", RECORDS)
class TestRecordForms:
    def test_each_write_has_its_own_body(self, record):
        path = f"/v1/{record.lower()}s"
        by_id = next(p for p in SPEC["paths"] if re.fullmatch(rf"{path}/{{\w+}}", p))
        bodies = {
            f"{method} {p}": SPEC["paths"][p][method]["requestBody"]["content"]["application/json"][
                "schema"
            ]["$ref"].rsplit("/", 1)[-1]
            for p, method in ((path, "post"), (by_id, "put"), (by_id, "patch"))
        }
        assert list(bodies.values()) == [f"{record}Create", f"{record}Replace", f"{record}Patch"]

    def test_a_patch_requires_nothing(self, record):
        assert "required" not in SCHEMAS[f"{record}Patch"]

    def test_no_request_body_names_a_default_or_what_the_server_sets(self, record):
        for form in ("Create", "Replace", "Patch"):
            for name in {f"{record}{form}"} | referenced(SCHEMAS[f"{record}{form}"]):
                for field, schema in SCHEMAS[name].get("properties", {}).items():
                    assert "default" not in schema, f"{name}.{field}"
                    assert not schema.get("readOnly"), f"{name}.{field}"

    def test_every_field_of_a_sent_record_is_required(self, record):
        for name in {record} | referenced(SCHEMAS[record]):
            schema = SCHEMAS[name]
            assert set(schema.get("required", [])) == set(schema["properties"]), name

    def test_sparse_records_require_only_their_id(self, record):
        assert SCHEMAS[f"Sparse{record}"]["required"] == ["id"]


class TestDefaults:
    def test_a_default_is_said_and_still_applied(self, client):
        description = SCHEMAS["EventCreate"]["properties"]["date_precision"]["description"]
        assert description.endswith("Default: day.")
        body = {"title": "t", "event_type": "AGREE", "start_date": "2020-09-30"}
        loaded = forms.create(EventSchema)().load({**body, "certainty": "alleged"})
        assert loaded["date_precision"] == "day"

    def test_a_patch_sets_no_default(self, client):
        source = create(client, "/v1/sources", source_body())
        event = create(client, "/v1/events", event_body(source["id"], date_precision="month"))
        response = client.patch(f"/v1/events/{event['id']}", json={"certainty": "confirmed"})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["date_precision"] == "month"


def test_geojson_is_a_feature_collection_of_typed_features():
    content = SPEC["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]
    collection = resolve(content["application/geo+json"]["schema"])
    assert collection["properties"]["type"]["enum"] == ["FeatureCollection"]
    feature = resolve(collection["properties"]["features"]["items"])
    assert set(feature["required"]) == {"type", "id", "geometry", "properties"}
    assert feature["properties"]["properties"]["$ref"].endswith("/SparseEvent")
    point = resolve(feature["properties"]["geometry"]["anyOf"][0])
    assert point["properties"]["type"]["enum"] == ["Point"]


def test_no_declaration_reaches_the_spec_beside_its_forms():
    """A declaration and its sent form share a name: apispec would rename one Event1."""
    assert [name for name in SCHEMAS if re.search(r"\d$", name)] == []
