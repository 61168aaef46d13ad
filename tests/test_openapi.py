"""The checked-in openapi.yaml is the spec the code generates."""

from pathlib import Path

import yaml

SPEC_FILE = Path(__file__).resolve().parent.parent / "openapi.yaml"
WRITE_COMMAND = "flask --app api openapi write --format=yaml openapi.yaml"


def test_openapi_yaml_equals_the_live_spec(app):
    live = app.extensions["eventdata.api"].spec.to_dict()
    checked_in = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    assert checked_in == live, f"openapi.yaml is stale: run `{WRITE_COMMAND}` (or `make openapi`)."


def test_the_served_spec_is_the_same(client):
    checked_in = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    assert client.get("/openapi.json").get_json() == checked_in


def test_every_query_parameter_has_a_description_and_an_example():
    spec = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    missing = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query"
        and not (parameter.get("description") and "example" in parameter.get("schema", parameter))
    ]
    assert missing == []
