"""Bulk import of events: many in one request and one transaction, all or none.

Each record is checked as POST /v1/events checks one, by the same schema, but
the records and sources the whole request names are looked up first (one
query per table, each source body fetched once). Then the records are checked
in order and written in batches, in pipeline mode: PostgreSQL writes one batch
while Python checks the next (the schema loads each batch in one call); each
batch appends its events' revisions in one statement. The first batch is
small, so that PostgreSQL starts writing soon after the request is read.
From the first invalid record on nothing more is written, the rest is still
checked so that the 422 names every error, and the transaction rolls
back. Constraints, foreign keys, indexes and triggers all stay in force.
"""

import contextlib
import uuid

import marshmallow as ma
from psycopg import sql
from psycopg.adapt import PyFormat

from api.resources.events.store import RECORD, SUMMARY_FIELDS, coded_certainty
from api.store import merges, reports
from api.store.citations import source_bodies
from api.store.errors import InvalidInput
from api.store.references import Problems, check_exist, existing_ids
from schemas.bulk import EventImportSchema
from schemas.codes import Message
from schemas.messages import flatten_errors

# A 422 lists the messages of this many invalid records at most; it counts them all.
REPORTED_RECORDS = 100
# Events written per batch: small enough that checking the next batch overlaps
# writing this one, large enough that each statement's overhead is spread.
WRITE_BATCH = 100
# The first batch of a request: PostgreSQL idles until it arrives, and the
# database's share of an import is the longer one (docs/PERFORMANCE.md).
FIRST_WRITE_BATCH = 10


# One row per event from parallel arrays, one per column its Record stores;
# `search` as events.UPDATE_SEARCH computes it, from the quotes joined in
# citation order, so no second version of each row is written to fill it. An
# event that exists is replaced, as PUT replaces it.
INSERT_EVENTS = """
    INSERT INTO events ({columns}, search)
    SELECT {columns}, eventdata_event_search(title, summary, quotes)
    FROM unnest({arrays}, %(quotes)b::text[]) AS imported ({columns}, quotes)
    ON CONFLICT (id) DO UPDATE SET {replace}, search = EXCLUDED.search, updated_at = now()
"""
COLUMN_TYPES = """
    SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
    WHERE attrelid = %(table)s::regclass AND attnum > 0 AND NOT attisdropped
"""
EVENT_COLUMNS = ("id", *RECORD.stored_columns)
_inserts = {}


def unnest_insert(conn, table, template, columns):
    """`template` for this database, its {arrays} each cast to its column's type in
    `table` (read once), its {columns} and {replace} those of `columns`."""
    if table not in _inserts:
        types = {
            row["name"]: row["type"] for row in conn.execute(COLUMN_TYPES, {"table": table})
        }
        _inserts[table] = sql.SQL(template).format(
            columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
            arrays=sql.SQL(", ").join(
                sql.SQL("{}::{}[]").format(
                    sql.Placeholder(name, PyFormat.BINARY), sql.SQL(types[name])
                )
                for name in columns
            ),
            replace=sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name))
                for name in columns[1:]
            ),
        )
    return _inserts[table]


def insert_events(conn):
    """INSERT_EVENTS for this database."""
    return unnest_insert(conn, "events", INSERT_EVENTS, EVENT_COLUMNS)


# The events an import replaces, locked in one order so that two imports
# replacing the same events queue rather than deadlock.
LOCK_EXISTING = sql.SQL(
    "SELECT id, {fields}, coded_certainty FROM events WHERE id = ANY(%(ids)s)"
    " ORDER BY id FOR UPDATE"
).format(fields=sql.SQL(", ").join(sql.Identifier(name) for name in SUMMARY_FIELDS))
DELETE_PARTICIPANTS = "DELETE FROM event_participants WHERE event_id = ANY(%(ids)s)"
# Their quotes (citations) go with them.
DELETE_REPORTS = "DELETE FROM reports WHERE event_id = ANY(%(ids)s)"
# COPY cannot run in pipeline mode; unnest() of parallel arrays comes close to it.
# The arrays are sent in binary (%(name)b): psycopg dumps them ten times faster.
INSERT_PARTICIPANTS = """
    INSERT INTO event_participants (event_id, position, actor_id, role)
    SELECT * FROM unnest(%(event_id)b::uuid[], %(position)b::smallint[], %(actor_id)b::uuid[],
        %(role)b::text[])
"""
REPORT_COLUMNS = ("event_id", "position", "source_id", *reports.report_columns(True))
INSERT_REPORTS = """
    INSERT INTO reports ({columns})
    SELECT * FROM unnest({arrays})
"""
INSERT_CITATIONS = """
    INSERT INTO citations (event_id, position, source_id, quote, start_offset, end_offset)
    SELECT * FROM unnest(%(event_id)b::uuid[], %(position)b::smallint[], %(source_id)b::uuid[],
        %(quote)b::text[], %(start)b::integer[], %(end)b::integer[])
"""
# Statements embed a summary of the events they are about (RECORD.embedded_in).
TOUCH_STATEMENTS = """
    UPDATE statements SET updated_at = now()
    WHERE id IN (SELECT statement_id FROM statement_events WHERE event_id = ANY(%(ids)s))
"""


def import_records(conn, documents, unreadable, author, *, positions="index (from 0)"):
    """Check every record and write them all, with their revisions (by `author`);
    return what EventImportResultSchema shows.

    On any error raise a 422 that names each invalid field under its record's
    position, and write nothing (the caller's transaction rolls back).
    """
    known = look_up(conn, documents)
    check = Checker(known, unreadable)
    ids = []
    with conn.pipeline():
        # In pipeline mode execute() sends a statement and returns: the
        # database writes a batch while the loop checks the next one.
        if known["existing"]:
            conn.execute(DELETE_PARTICIPANTS, {"ids": list(known["existing"])})
            conn.execute(DELETE_REPORTS, {"ids": list(known["existing"])})
        for records in batches(list(documents.items())):
            batch = []
            for event in check.batch(records):
                if check.errors:
                    continue
                event["id"] = event.get("id") or uuid.uuid4()
                ids.append(event["id"])
                batch.append(event)
            if not check.errors:
                write(conn, batch, known["existing"], author)
        if not check.errors:
            touch_statements(conn, known["existing"], check)
    if check.errors:
        _refuse(check.errors, len(documents) + len(unreadable), positions)
    return {
        "created": len(ids) - len(known["existing"]),
        "updated": len(known["existing"]),
        "ids": ids,
    }


def batches(records):
    """`records` in the batches they are checked and written in: FIRST_WRITE_BATCH,
    then WRITE_BATCH at a time."""
    start, size = 0, FIRST_WRITE_BATCH
    while start < len(records):
        yield records[start : start + size]
        start, size = start + size, WRITE_BATCH


def look_up(conn, documents):
    """What the records name, fetched once for the whole request.

    The ids come from the documents before they are validated, parsed as the
    schema parses them (what is not a UUID is left for the schema to refuse):
    the locations and actors that exist, the bodies of the sources, and the
    events to be replaced, locked.
    """
    named = {"events": set(), "locations": set(), "actors": set(), "sources": set()}

    def add(table, value):
        if isinstance(value, str):
            named[table].add(value)

    for document in documents.values():
        if not isinstance(document, dict):
            continue
        add("events", document.get("id"))
        add("locations", document.get("location_id"))
        for name, table, field in (
            ("participants", "actors", "actor_id"),
            ("citations", "sources", "source_id"),
            ("reports", "sources", "source_id"),
            ("reports", "locations", "location_id"),
        ):
            items = document.get(name)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict):
                    add(table, item.get(field))
    for table, texts in named.items():
        named[table] = set()
        for text in texts:
            with contextlib.suppress(ValueError):
                named[table].add(uuid.UUID(text))
    existing = {}
    if named["events"]:
        existing = {
            row["id"]: row for row in conn.execute(LOCK_EXISTING, {"ids": list(named["events"])})
        }
    return {
        "existing": existing,
        # What the reports of the events replaced say, for those given citations only.
        "said": reports.stored_says(conn, existing) if existing else {},
        # An id merged into another event is not given again (422, its code merged).
        "merged": merges.merged(conn, "event", named["events"] - existing.keys())
        if named["events"]
        else {},
        "locations": existing_ids(conn, "locations", named["locations"]),
        "actors": existing_ids(conn, "actors", named["actors"]),
        "bodies": source_bodies(conn, named["sources"]),
    }


class Checker:
    """Checks records one by one against the schema and what look_up() found.

    `errors` gathers the messages of every record checked, by dotted path
    from the record's position.
    """

    def __init__(self, known, unreadable):
        self.known = known
        self.schema = EventImportSchema()
        self.errors = {str(position): [message] for position, message in unreadable.items()}
        self.first_with_id = {}
        # What statements embed of each event that replaces one, by id.
        self.summaries = {}

    def batch(self, records):
        """The events of the valid records of `records` ((position, document) pairs),
        each checked as __call__ checks one, in order; the errors of the others kept."""
        try:
            # One call for the batch: about a tenth less time than a load per record.
            loaded = self.schema.load([document for _, document in records], many=True)
        except ma.ValidationError:
            # Again one by one, for each record's messages under its own position.
            checked = ((position, self(position, document)) for position, document in records)
        else:
            checked = (
                (position, self.check(position, event))
                for (position, _), event in zip(records, loaded, strict=True)
            )
        return [event for _, event in checked if event is not None]

    def __call__(self, position, document):
        """The event loaded from `document`, its quotes located; None when it is invalid."""
        try:
            event = self.schema.load(document)
        except ma.ValidationError as error:
            self.errors.update(flatten_errors(error.normalized_messages(), str(position)))
            return None
        return self.check(position, event)

    def check(self, position, event):
        """`event`, as the schema loaded the record at `position`, checked against what
        look_up() found, its quotes located; None when it is invalid."""
        problems = Problems()
        event_id = event.get("id")
        if event_id is not None:
            first = self.first_with_id.setdefault(event_id, position)
            if first != position:
                given = Message("duplicate", f"Already given to the record at {first}.")
                problems.add(f"{position}.id", given)
        if event_id in self.known["merged"]:
            into = self.known["merged"][event_id]
            problems.add(
                f"{position}.id",
                Message("merged", f"Merged into the event {into}: write to that one."),
            )
        check_exist(
            None,
            problems,
            "locations",
            [(f"{position}.location_id", event.get("location_id"))],
            "location",
            found=self.known["locations"],
        )
        check_exist(
            None,
            problems,
            "actors",
            [
                (f"{position}.participants.{index}.actor_id", participant["actor_id"])
                for index, participant in enumerate(event["participants"])
            ],
            "actor",
            found=self.known["actors"],
        )
        check_exist(
            None,
            problems,
            "locations",
            reports.locations_named(event, f"{position}."),
            "location",
            found=self.known["locations"],
        )
        reports.locate(None, problems, event, f"{position}.", bodies=self.known["bodies"])
        if problems.errors:
            self.errors.update(problems.errors)
            return None
        reports.keep_what_sources_say(event, self.known["said"].get(event_id))
        if event_id in self.known["existing"]:
            self.summaries[event_id] = {name: event.get(name) for name in SUMMARY_FIELDS}
        # As events.write stores it; an event replaced keeps what the statements about it say.
        event["coded_certainty"] = coded_certainty(event, self.known["existing"].get(event_id))
        return event


def _refuse(errors, total, positions):
    """Refuse the import (422), listing the errors of the first REPORTED_RECORDS invalid
    records, each under its record's position: what `positions` says it is."""

    def position(path):
        return int(path.split(".", 1)[0])

    invalid = sorted({position(path) for path in errors})
    listed = set(invalid[:REPORTED_RECORDS])
    detail = (
        f"{len(invalid):,} of {total:,} events are invalid, so none was imported."
        f" Errors are keyed by the record's {positions}, then the field"
    )
    if len(invalid) > len(listed):
        detail += f"; those of the first {len(listed)} invalid records are listed"
    raise InvalidInput(
        {path: errors[path] for path in sorted(errors, key=position) if position(path) in listed},
        detail + ".",
    )


def write(conn, events, existing, author):
    """Send the statements that write `events` (ids set, quotes located) and their
    revisions: an update for those in `existing`, a create for the others."""
    if not events:
        return
    columns = {name: [] for name in EVENT_COLUMNS}
    quotes = []
    participants = {"event_id": [], "position": [], "actor_id": [], "role": []}
    citations = {
        "event_id": [],
        "position": [],
        "source_id": [],
        "quote": [],
        "start": [],
        "end": [],
    }
    said = {name: [] for name in REPORT_COLUMNS}
    for event in events:
        row = {"id": event["id"], **RECORD.stored_values(event)}
        for name, values in columns.items():
            values.append(row.get(name))
        # As string_agg(quote, ' ' ORDER BY position) over the event's citations.
        quotes.append(" ".join(c["quote"] for c in event["citations"]) or None)
        for position, participant in enumerate(event["participants"]):
            participants["event_id"].append(event["id"])
            participants["position"].append(position)
            participants["actor_id"].append(participant["actor_id"])
            participants["role"].append(participant["role"])
        for position, report in enumerate(event["reports"]):
            row = {
                "event_id": event["id"],
                "position": position,
                "source_id": report["source_id"],
                **reports.report_values(report, True),
            }
            for name, values in said.items():
                values.append(row[name])
            for quote in report["quotes"]:
                citations["event_id"].append(event["id"])
                citations["source_id"].append(report["source_id"])
                for name in ("position", "quote", "start", "end"):
                    citations[name].append(quote[name])
    conn.execute(insert_events(conn), {**columns, "quotes": quotes})
    if participants["event_id"]:
        conn.execute(INSERT_PARTICIPANTS, participants)
    if said["event_id"]:
        conn.execute(unnest_insert(conn, "reports", INSERT_REPORTS, REPORT_COLUMNS), said)
    if citations["event_id"]:
        conn.execute(INSERT_CITATIONS, citations)
    ids = [event["id"] for event in events]
    RECORD.revise_many(
        conn, ids, ["update" if event_id in existing else "create" for event_id in ids], author
    )


def touch_statements(conn, existing, check):
    """Mark the statements about replaced events whose summary changed, as a PUT would."""
    changed = [
        event_id
        for event_id, before in existing.items()
        if any(before[name] != check.summaries[event_id][name] for name in SUMMARY_FIELDS)
    ]
    if changed:
        conn.execute(TOUCH_STATEMENTS, {"ids": changed})
