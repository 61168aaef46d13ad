"""Other shapes of a list: GeoJSON for maps and streamed CSV for spreadsheets.

JSON stays the default. A client asks for another format with `format=` or
with its Accept header (application/geo+json, text/csv); the parameter wins.
"""

import csv
import io
import json

from flask import current_app, request, stream_with_context

from schemas import geojson

FORMATS = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": "text/csv",
}
# Rows fetched from PostgreSQL at a time while a CSV streams.
EXPORT_BATCH = 1000
# A spreadsheet takes a cell that starts with one of these for a formula
# (OWASP, "CSV Injection"), so text starting so is exported behind a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def negotiate(args, allowed):
    """The format asked for: the `format` parameter, else the best Accept match, else json."""
    if args.get("format"):
        return args["format"]
    offered = [FORMATS[name] for name in allowed]
    best = request.accept_mimetypes.best_match(offered, default=FORMATS["json"])
    # A browser's "*/*" or "text/html" gets JSON.
    return next(name for name in allowed if FORMATS[name] == best)


def feature_collection(records, geometry_of):
    """A GeoJSON FeatureCollection: one Feature per record, the record as its properties."""
    features = []
    for record in records:
        point = geometry_of(record)
        geometry = None
        if point and point.get("latitude") is not None:
            geometry = {"type": "Point", "coordinates": [point["longitude"], point["latitude"]]}
        features.append(
            {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record}
        )
    return {"type": "FeatureCollection", "features": features}


def geojson_response(collection, headers):
    response = current_app.response_class(
        json.dumps(collection, ensure_ascii=False), mimetype=FORMATS["geojson"]
    )
    response.headers.update(headers)
    return response


def csv_response(db, query, params, columns, dump, filename):
    """Stream every row of `query` as CSV, a batch at a time, never the whole result.

    `columns` are (header, function of the dumped record) pairs; `dump` turns
    a database row into the record the JSON API would return.
    """

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush():
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        writer.writerow([header for header, _ in columns])
        yield flush()
        with db.transaction() as conn, conn.cursor(name="export") as cursor:
            cursor.itersize = EXPORT_BATCH
            cursor.execute(query, params)
            for count, row in enumerate(cursor, start=1):
                record = dump(row)
                writer.writerow([_cell(value(record)) for _, value in columns])
                if count % 100 == 0:
                    yield flush()
        yield flush()

    response = current_app.response_class(stream_with_context(generate()), mimetype=FORMATS["csv"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value):
    """A value of a dumped record as its CSV cell.

    Text that a spreadsheet would evaluate gets a leading ' (OWASP), which the
    spreadsheet shows as text: a title of '=HYPERLINK(...)' stays words. The
    decision follows the value's type, which is its field's: a number the API
    writes (a longitude of -73.9) is an int or float here and stays a number,
    while text that only looks like one ("-5") is still text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def alternatives_doc(names, record_schema):
    """OpenAPI content for the other formats (`names`) of a list of `record_schema`
    (a sent form) in its 200 response."""
    content = {}
    if "geojson" in names:
        content[FORMATS["geojson"]] = {"schema": geojson.feature_collection(record_schema)}
    if "csv" in names:
        content[FORMATS["csv"]] = {
            "schema": {
                "type": "string",
                "description": "Every matching record (no paging), one per row, streamed."
                " Text that starts with =, +, -, @, a tab or a carriage return is written"
                " after a ' so that spreadsheets show it as text, not run it as a formula;"
                " numbers are written as they are.",
            }
        }
    # An int key merges with flask-smorest's own 200; a "200" would replace it.
    return {"responses": {200: {"content": content}}}
