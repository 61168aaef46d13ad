"""Reports in PostgreSQL: what each source says of an event or a statement, with its quotes.

A report is a row of `reports`; its quotes are the `citations` of its record
from its source (a foreign key ties each citation to its report). Events and
statements share it: an event's reports also say dates, place, figures and
certainty; a statement's hold only their quotes.
"""

from psycopg import sql

from api.resources.locations import store as locations
from api.store import render
from api.store.citations import NOT_IN_SOURCE, SOURCE_FIELDS, source_bodies
from api.store.record import BOUNDS, estimate_json, estimate_values
from schemas.codes import Message
from schemas.events import derive_figures
from schemas.reports import FIGURES

# A report's columns besides its owner, position and source: what it says of an event.
SAYS = ("start_date", "end_date", "date_precision", "location_id", "certainty")


def reports_json(owner_column, owner, *, says=False):
    """SQL for the JSON array of the reports whose `owner_column` is `owner`, in order,
    as EventReportSchema (`says`) or StatementReportSchema writes them."""
    members = [
        ("source_id", "r.source_id"),
        ("source", render.nested_object(render.columns("rs", SOURCE_FIELDS))),
        (
            "quotes",
            render.nested_list(
                [("quote", "rq.quote"), ('"start"', "rq.start_offset"), ('"end"', "rq.end_offset")],
                f"citations rq WHERE rq.{owner_column} = r.{owner_column}"
                " AND rq.source_id = r.source_id",
                "rq.position",
            ),
        ),
    ]
    if says:
        members += [
            *render.columns("r", ("start_date", "end_date", "date_precision", "location_id")),
            (
                "location",
                # Most reports name no place: no lookup for them.
                "CASE WHEN r.location_id IS NOT NULL THEN "
                + render.nested_object(
                    locations.summary_members("rl"), "locations rl WHERE rl.id = r.location_id"
                )
                + " END",
            ),
            ("certainty", "r.certainty"),
            *((name, estimate_json("r", name)) for name in FIGURES),
        ]
    # Aliases that no owner's query uses (a statement's is s, an event's e).
    return render.nested_list(
        members,
        f"reports r JOIN sources rs ON rs.id = r.source_id WHERE r.{owner_column} = {owner}",
        "r.position",
    )


def locate(conn, problems, record, path="", *, bodies=None):
    """Find every quote of the record's reports in its source's body: set each quote's
    start and end, or report where it is not (under the field the client gave).

    `bodies`, from source_bodies(), saves fetching them when many records cite the
    same sources.
    """
    reports = record["reports"]
    if bodies is None:
        bodies = source_bodies(conn, (report["source_id"] for report in reports))
    from_citations = record.get("reports_from_citations")
    for index, report in enumerate(reports):
        body = bodies.get(report["source_id"])
        if body is None:
            where = (
                f"citations.{report['quotes'][0]['position']}"
                if from_citations
                else f"reports.{index}"
            )
            problems.add(
                f"{path}{where}.source_id",
                Message("not_found", f"No source has the id {report['source_id']}."),
            )
            continue
        for number, quote in enumerate(report["quotes"]):
            start = body.find(quote["quote"])
            if start < 0:
                where = (
                    f"citations.{quote['position']}"
                    if from_citations
                    else f"reports.{index}.quotes.{number}"
                )
                problems.add(f"{path}{where}.quote", NOT_IN_SOURCE)
                continue
            quote["start"], quote["end"] = start, start + len(quote["quote"])


def locations_named(record, path=""):
    """The (path, location id) pairs of the places the record's reports name."""
    return [
        (f"{path}reports.{index}.location_id", report.get("location_id"))
        for index, report in enumerate(record["reports"])
    ]


def report_columns(says):
    """The columns of a report row besides owner, position and source."""
    if not says:
        return []
    return [*SAYS, *(column for name in FIGURES for column in estimate_values(name, None))]


def report_values(report, says):
    """The values of report_columns(says) for a report as its schema loads it."""
    if not says:
        return {}
    values = {name: report.get(name) for name in SAYS}
    for name in FIGURES:
        values.update(estimate_values(name, report.get(name)))
    return values


def stored_says(conn, event_ids):
    """What the stored reports of these events say besides their quotes:
    {event_id: {source_id: row}}."""
    query = sql.SQL(
        "SELECT event_id, source_id, {} FROM reports WHERE event_id = ANY(%(ids)s)"
    ).format(sql.SQL(", ").join(map(sql.Identifier, report_columns(True))))
    said = {}
    for row in conn.execute(query, {"ids": list(event_ids)}):
        said.setdefault(row["event_id"], {})[row["source_id"]] = row
    return said


def keep_what_sources_say(event, stored):
    """When a client wrote an event's citations only, keep what each source's stored
    report (`stored`, by source, from stored_says()) says besides its quotes: dates,
    place, figures, certainty; and derive the figures again. A client that predates
    reports loses none of them."""
    if not event.get("reports_from_citations") or not stored:
        return
    for report in event["reports"]:
        row = stored.get(report["source_id"])
        if row is None:
            continue
        report.update({name: row[name] for name in SAYS})
        for name in FIGURES:
            report[name] = _estimate(row, name)
    derive_figures(event)


def _estimate(row, name):
    """Estimate `name` of a report row, as its schema loads it; None without its low."""
    if row[f"{name}_low"] is None:
        return None
    value = {bound: row[f"{name}_{bound}"] for bound in BOUNDS}
    civilians = {bound: row[f"{name}_civilians_{bound}"] for bound in BOUNDS}
    value["civilians"] = civilians if civilians["low"] is not None else None
    return value


def write(conn, owner_column, owner_id, record, *, says=False):
    """Replace the reports of one event or statement, and their quotes (located)."""
    conn.execute(
        sql.SQL("DELETE FROM reports WHERE {} = %(id)s").format(sql.Identifier(owner_column)),
        {"id": owner_id},
    )
    report_row = [owner_column, "position", "source_id", *report_columns(says)]
    quote_row = [owner_column, "position", "source_id", "quote", "start_offset", "end_offset"]
    with conn.cursor() as cursor:
        cursor.executemany(
            _insert("reports", report_row),
            [
                {
                    owner_column: owner_id,
                    "position": position,
                    "source_id": report["source_id"],
                    **report_values(report, says),
                }
                for position, report in enumerate(record["reports"])
            ],
        )
        cursor.executemany(
            _insert("citations", quote_row),
            [
                {
                    owner_column: owner_id,
                    "position": quote["position"],
                    "source_id": report["source_id"],
                    "quote": quote["quote"],
                    "start_offset": quote["start"],
                    "end_offset": quote["end"],
                }
                for report in record["reports"]
                for quote in report["quotes"]
            ],
        )


def _insert(table, names):
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(map(sql.Placeholder, names)),
    )
