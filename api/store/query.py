"""Lists: the SQL that a collection's query arguments compose to.

A list's queries are planned with their values (database.plan_with_values).
"""

from dataclasses import dataclass, field

from psycopg import sql

from api.store.database import plan_with_values
from schemas.query import RELEVANCE_POOL, Cursor

# Totals up to this are counted exactly; larger ones are estimated.
EXACT_COUNT_LIMIT = 1000


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
    # Whether total is PostgreSQL's estimate rather than an exact count.
    estimated: bool = False
    # Whether records follow this page: known from one row fetched past it, never from total.
    more: bool = False


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


@dataclass
class Driver:
    """A narrower table whose rows alone select a list's records, for a page and its count.

    Each of its rows names a record (`id`) and holds the value the list is
    sorted by (`sort`); a record may have several rows. When every filter of a
    list is on it (an actor's events in a date range: their participations),
    the page's ids and the total come from it alone, and the main table is
    read for the page's records only.
    """

    source: str
    id: str
    sort: str
    conditions: Conditions


@dataclass(frozen=True)
class Collection:
    """What a list is drawn from and how it is ordered.

    `source` is the FROM clause (without FROM) and `alias` its main table's
    alias; `schema` the list's query arguments (their SORTS say each sort
    key's type and what stands for null in a cursor); `sorts` the SQL each
    sort key orders by; `rank` what sort=relevance orders by (highest first).
    With `recent` (an ORDER BY, newest first), relevance ranks only the
    RELEVANCE_POOL most recent matches: ranking every match of a common word
    costs a scan of all of them.
    """

    source: str
    alias: str
    schema: type
    sorts: dict
    rank: sql.Composable | None = None
    recent: str | None = None


def ordering(args, collection):
    """The Ordering `args` ask for (sort, else the schema's default)."""
    sort = args.get("sort") or collection.schema.DEFAULT_SORT
    sort_key = sort.removeprefix("-")
    key = collection.schema.SORTS[sort_key]
    sql_type, null_value = key.type, key.null
    rank, alias = collection.rank, collection.alias
    column = rank if sort_key == "relevance" else sql.SQL(collection.sorts[sort_key])
    # Relevance is always best first.
    descending = sort.startswith("-") or sort_key == "relevance"
    direction = sql.SQL("DESC" if descending else "ASC")
    clause = sql.SQL(" ORDER BY {column} {direction}, {alias}.id {direction}").format(
        column=column, direction=direction, alias=sql.Identifier(alias)
    )
    return Ordering(sort, column, sql_type, null_value, descending, clause)


def list_records(conn, collection, *, columns, conditions, args, rendered=False, driver=None):
    """Run a list query of `collection`: conditions, order, and the page or keyset window.

    `columns` is the select list. `rendered` says the columns already pick the
    fields asked for (api/store/render.py). `driver`, a Driver, stands for
    `conditions` in finding the page and counting it.
    """
    order = ordering(args, collection)
    alias, recent = collection.alias, collection.recent
    pooled = order.key == "relevance" and recent is not None
    select = sql.SQL("SELECT " + columns)
    from_ = sql.SQL(" FROM " + collection.source)
    page_size = args["page_size"]
    keyset = "cursor" in args
    page = args.get("page", 1)
    offset = 0 if keyset else (page - 1) * page_size
    # One row past the page says whether another follows, exactly, whatever the total.
    params = {**conditions.params, "limit": page_size + 1, "offset": offset}
    if "after" in args:
        params["after_value"], params["after_id"] = args["after"]
    if pooled:
        query, counted = _pooled_page(select, from_, conditions, order, alias, recent)
    elif driver:
        params.update(driver.conditions.params)
        query = _driven_page(select, from_, driver, order, alias, "after" in args)
    else:
        query = _page(select, from_, conditions, order, alias, "after" in args)
    plan_with_values(conn)
    rows = conn.execute(query, params).fetchall()
    more = len(rows) > page_size
    rows = rows[:page_size]
    fields_wanted = None if rendered else args.get("fields_")
    if keyset:
        next_cursor = None
        if more:
            last = rows[-1]
            value = last[order.key]
            if value is None:
                value = order.null_value
            next_cursor = Cursor.encode(order.sort, value, last["id"])
        return Page(_shape(rows, fields_wanted), page_size, next_cursor=next_cursor, more=more)
    estimated = False
    if pooled:
        # A relevance pool holds at most RELEVANCE_POOL rows: its count is exact.
        totals = {row.pop("pool_total") for row in rows}
        if totals:
            total = totals.pop()
        else:
            selected = sql.SQL("SELECT 1") + from_ + counted.where()
            total = count(conn, selected, counted.params, RELEVANCE_POOL)[0]
    elif not more and (rows or not offset):
        # The page holds the last of the records: their number needs no count.
        total = offset + len(rows)
    elif driver:
        selected = sql.SQL("SELECT DISTINCT {} FROM {}").format(
            sql.SQL(driver.id), sql.SQL(driver.source)
        )
        total, estimated = count(
            conn, selected + driver.conditions.where(), driver.conditions.params
        )
    else:
        total, estimated = count(
            conn, sql.SQL("SELECT 1") + from_ + conditions.where(), conditions.params
        )
    return Page(
        _shape(rows, fields_wanted),
        page_size,
        total=proven_total(total, offset, len(rows), more),
        page=page,
        estimated=estimated,
        more=more,
    )


def proven_total(total, offset, shown, more):
    """`total` within what a page proves: an estimate, or a count that raced a write, may not.

    A page of `shown` rows after `offset` proves at least offset + shown
    records, one more when more follow; a page past the end proves at most
    `offset`, and a last page exactly offset + shown.
    """
    if more:
        return max(total, offset + shown + 1)
    if shown:
        return offset + shown
    return min(total, offset) if offset else total


def _page(select, from_, conditions, order, alias, after):
    """The query of one page: its ids found first, then their records built.

    The records (with their embedded participants, citations...) are built for
    the page's rows only, not for every row an OFFSET skips. `after` is the
    keyset position, if any (%(after_value)s, %(after_id)s): the page starts past it.
    """
    window = Conditions(list(conditions.clauses))
    if after:
        window.add(
            sql.SQL(
                "({column}, {alias}.id) {op} (%(after_value)s::{type}, %(after_id)s::uuid)"
            ).format(
                column=order.column,
                alias=sql.Identifier(alias),
                op=sql.SQL("<" if order.descending else ">"),
                type=sql.SQL(order.sql_type),
            )
        )
    page_ids = (
        sql.SQL("SELECT {alias}.id").format(alias=sql.Identifier(alias))
        + from_
        + window.where()
        + order.clause
        + sql.SQL(" LIMIT %(limit)s OFFSET %(offset)s")
    )
    return _records_of(select, from_, alias, page_ids, order)


def _records_of(select, from_, alias, page_ids, order):
    """The records whose ids `page_ids` selects, built and in the list's order."""
    return (
        select
        + from_
        + sql.SQL(" WHERE {alias}.id IN (").format(alias=sql.Identifier(alias))
        + page_ids
        + sql.SQL(")")
        + order.clause
    )


def _driven_page(select, from_, driver, order, alias, after):
    """_page() with its ids found in the Driver's table, each once, in the list's order."""
    window = Conditions(list(driver.conditions.clauses))
    direction = sql.SQL("DESC" if order.descending else "ASC")
    if after:
        window.add(
            sql.SQL("({sort}, {id}) {op} (%(after_value)s::{type}, %(after_id)s::uuid)").format(
                sort=sql.SQL(driver.sort),
                id=sql.SQL(driver.id),
                op=sql.SQL("<" if order.descending else ">"),
                type=sql.SQL(order.sql_type),
            )
        )
    page_ids = sql.SQL(
        "SELECT {id} FROM {source}{where} GROUP BY {id}, {sort}"
        " ORDER BY {sort} {direction}, {id} {direction} LIMIT %(limit)s OFFSET %(offset)s"
    ).format(
        id=sql.SQL(driver.id),
        source=sql.SQL(driver.source),
        where=window.where(),
        sort=sql.SQL(driver.sort),
        direction=direction,
    )
    return _records_of(select, from_, alias, page_ids, order)


def _pooled_page(select, from_, conditions, order, alias, recent):
    """The query of one page ranked by relevance within the pool of recent matches.

    The pool is walked once, as a CTE, ranking each of its rows as it is
    found: the page takes the best of them and the total counts them in the
    same query (a second walk cost 40 % of a search at a million events, and
    ranking the pool's rows again through the primary key half of what was
    left). Also returns the conditions that restate the pool inline, for the
    count of a page past the end, which has no row to carry the total.
    """
    identifier = sql.Identifier(alias)

    def pool_of(columns):
        return sql.SQL("SELECT {columns}{from_}{where} ORDER BY {recent} LIMIT {pool}").format(
            columns=columns,
            from_=from_,
            where=conditions.where(),
            recent=sql.SQL(recent),
            pool=sql.Literal(RELEVANCE_POOL),
        )

    ranked = pool_of(sql.SQL("{}.id, {} AS rank").format(identifier, order.column))
    counted = Conditions(list(conditions.clauses), dict(conditions.params))
    counted.add(
        sql.SQL("{}.id IN ({})").format(identifier, pool_of(sql.SQL("{}.id").format(identifier)))
    )
    query = sql.SQL(
        "WITH pool AS MATERIALIZED ({ranked}) {select}, (SELECT count(*) FROM pool) AS pool_total"
        "{from_} JOIN (SELECT id, rank FROM pool ORDER BY rank DESC, id DESC"
        " LIMIT %(limit)s OFFSET %(offset)s) AS page ON page.id = {alias}.id"
        " ORDER BY page.rank DESC, {alias}.id DESC"
    ).format(ranked=ranked, select=select, from_=from_, alias=identifier)
    return query, counted


def count(conn, selected, params, exact_up_to=None):
    """How many rows `selected` (a query) gives: exact up to `exact_up_to`, else estimated.

    Counting a million matches exactly costs more than the page itself; above
    the limit (EXACT_COUNT_LIMIT unless given) PostgreSQL's own estimate stands
    in, flagged as such.
    """
    if exact_up_to is None:
        exact_up_to = EXACT_COUNT_LIMIT
    capped = sql.SQL("SELECT count(*) AS n FROM ({} LIMIT {}) AS capped").format(
        selected, sql.Literal(exact_up_to + 1)
    )
    exact = conn.execute(capped, params).fetchone()["n"]
    if exact <= exact_up_to:
        return exact, False
    plan = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + selected, params).fetchone()
    return max(exact, int(plan["QUERY PLAN"][0]["Plan"]["Plan Rows"])), True


def _shape(rows, fields_wanted):
    """Keep only the fields asked for, if any were."""
    if not fields_wanted:
        return rows
    keep = {"id", *fields_wanted}
    return [{name: row[name] for name in row if name in keep} for row in rows]


def export_query(collection, *, columns, conditions, args):
    """The query for every record the conditions select, in the asked order (no paging)."""
    order = ordering(args, collection)
    query = (
        sql.SQL("SELECT " + columns + " FROM " + collection.source)
        + conditions.where()
        + order.clause
    )
    return query, conditions.params
