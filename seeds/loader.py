"""Load a seed file (an article and the records drawn from it) through the API's own rules.

Every record passes through the resource's marshmallow schema and its write
function, in one transaction. Ids are UUIDv5 of the keys in the file, so a
second load changes nothing and every install has the same ids.

The loader never overrides people. Each write leaves a revision by
seed:<file>; a record is updated only while it still holds what the loader
last wrote there (that revision's state), and one deleted since stays
deleted. Only `force` overwrites, and what it replaces stays in the history.
"""

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import marshmallow as ma
import psycopg
import yaml
from psycopg import sql

from api.resources.actors import store as actors
from api.resources.events import store as events
from api.resources.locations import store as locations
from api.resources.sources import store as sources
from api.resources.statements import store as statements
from api.store import revisions
from api.store.errors import CONSTRAINT_FIELDS, InvalidInput
from schemas.actors import ActorSchema
from schemas.events import EventSchema
from schemas.forms import input_form, sent_input
from schemas.locations import LocationSchema
from schemas.sources import SourceSchema
from schemas.statements import StatementSchema

SEEDS_DIR = Path(__file__).resolve().parent
ARTICLE_SEED = SEEDS_DIR / "nagorno_karabakh_2020-09-30.yaml"
# Fixed for ever: changing it would change every seeded id.
NAMESPACE = uuid.UUID("5f0f5d8e-7a43-4c1e-9d36-0c5b8a7e2f61")
FORMAT = 1
# `force` that names every record of the file.
ALL = "*"


def record_id(key):
    """The id of the record with seed key `key`, the same on every install."""
    return uuid.uuid5(NAMESPACE, key)


class SeedError(Exception):
    """A seed file that cannot be loaded; the message names the record and the field."""


@dataclass
class Kind:
    """How one kind of record is read from a seed file and written."""

    section: str
    module: object
    schema: ma.Schema
    table: str
    # Seed field -> (API field, the section whose keys it holds)
    references: dict = field(default_factory=dict)


KINDS = (
    Kind("actors", actors, ActorSchema(), "actors", {"parent": ("parent_id", "actors")}),
    Kind(
        "locations",
        locations,
        LocationSchema(),
        "locations",
        {"parent": ("parent_id", "locations")},
    ),
    Kind("events", events, EventSchema(), "events", {"location": ("location_id", "locations")}),
    Kind(
        "statements",
        statements,
        StatementSchema(),
        "statements",
        {"speaker": ("speaker_id", "actors"), "addressees": ("addressee_ids", "actors")},
    ),
)


@dataclass
class Report:
    """What a load did, by kind: keys created, updated, left unchanged, and kept as
    people left them: `edited` since the loader wrote them, or `deleted` since."""

    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    edited: dict = field(default_factory=dict)
    deleted: dict = field(default_factory=dict)

    # How the summary counts the records kept, and how a line names one.
    KEPT = {
        "edited": ("kept (edited since it was loaded)", "kept {key}: edited since it was loaded"),
        "deleted": ("kept deleted", "kept deleted {key}"),
    }

    def note(self, outcome, section, key):
        getattr(self, outcome).setdefault(section, []).append(key)

    def total(self, outcome):
        return sum(len(keys) for keys in getattr(self, outcome).values())

    def summary(self):
        """Counts of what was done; the records kept are counted when there are any."""
        counts = [
            f"{self.total(outcome)} {outcome}" for outcome in ("created", "updated", "unchanged")
        ]
        counts += [
            f"{self.total(outcome)} {words}"
            for outcome, (words, _) in self.KEPT.items()
            if self.total(outcome)
        ]
        return ", ".join(counts)

    def kept_lines(self):
        """A line for each record kept as people left it."""
        for outcome, (_, line) in self.KEPT.items():
            for keys in getattr(self, outcome).values():
                for key in keys:
                    yield "  " + line.format(key=key)

    def lines(self):
        yield self.summary()
        for outcome in ("created", "updated"):
            for keys in getattr(self, outcome).values():
                for key in keys:
                    yield f"  {outcome} {key}"
        yield from self.kept_lines()

    @property
    def changed(self):
        return bool(self.created or self.updated)


class _SeedYamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML without implicit dates: every date is a string the schemas parse.

    Parsed by libyaml where PyYAML has it: the article's file in 5 ms, not 60.
    """


_SeedYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read(path):
    """Parse the seed file at `path`."""
    path = Path(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SeedYamlLoader)
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SeedError(f"{path}: not a seed file of format {FORMAT}.")
    return document


def load(conn, path, *, dry_run=False, force=()):
    """Load the seed file at `path` in one transaction on `conn`; return a Report.

    With dry_run, everything is validated and nothing is kept. `force` names
    the keys of records to write even if people changed or deleted them since
    they were loaded; ALL among them names every record.
    """
    path = Path(path)
    document = read(path)
    report = Report()
    try:
        with conn.transaction(force_rollback=dry_run):
            _load(conn, path, document, report, set(force))
    except SeedError as error:
        raise SeedError(f"{path}: {error}") from None
    return report


def _load(conn, path, document, report, force):
    seed = _Seed(conn, document, revisions.seed_author(path), force)
    source = dict(document.get("source") or {})
    source_key = seed.key_of(source, "source")
    del source["key"]
    if "body" in source:
        raise SeedError(f"{source_key}: body: the text comes from the article `file`.")
    body_file = path.parent / str(source.pop("file", ""))
    try:
        # newline="" keeps the text exactly as it is on disk.
        with open(body_file, encoding="utf-8", newline="") as article:
            source["body"] = article.read()
    except (OSError, UnicodeDecodeError) as error:
        raise SeedError(f"{source_key}: file: cannot read the article: {error}") from None
    seed.store(
        Kind("source", sources, SourceSchema(), "sources"), source_key, lambda: source, report
    )
    seed.default_source = source_key

    for kind in KINDS:
        records = document.get(kind.section) or []
        for key, record in seed.ordered(kind, records):
            seed.store(kind, key, lambda: seed.resolve(kind, key, record), report)  # noqa: B023


class _Seed:
    """The keys of one seed file and the writing of its records."""

    def __init__(self, conn, document, author, force):
        self.conn = conn
        self.author = author
        self.force = force
        self.default_source = None
        self.defined = {}
        # The keys of records kept deleted: nothing the load writes may refer to them.
        self.kept_deleted = set()
        sections = [("source", [document.get("source") or {}])] + [
            (kind.section, document.get(kind.section) or []) for kind in KINDS
        ]
        for section, records in sections:
            if not isinstance(records, list):
                raise SeedError(f"{section}: must be a list of records.")
            for record in records:
                key = self.key_of(record, section)
                if key in self.defined:
                    raise SeedError(f"{key}: key: defined twice.")
                self.defined[key] = section
        unknown = sorted(force - {ALL} - set(self.defined))
        if unknown:
            raise SeedError(f"--force: no record of this file has the key {unknown[0]!r}.")

    @staticmethod
    def key_of(record, section):
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            raise SeedError(f"{section}: every record needs a string `key`.")
        return record["key"]

    def ordered(self, kind, records):
        """Yield (key, record) with each record after the parent it names."""
        by_key = {record["key"]: record for record in records}
        done = set()

        def visit(key, trail):
            if key in done:
                return
            if key in trail:
                raise SeedError(f"{key}: parent: would make the record part of itself.")
            parent = by_key[key].get("parent")
            if parent is not None and not isinstance(parent, str):
                raise SeedError(f"{key}: parent: must be the key of a record.")
            if parent in by_key:
                yield from visit(parent, (*trail, key))
            done.add(key)
            yield key, by_key[key]

        for key in by_key:
            yield from visit(key, ())

    def reference(self, key, record_key, field_name, section):
        """The id that `key` names: a record of `section`, in this file or an earlier load,
        or any record of `section` when `key` is its id (one made over HTTP)."""
        if not isinstance(key, str):
            raise SeedError(f"{record_key}: {field_name}: must be the key of a record.")
        if key in self.defined:
            if self.defined[key] != section:
                raise SeedError(
                    f"{record_key}: {field_name}: {key!r} is one of the {self.defined[key]},"
                    f" not of the {section}."
                )
            if key in self.kept_deleted:
                raise SeedError(
                    f"{record_key}: {field_name}: {key!r} was deleted since it was loaded:"
                    f" restore it, or load again with --force {key}."
                )
            return str(record_id(key))
        given_id = _as_id(key)
        if given_id is not None:
            if not self._stored(section, given_id):
                raise SeedError(
                    f"{record_key}: {field_name}: no {section} record has the id {key}."
                )
            return str(given_id)
        if not self._stored(section, record_id(key)):
            raise SeedError(f"{record_key}: {field_name}: no {section} record has the key {key!r}.")
        return str(record_id(key))

    def _stored(self, section, stored_id):
        table = "sources" if section == "source" else section
        query = sql.SQL("SELECT 1 FROM {} WHERE id = %(id)s").format(sql.Identifier(table))
        return self.conn.execute(query, {"id": stored_id}).fetchone() is not None

    def resolve(self, kind, key, record):
        """Turn the seed's keys into ids: the body the API would accept."""
        body = {name: value for name, value in record.items() if name != "key"}
        for seed_name, (api_name, section) in kind.references.items():
            if seed_name not in body:
                continue
            value = body.pop(seed_name)
            if isinstance(value, list):
                body[api_name] = [
                    self.reference(item, key, f"{seed_name}.{index}", section)
                    for index, item in enumerate(value)
                ]
            elif value is not None:
                body[api_name] = self.reference(value, key, seed_name, section)
            else:
                body[api_name] = None
        if kind.section == "events":
            body["participants"] = [
                self._renamed(key, f"participants.{index}", item, "actor", "actor_id", "actors")
                for index, item in enumerate(body.get("participants") or [])
            ]
        if kind.section == "statements":
            body["events"] = [
                self._renamed(key, f"events.{index}", item, "event", "event_id", "events")
                for index, item in enumerate(body.get("events") or [])
            ]
        if kind.section in ("events", "statements"):
            if "citations" in body or "reports" not in body:
                body["citations"] = [
                    self._citation(key, index, item)
                    for index, item in enumerate(body.get("citations") or [])
                ]
            if "reports" in body:
                body["reports"] = [
                    self._report(key, index, item)
                    for index, item in enumerate(body.get("reports") or [])
                ]
        return body

    def _report(self, record_key, index, item):
        """A report of the seed: its source's key (the file's source when left out), its
        quotes as plain strings, its place's key; the rest as the API takes it."""
        if not isinstance(item, dict) or not isinstance(item.get("quotes"), list):
            raise SeedError(f"{record_key}: reports.{index}: must be a mapping with quotes.")
        item = dict(item)
        source = item.pop("source", self.default_source)
        item["source_id"] = self.reference(source, record_key, f"reports.{index}.source", "source")
        if "location" in item:
            place = item.pop("location")
            item["location_id"] = (
                None
                if place is None
                else self.reference(place, record_key, f"reports.{index}.location", "locations")
            )
        item["quotes"] = [{"quote": quote} for quote in item["quotes"]]
        return item

    def _renamed(self, record_key, path, item, seed_name, api_name, section):
        if not isinstance(item, dict) or seed_name not in item:
            raise SeedError(f"{record_key}: {path}: needs `{seed_name}`.")
        item = dict(item)
        item[api_name] = self.reference(
            item.pop(seed_name), record_key, f"{path}.{seed_name}", section
        )
        return item

    def _citation(self, record_key, index, item):
        if not isinstance(item, dict):
            raise SeedError(f"{record_key}: citations.{index}: must be a mapping with a quote.")
        item = dict(item)
        source = item.pop("source", self.default_source)
        item["source_id"] = self.reference(
            source, record_key, f"citations.{index}.source", "source"
        )
        return item

    def store(self, kind, key, body_of, report):
        """Write the record of `key` unless nothing changed, or people changed it since the
        loader last wrote it; `body_of()` gives its body, validated by the kind's schema.

        What people did is found before the body is made: a record kept as they
        left it may refer to what they deleted.
        """
        record = kind.module.RECORD
        stored_id = record_id(key)
        current = record.fetch(self.conn, stored_id)
        latest, loaded = revisions.loaded(self.conn, record.kind, stored_id)
        forced = ALL in self.force or key in self.force
        # A record merged into another is deleted as much as one deleted.
        if current is None and latest in ("delete", "merge") and not forced:
            self.kept_deleted.add(key)
            report.note("deleted", kind.table, key)
            return
        if (
            current is not None
            and latest is not None
            and not forced
            and (loaded is None or not _same(kind.schema, current, loaded))
        ):
            report.note("edited", kind.table, key)
            return
        try:
            data = kind.schema.load(body_of())
        except ma.ValidationError as error:
            raise SeedError(_describe(key, error.normalized_messages())) from None
        # A field the seed leaves out is stored as null: compare it as such.
        data = {**dict.fromkeys(kind.schema.load_fields), **data}
        # What the store derives (an event's certainty, from the statements about it) is
        # compared as the write would leave it.
        as_stored = getattr(kind.module, "as_stored", None)
        compared = as_stored(self.conn, data, stored_id) if current and as_stored else data
        if current is not None and sent_input(kind.schema, current) == input_form(
            kind.schema, compared
        ):
            if latest is None:
                # Loaded before revisions were kept, and as loaded: from now on
                # its history says so, and a later edit of the file applies.
                record.revise(self.conn, stored_id, "create", self.author)
            report.note("unchanged", kind.table, key)
            return
        if current is not None and latest is None and not forced:
            # Loaded before revisions were kept, and changed since: by whom is not known.
            report.note("edited", kind.table, key)
            return
        try:
            with self.conn.transaction():
                revisions.write(
                    self.conn,
                    kind.module,
                    data,
                    self.author,
                    record_id=stored_id,
                    operation="create" if current is None else "update",
                )
        except InvalidInput as error:
            raise SeedError(_describe(key, error.errors)) from None
        except psycopg.errors.IntegrityError as error:
            field_name = CONSTRAINT_FIELDS.get(error.diag.constraint_name or "", "_schema")
            raise SeedError(f"{key}: {field_name}: {error.diag.message_primary}") from None
        report.note("created" if current is None else "updated", kind.table, key)


def _same(schema, record, loaded):
    """Whether `record` (as the API sends it) still holds the input the loader wrote,
    `loaded` (as the API sent it then).

    A field that `loaded` lacks was added to the API since (by a migration, as
    reports were), so no one edited it; a key of a nested record that it lacks
    (an estimate's best) holds null unless someone set it.
    """
    return _holds(sent_input(schema, loaded), sent_input(schema, record), top=True)


def _holds(then, now, *, top=False):
    if isinstance(then, dict) and isinstance(now, dict):
        added = now.keys() - then.keys()
        return all(_holds(value, now.get(name)) for name, value in then.items()) and (
            top or all(now[name] is None for name in added)
        )
    if isinstance(then, list) and isinstance(now, list):
        return len(then) == len(now) and all(map(_holds, then, now))
    return then == now


def _as_id(reference):
    """The UUID that `reference` is, or None when it is a key."""
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


def _describe(key, messages):
    from schemas.messages import flatten_errors

    problems = "; ".join(
        f"{path}: {' '.join(texts)}" for path, texts in flatten_errors(messages).items()
    )
    return f"{key}: {problems}"
