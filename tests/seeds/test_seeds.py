"""Tests of the seed loader (seeds/loader.py), the `seed` command and the article's seed.

Two seeds are loaded: the article's (seeds/nagorno_karabakh_2020-09-30.yaml) and a
small invented one (tests/seeds/), which must load alone, after the first, and again.
"""

import copy
import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml
from psycopg import sql

from seeds import loader
from seeds.loader import SeedError, record_id
from tests.helpers import SECOND_SEED, ReadsTheArticle

ARTICLE = loader.ARTICLE_SEED
SECOND = SECOND_SEED
BOTH = [pytest.param(ARTICLE, id="article"), pytest.param(SECOND, id="second-article")]

SECTIONS = ("actors", "locations", "events", "statements")
RECORD_TABLES = ("sources", "actors", "locations", "events", "statements")
# Every table a seed writes: the column naming the record a row belongs to, and its order.
TABLES = {
    "sources": ("id", "id"),
    "actors": ("id", "id"),
    "locations": ("id", "id"),
    "events": ("id", "id"),
    "event_participants": ("event_id", "event_id, position"),
    "statements": ("id", "id"),
    "statement_addressees": ("statement_id", "statement_id, position"),
    "statement_events": ("statement_id", "statement_id, position"),
    "citations": (
        "coalesce(event_id, statement_id)",
        "coalesce(event_id, statement_id), position",
    ),
    "reports": (
        "coalesce(event_id, statement_id)",
        "coalesce(event_id, statement_id), position",
    ),
}
EMPTY = dict.fromkeys(TABLES, 0)
DROP = object()

SHOOT_DOWN = "event/alleged-f16-shoot-down-of-armenian-su25"
SHOOT_DOWN_CLAIM = "statement/armenia-claims-turkish-f16-shot-down-su25"
SHOOT_DOWN_DENIALS = (
    "statement/turkey-denies-shoot-down-claim",
    "statement/armenian-denial-of-shoot-down-claim",
)


# --- Reading seed files --------------------------------------------------------------


def read(path):
    """The seed file at `path`, parsed as the loader parses it (dates stay strings)."""
    return loader.read(path)


def article_text(path):
    """The article a seed file names, exactly as on disk."""
    document = read(path)
    with open(Path(path).parent / document["source"]["file"], encoding="utf-8", newline="") as f:
        return f.read()


def records(document, section):
    return document.get(section) or []


def find(document, section, key):
    if section == "source":
        return document["source"]
    (record,) = [record for record in records(document, section) if record["key"] == key]
    return record


def keys_by_table(document):
    """Every key of the file, by the table its record goes to, sorted."""
    keys = {"sources": [document["source"]["key"]]}
    for section in SECTIONS:
        if records(document, section):
            keys[section] = sorted(record["key"] for record in records(document, section))
    return keys


def expected_counts(document):
    """The rows per table that loading `document` into an empty database makes."""
    events = records(document, "events")
    statements = records(document, "statements")
    return {
        "sources": 1,
        "actors": len(records(document, "actors")),
        "locations": len(records(document, "locations")),
        "events": len(events),
        "event_participants": sum(len(event.get("participants") or []) for event in events),
        "statements": len(statements),
        "statement_addressees": sum(len(s.get("addressees") or []) for s in statements),
        "statement_events": sum(len(s.get("events") or []) for s in statements),
        "citations": sum(len(quotes(r)) for r in events + statements),
        "reports": sum(len({source for source, _ in quotes(r)}) for r in events + statements),
    }


def quotes(record):
    """The (source key, quote) pairs of a record of the file, from its citations or its
    reports (None for the file's source)."""
    if "reports" in record:
        return [
            (report.get("source"), quote)
            for report in record["reports"]
            for quote in report["quotes"]
        ]
    return [(c.get("source"), c["quote"]) for c in record.get("citations") or []]


def links_in_file(document):
    """Every reference the file makes, as the ids it should become."""

    def ref(key):
        return None if key is None else record_id(key)

    source = document["source"]["key"]
    actors, locations = records(document, "actors"), records(document, "locations")
    events, statements = records(document, "events"), records(document, "statements")
    return {
        "actors.parent_id": {(ref(a["key"]), ref(a.get("parent"))) for a in actors},
        "locations.parent_id": {(ref(loc["key"]), ref(loc.get("parent"))) for loc in locations},
        "events.location_id": {(ref(e["key"]), ref(e.get("location"))) for e in events},
        "event_participants": {
            (ref(e["key"]), index, ref(p["actor"]), p["role"])
            for e in events
            for index, p in enumerate(e.get("participants") or [])
        },
        "statements.speaker_id": {(ref(s["key"]), ref(s["speaker"])) for s in statements},
        "statement_addressees": {
            (ref(s["key"]), index, ref(actor))
            for s in statements
            for index, actor in enumerate(s.get("addressees") or [])
        },
        "statement_events": {
            (ref(s["key"]), index, ref(about["event"]), about["stance"])
            for s in statements
            for index, about in enumerate(s.get("events") or [])
        },
        "citations": {
            (ref(r["key"]), index, ref(quoted or source), quote)
            for r in events + statements
            for index, (quoted, quote) in enumerate(quotes(r))
        },
    }


LINK_QUERIES = {
    "actors.parent_id": "SELECT id, parent_id FROM actors",
    "locations.parent_id": "SELECT id, parent_id FROM locations",
    "events.location_id": "SELECT id, location_id FROM events",
    "event_participants": "SELECT event_id, position, actor_id, role FROM event_participants",
    "statements.speaker_id": "SELECT id, speaker_id FROM statements",
    "statement_addressees": "SELECT statement_id, position, actor_id FROM statement_addressees",
    "statement_events": "SELECT statement_id, position, event_id, stance FROM statement_events",
    "citations": "SELECT coalesce(event_id, statement_id), position, source_id, quote"
    " FROM citations",
}


def links_in_db(db):
    return {
        name: {tuple(row.values()) for row in db.execute(query)}
        for name, query in LINK_QUERIES.items()
    }


def write_seed(directory, document, original=ARTICLE):
    """Write `document` as a seed file in `directory`, with its article beside it."""
    article = document["source"]["file"]
    shutil.copyfile(Path(original).parent / article, directory / article)
    path = directory / "seed.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def edited(section, key, **changes):
    """A function that applies `changes` (DROP removes a field) to one record of a document."""

    def edit(document):
        record = find(document, section, key)
        for name, value in changes.items():
            if value is DROP:
                del record[name]
            else:
                record[name] = value

    return edit


# --- Reading the database ------------------------------------------------------------


def counts(db):
    return {
        table: db.execute(
            sql.SQL("SELECT count(*) AS n FROM {}").format(sql.Identifier(table))
        ).fetchone()["n"]
        for table in TABLES
    }


def snapshot(db, owners=None):
    """Every row of every table the seeds write, in a fixed order.

    With `owners`, only the rows of the records with those ids.
    """
    rows = {}
    for table, (owner, order) in TABLES.items():
        where = sql.SQL("")
        if owners is not None:
            where = sql.SQL(" WHERE {} = ANY(%(owners)s)").format(sql.SQL(owner))
        query = sql.SQL("SELECT * FROM {}{} ORDER BY {}").format(
            sql.Identifier(table), where, sql.SQL(order)
        )
        rows[table] = db.execute(query, {"owners": owners}).fetchall()
    return rows


def stamps(db):
    """(created_at, updated_at) of every record, by id."""
    return {
        row["id"]: (row["created_at"], row["updated_at"])
        for table in RECORD_TABLES
        for row in db.execute(
            sql.SQL("SELECT id, created_at, updated_at FROM {}").format(sql.Identifier(table))
        )
    }


def ids_of(document):
    return [record_id(key) for keys in keys_by_table(document).values() for key in keys]


def sorted_keys(outcome):
    return {table: sorted(keys) for table, keys in outcome.items()}


def run_seed(app, *args):
    """Run `flask --app api seed ARGS` on the test's database."""
    return app.test_cli_runner().invoke(args=["seed", *args])


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def get_all(client, path):
    return get(client, f"{path}?page_size=500")


# --- The article loads ---------------------------------------------------------------


class TestLoading:
    """Loading a seed into an empty database creates exactly the file's records."""

    @pytest.mark.parametrize("path", BOTH)
    def test_every_record_is_created(self, db, path):
        report = loader.load(db, path)

        assert sorted_keys(report.created) == keys_by_table(read(path))
        assert report.updated == {}
        assert report.unchanged == {}
        assert report.changed

    @pytest.mark.parametrize("path", BOTH)
    def test_rows_per_table_match_the_file(self, db, path):
        loader.load(db, path)

        assert counts(db) == expected_counts(read(path))

    @pytest.mark.parametrize(
        ("path", "published_on"),
        [
            pytest.param(ARTICLE, date(2020, 9, 30), id="article"),
            pytest.param(SECOND, date(2021, 3, 14), id="second-article"),
        ],
    )
    def test_source_is_the_article_verbatim(self, db, path, published_on):
        loader.load(db, path)
        source = read(path)["source"]

        (row,) = db.execute("SELECT * FROM sources").fetchall()
        server_set = ("created_at", "updated_at", "search")
        assert {k: v for k, v in row.items() if k not in server_set} == {
            "id": record_id(source["key"]),
            "title": source["title"],
            "url": None,
            "publisher": None,
            "published_on": published_on,
            "language": "en",
            "body": article_text(path),
            "notes": source["notes"],
        }

    def test_article_body_is_the_files_bytes(self, db):
        loader.load(db, ARTICLE)

        body = db.execute("SELECT body FROM sources").fetchone()["body"]
        assert body == (ARTICLE.parent / "000_995e7c05a6babaab.txt").read_bytes().decode("utf-8")
        assert "’" in body
        assert "“" in body

    @pytest.mark.parametrize("path", BOTH)
    def test_references_become_the_ids_of_the_records_named(self, db, path):
        loader.load(db, path)

        assert links_in_db(db) == links_in_file(read(path))


class TestIds:
    """Every record's id is the UUIDv5 of its key, the same on every install."""

    @pytest.mark.parametrize("path", BOTH)
    def test_ids_are_uuid5_of_the_keys(self, db, path):
        loader.load(db, path)

        stored = {
            table: sorted(row["id"] for row in db.execute(f"SELECT id FROM {table}"))
            for table in RECORD_TABLES
        }
        expected = {
            table: sorted(record_id(key) for key in keys_by_table(read(path)).get(table, []))
            for table in RECORD_TABLES
        }
        assert stored == expected

    @pytest.mark.parametrize(
        "key",
        ["source/000_995e7c05a6babaab", "actor/armenia", "statement/aliyev-rejects-talks"],
    )
    def test_record_id_is_uuid5_in_the_fixed_namespace(self, key):
        assert record_id(key) == uuid.uuid5(loader.NAMESPACE, key)
        assert record_id(key).version == 5

    def test_namespace_never_changes(self):
        # Pinned: a different namespace would change every published id.
        assert uuid.UUID("5f0f5d8e-7a43-4c1e-9d36-0c5b8a7e2f61") == loader.NAMESPACE
        assert record_id("source/000_995e7c05a6babaab") == uuid.UUID(
            "71d017b4-cb52-59d2-8715-d1ba14ee2bc9"
        )


class TestReloading:
    """Loading the same file again changes nothing, not even updated_at."""

    @pytest.mark.parametrize("path", BOTH)
    def test_second_load_changes_nothing(self, db, path):
        loader.load(db, path)
        before = snapshot(db)

        report = loader.load(db, path)

        assert snapshot(db) == before
        assert report.created == {}
        assert report.updated == {}
        assert sorted_keys(report.unchanged) == keys_by_table(read(path))
        assert not report.changed

    def test_same_data_written_differently_changes_nothing(self, db, tmp_path):
        """Reformatted, with the defaults spelled out, the file still matches the records."""
        loader.load(db, ARTICLE)
        before = snapshot(db)
        document = read(ARTICLE)
        for actor in records(document, "actors"):
            actor.setdefault("aliases", [])
            actor.setdefault("country", None)
        for event in records(document, "events"):
            event.setdefault("end_date", event["start_date"])
            event.setdefault("fatalities", None)
        for statement in records(document, "statements"):
            statement.setdefault("date_precision", "day")
            statement.setdefault("addressees", [])
            for citation in statement["citations"]:
                citation.setdefault("source", document["source"]["key"])

        report = loader.load(db, write_seed(tmp_path, document))

        assert report.created == {}
        assert report.updated == {}
        assert snapshot(db) == before


class TestCitations:
    """Every citation's offsets slice its source's body to exactly its quote."""

    @pytest.mark.parametrize("path", BOTH)
    def test_offsets_slice_the_body_in_sql(self, db, path):
        loader.load(db, path)

        rows = db.execute(
            """
            SELECT c.quote,
                substr(s.body, c.start_offset + 1, c.end_offset - c.start_offset) AS slice
            FROM citations c JOIN sources s ON s.id = c.source_id
            """
        ).fetchall()
        assert len(rows) == expected_counts(read(path))["citations"]
        assert [row for row in rows if row["slice"] != row["quote"]] == []

    @pytest.mark.parametrize("path", BOTH)
    def test_offsets_slice_the_body_in_the_api(self, db, client, path):
        loader.load(db, path)
        document = read(path)
        bodies = {}

        def body(source_id):
            if source_id not in bodies:
                bodies[source_id] = get(client, f"/v1/sources/{source_id}")["body"]
            return bodies[source_id]

        cited = []
        for resource in ("events", "statements"):
            listed = get_all(client, f"/v1/{resource}")
            assert len(listed) == len(records(document, resource))
            cited += [
                (record["id"], citation) for record in listed for citation in record["citations"]
            ]
        assert len(cited) == expected_counts(document)["citations"]
        wrong = [
            (owner, citation)
            for owner, citation in cited
            if body(citation["source_id"])[citation["start"] : citation["end"]] != citation["quote"]
        ]
        assert wrong == []

    @pytest.mark.parametrize("path", BOTH)
    def test_every_event_and_statement_is_cited(self, db, path):
        loader.load(db, path)

        uncited = db.execute(
            """
            SELECT 'event' AS kind, id FROM events e
            WHERE NOT EXISTS (SELECT 1 FROM citations c WHERE c.event_id = e.id)
            UNION ALL
            SELECT 'statement', id FROM statements s
            WHERE NOT EXISTS (SELECT 1 FROM citations c WHERE c.statement_id = s.id)
            """
        ).fetchall()
        assert uncited == []

    @pytest.mark.parametrize("path", BOTH)
    def test_every_quote_occurs_once_in_its_article(self, path):
        """A convention of the seeds: a unique quote has only one place to point to."""
        document = read(path)
        text = article_text(path)

        occurrences = {
            quote: text.count(quote)
            for section in ("events", "statements")
            for record in records(document, section)
            for _, quote in quotes(record)
        }
        assert {quote: n for quote, n in occurrences.items() if n != 1} == {}


class TestEditing:
    """Editing one record of the file and loading it again updates that record only."""

    @pytest.mark.parametrize(
        ("section", "key", "field", "value"),
        [
            pytest.param(
                "source", "source/000_995e7c05a6babaab", "notes", "Edited.", id="source-notes"
            ),
            pytest.param("actors", "actor/turkey", "description", "Edited.", id="actor"),
            pytest.param("actors", "actor/turkey", "description", DROP, id="actor-drop-field"),
            pytest.param(
                "locations", "location/tartar", "aliases", ["Terter", "Tərtər"], id="location"
            ),
            pytest.param(
                "events",
                "event/alleged-shelling-of-tartar",
                "summary",
                "Armenian forces shelled Tartar, Azerbaijan's Defense Ministry said.",
                id="event",
            ),
            pytest.param(
                "statements",
                "statement/turkey-denies-shoot-down-claim",
                "text",
                "Turkey denied the claims.",
                id="statement",
            ),
        ],
    )
    def test_edit_updates_exactly_that_record(self, db, tmp_path, section, key, field, value):
        loader.load(db, ARTICLE)
        before = stamps(db)
        document = read(ARTICLE)
        edited(section, key, **{field: value})(document)
        table = "sources" if section == "source" else section

        report = loader.load(db, write_seed(tmp_path, document))

        assert report.created == {}
        assert report.updated == {table: [key]}
        after = stamps(db)
        changed = {record for record in before if after[record][1] != before[record][1]}
        assert changed == {record_id(key)}
        assert {record: created for record, (created, _) in after.items()} == {
            record: created for record, (created, _) in before.items()
        }
        stored = db.execute(
            sql.SQL("SELECT {} AS value FROM {} WHERE id = %(id)s").format(
                sql.Identifier(field), sql.Identifier(table)
            ),
            {"id": record_id(key)},
        ).fetchone()["value"]
        assert stored == (None if value is DROP else value)

    def test_edited_stance_replaces_the_statements_links(self, db, tmp_path):
        loader.load(db, ARTICLE)
        document = read(ARTICLE)
        key = "statement/turkey-denies-shoot-down-claim"
        find(document, "statements", key)["events"] = [{"event": SHOOT_DOWN, "stance": "refers_to"}]

        report = loader.load(db, write_seed(tmp_path, document))

        assert report.updated == {"statements": [key]}
        rows = db.execute(
            "SELECT event_id, stance FROM statement_events WHERE statement_id = %(id)s",
            {"id": record_id(key)},
        ).fetchall()
        assert rows == [{"event_id": record_id(SHOOT_DOWN), "stance": "refers_to"}]


class TestDryRun:
    """A dry run validates everything, reports what it would do and writes nothing."""

    @pytest.mark.parametrize("path", BOTH)
    def test_loader_dry_run_writes_nothing(self, db, path):
        report = loader.load(db, path, dry_run=True)

        assert counts(db) == EMPTY
        assert sorted_keys(report.created) == keys_by_table(read(path))
        assert report.updated == {}

    def test_dry_run_of_an_edit_reports_it_and_keeps_the_old_record(self, db, tmp_path):
        loader.load(db, ARTICLE)
        before = snapshot(db)
        document = read(ARTICLE)
        edited("actors", "actor/turkey", description="Edited.")(document)

        report = loader.load(db, write_seed(tmp_path, document), dry_run=True)

        assert report.updated == {"actors": ["actor/turkey"]}
        assert report.created == {}
        assert snapshot(db) == before

    def test_cli_dry_run_writes_nothing(self, app, db):
        total = sum(expected_counts(read(ARTICLE))[t] for t in RECORD_TABLES)

        result = run_seed(app, "--dry-run")

        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == f"{total} created, 0 updated, 0 unchanged"
        assert len(lines) == 1 + total + 1
        assert lines[-1] == "Dry run: nothing was written."
        assert counts(db) == EMPTY

    def test_cli_seed_loads_the_article_then_changes_nothing(self, app, db):
        document = read(ARTICLE)
        total = sum(expected_counts(document)[t] for t in RECORD_TABLES)
        first = run_seed(app)
        second = run_seed(app)

        assert first.exit_code == 0, first.output
        assert first.output.splitlines()[0] == f"{total} created, 0 updated, 0 unchanged"
        assert "  created actor/armenia" in first.output.splitlines()
        assert counts(db) == expected_counts(document)
        assert second.exit_code == 0, second.output
        assert second.output == f"0 created, 0 updated, {total} unchanged\n"

    def test_cli_seed_file(self, app, db):
        result = run_seed(app, str(SECOND))

        assert result.exit_code == 0, result.output
        assert counts(db) == expected_counts(read(SECOND))


# --- Failures ------------------------------------------------------------------------


def last_statement(document):
    return records(document, "statements")[-1]


def break_last_statement(document):
    last_statement(document)["speaker"] = "actor/nobody"


def append_copy(section, key, as_section=None):
    def edit(document):
        record = copy.deepcopy(find(document, section, key))
        document[as_section or section].append(record)

    return edit


def edit_participant(document):
    find(document, "events", "event/alleged-shelling-of-tartar")["participants"][0]["actor"] = (
        "actor/nobody"
    )


def edit_quote(document):
    event = find(document, "events", "event/alleged-shelling-of-tartar")
    event["citations"][0]["quote"] = "Armenian forces denied shelling Tartar"


def drop_quote(document):
    del find(document, "events", "event/alleged-shelling-of-tartar")["citations"][0]["quote"]


def edit_citation_source(document):
    event = find(document, "events", "event/alleged-shelling-of-tartar")
    event["citations"][0]["source"] = "source/elsewhere"


FAILURES = [
    # (how the file is broken, the record key and the field the message must name)
    pytest.param(
        edit_participant,
        "event/alleged-shelling-of-tartar",
        "participants.0.actor",
        id="unknown-participant",
    ),
    pytest.param(
        edited("events", "event/alleged-shelling-of-tartar", location="location/atlantis"),
        "event/alleged-shelling-of-tartar",
        "location",
        id="unknown-location",
    ),
    pytest.param(
        edited("actors", "actor/nikol-pashinyan", parent="actor/nobody"),
        "actor/nikol-pashinyan",
        "parent",
        id="unknown-parent",
    ),
    pytest.param(
        edit_citation_source,
        "event/alleged-shelling-of-tartar",
        "citations.0.source",
        id="unknown-citation-source",
    ),
    pytest.param(
        edited("events", "event/alleged-shelling-of-tartar", event_type="ATTACK"),
        "event/alleged-shelling-of-tartar",
        "event_type",
        id="bad-event-type",
    ),
    pytest.param(
        edited("events", "event/unsc-calls-for-halt-to-hostilities", mode="aerial"),
        "event/unsc-calls-for-halt-to-hostilities",
        "mode",
        id="mode-of-another-type",
    ),
    pytest.param(
        edit_quote,
        "event/alleged-shelling-of-tartar",
        "citations.0.quote",
        id="quote-not-in-text",
    ),
    pytest.param(
        edited("events", "event/alleged-shelling-of-tartar", start_date="2020-09-31"),
        "event/alleged-shelling-of-tartar",
        "start_date",
        id="date-2020-09-31",
    ),
    pytest.param(
        edited("statements", "statement/aliyev-rejects-talks", stated_on="yesterday"),
        "statement/aliyev-rejects-talks",
        "stated_on",
        id="date-yesterday",
    ),
    pytest.param(
        edited("source", "source/000_995e7c05a6babaab", published_on="yesterday"),
        "source/000_995e7c05a6babaab",
        "published_on",
        id="source-date-yesterday",
    ),
    pytest.param(
        edited("actors", "actor/turkey", kind=DROP),
        "actor/turkey",
        "kind",
        id="missing-kind",
    ),
    pytest.param(
        drop_quote,
        "event/alleged-shelling-of-tartar",
        "citations.0.quote",
        id="missing-quote",
    ),
    pytest.param(
        edited("actors", "actor/turkey", nickname="Türkiye"),
        "actor/turkey",
        "nickname",
        id="unknown-field",
    ),
    pytest.param(append_copy("actors", "actor/turkey"), "actor/turkey", "key", id="duplicate-key"),
    pytest.param(
        append_copy("actors", "actor/turkey", as_section="locations"),
        "actor/turkey",
        "key",
        id="duplicate-key-across-sections",
    ),
    pytest.param(
        edited("actors", "actor/armenia", parent="actor/nikol-pashinyan"),
        "actor/armenia",
        "parent",
        id="parent-cycle",
    ),
    pytest.param(
        edited("locations", "location/yerevan", parent="location/yerevan"),
        "location/yerevan",
        "parent",
        id="own-parent",
    ),
    pytest.param(
        edited("actors", "actor/armenian-government", parent=["actor/armenia"]),
        "actor/armenian-government",
        "parent",
        id="parent-not-a-key",
    ),
    pytest.param(
        break_last_statement,
        "statement/minsk-group-co-chairs-no-alternative-to-peaceful-solution",
        "speaker",
        id="last-statement",
    ),
]

# The cases also run through `flask --app api seed FILE`.
CLI_CASES = {
    "unknown-participant",
    "bad-event-type",
    "date-yesterday",
    "parent-cycle",
    "parent-not-a-key",
    "last-statement",
}
CLI_FAILURES = [case for case in FAILURES if case.id in CLI_CASES]


class TestFailures:
    """A broken file fails with its path, the record's key and the field, and writes nothing."""

    @pytest.mark.parametrize(("breaks", "key", "field"), FAILURES)
    def test_broken_file_names_the_record_and_writes_nothing(
        self, db, tmp_path, breaks, key, field
    ):
        document = read(ARTICLE)
        breaks(document)
        path = write_seed(tmp_path, document)

        with pytest.raises(SeedError) as caught:
            loader.load(db, path)

        assert str(caught.value).startswith(f"{path}: {key}: {field}: "), caught.value
        assert counts(db) == EMPTY

    def test_the_last_statement_is_last(self):
        # The "last-statement" case above fails after every other record was written.
        assert last_statement(read(ARTICLE))["key"] == (
            "statement/minsk-group-co-chairs-no-alternative-to-peaceful-solution"
        )

    def test_failure_leaves_earlier_loads_as_they_were(self, db, tmp_path):
        loader.load(db, SECOND)
        before = snapshot(db)
        document = read(ARTICLE)
        break_last_statement(document)

        with pytest.raises(SeedError):
            loader.load(db, write_seed(tmp_path, document))

        assert snapshot(db) == before

    def test_failed_reload_keeps_no_edit(self, db, tmp_path):
        loader.load(db, ARTICLE)
        before = snapshot(db)
        document = read(ARTICLE)
        edited("actors", "actor/turkey", description="Edited.")(document)
        break_last_statement(document)

        with pytest.raises(SeedError):
            loader.load(db, write_seed(tmp_path, document))

        assert snapshot(db) == before

    def test_url_of_another_source(self, db, tmp_path):
        db.execute(
            "INSERT INTO sources (id, title, body, url) VALUES (%(id)s, 'Other', 'Other text.',"
            " 'https://example.org/news/clashes')",
            {"id": uuid.uuid4()},
        )
        before = snapshot(db)
        document = read(ARTICLE)
        document["source"]["url"] = "https://example.org/news/clashes"
        path = write_seed(tmp_path, document)

        with pytest.raises(SeedError) as caught:
            loader.load(db, path)

        assert str(caught.value).startswith(f"{path}: source/000_995e7c05a6babaab: url: ")
        assert snapshot(db) == before

    def test_article_file_missing(self, db, tmp_path):
        document = read(ARTICLE)
        path = write_seed(tmp_path, document)
        (tmp_path / document["source"]["file"]).unlink()

        with pytest.raises(SeedError) as caught:
            loader.load(db, path)

        assert str(caught.value).startswith(f"{path}: source/000_995e7c05a6babaab: file: ")
        assert counts(db) == EMPTY

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            pytest.param("format: 2\n", "not a seed file of format 1.", id="format-2"),
            pytest.param("- format: 1\n", "not a seed file of format 1.", id="a-list"),
            pytest.param("format: [1\n", "cannot read: ", id="not-yaml"),
        ],
    )
    def test_not_a_seed_file(self, db, tmp_path, content, problem):
        path = tmp_path / "seed.yaml"
        path.write_text(content, encoding="utf-8")

        with pytest.raises(SeedError) as caught:
            loader.load(db, path)

        assert str(caught.value).startswith(f"{path}: {problem}"), caught.value
        assert counts(db) == EMPTY

    @pytest.mark.parametrize(("breaks", "key", "field"), CLI_FAILURES)
    def test_cli_reports_the_problem_without_a_traceback(
        self, app, db, tmp_path, breaks, key, field
    ):
        document = read(ARTICLE)
        breaks(document)
        path = write_seed(tmp_path, document)

        result = run_seed(app, str(path))

        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)
        assert result.stdout == ""
        assert result.stderr.startswith(f"Error: {path}: {key}: {field}: "), result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.output
        assert counts(db) == EMPTY


# --- The article, read back ----------------------------------------------------------


def event_citing(client, words):
    """The one event with a citation containing `words`."""
    (event,) = [
        event
        for event in get_all(client, "/v1/events")
        if any(words in citation["quote"] for citation in event["citations"])
    ]
    return event


class TestArticleReadsRight(ReadsTheArticle):
    """Spot checks, through the API, that the records say what the article says."""

    def test_shoot_down_claim_is_a_disputed_event(self, client):
        event = get(client, f"/v1/events/{record_id(SHOOT_DOWN)}")

        assert event["certainty"] == "disputed"
        assert (event["event_type"], event["mode"]) == ("ASSAULT", "aerial")
        assert [(p["actor"]["name"], p["role"]) for p in event["participants"]] == [
            ("Turkey", "initiator"),
            ("Armenia", "target"),
        ]

    @pytest.mark.parametrize(
        ("key", "speaker", "statement_type", "stance"),
        [
            pytest.param(SHOOT_DOWN_CLAIM, "Armenia", "claim", "asserts", id="armenia-claims"),
            pytest.param(SHOOT_DOWN_DENIALS[0], "Turkey", "denial", "denies", id="turkey-denies"),
            pytest.param(
                SHOOT_DOWN_DENIALS[1], "Armenia", "denial", "denies", id="armenian-denies"
            ),
        ],
    )
    def test_claim_and_denials_link_to_the_shoot_down(
        self, client, key, speaker, statement_type, stance
    ):
        statement = get(client, f"/v1/statements/{record_id(key)}")

        assert statement["speaker"]["name"] == speaker
        assert statement["statement_type"] == statement_type
        (about,) = [e for e in statement["events"] if e["event_id"] == str(record_id(SHOOT_DOWN))]
        assert about["stance"] == stance
        assert about["event"]["certainty"] == "disputed"

    def test_statements_on_the_shoot_down_in_sql(self, db):
        rows = db.execute(
            "SELECT statement_id, stance FROM statement_events WHERE event_id = %(id)s",
            {"id": record_id(SHOOT_DOWN)},
        ).fetchall()

        assert {(row["statement_id"], row["stance"]) for row in rows} == {
            (record_id(SHOOT_DOWN_CLAIM), "asserts"),
            (record_id(SHOOT_DOWN_DENIALS[0]), "denies"),
            (record_id(SHOOT_DOWN_DENIALS[1]), "denies"),
        }

    def test_tartar_is_also_terter_and_the_dugout_is_there(self, client):
        tartar = get(client, f"/v1/locations/{record_id('location/tartar')}")
        dugout = event_citing(client, "dugout")

        assert (tartar["name"], tartar["aliases"], tartar["country"]) == (
            "Tartar",
            ["Terter"],
            "AZE",
        )
        assert dugout["location_id"] == tartar["id"]
        assert dugout["location"]["name"] == "Tartar"
        assert dugout["start_date"] == "2020-09-30"

    def test_fighting_broke_out_on_sunday_27_september(self, client):
        outbreak = event_citing(client, "broke out Sunday")

        assert outbreak["start_date"] == "2020-09-27"
        assert outbreak["date_precision"] == "day"

    def test_dozens_killed_is_a_range(self, client):
        fatalities = event_citing(client, "Dozens of people have been killed")["fatalities"]

        assert fatalities["high"] is None or fatalities["low"] < fatalities["high"]
        # "Dozens": at least two dozen.
        assert fatalities["low"] >= 24

    def test_hundreds_injured_is_a_range(self, client):
        injuries = event_citing(client, "hundreds of others injured")["injuries"]

        assert injuries["high"] is None or injuries["low"] < injuries["high"]
        assert injuries["low"] >= 200

    def test_security_council_makes_an_appeal(self, client):
        council = str(record_id("actor/un-security-council"))

        (statement,) = [s for s in get_all(client, "/v1/statements") if s["speaker_id"] == council]
        assert statement["statement_type"] == "appeal"
        assert statement["stated_on"] == "2020-09-29"
        assert {e["event"]["event_type"] for e in statement["events"]} == {"REQUEST", "ASSAULT"}


# --- The second article --------------------------------------------------------------


class TestSecondArticle:
    """The second seed loads alone (see the "second-article" cases above) and with the first."""

    def test_loads_after_the_first_without_touching_it(self, db):
        loader.load(db, ARTICLE)
        first = snapshot(db)

        report = loader.load(db, SECOND)

        assert sorted_keys(report.created) == keys_by_table(read(SECOND))
        assert report.updated == {}
        assert report.unchanged == {}
        both = {
            table: n + expected_counts(read(SECOND))[table]
            for table, n in expected_counts(read(ARTICLE)).items()
        }
        assert counts(db) == both
        assert snapshot(db, ids_of(read(ARTICLE))) == first

    def test_first_loads_after_the_second(self, db):
        loader.load(db, SECOND)
        second = snapshot(db)

        report = loader.load(db, ARTICLE)

        assert sorted_keys(report.created) == keys_by_table(read(ARTICLE))
        assert snapshot(db, ids_of(read(SECOND))) == second

    def test_reloading_either_after_both_changes_nothing(self, db):
        loader.load(db, ARTICLE)
        loader.load(db, SECOND)
        before = snapshot(db)

        reports = [loader.load(db, SECOND), loader.load(db, ARTICLE)]

        assert [report.changed for report in reports] == [False, False]
        assert snapshot(db) == before

    def test_keys_do_not_clash(self):
        first = {key for keys in keys_by_table(read(ARTICLE)).values() for key in keys}
        second = {key for keys in keys_by_table(read(SECOND)).values() for key in keys}

        assert first & second == set()

    def test_a_parent_listed_after_its_child_is_written_first(self, db):
        loader.load(db, SECOND)

        row = db.execute(
            "SELECT p.name FROM actors a JOIN actors p ON p.id = a.parent_id WHERE a.id = %(id)s",
            {"id": record_id("actor/ilse-varenko")},
        ).fetchone()
        assert row == {"name": "Estravia"}
