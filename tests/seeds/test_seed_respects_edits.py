"""The seed loader never overrides people (seeds/loader.py): what they edited or deleted
since a load is kept and reported, unless --force; a seed may name records by id.

The small invented seed (tests/seeds/sarvan_ceasefire_2021-03-14.yaml) is loaded,
changed over HTTP as an analyst would, and loaded again, as `make run` does at
every start.
"""

import uuid
from pathlib import Path

import pytest
import yaml

from api import serve
from api.web import ratelimit
from seeds import loader
from seeds.loader import SeedError, record_id
from tests.helpers import actor_body, create, location_body

SEED = Path(__file__).resolve().parent / "sarvan_ceasefire_2021-03-14.yaml"
AUTHOR = f"seed:{SEED.name}"
CEASEFIRE = "event/sarvan-ceasefire"
SHELLING = "event/alleged-shelling-of-kalmora"
ANNOUNCEMENT = "statement/varenko-announces-ceasefire"
ACCUSATION = "statement/norvania-accuses-estravian-forces-of-shelling"
RECORDS = 11


def path_of(key):
    collection = {"event": "events", "statement": "statements", "actor": "actors"}
    kind = key.split("/")[0]
    return f"/v1/{collection.get(kind, kind + 's')}/{record_id(key)}"


def edited_copy(tmp_path, change):
    """A copy of the seed file, next to its article, with `change(document)` applied."""
    document = loader.read(SEED)
    change(document)
    copy = tmp_path / SEED.name
    copy.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    (tmp_path / document["source"]["file"]).write_bytes(
        (SEED.parent / document["source"]["file"]).read_bytes()
    )
    return copy


def record_of(document, key):
    for section in ("actors", "locations", "events", "statements"):
        for record in document.get(section) or []:
            if record["key"] == key:
                return record
    raise KeyError(key)


def change_record(key, **fields):
    def change(document):
        record_of(document, key).update(fields)

    return change


def history(db, key):
    return db.execute(
        "SELECT number, operation, author, request_id FROM revisions WHERE record_id = %s"
        " ORDER BY number",
        [record_id(key)],
    ).fetchall()


@pytest.fixture
def loaded(db):
    """The seed, loaded once, as the first `make run` loads it."""
    return loader.load(db, SEED)


class TestLoaderRevisions:
    def test_each_record_loaded_has_a_revision_by_its_file(self, db, loaded):
        rows = db.execute("SELECT operation, author, request_id FROM revisions").fetchall()

        assert len(rows) == RECORDS
        assert {(r["operation"], r["author"], r["request_id"]) for r in rows} == {
            ("create", AUTHOR, None)
        }

    def test_loading_again_writes_no_revision(self, db, loaded):
        report = loader.load(db, SEED)

        assert report.summary() == f"0 created, 0 updated, {RECORDS} unchanged"
        assert db.execute("SELECT count(*) AS n FROM revisions").fetchone()["n"] == RECORDS

    def test_an_edit_of_the_file_updates_what_people_left_alone(self, db, tmp_path, loaded):
        report = loader.load(db, edited_copy(tmp_path, change_record(CEASEFIRE, notes="Edited.")))

        assert report.updated == {"events": [CEASEFIRE]}
        assert [(r["number"], r["operation"], r["author"]) for r in history(db, CEASEFIRE)] == [
            (1, "create", AUTHOR),
            (2, "update", AUTHOR),
        ]


class TestPeopleAreNeverOverridden:
    def test_an_edited_record_is_kept_and_reported(self, client, db, loaded):
        assert client.patch(path_of(CEASEFIRE), json={"summary": "Mine."}).status_code == 200

        report = loader.load(db, SEED)

        assert report.edited == {"events": [CEASEFIRE]}
        assert report.updated == {}
        assert report.summary() == (
            f"0 created, 0 updated, {RECORDS - 1} unchanged, 1 kept (edited since it was loaded)"
        )
        assert list(report.lines())[-1] == f"  kept {CEASEFIRE}: edited since it was loaded"
        assert client.get(path_of(CEASEFIRE)).get_json()["summary"] == "Mine."

    def test_a_report_people_edited_is_kept_and_its_figures_too(self, client, db, tmp_path, loaded):
        """An analyst adds what the source says of the toll: a report of the file gets
        figures. Loading a file that now gives the report other figures keeps theirs."""
        shelling = client.get(path_of(SHELLING)).get_json()
        reports = [
            {
                "source_id": report["source_id"],
                "quotes": [{"quote": quote["quote"]} for quote in report["quotes"]],
                "fatalities": {"low": 2, "best": 3, "high": 4},
            }
            for report in shelling["reports"]
        ]
        response = client.patch(path_of(SHELLING), json={"reports": reports})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["fatalities"]["best"] == 3

        def with_figures(document):
            record = record_of(document, SHELLING)
            quotes = [citation["quote"] for citation in record.pop("citations")]
            record["reports"] = [{"quotes": quotes, "fatalities": {"low": 1, "high": 1}}]

        report = loader.load(db, edited_copy(tmp_path, with_figures))

        assert report.edited == {"events": [SHELLING]}
        kept = client.get(path_of(SHELLING)).get_json()
        assert kept["reports"][0]["fatalities"] == {
            "low": 2,
            "best": 3,
            "high": 4,
            "civilians": None,
        }
        assert kept["fatalities"]["best"] == 3

    def test_reports_of_the_file_load_and_reload_unchanged(self, client, db, tmp_path, loaded):
        def with_figures(document):
            record = record_of(document, SHELLING)
            quotes = [citation["quote"] for citation in record.pop("citations")]
            record["reports"] = [{"quotes": quotes, "fatalities": {"low": 1, "best": 1, "high": 2}}]

        copy = edited_copy(tmp_path, with_figures)
        first = loader.load(db, copy)
        again = loader.load(db, copy)

        assert first.updated == {"events": [SHELLING]}
        assert again.updated == {} and again.edited == {}
        shelling = client.get(path_of(SHELLING)).get_json()
        assert shelling["fatalities"] == {"low": 1, "best": 1, "high": 2, "civilians": None}
        assert shelling["figures_set_by_hand"] is False

    def test_a_deleted_record_stays_deleted(self, client, db, loaded):
        assert client.delete(path_of(ANNOUNCEMENT)).status_code == 204

        report = loader.load(db, SEED)

        assert report.deleted == {"statements": [ANNOUNCEMENT]}
        assert report.summary() == f"0 created, 0 updated, {RECORDS - 1} unchanged, 1 kept deleted"
        assert list(report.kept_lines()) == [f"  kept deleted {ANNOUNCEMENT}"]
        assert client.get(path_of(ANNOUNCEMENT)).status_code == 404

    def test_an_edit_of_the_file_leaves_a_record_people_edited(self, client, db, tmp_path, loaded):
        client.patch(path_of(CEASEFIRE), json={"summary": "Mine."})
        both = edited_copy(
            tmp_path,
            lambda document: (
                change_record(CEASEFIRE, notes="From the file.")(document),
                change_record(SHELLING, notes="From the file.")(document),
            ),
        )

        report = loader.load(db, both)

        assert (report.updated, report.edited) == ({"events": [SHELLING]}, {"events": [CEASEFIRE]})
        ceasefire = client.get(path_of(CEASEFIRE)).get_json()
        assert (ceasefire["summary"], ceasefire["notes"]) == ("Mine.", None)
        assert client.get(path_of(SHELLING)).get_json()["notes"] == "From the file."

    def test_a_record_restored_to_what_was_loaded_is_the_loaders_again(
        self, client, db, tmp_path, loaded
    ):
        client.patch(path_of(CEASEFIRE), json={"summary": "A mistake."})
        assert client.post(path_of(CEASEFIRE) + "/revisions/1/restore").status_code == 200

        report = loader.load(db, edited_copy(tmp_path, change_record(CEASEFIRE, notes="New.")))

        assert report.updated == {"events": [CEASEFIRE]}
        assert client.get(path_of(CEASEFIRE)).get_json()["notes"] == "New."

    def test_a_record_kept_may_refer_to_what_people_deleted(self, client, db, loaded):
        """An analyst takes Estravian forces out of the shelling and deletes them: the
        seed, which still names them there, keeps both as the analyst left them."""
        participants = [{"actor_id": str(record_id("actor/norvania")), "role": "target"}]
        client.patch(path_of(SHELLING), json={"participants": participants})
        assert client.delete(path_of("actor/estravian-forces")).status_code == 204

        report = loader.load(db, SEED)

        assert report.edited == {"events": [SHELLING]}
        assert report.deleted == {"actors": ["actor/estravian-forces"]}

    def test_a_record_written_that_refers_to_one_deleted_fails_naming_it(
        self, client, db, tmp_path, loaded
    ):
        client.delete(path_of(ANNOUNCEMENT))
        client.delete(path_of(CEASEFIRE))
        # The file now has the accusation refer to the ceasefire, which stays deleted.
        refer = change_record(
            ACCUSATION,
            events=[
                {"event": SHELLING, "stance": "asserts"},
                {"event": CEASEFIRE, "stance": "refers_to"},
            ],
        )

        with pytest.raises(SeedError) as caught:
            loader.load(db, edited_copy(tmp_path, refer))

        assert str(caught.value).endswith(
            f"{ACCUSATION}: events.1.event: {CEASEFIRE!r} was deleted since it was loaded:"
            f" restore it, or load again with --force {CEASEFIRE}."
        )

    def test_a_record_edited_back_to_what_was_loaded_is_unchanged(self, client, db, loaded):
        original = client.get(path_of(CEASEFIRE)).get_json()["summary"]
        client.patch(path_of(CEASEFIRE), json={"summary": "Briefly mine."})
        client.patch(path_of(CEASEFIRE), json={"summary": original})

        report = loader.load(db, SEED)

        assert report.edited == {}
        assert CEASEFIRE in report.unchanged["events"]

    def test_dry_run_reports_what_it_keeps_and_writes_nothing(self, client, db, loaded):
        client.delete(path_of(ANNOUNCEMENT))
        before = db.execute("SELECT count(*) AS n FROM revisions").fetchone()["n"]

        report = loader.load(db, SEED, dry_run=True, force=[ANNOUNCEMENT])

        assert report.created == {"statements": [ANNOUNCEMENT]}
        assert db.execute("SELECT count(*) AS n FROM revisions").fetchone()["n"] == before
        assert client.get(path_of(ANNOUNCEMENT)).status_code == 404


class TestForce:
    @pytest.fixture
    def changed(self, client, loaded):
        client.patch(path_of(CEASEFIRE), json={"summary": "Mine."})
        client.patch(path_of(SHELLING), json={"summary": "Mine too."})
        client.delete(path_of(ANNOUNCEMENT))

    def test_force_overwrites_everything_and_the_history_keeps_it(self, client, db, changed):
        report = loader.load(db, SEED, force=[loader.ALL])

        assert (report.updated, report.created) == (
            {"events": [CEASEFIRE, SHELLING]},
            {"statements": [ANNOUNCEMENT]},
        )
        assert (report.edited, report.deleted) == ({}, {})
        assert client.get(path_of(CEASEFIRE)).get_json()["summary"].startswith("On Friday")
        assert [(r["operation"], r["author"]) for r in history(db, CEASEFIRE)] == [
            ("create", AUTHOR),
            ("update", "tests"),
            ("update", AUTHOR),
        ]
        replaced = client.get(path_of(CEASEFIRE) + "/revisions/2").get_json()
        assert replaced["state"]["summary"] == "Mine."
        assert [r["operation"] for r in history(db, ANNOUNCEMENT)] == ["create", "delete", "create"]

    def test_force_names_the_records_to_overwrite(self, client, db, changed):
        report = loader.load(db, SEED, force=[SHELLING, ANNOUNCEMENT])

        assert report.updated == {"events": [SHELLING]}
        assert report.created == {"statements": [ANNOUNCEMENT]}
        assert report.edited == {"events": [CEASEFIRE]}

    def test_force_of_a_key_not_in_the_file_is_refused(self, db, changed):
        with pytest.raises(SeedError) as caught:
            loader.load(db, SEED, force=["event/not-in-the-file"])

        assert str(caught.value) == (
            f"{SEED}: --force: no record of this file has the key 'event/not-in-the-file'."
        )

    def test_the_command_reports_kept_records_and_takes_force(self, app, client, changed):
        runner = app.test_cli_runner()

        kept = runner.invoke(args=["seed", str(SEED)])
        forced = runner.invoke(args=["seed", str(SEED), "--force", SHELLING])
        everything = runner.invoke(args=["seed", "--force", "--", str(SEED)])

        assert kept.exit_code == 0, kept.output
        assert kept.output.splitlines() == [
            f"0 created, 0 updated, {RECORDS - 3} unchanged,"
            " 2 kept (edited since it was loaded), 1 kept deleted",
            f"  kept {CEASEFIRE}: edited since it was loaded",
            f"  kept {SHELLING}: edited since it was loaded",
            f"  kept deleted {ANNOUNCEMENT}",
        ]
        assert forced.output.splitlines()[:2] == [
            f"0 created, 1 updated, {RECORDS - 3} unchanged,"
            " 1 kept (edited since it was loaded), 1 kept deleted",
            f"  updated {SHELLING}",
        ]
        assert everything.output.splitlines()[0] == (
            f"1 created, 1 updated, {RECORDS - 2} unchanged"
        )
        assert client.get(path_of(ANNOUNCEMENT)).status_code == 200


class TestReferencesById:
    def write(self, tmp_path, participants, location):
        """A seed file of one event, naming its actors and place as given."""
        body = "Estravian forces shelled Kalmora again on Monday."
        (tmp_path / "monday.txt").write_text(body, encoding="utf-8")
        document = {
            "format": 1,
            "source": {"key": "source/test-monday", "file": "monday.txt", "title": "Monday"},
            "events": [
                {
                    "key": "event/test-monday-shelling",
                    "title": "Kalmora shelled again",
                    "event_type": "ASSAULT",
                    "start_date": "2021-03-15",
                    "certainty": "reported",
                    "location": location,
                    "participants": participants,
                    "citations": [{"quote": "shelled Kalmora again"}],
                }
            ],
        }
        path = tmp_path / "monday.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    def test_a_seed_builds_on_records_made_over_http(self, client, db, tmp_path):
        actor = create(client, "/v1/actors", actor_body(name="Estravian artillery"))
        place = create(client, "/v1/locations", location_body(name="Kalmora"))
        path = self.write(tmp_path, [{"actor": actor["id"], "role": "initiator"}], place["id"])

        report = loader.load(db, path)

        assert report.created == {
            "sources": ["source/test-monday"],
            "events": ["event/test-monday-shelling"],
        }
        event = client.get(path_of("event/test-monday-shelling")).get_json()
        assert event["participants"][0]["actor"]["name"] == "Estravian artillery"
        assert event["location_id"] == place["id"]

    def test_an_id_no_record_has_is_refused(self, client, db, tmp_path):
        missing = str(uuid.uuid4())
        path = self.write(tmp_path, [{"actor": missing, "role": "initiator"}], None)

        with pytest.raises(SeedError) as caught:
            loader.load(db, path)

        assert str(caught.value) == (
            f"{path}: event/test-monday-shelling: participants.0.actor:"
            f" no actors record has the id {missing}."
        )

    def test_the_id_of_a_record_of_another_kind_is_refused(self, client, db, tmp_path):
        place = create(client, "/v1/locations", location_body())
        path = self.write(tmp_path, [{"actor": place["id"], "role": "initiator"}], None)

        with pytest.raises(SeedError, match=r"participants\.0\.actor: no actors record has the id"):
            loader.load(db, path)


class TestLoadedBeforeRevisions:
    """A database loaded before revisions were kept: its records have no history."""

    @pytest.fixture
    def old(self, db, loaded):
        db.execute("DELETE FROM revisions")

    def test_records_as_loaded_get_their_first_revision(self, db, old):
        report = loader.load(db, SEED)

        assert report.summary() == f"0 created, 0 updated, {RECORDS} unchanged"
        assert [(r["operation"], r["author"]) for r in history(db, CEASEFIRE)] == [
            ("create", AUTHOR)
        ]

    def test_then_an_edit_of_the_file_applies(self, db, tmp_path, old):
        loader.load(db, SEED)

        report = loader.load(db, edited_copy(tmp_path, change_record(CEASEFIRE, notes="New.")))

        assert report.updated == {"events": [CEASEFIRE]}

    def test_a_record_changed_since_is_kept(self, client, db, old):
        db.execute(
            "UPDATE events SET summary = 'Changed before revisions.' WHERE id = %s",
            [record_id(CEASEFIRE)],
        )

        report = loader.load(db, SEED)

        assert report.edited == {"events": [CEASEFIRE]}
        assert history(db, CEASEFIRE) == []
        assert client.get(path_of(CEASEFIRE)).get_json()["summary"] == "Changed before revisions."


class TestMakeRunBanner:
    """make run's banner (api/serve.py) counts and names what the load kept."""

    @pytest.fixture
    def start(self, app, monkeypatch, tmp_path, capsys):
        monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
        monkeypatch.setattr(serve, "TOKEN_FILE", tmp_path / "local-token")
        # The rate-limit table is shared with forked workers; none are forked here.
        monkeypatch.setattr(ratelimit, "share_between_processes", lambda: None)
        monkeypatch.setattr(loader, "ARTICLE_SEED", SEED)

        def start():
            serve.on_starting(None)
            return capsys.readouterr().out

        return start

    def test_the_banner_says_what_was_kept(self, client, start):
        start()
        client.patch(path_of(CEASEFIRE), json={"summary": "Mine."})
        client.delete(path_of(ANNOUNCEMENT))

        banner = start()

        assert (
            f"  article: 0 created, 0 updated, {RECORDS - 2} unchanged,"
            " 1 kept (edited since it was loaded), 1 kept deleted\n"
            f"    kept {CEASEFIRE}: edited since it was loaded\n"
            f"    kept deleted {ANNOUNCEMENT}\n"
            "  token for writes: "
        ) in banner

    def test_a_seed_that_cannot_load_is_reported_and_the_server_starts(
        self, monkeypatch, tmp_path, start
    ):
        broken = edited_copy(tmp_path, change_record(CEASEFIRE, event_type="SKIRMISH"))
        monkeypatch.setattr(loader, "ARTICLE_SEED", broken)

        banner = start()

        assert f"  article: not loaded: {broken}: {CEASEFIRE}: event_type: " in banner
        assert "  token for writes: edt_" in banner
