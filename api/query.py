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


def list_records(conn, *, columns, source, conditions, args, schema_cls, alias, rank=None):
    """Run a list query: conditions, order, and the page or keyset window.

    `columns` is the select list, `source` the FROM clause (without FROM),
    `alias` the main table's alias, and `rank` the SQL expression sort=relevance
    orders by (highest first).
    """
    sort = args.get("sort") or schema_cls.DEFAULT_SORT
    sort_key = sort.removeprefix("-")
    # Relevance is always best first.
    descending = sort.startswith("-") or sort_key == "relevance"
    column_sql, sql_type, null_value = schema_cls.SORTS[sort_key]
    column = rank if sort_key == "relevance" else sql.SQL(column_sql)
    direction = sql.SQL("DESC" if descending else "ASC")
    order = sql.SQL(" ORDER BY {column} {direction}, {alias}.id {direction}").format(
        column=column, direction=direction, alias=sql.Identifier(alias)
    )
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
                column=column,
                alias=sql.Identifier(alias),
                op=sql.SQL("<" if descending else ">"),
                type=sql.SQL(sql_type),
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
        + order
        + sql.SQL(" LIMIT %(limit)s OFFSET %(offset)s")
    )
    rows = conn.execute(query, params).fetchall()
    fields_wanted = args.get("fields_")
    if keyset:
        next_cursor = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            last = rows[-1]
            value = last[sort_key]
            next_cursor = Cursor.encode(sort, null_value if value is None else value, last["id"])
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
