"""Lists in other shapes: GeoJSON for maps, streamed CSV for spreadsheets."""

import csv
import io
import json

import geojson
import pytest

from tests.helpers import (
    ReadsTheArticle,
    actor_body,
    assert_problem,
    create,
    event_body,
    location_body,
    source_body,
    statement_body,
)


def csv_rows(response):
    """The rows of a CSV answer, by header."""
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


# Text a spreadsheet would evaluate as a formula (OWASP, "CSV Injection"), by how it starts.
FORMULAS = [
    pytest.param('=HYPERLINK("http://evil.example","x")', id="equals"),
    pytest.param("+1+cmd|' /C calc'!A0", id="plus"),
    pytest.param("-2+3+cmd|' /C calc'!A0", id="minus"),
    pytest.param("@SUM(1+1)*cmd|' /C calc'!A0", id="at"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("\r=1+1", id="carriage-return"),
]


def all_events(client, query=""):
    """Every event the query selects, as JSON, following the pages."""
    records, page = [], 1
    while True:
        response = client.get(f"/v1/events?{query}&page={page}&page_size=500")
        records += response.get_json()
        if page >= json.loads(response.headers["X-Pagination"]).get("last_page", 1):
            return records
        page += 1


class TestGeoJSON(ReadsTheArticle):
    @pytest.mark.parametrize(
        ("query", "headers"),
        [
            pytest.param("format=geojson", {}, id="parameter"),
            pytest.param("", {"Accept": "application/geo+json"}, id="accept"),
        ],
    )
    def test_a_page_of_events_is_a_valid_feature_collection(self, client, article, query, headers):
        response = client.get(f"/v1/events?{query}", headers=headers)

        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        collection = geojson.loads(response.get_data(as_text=True))
        assert collection.is_valid, collection.errors()
        assert collection["type"] == "FeatureCollection"
        # A map leaves background and photo scenes out; the list of the others is the same.
        events = client.get("/v1/events?reported_as=event").get_json()
        assert [feature["properties"] for feature in collection["features"]] == events
        for feature, event in zip(collection["features"], events, strict=True):
            assert feature["id"] == event["id"]
            location = event["location"]
            if location and location["latitude"] is not None:
                assert feature["geometry"] == {
                    "type": "Point",
                    "coordinates": [location["longitude"], location["latitude"]],
                }
            else:
                assert feature["geometry"] is None

    def test_takes_filters_paging_and_etags(self, client, article):
        response = client.get("/v1/events?format=geojson&event_type=ASSAULT&page_size=2")

        assert len(response.get_json()["features"]) == 2
        assert json.loads(response.headers["X-Pagination"])["page"] == 1
        assert 'rel="next"' in response.headers["Link"]
        again = client.get(
            "/v1/events?format=geojson&event_type=ASSAULT&page_size=2",
            headers={"If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304

    def test_sparse_fields_keep_the_geometry(self, client, article):
        collection = client.get(
            "/v1/events?format=geojson&fields=title&near=40.34,46.93&radius_km=10"
        ).get_json()

        assert collection["features"]
        assert all(feature["geometry"] for feature in collection["features"])
        assert all(
            set(feature["properties"]) == {"id", "title", "location"}
            for feature in collection["features"]
        )


class TestCSV(ReadsTheArticle):
    @pytest.mark.parametrize(
        ("query", "headers"),
        [
            pytest.param("format=csv", {}, id="parameter"),
            pytest.param("", {"Accept": "text/csv"}, id="accept"),
            pytest.param("format=csv&event_type=REQUEST,ASSAULT&sort=title", {}, id="filtered"),
        ],
    )
    def test_parses_and_matches_the_json(self, client, article, query, headers):
        response = client.get(f"/v1/events?{query}", headers=headers)

        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.is_streamed
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        events = all_events(client, query.replace("format=csv", ""))
        assert [row["id"] for row in rows] == [event["id"] for event in events]
        for row, event in zip(rows, events, strict=True):
            for name in ("title", "event_type", "start_date", "end_date", "certainty"):
                assert row[name] == event[name]
            assert row["summary"] == (event["summary"] or "")
            assert row["mode"] == (event["mode"] or "")
            assert row["location_name"] == ((event["location"] or {}).get("name") or "")
            fatalities = event["fatalities"] or {}
            assert row["fatalities_low"] == str(fatalities.get("low") or "")
            assert row["participants"] == "; ".join(
                f"{p['actor']['name']} ({p['role']})" for p in event["participants"]
            )
            assert row["quotes"] == "; ".join(c["quote"] for c in event["citations"])

    def test_exports_every_match_without_paging(self, client, article, db):
        body = client.get("/v1/events?format=csv&page_size=1").get_data(as_text=True)

        rows = list(csv.DictReader(io.StringIO(body)))
        assert len(rows) == db.execute("SELECT count(*) AS n FROM events").fetchone()["n"]

    @pytest.mark.parametrize("paging", ["page=2", "cursor="])
    def test_refuses_paging(self, client, paging):
        assert_problem(client.get(f"/v1/events?format=csv&{paging}"), 422, "format")

class TestCSVOfNothing:
    def test_an_empty_export_has_the_header(self, client):
        body = client.get("/v1/events?format=csv").get_data(as_text=True)

        assert body.splitlines()[0].startswith("id,title,summary,event_type")
        assert len(body.splitlines()) == 1


class TestFormulaInjection:
    """Text that starts like a formula is exported behind a quote; numbers stay numbers."""

    @pytest.fixture
    def records(self, client):
        def make(text):
            source = create(client, "/v1/sources", source_body())
            actor = create(client, "/v1/actors", actor_body(name=text))
            location = create(
                client, "/v1/locations", location_body(name=text, latitude=40.7, longitude=-73.9)
            )
            event = create(
                client,
                "/v1/events",
                event_body(
                    source["id"],
                    [actor["id"]],
                    location["id"],
                    title=text,
                    summary=text,
                    notes=text,
                    fatalities={"low": 0, "high": 3},
                ),
            )
            statement = create(
                client,
                "/v1/statements",
                statement_body(source["id"], actor["id"], [event["id"]], text=text, medium=text),
            )
            return event, statement

        return make

    @pytest.mark.parametrize("text", FORMULAS)
    def test_events(self, client, records, text):
        records(text)

        (row,) = csv_rows(client.get("/v1/events", headers={"Accept": "text/csv"}))

        neutralised = "'" + text
        assert {name: row[name] for name in ("title", "summary", "notes", "location_name")} == {
            "title": neutralised,
            "summary": neutralised,
            "notes": neutralised,
            "location_name": neutralised,
        }
        assert row["initiators"] == neutralised
        assert row["participants"] == f"{neutralised} (initiator)"
        # Numbers the API writes stay numbers, a negative longitude too.
        assert (row["latitude"], row["longitude"]) == ("40.7", "-73.9")
        assert (row["fatalities_low"], row["fatalities_high"]) == ("0", "3")

    @pytest.mark.parametrize("text", FORMULAS)
    def test_statements(self, client, records, text):
        records(text)

        (row,) = csv_rows(client.get("/v1/statements?format=csv"))

        neutralised = "'" + text
        assert {name: row[name] for name in ("speaker", "text", "medium", "events")} == {
            "speaker": neutralised,
            "text": neutralised,
            "medium": neutralised,
            "events": f"{neutralised} (condemns)",
        }

    @pytest.mark.parametrize("text", FORMULAS)
    def test_actors_locations_and_sources(self, client, records, text):
        records(text)
        neutralised = "'" + text

        (actor,) = csv_rows(client.get("/v1/actors?format=csv"))
        (location,) = csv_rows(client.get("/v1/locations", headers={"Accept": "text/csv"}))
        (source,) = csv_rows(client.get("/v1/sources?format=csv"))

        assert (actor["name"], location["name"]) == (neutralised, neutralised)
        assert (location["latitude"], location["longitude"]) == ("40.7", "-73.9")
        assert source["title"] == "Clashes over Nagorno-Karabakh"

    @pytest.mark.parametrize("text", FORMULAS)
    def test_the_flat_profile_of_events(self, client, records, text):
        records(text)

        (row,) = csv_rows(client.get("/v1/events?profile=flat"))

        neutralised = "'" + text
        assert {name: row[name] for name in ("title", "actor1", "location", "notes")} == {
            "title": neutralised,
            "actor1": neutralised,
            "location": neutralised,
            "notes": neutralised,
        }
        assert (row["latitude"], row["longitude"]) == ("40.7", "-73.9")
        assert (row["fatalities_low"], row["fatalities_high"]) == ("0", "3")

    def test_text_that_only_looks_like_a_number_is_text(self, client, records):
        """A title of "-5" is text, not a number the API wrote: a spreadsheet must not add it up."""
        records("-5")

        (row,) = csv_rows(client.get("/v1/events?format=csv"))

        assert row["title"] == "'-5"

    def test_text_that_starts_otherwise_is_unchanged(self, client, records):
        records("Shelling of Tartar = 3 dead, +2 injured")

        (row,) = csv_rows(client.get("/v1/events?format=csv"))

        assert row["title"] == "Shelling of Tartar = 3 dead, +2 injured"


class TestNegotiation(ReadsTheArticle):
    def test_json_by_default_and_for_browsers(self, client, article):
        for accept in (None, "text/html,application/xhtml+xml,*/*;q=0.8"):
            response = client.get("/v1/events", headers={"Accept": accept} if accept else {})
            assert response.mimetype == "application/json"

    def test_the_parameter_wins_over_accept(self, client, article):
        response = client.get("/v1/events?format=json", headers={"Accept": "text/csv"})

        assert response.mimetype == "application/json"

    def test_refuses_an_unknown_format(self, client):
        assert_problem(client.get("/v1/events?format=xml"), 422, "format")


class TestLocationsGeoJSON(ReadsTheArticle):
    def test_a_page_of_locations_is_a_valid_feature_collection(self, client, article):
        response = client.get("/v1/locations?format=geojson&page_size=100")

        assert response.mimetype == "application/geo+json"
        collection = geojson.loads(response.get_data(as_text=True))
        assert collection.is_valid, collection.errors()
        locations = client.get("/v1/locations?page_size=100").get_json()
        assert [feature["properties"] for feature in collection["features"]] == locations
        for feature, location in zip(collection["features"], locations, strict=True):
            if location["latitude"] is None:
                assert feature["geometry"] is None
            else:
                assert feature["geometry"]["coordinates"] == [
                    location["longitude"],
                    location["latitude"],
                ]



class TestStatementsCSV(ReadsTheArticle):
    def test_parses_and_matches_the_json(self, client, article):
        response = client.get("/v1/statements?format=csv&statement_type=denial,appeal")

        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        statements = client.get(
            "/v1/statements?statement_type=denial,appeal&page_size=500"
        ).get_json()
        assert [row["id"] for row in rows] == [statement["id"] for statement in statements]
        for row, statement in zip(rows, statements, strict=True):
            assert row["speaker"] == statement["speaker"]["name"]
            assert row["text"] == statement["text"]
            assert row["is_direct_quote"] == str(statement["is_direct_quote"]).lower()
            assert row["stated_on"] == (statement["stated_on"] or "")
            assert row["events"] == "; ".join(
                f"{about['event']['title']} ({about['stance']})" for about in statement["events"]
            )
            assert row["quotes"] == "; ".join(c["quote"] for c in statement["citations"])

    def test_related_route_exports_too(self, client, article):
        speaker = client.get("/v1/statements?page_size=1").get_json()[0]["speaker_id"]

        response = client.get(f"/v1/actors/{speaker}/statements", headers={"Accept": "text/csv"})

        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert rows
        assert {row["speaker_id"] for row in rows} == {speaker}


def list_all(client, path, query=""):
    """Every record of a collection the query selects, as JSON, following the pages."""
    records, page = [], 1
    while True:
        response = client.get(f"{path}?{query}&page={page}&page_size=500")
        records += response.get_json()
        if page >= json.loads(response.headers["X-Pagination"]).get("last_page", 1):
            return records
        page += 1


class TestCollectionsCSV(ReadsTheArticle):
    """Actors, locations and sources export as CSV as events and statements do."""

    @pytest.mark.parametrize(
        ("path", "query", "headers"),
        [
            pytest.param("/v1/actors", "format=csv", {}, id="actors"),
            pytest.param("/v1/actors", "country=AZE,ARM&sort=-name", {"Accept": "text/csv"},
                         id="actors-filtered-by-accept"),
            pytest.param("/v1/locations", "format=csv", {}, id="locations"),
            pytest.param("/v1/locations", "format=csv&kind=city,town,facility", {},
                         id="locations-filtered"),
            pytest.param("/v1/sources", "format=csv", {}, id="sources"),
        ],
    )
    def test_every_record_in_the_order_of_the_json(self, client, article, path, query, headers):
        response = client.get(f"{path}?{query}", headers=headers)

        rows = csv_rows(response)
        records = list_all(client, path, query.replace("format=csv", ""))
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert [row["id"] for row in rows] == [record["id"] for record in records]
        assert rows
        for row, record in zip(rows, records, strict=True):
            for name in ("name", "kind", "country", "title", "publisher", "language"):
                if name in record:
                    assert row[name] == (record[name] or ""), name
            if "aliases" in record:
                assert row["aliases"] == "; ".join(record["aliases"])
            if "parent" in record:
                assert row["parent_name"] == ((record["parent"] or {}).get("name") or "")
            if "body" in record:
                assert row["body"] == record["body"]

    def test_a_q_export_has_what_the_list_finds(self, client, article):
        rows = csv_rows(client.get("/v1/actors?format=csv&q=aliyev"))

        assert [row["name"] for row in rows] == ["Ilham Aliyev"]

    @pytest.mark.parametrize("path", ["/v1/actors", "/v1/locations", "/v1/sources"])
    @pytest.mark.parametrize("paging", ["page=2", "cursor="])
    def test_refuses_paging(self, client, path, paging):
        assert_problem(client.get(f"{path}?format=csv&{paging}"), 422, "format")


class TestCollectionsCSVAtLength:
    def test_an_export_reaches_every_row(self, client, db):
        for number in range(1200):
            db.execute(
                "INSERT INTO actors (id, name, kind) VALUES (gen_random_uuid(), %s, 'other')",
                (f"Actor {number:04}",),
            )

        rows = csv_rows(client.get("/v1/actors?format=csv"))

        assert [row["name"] for row in rows] == [f"Actor {number:04}" for number in range(1200)]
