"""Lists: the SQL that a collection's query arguments compose to.

Each collection turns its validated arguments (schemas.query) into
`Conditions`: static SQL fragments with named parameters, ANDed together.
Sorting is by an allow-listed column with the id as tie-break; paging is by
page number (with a total) or by an opaque keyset cursor whose cost does not
grow with depth.
"""

from dataclasses import dataclass, field

from psycopg import sql

from schemas.query import Cursor


@dataclass
class Conditions:
    """SQL conditions, ANDed, with their named parameters."""

    clauses: list = field(default_factory=list)
    params: dict = field(default_factory=dict)

    def add(self, clause, **params):
        """Add a condition: static SQL (str or Composable) with %(named)s parameters."""
        self.clauses.append(sql.SQL(clause) if isinstance(clause, str) else clause)
        self.params.update(params)

    def where(self):
        if not self.clauses:
            return sql.SQL("")
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(
            sql.SQL("({})").format(clause) for clause in self.clauses
        )


@dataclass
class Page:
    """One page of a list, ready for its headers."""

    items: list
    page_size: int
    total: int | None = None
    page: int | None = None
    next_cursor: str | None = None


@dataclass
class Ordering:
    """The ORDER BY of a list: an allow-listed sort, then the id in the same direction."""

    sort: str
    column: sql.Composable
    sql_type: str
    null_value: object
    descending: bool
    clause: sql.Composable

    @property
    def key(self):
        return self.sort.removeprefix("-")


def ordering(args, schema_cls, alias, rank=None):
    """The Ordering `args` ask for (sort, else the schema's default)."""
    sort = args.get("sort") or schema_cls.DEFAULT_SORT
    sort_key = sort.removeprefix("-")
    column_sql, sql_type, null_value = schema_cls.SORTS[sort_key]
    column = rank if sort_key == "relevance" else sql.SQL(column_sql)
    # Relevance is always best first.
    descending = sort.startswith("-") or sort_key == "relevance"
    direction = sql.SQL("DESC" if descending else "ASC")
    clause = sql.SQL(" ORDER BY {column} {direction}, {alias}.id {direction}").format(
        column=column, direction=direction, alias=sql.Identifier(alias)
    )
    return Ordering(sort, column, sql_type, null_value, descending, clause)


def list_records(conn, *, columns, source, conditions, args, schema_cls, alias, rank=None):
    """Run a list query: conditions, order, and the page or keyset window.

    `columns` is the select list, `source` the FROM clause (without FROM),
    `alias` the main table's alias, and `rank` the SQL expression sort=relevance
    orders by (highest first).
    """
    order = ordering(args, schema_cls, alias, rank)
    from_ = sql.SQL(" FROM " + source)
    page_size = args["page_size"]
    keyset = "cursor" in args
    window = Conditions(list(conditions.clauses), dict(conditions.params))
    if "after" in args:
        value, record_id = args["after"]
        window.add(
            sql.SQL(
                "({column}, {alias}.id) {op} (%(after_value)s::{type}, %(after_id)s::uuid)"
            ).format(
                column=order.column,
                alias=sql.Identifier(alias),
                op=sql.SQL("<" if order.descending else ">"),
                type=sql.SQL(order.sql_type),
            ),
            after_value=value,
            after_id=record_id,
        )
    page = args.get("page", 1)
    params = {
        **window.params,
        "limit": page_size + 1 if keyset else page_size,
        "offset": 0 if keyset else (page - 1) * page_size,
    }
    query = (
        sql.SQL("SELECT " + columns)
        + from_
        + window.where()
        + order.clause
        + sql.SQL(" LIMIT %(limit)s OFFSET %(offset)s")
    )
    rows = conn.execute(query, params).fetchall()
    fields_wanted = args.get("fields_")
    if keyset:
        next_cursor = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            last = rows[-1]
            value = last[order.key]
            if value is None:
                value = order.null_value
            next_cursor = Cursor.encode(order.sort, value, last["id"])
        return Page(_shape(rows, fields_wanted), page_size, next_cursor=next_cursor)
    count = sql.SQL("SELECT count(*) AS n") + from_ + conditions.where()
    total = conn.execute(count, conditions.params).fetchone()["n"]
    return Page(_shape(rows, fields_wanted), page_size, total=total, page=page)


def _shape(rows, fields_wanted):
    """Keep only the fields asked for, if any were."""
    if not fields_wanted:
        return rows
    keep = {"id", *fields_wanted}
    return [{name: row[name] for name in row if name in keep} for row in rows]


def export_query(*, columns, source, conditions, args, schema_cls, alias, rank=None):
    """The query for every record the conditions select, in the asked order (no paging)."""
    order = ordering(args, schema_cls, alias, rank)
    query = sql.SQL("SELECT " + columns + " FROM " + source) + conditions.where() + order.clause
    return query, conditions.params
