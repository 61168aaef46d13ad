"""A list parameter takes several values comma-separated or repeated: x=a,b is x=a&x=b."""

import re

import pytest

from tests.helpers import assert_problem, create, event_body, read_spec, source_body

SPEC = read_spec()


@pytest.fixture
def events(client):
    """One event of each of three types, by type."""
    source = create(client, "/v1/sources", source_body())
    return {
        event_type: create(
            client, "/v1/events", event_body(source["id"], event_type=event_type, mode=None)
        )["id"]
        for event_type in ("ASSAULT", "ACCUSE", "PROTEST")
    }


def ids(response):
    assert response.status_code == 200, response.get_json()
    return sorted(record["id"] for record in response.get_json())


class TestListParameters:
    def test_repeated_is_the_same_list_as_comma_separated(self, client, events):
        repeated = client.get("/v1/events?event_type=ASSAULT&event_type=ACCUSE")
        commas = client.get("/v1/events?event_type=ASSAULT,ACCUSE")
        assert ids(repeated) == ids(commas) == sorted([events["ASSAULT"], events["ACCUSE"]])

    def test_both_spellings_at_once(self, client, events):
        response = client.get("/v1/events?event_type=ASSAULT,ACCUSE&event_type=PROTEST")
        assert ids(response) == sorted(events.values())

    def test_a_bad_value_among_repeats_names_the_parameter(self, client, events):
        response = client.get("/v1/events?event_type=ASSAULT&event_type=NOPE")
        assert_problem(response, 422, "event_type")

    def test_at_most_100_values_however_spelt(self, client, events):
        query = "&".join(["event_type=ASSAULT,ACCUSE"] * 51)
        assert_problem(client.get(f"/v1/events?{query}"), 422, "event_type")

    def test_the_next_page_link_keeps_the_repeats(self, client, events):
        response = client.get("/v1/events?event_type=ASSAULT&event_type=ACCUSE&page_size=1")
        assert "event_type=ASSAULT&event_type=ACCUSE" in response.headers["Link"]
        next_url = re.search(r'<([^>]*)>; rel="next"', response.headers["Link"]).group(1)
        assert ids(client.get(next_url)) != ids(response)

    def test_a_parameter_of_one_value_given_twice_is_refused(self, client, events):
        problem = assert_problem(client.get("/v1/events?page=1&page=2"), 422, "page")
        assert problem["errors"]["page"] == [
            {"code": "given_twice", "message": "Give this parameter once."}
        ]


def test_the_spec_says_both_spellings():
    lists = [
        parameter
        for operations in SPEC["paths"].values()
        for method, operation in operations.items()
        if method != "parameters"
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter["schema"].get("type") == "array"
    ]
    assert lists
    assert [p["name"] for p in lists if "repeated" not in p["description"]] == []
