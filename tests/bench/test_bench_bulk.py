"""The bulk benchmark compares like with like: its import and its COPY leave the same rows."""

import pytest

from bench.bulk import copy_all, digests, documents, empty, prepare

# It imports and copies a generated data set twice.
pytestmark = pytest.mark.slow

N = 60


def test_the_import_and_the_copy_leave_the_same_rows(client, database_url):
    events, participants, reports, citations = prepare(database_url, N)
    response = client.post(
        "/v1/events/bulk", json=documents(events, participants, reports, citations)
    )
    assert response.status_code == 201, response.get_json()
    imported = digests(database_url)

    empty(database_url)
    copy_all(database_url, events, participants, reports, citations)

    assert digests(database_url) == imported
    assert imported["events"][0] == N
    assert imported["event_participants"][0] == len(participants) >= N
    assert imported["reports"][0] == len(reports) > N
    assert imported["citations"][0] == len(citations) >= N
