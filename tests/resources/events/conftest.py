"""Fixtures of the event tests: the records an event refers to."""

from types import SimpleNamespace

import pytest

from tests.helpers import actor_body, create, location_body, source_body


@pytest.fixture
def refs(client):
    """A source, two actors and a location for events to refer to."""
    return SimpleNamespace(
        source=create(client, "/v1/sources", source_body()),
        azerbaijan=create(client, "/v1/actors", actor_body()),
        armenia=create(client, "/v1/actors", actor_body(name="Armenia", country="ARM")),
        tartar=create(client, "/v1/locations", location_body()),
    )
