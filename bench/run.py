"""Time each query shape of the API against the benchmark database.

`python -m bench.run` (or `make bench`) builds the application in-process
(create_app with DATABASE_URL set to eventdata_bench), sends each shape's
request through Flask's test client a few times to warm up and then ~30 times,
and prints a table: median and p95 latency, the rows returned, and whether
the median meets the target. Then, for each shape, it captures the SQL the
request ran (a recording cursor: the application is untouched) and runs
EXPLAIN (FORMAT JSON) on it, reporting any sequential scan of a big table;
for shapes over the target, EXPLAIN ANALYZE names the plan node that took
the time.

A shape whose parameters the API refuses (422: a filter not written yet)
is reported as not available.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from api import create_app
from api.store import database as app_database
from bench.data import BENCH_DATABASE, bench_url

TARGET_MS = 50.0
BIG_TABLES = {"events", "event_participants", "citations", "statements", "actors", "locations"}
KEYSET_DEPTH = 100


class Recorder:
    """The queries the application ran while recording is on."""

    def __init__(self):
        self.on = False
        self.queries = []


RECORDER = Recorder()


class RecordingCursor(psycopg.Cursor):
    def execute(self, query, params=None, **kwargs):
        if RECORDER.on:
            RECORDER.queries.append((query, params))
        return super().execute(query, params, **kwargs)


class RecordingPool(app_database.ConnectionPool):
    """The application's pool, with cursors that record what they execute."""

    def __init__(self, *args, kwargs=None, **more):
        super().__init__(
            *args, kwargs={**(kwargs or {}), "cursor_factory": RecordingCursor}, **more
        )


@dataclass
class Shape:
    name: str
    path: str
    params: dict = field(default_factory=dict)

    @property
    def url(self):
        return self.path + ("?" + urlencode(self.params) if self.params else "")


@dataclass
class Result:
    shape: Shape
    status: int = 0
    note: str = ""
    times: list = field(default_factory=list)
    rows: int | None = None
    total: int | None = None
    plan: str = ""
    slowest: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None

    @property
    def p95(self):
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]

    @property
    def verdict(self):
        if self.status != 200:
            return self.note
        return "OK" if self.median <= TARGET_MS else "SLOW"


# -- choosing the parameters from the data ---------------------------------------------


def pick_parameters(conn):
    """Real ids and values for the shapes: a busy actor and a rare one, a country..."""
    one = lambda query, *args: conn.execute(query, args).fetchone()  # noqa: E731
    counts = conn.execute(
        "SELECT actor_id, count(*) AS n FROM event_participants GROUP BY actor_id ORDER BY n DESC"
    ).fetchall()
    busy = counts[0]
    rare = next((row for row in reversed(counts) if row["n"] >= 2), counts[-1])
    initiator = one(
        "SELECT actor_id, count(*) AS n FROM event_participants WHERE role = 'initiator'"
        " GROUP BY actor_id ORDER BY n DESC LIMIT 1"
    )
    country = one(
        "SELECT country FROM locations WHERE kind = 'country'"
        " ORDER BY country = 'AZE' DESC, country LIMIT 1"
    )["country"]
    country_location = one(
        "SELECT id FROM locations WHERE kind = 'country' AND country = %s", country
    )["id"]
    region = one(
        "SELECT id, latitude, longitude FROM locations WHERE kind = 'region' AND country = %s"
        " AND latitude IS NOT NULL ORDER BY id LIMIT 1",
        country,
    )
    town = (
        one(
            "SELECT latitude, longitude FROM locations WHERE parent_id = %s"
            " AND latitude IS NOT NULL ORDER BY id LIMIT 1",
            region["id"],
        )
        or region
    )
    source = one(
        "SELECT source_id, count(*) AS n FROM reports WHERE event_id IS NOT NULL"
        " GROUP BY source_id ORDER BY n DESC LIMIT 1"
    )
    # A rare word: the name of a town few events happened in.
    rare_word = one(
        "SELECT l.name FROM locations l WHERE l.kind = 'town' AND l.name ~ '^[A-Za-z]+$'"
        " AND (SELECT count(*) FROM events e WHERE e.location_id = l.id) BETWEEN 1 AND 5"
        " ORDER BY l.id LIMIT 1"
    )
    speaker = one(
        "SELECT speaker_id, count(*) AS n FROM statements GROUP BY speaker_id"
        " ORDER BY n DESC LIMIT 1"
    )
    town_name = one("SELECT name FROM locations WHERE kind = 'town' ORDER BY id LIMIT 1")
    # Events whose similar ones are many to weigh: one of the busiest actor, one at a
    # region (its towns are inside it).
    busy_event = one(
        "SELECT event_id FROM event_participants WHERE actor_id = %s ORDER BY event_id LIMIT 1",
        busy["actor_id"],
    )
    region_event = (
        one("SELECT id AS event_id FROM events WHERE location_id = %s LIMIT 1", region["id"])
        or busy_event
    )
    ministry = one(
        "SELECT name, country FROM actors WHERE kind = 'government' AND country IS NOT NULL"
        " ORDER BY id LIMIT 1"
    )
    return {
        "busy_event": str(busy_event["event_id"]),
        "region_event": str(region_event["event_id"]),
        "busy_actor": str(busy["actor_id"]),
        "busy_actor_events": busy["n"],
        "rare_actor": str(rare["actor_id"]),
        "rare_actor_events": rare["n"],
        "initiator": str(initiator["actor_id"]),
        "country": country,
        "country_location": str(country_location),
        "region_point": (region["latitude"], region["longitude"]),
        "town_point": (town["latitude"], town["longitude"]),
        "source": str(source["source_id"]),
        "rare_word": rare_word["name"] if rare_word else "Tartar",
        "speaker": str(speaker["speaker_id"]) if speaker else busy["actor_id"],
        "town_prefix": (town_name["name"] if town_name else "Tar")[:4],
        "town_name": town_name["name"] if town_name else "Tartar",
        "actor_name": ministry["name"] if ministry else "Defense Ministry of Azerbaijan",
    }


def shapes(p):
    """The query shapes, given the parameters picked from the data."""
    lat, lon = p["region_point"]
    town_lat, town_lon = p["town_point"]
    bbox = f"{lon - 1:.4f},{lat - 0.75:.4f},{lon + 1:.4f},{lat + 0.75:.4f}"
    events = "/v1/events"
    return [
        Shape("events: first page (default sort)", events),
        Shape("events: event_type=ASSAULT", events, {"event_type": "ASSAULT"}),
        Shape("events: certainty=disputed", events, {"certainty": "disputed"}),
        Shape("events: actor_id (busy)", events, {"actor_id": p["busy_actor"]}),
        Shape("events: actor_id (rare)", events, {"actor_id": p["rare_actor"]}),
        Shape("events: initiator_id", events, {"initiator_id": p["initiator"]}),
        Shape(f"events: country={p['country']}", events, {"country": p["country"]}),
        Shape(
            "events: location_id (country + inside)", events, {"location_id": p["country_location"]}
        ),
        Shape(
            "events: date range, one week",
            events,
            {"date_from": "2020-09-27", "date_to": "2020-10-03"},
        ),
        Shape("events: bbox around a region", events, {"bbox": bbox}),
        Shape("events: bbox across the antimeridian", events, {"bbox": "175,-22,-172,-12"}),
        Shape(
            "events: near + radius_km=50",
            events,
            {"near": f"{town_lat:.4f},{town_lon:.4f}", "radius_km": 50},
        ),
        Shape("events: fatalities_min=100", events, {"fatalities_min": 100}),
        Shape("events: source_id (most reporting)", events, {"source_id": p["source"]}),
        Shape("events: min_sources=2", events, {"min_sources": 2}),
        Shape("events: min_sources=5", events, {"min_sources": 5}),
        Shape(
            "events: min_sources=3 + event_type=ASSAULT",
            events,
            {"min_sources": 3, "event_type": "ASSAULT"},
        ),
        Shape("events: q common word (shelling)", events, {"q": "shelling"}),
        Shape(f"events: q rare word ({p['rare_word']})", events, {"q": p["rare_word"]}),
        # A state's name: its actors' tens of thousands of events match too.
        Shape("events: q names a state (Azerbaijan)", events, {"q": "Azerbaijan"}),
        Shape(
            "events: q common, sort=-start_date", events, {"q": "shelling", "sort": "-start_date"}
        ),
        Shape(
            "events: actor + month + event_type",
            events,
            {
                "actor_id": p["busy_actor"],
                "date_from": "2020-09-01",
                "date_to": "2020-09-30",
                "event_type": "ASSAULT",
            },
        ),
        Shape("events: sort=-updated_at", events, {"sort": "-updated_at"}),
        Shape("events: keyset first page", events, {"cursor": ""}),
        Shape(f"events: keyset page {KEYSET_DEPTH + 1}", events, {"cursor": "<deep>"}),
        Shape("events: page=1000 (page mode)", events, {"page": 1000}),
        Shape("actors: q=Aze (prefix)", "/v1/actors", {"q": "Aze"}),
        Shape("actors: q=Azerbajan (typo)", "/v1/actors", {"q": "Azerbajan"}),
        Shape(f"locations: q={p['town_prefix']}", "/v1/locations", {"q": p["town_prefix"]}),
        Shape("actors: match (exact name)", "/v1/actors/match", {"name": p["actor_name"]}),
        Shape(
            "actors: match (a country's adjective)",
            "/v1/actors/match",
            {"name": "Armenian Defense Ministry"},
        ),
        Shape("locations: match (a typo)", "/v1/locations/match", {"name": p["town_name"][:-1]}),
        Shape("statements: first page", "/v1/statements"),
        Shape("statements: speaker_id", "/v1/statements", {"speaker_id": p["speaker"]}),
        Shape("statements: q=condemn", "/v1/statements", {"q": "condemn"}),
        Shape("statements: q names a state (Azerbaijan)", "/v1/statements", {"q": "Azerbaijan"}),
        Shape("actors/{busy}/events", f"/v1/actors/{p['busy_actor']}/events"),
        Shape("locations/{country}/events", f"/v1/locations/{p['country_location']}/events"),
        Shape("events/{busy actor's}/similar", f"{events}/{p['busy_event']}/similar"),
        Shape("events/{at a region}/similar", f"{events}/{p['region_event']}/similar"),
    ]


# -- timing ---------------------------------------------------------------------------


def next_link(response):
    for part in response.headers.get("Link", "").split(","):
        if 'rel="next"' in part:
            url = urlsplit(part.split(";")[0].strip().strip("<>"))
            return url.path + "?" + url.query
    return None


def deep_cursor(client, depth):
    """Follow `depth` next links from the first keyset page; return the next page's URL."""
    url = "/v1/events?cursor="
    for _ in range(depth):
        url = next_link(client.get(url))
        if url is None:
            return None
    return url


def refused(response):
    """The parameters a 422 names."""
    errors = (response.get_json(silent=True) or {}).get("errors")
    return ", ".join(sorted(errors)) if isinstance(errors, dict) else ""


def measure(client, result, url, runs, warmups, budget):
    for _ in range(max(1, warmups)):
        began = time.perf_counter()
        response = client.get(url)
        warm = time.perf_counter() - began
    result.status = response.status_code
    if response.status_code == 422:
        result.note = f"not available (422: {refused(response) or 'refused'})"
        return
    if response.status_code != 200:
        result.note = f"error {response.status_code}"
        return
    runs = max(5, min(runs, int(budget / max(warm, 1e-6))))
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        result.times.append((time.perf_counter() - began) * 1000)
    body = response.get_json()
    result.rows = len(body) if isinstance(body, list) else None
    pagination = response.headers.get("X-Pagination")
    if pagination:
        result.total = json.loads(pagination).get("total")


# -- plans ----------------------------------------------------------------------------


def nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def describe(node):
    text = node["Node Type"]
    if node.get("Relation Name"):
        text += f" on {node['Relation Name']}"
    if node.get("Index Name"):
        text += f" using {node['Index Name']}"
    return text


def query_role(text):
    head = text.lstrip()[:40].lower()
    if head.startswith("select count(*)"):
        return "count"
    if "limit" in text.lower()[-60:]:
        return "list"
    return "other"


def explain(conn, query, params, analyze=False):
    text = query.as_string(conn) if isinstance(query, sql.Composable) else query
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    plan = conn.execute(f"EXPLAIN ({options}) {text}", params).fetchone()[0]
    return text, plan[0]


def exclusive_ms(node):
    total = node.get("Actual Total Time", 0) * node.get("Actual Loops", 1)
    children = sum(
        child.get("Actual Total Time", 0) * child.get("Actual Loops", 1)
        for child in node.get("Plans", ())
    )
    return max(0.0, total - children)


def analyse_plans(conn, result, queries, analyze):
    seq_scans = []
    for query, params in queries:
        text = query.as_string(conn) if isinstance(query, sql.Composable) else str(query)
        if not text.lstrip().upper().startswith(("SELECT", "WITH")):
            continue  # the pool's connection checks
        text, plan = explain(conn, text, params)
        role = query_role(text)
        for node in nodes(plan["Plan"]):
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
                seq_scans.append(f"{node['Relation Name']} ({role})")
        if analyze:
            _, measured = explain(conn, query, params, analyze=True)
            worst = max(nodes(measured["Plan"]), key=exclusive_ms)
            result.slowest.append(
                f"{role} query {measured['Execution Time']:.0f} ms:"
                f" {describe(worst)} {exclusive_ms(worst):.0f} ms"
                f" (rows {worst.get('Actual Rows', 0) * worst.get('Actual Loops', 1):,.0f})"
            )
    result.plan = "SEQ SCAN " + ", ".join(dict.fromkeys(seq_scans)) if seq_scans else "index"


# -- the run --------------------------------------------------------------------------


def fmt(value):
    return "" if value is None else f"{value:.1f}"


def table(results):
    lines = [
        "| shape | median ms | p95 ms | runs | rows | total | target | verdict | plan |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.shape.name} | {fmt(result.median)} | {fmt(result.p95)}"
            f" | {len(result.times) or ''} | {'' if result.rows is None else result.rows}"
            f" | {'' if result.total is None else f'{result.total:,}'} | {TARGET_MS:.0f}"
            f" | {result.verdict} | {result.plan} |"
        )
    return "\n".join(lines)


def run(url, *, runs=30, warmups=3, budget=60.0, only=None, log=print):
    with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
        events = conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"]
        if not events:
            raise SystemExit(f"{BENCH_DATABASE} is empty: run `make bench-data` first.")
        log(f"{BENCH_DATABASE}: {events:,} events; picking parameters...")
        params = pick_parameters(conn)
    log(
        f"busy actor: {params['busy_actor_events']:,} participations;"
        f" rare actor: {params['rare_actor_events']}; rare word: {params['rare_word']}"
    )
    original_pool = app_database.ConnectionPool
    app_database.ConnectionPool = RecordingPool
    # One client sends every request: rate limits and the access log would only measure themselves.
    app = create_app(
        {
            "DATABASE_URL": url,
            "DATABASE_POOL_MAX_SIZE": 2,
            "RATE_LIMIT_PER_TOKEN": "off",
            "RATE_LIMIT_PER_ADDRESS": "off",
            "ACCESS_LOG": False,
        }
    )
    client = app.test_client()
    results = []
    try:
        with psycopg.connect(url, autocommit=True) as explain_conn:
            for shape in shapes(params):
                if only and only.lower() not in shape.name.lower():
                    continue
                result = Result(shape)
                if shape.params.get("cursor") == "<deep>":
                    first = time.perf_counter()
                    url_deep = deep_cursor(client, KEYSET_DEPTH)
                    log(f"  followed {KEYSET_DEPTH} cursors in {time.perf_counter() - first:.1f}s")
                    if url_deep is None:
                        result.note = "fewer pages than that"
                        results.append(result)
                        continue
                    shape.path, shape.params = url_deep.split("?", 1)[0], {}
                    target = url_deep
                else:
                    target = shape.url
                measure(client, result, target, runs, warmups, budget)
                if result.status == 200:
                    RECORDER.queries.clear()
                    RECORDER.on = True
                    client.get(target)
                    RECORDER.on = False
                    analyse_plans(
                        explain_conn, result, list(RECORDER.queries), result.verdict == "SLOW"
                    )
                log(
                    f"  {shape.name:45} {fmt(result.median):>9} {fmt(result.p95):>9}"
                    f"  {result.verdict}  {result.plan}"
                )
                results.append(result)
    finally:
        app_database.ConnectionPool = original_pool
        app.extensions["eventdata.db"].close()
    return results, params


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per shape")
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds per shape: slower shapes get fewer runs (at least 5)",
    )
    parser.add_argument("--only", help="run the shapes whose name contains this")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    url = bench_url()
    began = time.perf_counter()
    results, params = run(
        url, runs=args.runs, warmups=args.warmups, budget=args.budget, only=args.only
    )
    print()
    print(table(results))
    slow = [result for result in results if result.verdict == "SLOW"]
    if slow:
        print("\nOver the target (EXPLAIN ANALYZE, the node that took the most time):")
        for result in slow:
            print(f"- {result.shape.name}: " + "; ".join(result.slowest))
    print(
        f"\n{len(results)} shapes in {time.perf_counter() - began:.0f}s"
        f" ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores)"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "parameters": params,
                    "results": [
                        {
                            "shape": r.shape.name,
                            "url": r.shape.url,
                            "status": r.status,
                            "median_ms": r.median,
                            "p95_ms": r.p95,
                            "runs": len(r.times),
                            "rows": r.rows,
                            "total": r.total,
                            "verdict": r.verdict,
                            "plan": r.plan,
                            "slowest": r.slowest,
                        }
                        for r in results
                    ],
                },
                out,
                indent=2,
                default=str,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
