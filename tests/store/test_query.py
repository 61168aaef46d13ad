"""The list machinery every collection shares: totals, estimates, ids-first pages."""

import base64
import json
import re
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import jsonschema_rs
import pytest
from psycopg import sql

from api.store import query
from schemas.actors import ActorQueryArgsSchema
from schemas.deletions import DeletionQueryArgsSchema
from schemas.events import EventQueryArgsSchema
from schemas.locations import LocationQueryArgsSchema
from schemas.sources import SourceQueryArgsSchema
from schemas.statements import StatementQueryArgsSchema
from tests.helpers import (
    OnlyReads,
    actor_body,
    create,
    event_body,
    location_body,
    read_spec,
    source_body,
    statement_body,
)


def make_actors(client, db=None):
    return [create(client, "/v1/actors", actor_body(name=f"Actor {n:02}")) for n in range(12)]


@pytest.fixture
def actors(client):
    return make_actors(client)


class TestTotals:
    def test_exact_up_to_the_limit(self, client, actors):
        metadata = json.loads(client.get("/v1/actors?page_size=5").headers["X-Pagination"])

        assert metadata == {
            "total": 12,
            "total_pages": 3,
            "first_page": 1,
            "last_page": 3,
            "page": 1,
            "next_page": 2,
        }

    def test_estimated_and_flagged_above_the_limit(self, client, actors, monkeypatch):
        monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 5)

        response = client.get("/v1/actors?page_size=5")

        metadata = json.loads(response.headers["X-Pagination"])
        assert metadata["total_is_estimate"] is True
        # Never below what was seen: more than the limit.
        assert metadata["total"] >= 6
        assert [actor["name"] for actor in response.get_json()] == [
            f"Actor {n:02}" for n in range(5)
        ]

    def test_filters_are_counted_exactly_below_the_limit(self, client, actors, monkeypatch):
        monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 5)
        for name in ("Armenia", "Armenian government"):
            create(client, "/v1/actors", actor_body(name=name, country="ARM"))

        response = client.get("/v1/actors?country=ARM")

        metadata = json.loads(response.headers["X-Pagination"])
        assert "total_is_estimate" not in metadata
        assert metadata["total"] == len(response.get_json()) == 2


# More events than are counted exactly, so that their total is PostgreSQL's estimate; a
# table just filled has no statistics, and the planner guesses few matches for a search.
ESTIMATED_LIMIT = 100
MANY_EVENTS = 640


def make_many_events(client, db):
    """MANY_EVENTS events that mention shelling, taking part the same actor; their ids."""
    source = create(client, "/v1/sources", source_body())
    actor = create(client, "/v1/actors", actor_body())
    events = [
        event_body(
            source["id"],
            [actor["id"]],
            title=f"Shelling number {number}",
            start_date=f"2020-{1 + number % 12:02}-{1 + number % 28:02}",
        )
        for number in range(MANY_EVENTS)
    ]
    response = client.post("/v1/events/bulk", json=events)
    assert response.status_code == 201, response.get_json()
    return {"ids": response.get_json()["ids"], "actor_id": actor["id"]}


def links_of(response):
    """{rel: path and query} of the response's Link header."""
    return {
        relation: url.removeprefix("http://localhost")
        for url, relation in re.findall(
            r'<([^>]*)>; rel="([^"]+)"', response.headers.get("Link", "")
        )
    }


def walk_by_links(client, url):
    """The ids of every page reached from `url` by following rel="next"."""
    seen = []
    while url:
        assert len(seen) <= MANY_EVENTS, "the pages never end"
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        seen += [event["id"] for event in response.get_json()]
        url = links_of(response).get("next")
    return seen


def walk_by_metadata(client, url):
    """The ids of every page reached from `url` by X-Pagination's page numbers.

    total_pages, when given, must be a fact: every page of the walk then says
    the same, and it is the number of pages there are.
    """
    seen, page, page_counts, walked = [], 1, set(), 0
    while page is not None:
        assert walked <= MANY_EVENTS, "the pages never end"
        response = client.get(f"{url}&page={page}")
        records = response.get_json()
        metadata = json.loads(response.headers["X-Pagination"])
        seen += [event["id"] for event in records]
        walked += 1
        if metadata.get("total_is_estimate"):
            assert "total_pages" not in metadata
            assert "last_page" not in metadata
            assert "last" not in links_of(response)
        else:
            page_counts.add(metadata["total_pages"])
        if "next_page" in metadata:
            # Never fewer than this page proves: those before it, its own, one more.
            assert metadata["total"] >= len(seen) + 1
        else:
            assert metadata == {
                "total": len(seen),
                "total_pages": page,
                "first_page": 1,
                "last_page": page,
                "page": page,
                **({"previous_page": page - 1} if page > 1 else {}),
            }
        page = metadata.get("next_page")
    assert page_counts <= {walked}
    return seen


LARGE_LISTS = [
    pytest.param("q=shelling&sort=-start_date", id="search-by-date"),
    pytest.param("sort=title", id="every-event"),
    pytest.param("actor_id={actor_id}", id="participants"),
    pytest.param("q=shelling", id="search-by-relevance"),
]


class TestLargeLists(OnlyReads):
    """An estimated total must not hide pages: every record is reached, once."""

    build = staticmethod(make_many_events)

    @pytest.fixture
    def many_events(self, data, monkeypatch):
        monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", ESTIMATED_LIMIT)
        return data

    @pytest.mark.parametrize("page_size", [50, 500])
    @pytest.mark.parametrize("filters", LARGE_LISTS)
    def test_links_reach_every_record(self, client, many_events, filters, page_size):
        url = f"/v1/events?{filters.format(**many_events)}&page_size={page_size}&page=1"

        assert Counter(walk_by_links(client, url)) == Counter(many_events["ids"])

    @pytest.mark.parametrize("page_size", [50, 500])
    @pytest.mark.parametrize("filters", LARGE_LISTS)
    def test_page_numbers_reach_every_record(self, client, many_events, filters, page_size):
        url = f"/v1/events?{filters.format(**many_events)}&page_size={page_size}"

        assert Counter(walk_by_metadata(client, url)) == Counter(many_events["ids"])

    def test_an_estimate_is_flagged_and_leaves_out_the_last_page(self, client, many_events):
        response = client.get("/v1/events?q=shelling&sort=-start_date&page_size=50&page=2")

        metadata = json.loads(response.headers["X-Pagination"])
        assert metadata.pop("total") >= 101
        assert metadata == {
            "total_is_estimate": True,
            "first_page": 1,
            "page": 2,
            "previous_page": 1,
            "next_page": 3,
        }
        assert set(links_of(response)) == {"first", "prev", "next"}

    def test_past_the_end_nothing_follows(self, client, many_events):
        response = client.get("/v1/events?q=shelling&sort=-start_date&page_size=500&page=9")

        assert response.get_json() == []
        metadata = json.loads(response.headers["X-Pagination"])
        assert "next_page" not in metadata
        assert "next" not in links_of(response)
        assert metadata["total"] <= 8 * 500


class TestPages(OnlyReads):
    build = staticmethod(make_actors)

    @pytest.fixture
    def actors(self, data):
        return data

    @pytest.mark.parametrize("page_size", [1, 5, 7, 12, 20])
    def test_every_page_size_walks_the_same_order(self, client, actors, page_size):
        names, page = [], 1
        while True:
            response = client.get(f"/v1/actors?page_size={page_size}&page={page}&sort=-name")
            names += [actor["name"] for actor in response.get_json()]
            if page >= json.loads(response.headers["X-Pagination"])["last_page"]:
                break
            page += 1

        assert names == [f"Actor {n:02}" for n in reversed(range(12))]


class TestRelevancePool:
    def test_ranks_only_the_most_recent_matches(self, client, monkeypatch):
        monkeypatch.setattr(query, "RELEVANCE_POOL", 3)
        source = create(client, "/v1/sources", source_body())
        # Five matches: the oldest mentions shelling most, but is outside the pool.
        titles = {
            "2020-09-01": "Shelling, shelling and more shelling",
            "2020-09-02": "Shelling reported",
            "2020-09-03": "Shelling of a town",
            "2020-09-04": "Shelling near a village",
            "2020-09-05": "Shelling overnight",
        }
        for day, title in titles.items():
            create(client, "/v1/events", event_body(source["id"], title=title, start_date=day))

        response = client.get("/v1/events?q=shelling&fields=title,start_date")

        assert {event["start_date"] for event in response.get_json()} == {
            "2020-09-03",
            "2020-09-04",
            "2020-09-05",
        }
        assert json.loads(response.headers["X-Pagination"])["total"] == 3
        by_date = client.get("/v1/events?q=shelling&sort=-start_date").get_json()
        assert len(by_date) == 5

    def test_total_is_the_pool_on_every_page_and_past_the_end(self, client, monkeypatch):
        monkeypatch.setattr(query, "RELEVANCE_POOL", 3)
        source = create(client, "/v1/sources", source_body())
        for day in range(1, 6):
            create(
                client,
                "/v1/events",
                event_body(source["id"], title="Shelling reported", start_date=f"2020-09-0{day}"),
            )
        totals = []
        for page in (1, 2, 3, 4):
            response = client.get(f"/v1/events?q=shelling&page_size=2&page={page}")
            assert response.status_code == 200
            assert all("pool_total" not in event for event in response.get_json())
            totals.append(json.loads(response.headers["X-Pagination"])["total"])
        # Pages 1 and 2 count the pool in their own query; 3 and 4 have no row to carry it.
        assert totals == [3, 3, 3, 3]
        assert len(client.get("/v1/events?q=shelling&page_size=2&page=2").get_json()) == 1


# Every collection's list, by the query arguments (so the sorts) it takes.
COLLECTIONS = {
    "/v1/sources": SourceQueryArgsSchema,
    "/v1/actors": ActorQueryArgsSchema,
    "/v1/locations": LocationQueryArgsSchema,
    "/v1/events": EventQueryArgsSchema,
    "/v1/statements": StatementQueryArgsSchema,
    "/v1/deletions": DeletionQueryArgsSchema,
}
KEYSET_SORTS = [
    pytest.param(path, sort, schema.SORTS[key].type, id=f"{path.removeprefix('/v1/')}-{sort}")
    for path, schema in COLLECTIONS.items()
    for key in sorted(schema.SORTS)
    if key != "relevance"
    for sort in (key, f"-{key}")
]


def make_every_kind(client, db):
    """Two or more records of every kind, with nulls, ties, and a whole-second timestamp.

    Returns the ids of each collection, and the ids that the lists inside a
    record (an actor's events...) need.
    """
    source = create(client, "/v1/sources", source_body(title="Çatışmalar «Tərtər»"))
    undated = create(
        client,
        "/v1/sources",
        source_body(url="https://example.org/undated", published_on=None, title='"Quoted"'),
    )
    speaker = create(client, "/v1/actors", actor_body())
    create(client, "/v1/actors", actor_body(name="Ermənistan", country="ARM"))
    place = create(client, "/v1/locations", location_body())
    create(client, "/v1/locations", location_body(name="Bərdə", aliases=[]))
    events = [
        create(
            client,
            "/v1/events",
            event_body(source["id"], [speaker["id"]], place["id"], title=title),
        )
        for title in ("Shelling of Tartar", "Shelling of Barda", "Drone strike")
    ]
    create(client, "/v1/statements", statement_body(source["id"], speaker["id"], [events[0]["id"]]))
    create(client, "/v1/statements", statement_body(undated["id"], speaker["id"], stated_on=None))
    for path, body in (
        ("/v1/actors", actor_body(name="Doomed")),
        ("/v1/locations", location_body(name="Doomed")),
    ):
        doomed = create(client, path, body)
        assert client.delete(f"{path}/{doomed['id']}").status_code == 204
    # A timestamp on a whole second is written without a fraction.
    for table in ("sources", "actors", "locations", "events", "statements"):
        db.execute(
            sql.SQL(
                "UPDATE {table} SET created_at = '2020-09-30T12:00:00Z'"
                " WHERE id = (SELECT id FROM {table} ORDER BY id LIMIT 1)"
            ).format(table=sql.Identifier(table))
        )
    db.execute("UPDATE deletions SET deleted_at = '2020-09-30T12:00:00Z' WHERE kind = 'actor'")
    return {
        **{
            path: {record["id"] for record in client.get(f"{path}?page_size=500").get_json()}
            for path in COLLECTIONS
        },
        # What the lists inside a record are of.
        "actor_id": speaker["id"],
        "location_id": place["id"],
        "event_id": events[0]["id"],
    }


def cursor_text(payload, **dumps):
    return base64.urlsafe_b64encode(json.dumps(payload, **dumps).encode()).decode().rstrip("=")


def issued_cursor(client, path, sort):
    """The cursor of the first page of one record, and what it holds."""
    response = client.get(path, query_string={"sort": sort, "cursor": "", "page_size": 1})
    assert response.status_code == 200, response.get_json()
    cursor = re.search(r"cursor=([^&>]+)", links_of(response)["next"]).group(1)
    return cursor, json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def other_forms(sql_type, value, null_stands_for):
    """The value of an issued cursor written in forms the API never writes."""
    forms = {"null": None, "number": 20200930, "list": [value]}
    # Any text is a place in the order, "infinity" too; a date or a moment is not.
    if sql_type != "text" and null_stands_for is None:
        forms.update({"-infinity": "-infinity", "infinity": "infinity"})
    elif sql_type != "text":
        forms.update({"other-infinity": "infinity"})
    if sql_type == "date" and value != null_stands_for:
        day = date.fromisoformat(value)
        year, week, weekday = day.isocalendar()
        forms.update(
            {
                "week-date": f"{year}-W{week:02}-{weekday}",
                "basic-date": day.strftime("%Y%m%d"),
                "date-and-time": f"{value}T00:00:00",
                "ordinal-date": day.strftime("%Y-%j"),
            }
        )
    if sql_type == "timestamptz":
        moment = datetime.fromisoformat(value)
        forms.update(
            {
                "space-for-T": value.replace("T", " "),
                "Z-for-offset": value.replace("+00:00", "Z"),
                "other-offset": moment.astimezone(timezone(timedelta(hours=4))).isoformat(),
                "no-offset": moment.replace(tzinfo=None).isoformat(),
                "every-fraction-digit": moment.isoformat(timespec="microseconds"),
                "basic-format": moment.strftime("%Y%m%dT%H%M%S.%f+0000"),
                "a-date": moment.date().isoformat(),
            }
        )
    if sql_type == "text":
        forms.update({"nul": value + "\x00", "lone-surrogate": value + "\ud800"})
    return forms


# The answer to any cursor the API did not write: it names the parameter, not PostgreSQL's words.
REFUSED = {
    "status": 422,
    "detail": "Invalid input: cursor.",
    "errors": {"cursor": [{"code": "invalid_format", "message": "Not a cursor this API issued."}]},
}


def refusal(response):
    """What a response says of a cursor: REFUSED's members, or the status and body."""
    body = response.get_json()
    if response.status_code != 422:
        return response.status_code, body
    return {name: body.get(name) for name in REFUSED}


class ReadsEveryKind(OnlyReads):
    """A class of tests that only read make_every_kind's records, made once for the class."""

    build = staticmethod(make_every_kind)

    @pytest.fixture
    def every_kind(self, data):
        return data


class TestCursors(ReadsEveryKind):
    """A cursor is taken only as the API writes it; any other form is 422 naming cursor."""

    @pytest.mark.parametrize(("path", "sort", "sql_type"), KEYSET_SORTS)
    def test_walks_every_record_once(self, client, every_kind, path, sort, sql_type):
        url = f"{path}?sort={sort}&page_size=1&cursor="

        assert Counter(walk_by_links(client, url)) == Counter(every_kind[path])

    @pytest.mark.parametrize(("path", "sort", "sql_type"), KEYSET_SORTS)
    def test_other_forms_are_refused(self, client, every_kind, path, sort, sql_type):
        cursor, (_, value, record_id) = issued_cursor(client, path, sort)
        null_stands_for = COLLECTIONS[path].SORTS[sort.removeprefix("-")].null
        record = uuid.UUID(record_id)
        forged = {
            f"value-{name}": cursor_text([sort, other, record_id])
            for name, other in other_forms(sql_type, value, null_stands_for).items()
        }
        forged.update(
            {
                "id-upper-case": cursor_text([sort, value, record_id.upper()]),
                "id-without-hyphens": cursor_text([sort, value, record.hex]),
                "id-in-braces": cursor_text([sort, value, f"{{{record_id}}}"]),
                "id-as-urn": cursor_text([sort, value, record.urn]),
                "compact-json": cursor_text([sort, value, record_id], separators=(",", ":")),
                "unescaped-json": cursor_text([sort, value, record_id], ensure_ascii=False),
                "padded": cursor + "=" * (-len(cursor) % 4) if len(cursor) % 4 else cursor + "A",
                "standard-alphabet": base64.b64encode(
                    base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
                ).decode(),
            }
        )
        forged = {name: text for name, text in forged.items() if text != cursor}
        assert client.get(path, query_string={"sort": sort, "cursor": cursor}).status_code == 200

        answers = {
            name: refusal(client.get(path, query_string={"sort": sort, "cursor": text}))
            for name, text in forged.items()
        }

        assert {name: answer for name, answer in answers.items() if answer != REFUSED} == {}

    def test_a_number_for_relevance_is_refused(self, client, every_kind):
        cursor = cursor_text(["relevance", 0.5, str(uuid.uuid4())])

        response = client.get("/v1/events", query_string={"q": "shelling", "cursor": cursor})

        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"cursor"}


SPEC = read_spec()
# Every list that takes fields=, with the names it takes.
SPARSE_LISTS = [
    pytest.param(path, parameter["schema"]["items"]["enum"], id=path.removeprefix("/v1/"))
    for path, operations in SPEC["paths"].items()
    for parameter in operations.get("get", {}).get("parameters", [])
    if parameter.get("name") == "fields"
]


def response_validator(path, form=None):
    """A validator of the JSON body of a 200 to GET `path`, as openapi.yaml describes it.

    `form`: only this one of its forms (0, whole records; 1, sparse ones).
    """
    schema = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    schema = schema["schema"] if form is None else schema["schema"]["anyOf"][form]
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": SPEC["components"]}, validate_formats=True
    )


def whole_record_fields(path):
    """The fields of a whole record of the list at `path`, as openapi.yaml names them."""
    schema = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    name = schema["schema"]["anyOf"][0]["items"]["$ref"].rsplit("/", 1)[1]
    return set(SPEC["components"]["schemas"][name]["properties"])


class TestSparseFields(ReadsEveryKind):
    """Whatever fields= returns is what the spec says the response is."""

    @pytest.mark.parametrize(("path", "names"), SPARSE_LISTS)
    def test_every_choice_conforms_to_the_spec(self, client, every_kind, path, names):
        url = path.format(**every_kind)
        validator = response_validator(path)
        answers = {}

        for choice in (None, *([name] for name in names), names, ["id"]):
            query = {"fields": ",".join(choice)} if choice else {}
            response = client.get(url, query_string=query)
            records = answers[query.get("fields")] = response.get_json()
            assert response.status_code == 200, records
            assert records, f"{url} lists nothing: the spec would hold vacuously"
            errors = [
                f"{error.instance_path}: {error.message}"
                for error in validator.iter_errors(records)
            ]
            assert errors == [], f"{url}?fields={query.get('fields')}"
            if choice:
                assert all(set(record) == {"id", *choice} for record in records)

        # Without fields=, records are whole: the spec's first form, not only the sparse one.
        assert all(set(record) == whole_record_fields(path) for record in answers[None])
        assert response_validator(path, 0).is_valid(answers[None])

    def test_sources_without_title_and_body(self, client, every_kind):
        response = client.get("/v1/sources?fields=publisher,published_on,id")

        assert response_validator("/v1/sources").is_valid(response.get_json())
        assert {tuple(record) for record in response.get_json()} == {
            ("id", "publisher", "published_on")
        }
