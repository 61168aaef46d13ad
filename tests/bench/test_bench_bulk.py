"""The bulk benchmark compares like with like: its import, its COPY and its replay of
the import's statements leave the same rows."""

import pytest

from bench.bulk import capture, copy_all, digests, documents, empty, prepare, replay

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


def test_the_imports_statements_replayed_leave_the_rows_the_import_does(database_url):
    events, participants, reports, citations = prepare(database_url, N)
    statements = capture(database_url, documents(events, participants, reports, citations), 25)
    assert len(statements) == 3
    assert digests(database_url)["events"][0] == 0

    replay(database_url, statements)
    replayed = digests(database_url)
    empty(database_url)
    copy_all(database_url, events, participants, reports, citations)

    assert replayed == digests(database_url)
    assert replayed["events"][0] == N
