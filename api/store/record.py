"""A kind of record described once: its table, its fields as the API sends them, its lists.

Everything that reads or writes a record starts from its Record: the JSON
text PostgreSQL writes for it (by id, in lists and cursors, and so for its
ETag, and in its revisions), the CSV columns drawn from that JSON, the columns
a write stores, the sorts and the simple filters of its lists. Its marshmallow
schema stays the contract; tests/store/test_records.py proves that each Record
and its schema agree.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from psycopg import sql

from api.store import render, revisions
from api.store.query import Collection, Conditions, export_query, list_records
from api.store.references import refuse_if_referenced
from api.store.search import Named, TextSearch, named
from schemas.query import RELEVANCE_POOL


def joined(values):
    """Several values in one cell, separated by '; '."""
    return "; ".join(str(value) for value in values)


@dataclass(frozen=True)
class Member:
    """One field of a record as the API sends it.

    `json` is the SQL of its value in the record's JSON; `stored`, a function
    of the record as loaded by its schema, gives the columns a write stores it
    in ({} for a field stored elsewhere, or computed); `csv` are the
    (header, function of the record as sent) pairs of its CSV columns.
    """

    name: str
    json: str
    stored: Callable = field(default=lambda record: {})
    csv: tuple = ()


def column(alias, name, *, json=None, empty=None, csv=True):
    """A field that is the column of the same name: sent as it is stored.

    `json` overrides how it is written (render.float_json for a coordinate);
    `empty` is what a write stores when the field is None (a list: []); a
    list's CSV cell holds its items joined.
    """

    def stored(record):
        value = record.get(name)
        return {name: empty() if value is None and empty else value}

    def cell(record):
        value = record[name]
        return joined(value) if isinstance(value, list) else value

    return Member(name, json or f"{alias}.{name}", stored, ((name, cell),) if csv else ())


def columns(alias, *names):
    """Fields that are columns of the same names."""
    return [column(alias, name) for name in names]


BOUNDS = ("low", "best", "high")


@cache
def estimate_columns(name):
    """The columns of estimate `name` (schemas/common.py, EstimateSchema), by its JSON path:
    name_low, name_best, name_high, and name_civilians_low... for its civilian share.

    One dict per name, shared by every caller: read it, never change it.
    """
    return {
        **{(bound,): f"{name}_{bound}" for bound in BOUNDS},
        **{("civilians", bound): f"{name}_civilians_{bound}" for bound in BOUNDS},
    }


def estimate_json(alias, name):
    """SQL for estimate `name` of the row `alias` as JSON: null when its low is."""

    def bounds(prefix):
        return [(bound, f"{alias}.{prefix}_{bound}") for bound in BOUNDS]

    civilians = (
        f"CASE WHEN {alias}.{name}_civilians_low IS NOT NULL THEN "
        + render.nested_object(bounds(f"{name}_civilians"))
        + " END"
    )
    return (
        f"CASE WHEN {alias}.{name}_low IS NOT NULL THEN "
        + render.nested_object([*bounds(name), ("civilians", civilians)])
        + " END"
    )


def estimate_values(name, value):
    """The column values of estimate `name` for `value` (as its schema loads it, or None)."""
    columns = estimate_columns(name)
    if value is None:
        # Most events and reports give no figures: a bulk import writes many of them.
        return dict.fromkeys(columns.values())
    values = {}
    for path, column_name in columns.items():
        found = value
        for key in path:
            found = (found or {}).get(key)
        values[column_name] = found
    return values


def estimate(alias, name):
    """An estimate stored in the columns estimate_columns() names; null when unknown."""

    def stored(record):
        return estimate_values(name, record.get(name))

    def bound(path):
        def value(record):
            found = record[name]
            for key in path:
                found = (found or {}).get(key)
            return found

        return value

    return Member(
        name,
        estimate_json(alias, name),
        stored,
        tuple((column_name, bound(path)) for path, column_name in estimate_columns(name).items()),
    )


def embedded(name, json, csv=()):
    """A field that is not a column of the record's own: a summary, a list of related rows."""
    return Member(name, json, csv=tuple(csv))


@dataclass(frozen=True)
class Profile:
    """Another set of CSV columns for a record: a flat file for a tool that reads one.

    `members` are (name, SQL) pairs of JSON values the export adds to each
    record, under their names, beside what the record holds; `csv` are
    (header, function of that record) pairs, as a Member's.
    """

    description: str
    members: tuple
    csv: tuple


@dataclass
class Record:
    """One kind of record: where it is stored, what the API sends, how its lists work.

    - `members`: its fields after id, created_at and updated_at, in its schema's order;
    - `args_schema`: the query arguments of its lists (their sorts and fields);
    - `sorts`: the SQL a sort key orders by, where it is not the column of its name;
    - `filters`: query parameter -> the one SQL condition it stands for;
      filters of any other shape (`more_filters`, by name) are added by
      `more_conditions(args, where)`;
    - `summary`: the fields other records embed (a write that changes them
      marks those records as changed, through `embedded_in`);
    - `referrers`: SQL of the (kind, id) of records that refer to one, given
      %(id)s: while there are any, it cannot be deleted;
    - `recent`: ORDER BY of the newest first, when relevance ranks a pool of them;
    - `profiles`: other CSV columns by name (Profile), asked for with `profile`.
    """

    kind: str
    table: str
    alias: str
    members: list
    args_schema: type
    sorts: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    more_conditions: Callable | None = None
    more_filters: tuple = ()
    summary: tuple = ()
    embedded_in: tuple = ()
    referrers: str | None = None
    rank: sql.Composable | None = None
    recent: str | None = None
    # Run before a list with q (search.tolerate_typos).
    before_search: Callable | None = None
    # q as full text, and through the actors and places it names (search.TextSearch):
    # its condition and, when its lists sort by relevance, its rank.
    text_search: TextSearch | None = None
    # The query.Driver that finds a list's page, when a narrower table can (given its args).
    driver: Callable | None = None
    # What a delete changes in other records: on_delete(conn, id), before the delete, gives
    # a function of (conn, author) that changes them once the record is gone.
    on_delete: Callable | None = None
    # The args of a map (GeoJSON) of these records, given the list's: what it leaves out.
    mapped: Callable | None = None
    profiles: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.text_search and self.rank is None and "relevance" in self.args_schema.SORTS:
            self.rank = self.text_search.rank
        self.source = f"{self.table} {self.alias}"
        searched = ["q"] if self.text_search else []
        self.filter_names = {*self.filters, *self.more_filters, *searched}
        self.json_members = [
            *render.record_members(self.alias),
            *((member.name, member.json) for member in self.members),
        ]
        self.names = [name for name, _ in self.json_members]
        self.json = render.json_object(self.json_members)
        self.select_by_id = (
            f"SELECT {self.json} AS json FROM {self.source} WHERE {self.alias}.id = %(id)s"
        )
        # What a list selects besides the JSON: the values its keyset cursors are made of.
        sort_columns = [key for key in self.args_schema.SORTS if key != "relevance"]
        self.sorts = {key: f"{self.alias}.{key}" for key in sort_columns} | self.sorts
        self.collection = Collection(
            self.source, self.alias, self.args_schema, self.sorts, self.rank, self.recent
        )
        self.sort_columns = ", ".join(
            f"{self.alias}.{name}" for name in dict.fromkeys(["id", *sort_columns])
        )
        self.csv_columns = [
            ("id", lambda record: record["id"]),
            *(pair for member in self.members for pair in member.csv),
            ("created_at", lambda record: record["created_at"]),
            ("updated_at", lambda record: record["updated_at"]),
        ]
        # The columns a write stores, after id.
        self.stored_columns = stored = [
            name for member in self.members for name in member.stored(_EveryField())
        ]
        self.write_statement = sql.SQL(
            "INSERT INTO {table} (id, {columns}) VALUES (%(id)s, {values})"
            " ON CONFLICT (id) DO UPDATE SET {replace}, updated_at = now()"
        ).format(
            table=sql.Identifier(self.table),
            columns=sql.SQL(", ").join(map(sql.Identifier, stored)),
            values=sql.SQL(", ").join(map(sql.Placeholder, stored)),
            replace=sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in stored
            ),
        )
        # The JSON as json, not text: a revision stores it without parsing it again.
        state = render.nested_object(self.json_members)
        self.append_revision, self.append_revisions = (
            sql.SQL(revisions.APPEND).format(
                written=sql.SQL(written),
                table=sql.Identifier(self.table),
                alias=sql.Identifier(self.alias),
                state=sql.SQL(state),
            )
            for written in (revisions.ONE, revisions.MANY)
        )

    # Reading

    def fetch_json(self, conn, record_id):
        """The record as the API sends it (JSON text), or None."""
        row = conn.execute(self.select_by_id, {"id": record_id}).fetchone()
        return row["json"] if row else None

    def fetch(self, conn, record_id):
        """The record as the API sends it, decoded; or None."""
        text = self.fetch_json(conn, record_id)
        return json.loads(text) if text is not None else None

    def exists(self, conn, record_id, *, lock=False):
        """Whether the record exists; with `lock`, lock it for this transaction's write.

        Locking makes writers of the same record queue behind each other, so
        the ETag a writer checks is still current when it writes.
        """
        query = sql.SQL("SELECT 1 FROM {} WHERE id = %(id)s{}").format(
            sql.Identifier(self.table), sql.SQL(" FOR UPDATE" if lock else "")
        )
        return conn.execute(query, {"id": record_id}).fetchone() is not None

    def conditions(self, args, where=None):
        """The SQL conditions of the filters in `args` (a load of its query schema)."""
        where = where or Conditions()
        for name, clause in self.filters.items():
            if name in args:
                where.add(clause, **{name: args[name]})
        if "q" in args and self.text_search:
            # Without searched(), q names nothing: plain full text.
            found = args.get("named") or Named(args["q"])
            condition, params = self.text_search.condition(found, args.get("tied", {}))
            where.add(condition, **params)
        if self.more_conditions:
            self.more_conditions(args, where)
        return where

    def searched(self, conn, args, pool=None):
        """`args`, with what their q names (search.named), and the records tied to it,
        when this kind's q is full text. With `pool`, the records are ranked as a
        relevance pool of that many (query.py): only the tied records it can hold
        are looked up."""
        if "q" not in args or not self.text_search or "tied" in args:
            return args
        found = args.get("named") or named(conn, args["q"])
        return {**args, "named": found, "tied": self.text_search.tied(conn, found, pool)}

    def list(self, conn, args, where=None):
        """One page of the records `args` select (plus any `where` conditions),
        each the JSON text the API sends (its `json`)."""
        sort = args.get("sort") or self.args_schema.DEFAULT_SORT
        # A page by relevance ranks a pool of the most recent matches (query.py).
        pool = RELEVANCE_POOL if sort.removeprefix("-") == "relevance" and self.recent else None
        args = self.searched(conn, args, pool)
        if "q" in args and self.before_search:
            self.before_search(conn)
        driver = self.driver(args) if self.driver and where is None else None
        return list_records(
            conn,
            self.collection,
            columns=render.list_columns(self.sort_columns, self.json_members, args.get("fields_")),
            conditions=self.conditions(args, where),
            args=args,
            rendered=True,
            driver=driver,
        )

    def export(self, args, where=None, profile=None):
        """The query of every record `args` select, in order, as JSON text (`json`);
        with a `profile` (its name), also the JSON text of what it adds (`added`).

        Give `args` through searched() first, for q to take what it names.
        """
        columns = f"{self.json} AS json"
        if profile is not None:
            columns += f", {render.json_object(self.profiles[profile].members)} AS added"
        return export_query(
            self.collection,
            columns=columns,
            conditions=self.conditions(args, where),
            args=args,
        )

    def export_columns(self, profile=None):
        """The (header, function) pairs of the CSV columns of `profile`, or the record's."""
        return self.profiles[profile].csv if profile else self.csv_columns

    # Writing

    def stored_values(self, record):
        """The values of stored_columns for `record`, as its schema loads it."""
        values = {}
        for member in self.members:
            values.update(member.stored(record))
        return values

    def store(self, conn, record, record_id):
        """Insert the record's own columns, or replace them when `record_id` exists."""
        conn.execute(self.write_statement, {"id": record_id, **self.stored_values(record)})

    def revise(self, conn, record_id, operation, author):
        """Append the record's revision for a write made in this transaction (`operation`,
        by `author`); return the record's JSON text, as the API sends it now.

        The caller holds the record's row lock: its write took it.
        """
        params = revisions.append_params(self, author, id=record_id, operation=operation)
        query = self.append_revision + sql.SQL(revisions.RETURNING_STATE)
        return conn.execute(query, params).fetchone()["json"]

    def revise_many(self, conn, record_ids, operations, author):
        """Append a revision for each of `record_ids`, written with the operation at the
        same position in `operations`, in one statement (a batch of the bulk import)."""
        conn.execute(
            self.append_revisions,
            revisions.append_params(
                self, author, ids=list(record_ids), operations=list(operations)
            ),
        )

    def delete(self, conn, record_id, author, *, operation="delete"):
        """Delete the record, unless other records refer to it (409, naming them).

        Its last revision (by `author`; `operation` merge for a record merged
        into another) keeps the state it had, so it can be read and restored.
        """
        if self.referrers:
            refuse_if_referenced(conn, self.kind, self.referrers, record_id)
        follow = self.on_delete(conn, record_id) if self.on_delete else None
        conn.execute(
            self.append_revision,
            revisions.append_params(self, author, id=record_id, operation=operation),
        )
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE id = %(id)s").format(sql.Identifier(self.table)),
            {"id": record_id},
        )
        if follow:
            follow(conn, author)

    def summary_of(self, conn, record_id):
        """The fields other records embed, before a write; None for a new record."""
        if record_id is None or not self.summary:
            return None
        query = sql.SQL("SELECT {} FROM {} WHERE id = %(id)s").format(
            sql.SQL(", ").join(map(sql.Identifier, self.summary)), sql.Identifier(self.table)
        )
        return conn.execute(query, {"id": record_id}).fetchone()


class _EveryField(dict):
    """A record with every field present (and None): what a write may store, for its SQL."""

    def get(self, name, default=None):
        return None
