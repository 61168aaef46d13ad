"""The checked-in openapi.yaml is the spec the code generates."""


from api import serve
from tests.helpers import read_spec

WRITE_COMMAND = "flask --app api openapi write --format=yaml openapi.yaml"


def test_openapi_yaml_equals_the_live_spec(app):
    live = app.extensions["eventdata.api"].spec.to_dict()
    checked_in = read_spec()
    assert checked_in == live, f"openapi.yaml is stale: run `{WRITE_COMMAND}` (or `make openapi`)."


def test_the_served_spec_is_the_same(client):
    checked_in = read_spec()
    assert client.get("/openapi.json").get_json() == checked_in


def test_every_query_parameter_has_a_description_and_an_example():
    spec = read_spec()
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


def examples(node, where="#"):
    """Every value given as an example in the spec `node`: (where, value) for each scalar."""
    if isinstance(node, dict):
        for key, value in node.items():
            inside = f"{where}/{key}"
            if key in ("example", "examples"):
                yield from scalars(value, inside)
            else:
                yield from examples(value, inside)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from examples(item, f"{where}/{index}")


def scalars(value, where):
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from scalars(item, f"{where}/{key}")
    else:
        yield where, value


def test_no_example_names_a_token_make_run_creates():
    """A client that follows the examples (a contract fuzzer) must not revoke a real token:
    `make run` makes one called serve.TOKEN_NAME."""
    spec = read_spec()
    named = [where for where, value in examples(spec) if value == serve.TOKEN_NAME]
    assert named == []
