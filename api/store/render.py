"""Records rendered as JSON by PostgreSQL, and sent as it wrote them.

A page of events is JSON three times over when Python renders it: PostgreSQL
builds the embedded objects, psycopg decodes them, marshmallow walks every
field to produce the same values again, and the result is encoded. For a
page of 50 events that was about 3.5 ms of Python around 1.4 ms of SQL
(docs/PERFORMANCE.md). Here PostgreSQL writes each record's JSON text, in
the schema's field order and formats, and the response is those texts
joined: the schema still documents the shape, and the tests check that the
text PostgreSQL writes is what the schema would dump.
"""

from flask import current_app


def rfc3339(column):
    """SQL for a timestamptz written as marshmallow writes it: UTC, "+00:00",
    microseconds only when there are any (Python's isoformat())."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_trunc('second', {utc}) = {utc} THEN ''"
        f" ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def record_members(alias):
    """The members every record starts with (RecordSchema): its id and timestamps."""
    return [
        ("id", f"{alias}.id"),
        ("created_at", rfc3339(f"{alias}.created_at")),
        ("updated_at", rfc3339(f"{alias}.updated_at")),
    ]


def float_json(column):
    """SQL for a double precision written as Python writes a float: PostgreSQL
    writes 40 where Python writes 40.0, and the same shortest digits otherwise
    (-1.5e-05, 179.99) while extra_float_digits is 1, its default. Whole values
    of 1e15 and more print with an exponent, to which '.0' cannot be added: a
    coordinate never reaches them (the table's checks keep it within 180)."""
    return (
        f"CASE WHEN {column} = trunc({column}) THEN (to_json({column})::text || '.0')::json"
        f" ELSE to_json({column}) END"
    )


def json_object(members, names=None):
    """SQL for one JSON object, as text, of `members`: (name, SQL expression) pairs.

    With `names`, only the members so named, still in the members' order.
    row_to_json writes compact JSON with the keys in the order given, as
    Flask does. The names and expressions are the code's own, never a client's.
    """
    columns = ", ".join(
        f"{expression} AS {name}"
        for name, expression in members
        if names is None or name.strip('"') in names
    )
    return f"(SELECT row_to_json(r)::text FROM (SELECT {columns}) r)"


def list_columns(sort_columns, members, fields=None):
    """The select list of a page of records as JSON text (`json`), after `sort_columns`:
    the values its keyset cursors are made of. `fields`: only these, and the id."""
    names = {"id", *fields} if fields else None
    return f"{sort_columns}, {json_object(members, names)} AS json"


def columns(alias, names):
    """Members that are the columns of `alias` of the same names."""
    return [(name, f"{alias}.{name}") for name in names]


def nested_object(members, source=None):
    """SQL for an embedded JSON object (or null) of the one row `source` selects.

    Without `source`, the members are columns of the rows around it.
    """
    columns = ", ".join(f"{expression} AS {name}" for name, expression in members)
    from_ = f" FROM {source}" if source else ""
    return f"(SELECT row_to_json(r) FROM (SELECT {columns}{from_}) r)"


def nested_list(members, source, order):
    """SQL for an embedded JSON array (never null) of the rows `source` selects, in `order`."""
    return (
        f"COALESCE((SELECT array_to_json(array_agg({nested_object(members)} ORDER BY {order}))"
        f" FROM {source}), '[]')"
    )


def response(body, status=200, headers=None):
    """A JSON response whose body is `body`, text already JSON, ended as Flask ends it."""
    response = current_app.response_class(body + "\n", status=status, mimetype="application/json")
    if headers:
        response.headers.update(headers)
    return response


def array(texts):
    """One JSON array of JSON texts."""
    return "[" + ",".join(texts) + "]"
