"""Bulk import through the real server against a raw COPY of the same rows.

`python -m bench.bulk --n 20000` fills a database of its own,
`eventdata_bulk_bench` (on the embedded server, or DATABASE_URL's), with the
actors, locations and sources of bench/data.py's data set for N events, and
draws the N events with their participants, reports and citations. Then, a few times
over, each time from empty event tables:

- the import: the events as JSON arrays of `--chunk` events (bodies built
  beforehand), POSTed one after another to /v1/events/bulk on gunicorn
  started as `make run` starts it (bench/http.py's Server);
- the raw load: the same rows with COPY through psycopg, events, participants,
  reports and citations in one transaction; then the one UPDATE that fills
  events.search as the API does (bench/data.py's load does the same), in a
  second transaction.

- the import's statements alone: those the import sent for the same events
  (captured once, in process, from `import_records`, then emptied), sent
  again in pipeline mode, a transaction per request, with no Python checking
  beside them. Their rate over the COPY's is the most the import's ratio can
  reach on this machine however fast its Python.

It prints events per second for each, their medians, and the ratio of the
import to the raw COPY: the target is at least 0.4. All three leave the same
rows (checked: counts, and digests of the rows without ids and timestamps). When
the database runs on this machine it also prints the CPU time per 1,000
events of each (gunicorn and its database backends, and gunicorn's share; the
COPY's client and backend), which other load on a shared machine disturbs less
than the rates.
measure(n) returns the figures, for the main benchmark to include.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from api import embedded
from api.resources.events.bulk_store import import_records
from api.store import tokens
from api.store.database import upgrade
from api.store.revisions import Author
from bench.data import (
    DATA_TABLES,
    DEFAULT_SEED,
    FIGURE_COLUMNS,
    REPORT_SAYS,
    Generator,
    copy_rows,
)
from bench.http import Server

BULK_DATABASE = "eventdata_bulk_bench"
DEFAULT_N = 20_000
DEFAULT_CHUNK = 1_000
DEFAULT_RUNS = 3
# Issue 14: at least 0.4 of a bare COPY's rate, revisions written (November's was 0.3).
TARGET_RATIO = 0.4
TOKEN_NAME = "bench-bulk"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What each run empties: everything an event write touches (the server also
# loads the article, whose statements are about its events).
EVENT_TABLES = (
    "events",
    "event_participants",
    "reports",
    "citations",
    "statements",
    "statement_addressees",
    "statement_events",
    "deletions",
    "revisions",
)
EVENT_COLUMNS = (
    "id, title, summary, event_type, mode, start_date, end_date, date_precision, location_id,"
    f" coded_certainty, {FIGURE_COLUMNS}, figures_set_by_hand, source_count, notes, reported_as"
)
# An event's report: (event_id, position, source_id, what it says).
REPORT_COLUMNS = "event_id, position, source_id, " + ", ".join(REPORT_SAYS) + f", {FIGURE_COLUMNS}"
UPDATE_SEARCH = """
    UPDATE events e SET search = eventdata_event_search(e.title, e.summary,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.event_id = e.id))
"""
# The rows an import or a load leaves, without the ids and times that differ.
DIGESTS = {
    "events": """
        SELECT count(*), md5(string_agg(row, '|' ORDER BY row)) FROM (
            SELECT concat_ws(',', title, summary, event_type, mode, start_date, end_date,
                date_precision, location_id, certainty, fatalities_low, fatalities_best,
                fatalities_high, fatalities_civilians_low, fatalities_civilians_best,
                fatalities_civilians_high, injuries_low, injuries_best, injuries_high,
                injuries_civilians_low, injuries_civilians_best, injuries_civilians_high,
                figures_set_by_hand, source_count, notes, search) AS row FROM events) rows
    """,
    "reports": """
        SELECT count(*), md5(string_agg(row, '|' ORDER BY row)) FROM (
            SELECT concat_ws(',', e.title, e.start_date, r.position, r.source_id, r.start_date,
                r.end_date, r.date_precision, r.location_id, r.certainty, r.fatalities_low,
                r.fatalities_best, r.fatalities_high, r.fatalities_civilians_low,
                r.injuries_low, r.injuries_best, r.injuries_high) AS row
            FROM reports r JOIN events e ON e.id = r.event_id) rows
    """,
    "event_participants": """
        SELECT count(*), md5(string_agg(row, '|' ORDER BY row)) FROM (
            SELECT concat_ws(',', e.title, e.start_date, p.position, p.actor_id, p.role) AS row
            FROM event_participants p JOIN events e ON e.id = p.event_id) rows
    """,
    "citations": """
        SELECT count(*), md5(string_agg(row, '|' ORDER BY row)) FROM (
            SELECT concat_ws(',', e.title, e.start_date, c.position, c.source_id, c.quote,
                c.start_offset, c.end_offset) AS row
            FROM citations c JOIN events e ON e.id = c.event_id) rows
    """,
}


def database_url(name=BULK_DATABASE):
    """The URL of the benchmark's database, created and migrated when missing."""
    server = os.environ.get("DATABASE_URL") or embedded.start()
    embedded.ensure_database(server, name)
    url = embedded.with_database(server, name)
    upgrade(url)
    return url


def prepare(url, n, seed=DEFAULT_SEED):
    """Load the reference records for `n` events; return the events' rows, not loaded.

    Returns (events, participants, reports, citations) as the raw load copies them.
    """
    generator = Generator(n, seed)
    with psycopg.connect(url) as conn:
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(sql.Identifier(table) for table in DATA_TABLES)
            )
        )
        reference = {"actors": generator.build_actors(), "locations": generator.build_locations()}
        reference["sources"] = generator.build_sources()
        for table in ("sources", "actors", "locations"):
            copy_rows(conn, table, reference[table])
    events, participants, reports, citations = [], [], [], []
    for batch_events, batch_participants, batch_reports, batch_citations in generator.events():
        # Without created_at and updated_at: the database sets them, as for the import.
        events += [row[:-2] for row in batch_events]
        participants += batch_participants
        # Event reports and citations, without statement_id.
        reports += [(row[0], *row[2:]) for row in batch_reports]
        citations += [(row[0], *row[2:]) for row in batch_citations]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return events, participants, reports, citations


def estimate(values):
    """An estimate as the API takes it, from its six columns; None without its low."""
    low, best, high, civilians_low, civilians_best, civilians_high = values
    if low is None:
        return None
    civilians = None
    if civilians_low is not None:
        civilians = {"low": civilians_low, "best": civilians_best, "high": civilians_high}
    return {"low": low, "best": best, "high": high, "civilians": civilians}


def documents(events, participants, reports, citations):
    """The events as the API takes them, in order: what a client would send. Their
    figures are left for the API to derive from the reports, as the generator did."""
    taking_part, quoted, reported = {}, {}, {}
    for event_id, _, actor_id, role in participants:
        taking_part.setdefault(event_id, []).append({"actor_id": actor_id, "role": role})
    for event_id, _, source_id, quote, _, _ in citations:
        quoted.setdefault((event_id, source_id), []).append({"quote": quote})
    says = len(REPORT_SAYS)
    for event_id, _, source_id, *said in reports:
        report = {
            "source_id": source_id,
            "quotes": quoted[(event_id, source_id)],
            **dict(zip(REPORT_SAYS, said[:says], strict=True)),
            "fatalities": estimate(said[says : says + 6]),
            "injuries": estimate(said[says + 6 :]),
        }
        reported.setdefault(event_id, []).append(
            {key: value for key, value in report.items() if value is not None}
        )
    bodies = []
    for row in events:
        (event_id, title, summary, event_type, mode, start, end, precision, location_id) = row[:9]
        certainty, notes, reported_as = row[9], row[-2], row[-1]
        body = {
            "title": title,
            "summary": summary,
            "event_type": event_type,
            "mode": mode,
            "start_date": start,
            "end_date": end,
            "date_precision": precision,
            "location_id": location_id,
            "participants": taking_part.get(event_id, []),
            "certainty": certainty,
            "notes": notes,
            "reported_as": reported_as,
            "reports": reported.get(event_id, []),
        }
        bodies.append({key: value for key, value in body.items() if value is not None})
    return bodies


def empty(url):
    with psycopg.connect(url) as conn:
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(sql.Identifier(table) for table in EVENT_TABLES)
            )
        )


def digests(url):
    with psycopg.connect(url) as conn:
        return {table: tuple(conn.execute(query).fetchone()) for table, query in DIGESTS.items()}


def cpu_seconds(pids):
    """CPU time (user + system) used so far by each process of `pids` that still runs.

    Read from /proc, so only on Linux and for a local database server: a pid
    whose command line does not name postgres or python is left out.
    """
    used = {}
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if b"postgres" not in command and b"python" not in command:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


def server_processes(server, conn):
    """Two sets of pids: the gunicorn master and workers, the bench database's backends."""
    pids = {server.process.pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.process.pid:
                pids.add(int(stat.parent.name))
    backends = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    return pids, {row[0] for row in backends}


def cpu_used(before, after):
    """Seconds of CPU between two cpu_seconds() readings; None when nothing could be read."""
    if not after:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def post_all(base, token, bodies):
    """POST each body to /v1/events/bulk in turn; return the seconds it took."""
    began = time.perf_counter()
    for body in bodies:
        request = urllib.request.Request(
            base + "/v1/events/bulk",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            if response.status != 201:
                raise SystemExit(f"the import answered {response.status}: {response.read()[:500]}")
            response.read()
    return time.perf_counter() - began


def copy_all(url, events, participants, reports, citations):
    """COPY the rows in one transaction, then fill events.search in another.

    Returns (seconds for the COPY, seconds for the UPDATE), commits included,
    and the CPU seconds the COPY took in this process and its database backend.
    """
    with psycopg.connect(url) as conn:
        backend = cpu_seconds([conn.info.backend_pid])
        client = time.process_time()
        began = time.perf_counter()
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
            with cursor.copy(
                "COPY event_participants (event_id, position, actor_id, role) FROM STDIN"
            ) as copy:
                for row in participants:
                    copy.write_row(row)
            with cursor.copy(f"COPY reports ({REPORT_COLUMNS}) FROM STDIN") as copy:
                for row in reports:
                    copy.write_row(row)
            with cursor.copy(
                "COPY citations (event_id, position, source_id, quote, start_offset, end_offset)"
                " FROM STDIN"
            ) as copy:
                for row in citations:
                    copy.write_row(row)
        conn.commit()
        copied = time.perf_counter()
        database = cpu_used(backend, cpu_seconds([conn.info.backend_pid]))
        cpu = None if database is None else time.process_time() - client + database
        conn.execute(UPDATE_SEARCH)
        conn.commit()
        return copied - began, time.perf_counter() - copied, cpu


class _Recording(psycopg.Connection):
    """A connection that keeps each statement it executes, with its parameters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = []

    def execute(self, query, params=None, **kwargs):
        self.statements.append((query, params))
        return super().execute(query, params, **kwargs)


def capture(url, sent, chunk):
    """The statements the import sends for `sent`, a list per request of `chunk`
    events, each as (query, parameters); a transaction per request, as through
    the server, and what they wrote is then emptied."""
    requests = []
    with _Recording.connect(url, row_factory=dict_row) as conn:
        for at in range(0, len(sent), chunk):
            documents = dict(enumerate(json.loads(json.dumps(sent[at : at + chunk]))))
            before = len(conn.statements)
            import_records(conn, documents, {}, Author(TOKEN_NAME))
            conn.commit()
            requests.append(conn.statements[before:])
    empty(url)
    return requests


def replay(url, requests):
    """Send the captured statements again, in pipeline mode, a transaction per request.

    Returns the seconds it took and the CPU seconds of the database backend
    (None when it cannot be read).
    """
    with psycopg.connect(url, row_factory=dict_row) as conn:
        backend = cpu_seconds([conn.info.backend_pid])
        began = time.perf_counter()
        for statements in requests:
            with conn.pipeline():
                for query, params in statements:
                    conn.execute(query, params)
            conn.commit()
        seconds = time.perf_counter() - began
        return seconds, cpu_used(backend, cpu_seconds([conn.info.backend_pid]))


def measure(n=DEFAULT_N, *, runs=DEFAULT_RUNS, chunk=DEFAULT_CHUNK, seed=DEFAULT_SEED, log=print):
    """Import `n` events through the server and COPY the same rows, `runs` times each.

    Returns a dict of the figures: events per second of each run and their
    medians, and the ratio of the import's median to the raw COPY's.
    """
    url = database_url()
    log(f"Drawing {n:,} events and loading their actors, locations and sources...")
    events, participants, reports, citations = prepare(url, n, seed)
    sent = documents(events, participants, reports, citations)
    bodies = [json.dumps(sent[at : at + chunk]).encode() for at in range(0, n, chunk)]
    with psycopg.connect(url) as conn:
        tokens.revoke_token(conn, TOKEN_NAME)
        token = tokens.create_token(conn, TOKEN_NAME)
    statements = capture(url, sent, chunk)

    imported, copied, searched, replayed = [], [], [], []
    import_cpu, server_cpu, copy_cpu, replay_cpu = [], [], [], []
    with (
        tempfile.TemporaryDirectory() as workdir,
        Server(url, Path(workdir)) as server,
        psycopg.connect(url, autocommit=True) as monitor,
    ):
        # Each worker's first requests open its pool and warm its caches.
        empty(url)
        warm = json.dumps(sent[:20]).encode()
        post_all(server.base, token, [warm] * 4)
        expected = None
        for run in range(1, runs + 1):
            empty(url)
            gunicorn, backends = server_processes(server, monitor)
            before = cpu_seconds(gunicorn | backends)
            seconds = post_all(server.base, token, bodies)
            more_gunicorn, more_backends = server_processes(server, monitor)
            gunicorn |= more_gunicorn
            after = cpu_seconds(gunicorn | backends | more_backends | set(before))
            imported.append(n / seconds)
            import_cpu.append(cpu_used(before, after))
            server_cpu.append(
                cpu_used(before, {pid: used for pid, used in after.items() if pid in gunicorn})
            )
            through_api = digests(url)
            empty(url)
            copy_seconds, search_seconds, cpu = copy_all(
                url, events, participants, reports, citations
            )
            copied.append(n / copy_seconds)
            copy_cpu.append(cpu)
            searched.append(n / (copy_seconds + search_seconds))
            by_copy = digests(url)
            empty(url)
            replay_seconds, cpu = replay(url, statements)
            replayed.append(n / replay_seconds)
            replay_cpu.append(cpu)
            by_replay = digests(url)
            if not through_api == by_copy == by_replay or (expected and by_copy != expected):
                raise SystemExit(
                    "the import, the COPY and the replay left different rows:"
                    f"\n{through_api}\n{by_copy}\n{by_replay}"
                )
            expected = by_copy
            log(
                f"  run {run}: import {imported[-1]:,.0f} events/s ({seconds:.2f}s),"
                f" COPY {copied[-1]:,.0f} events/s ({copy_seconds:.2f}s),"
                f" COPY + search {searched[-1]:,.0f} events/s"
                f" (+{search_seconds:.2f}s),"
                f" the import's statements alone {replayed[-1]:,.0f} events/s"
            )
        empty(url)

    figures = {
        "events": n,
        "participants": len(participants),
        "reports": len(reports),
        "citations": len(citations),
        "chunk": chunk,
        "runs": runs,
        "import_events_per_second": imported,
        "copy_events_per_second": copied,
        "copy_and_search_events_per_second": searched,
        "statements_alone_events_per_second": replayed,
        "import_median": statistics.median(imported),
        "copy_median": statistics.median(copied),
        "copy_and_search_median": statistics.median(searched),
        "statements_alone_median": statistics.median(replayed),
    }
    figures["ratio_to_copy"] = figures["import_median"] / figures["copy_median"]
    figures["ratio_to_copy_and_search"] = (
        figures["import_median"] / figures["copy_and_search_median"]
    )
    # What the import's ratio would be, were its Python free and hidden entirely.
    figures["statements_alone_ratio_to_copy"] = (
        figures["statements_alone_median"] / figures["copy_median"]
    )
    if None not in replay_cpu:
        figures["statements_alone_cpu_ms_per_1000"] = statistics.median(replay_cpu) * 1e6 / n
    if None not in import_cpu + server_cpu + copy_cpu:
        # A load-independent view on a shared machine: CPU per 1,000 events,
        # and of the import's, gunicorn's (the rest is its database backends').
        figures["import_cpu_ms_per_1000"] = statistics.median(import_cpu) * 1e6 / n
        figures["import_server_cpu_ms_per_1000"] = statistics.median(server_cpu) * 1e6 / n
        figures["copy_cpu_ms_per_1000"] = statistics.median(copy_cpu) * 1e6 / n
    figures["target_ratio"] = TARGET_RATIO
    figures["meets_target"] = figures["ratio_to_copy"] >= TARGET_RATIO
    return figures


def report(figures):
    verdict = "PASS" if figures["meets_target"] else "FAIL"
    return "\n".join(
        [
            f"Bulk import of {figures['events']:,} events ({figures['participants']:,}"
            f" participants, {figures['reports']:,} reports, {figures['citations']:,} citations),"
            f" {figures['chunk']:,} per"
            f" request; medians of {figures['runs']} runs:",
            f"  POST /v1/events/bulk (gunicorn)  {figures['import_median']:>9,.0f} events/s",
            f"  raw COPY                         {figures['copy_median']:>9,.0f} events/s",
            f"  raw COPY + events.search UPDATE  {figures['copy_and_search_median']:>9,.0f}"
            " events/s",
            f"  import / raw COPY                {figures['ratio_to_copy']:>9.2f}"
            f"  (target >= {figures['target_ratio']}: {verdict})",
            f"  import / (COPY + search)         {figures['ratio_to_copy_and_search']:>9.2f}",
            f"  the import's statements alone    {figures['statements_alone_median']:>9,.0f}"
            " events/s (its SQL replayed, no Python beside it)",
            f"  statements alone / raw COPY      {figures['statements_alone_ratio_to_copy']:>9.2f}"
            "  (the most the import's ratio can reach here)",
        ]
        + (
            [
                "  CPU per 1,000 events (gunicorn + its backends; COPY client + backend):"
                f" import {figures['import_cpu_ms_per_1000']:,.0f} ms"
                f" (gunicorn {figures['import_server_cpu_ms_per_1000']:,.0f} ms),"
                f" raw COPY {figures['copy_cpu_ms_per_1000']:,.0f} ms",
            ]
            if "import_cpu_ms_per_1000" in figures
            else []
        )
        + (
            [
                "  CPU per 1,000 events of the database backend replaying the import's"
                f" statements: {figures['statements_alone_cpu_ms_per_1000']:,.0f} ms",
            ]
            if "statements_alone_cpu_ms_per_1000" in figures
            else []
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="events to import")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="events per request")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.n < 1 or args.chunk < 1 or args.runs < 1:
        parser.error("--n, --chunk and --runs must be at least 1")
    figures = measure(
        args.n,
        runs=args.runs,
        chunk=args.chunk,
        seed=args.seed,
        log=lambda line: print(line, flush=True),
    )
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
