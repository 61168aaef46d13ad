"""Load the real server with wrk and compare each shape with its own SQL.

`python -m bench.http` (or `make bench`) starts gunicorn as `make run` does,
on a free port, against the benchmark database (1,000,000 events), and for
each endpoint shape:

- drives it with wrk (a Lua script per shape cycles through requests whose
  parameters come from the data) at each concurrency: requests per second,
  p50 and p99 latency, errors (socket errors, timeouts and any non-2xx);
- replays, at the same concurrency and without HTTP, the SQL that endpoint
  runs for those requests, statement by statement and transaction by
  transaction, through psycopg with the app's settings (dict rows, psycopg's
  automatic prepared statements), one connection per client thread, in as
  many processes as gunicorn has workers. The SQL is captured once per
  request in process (create_app and its test client, with a recording
  cursor); writes get fresh ids each time they are replayed;
- efficiency = HTTP requests per second / SQL requests per second.

A second server, on eventdata_bench_10k (10,000 events), runs beside the
first, and each shape is measured there at concurrency 1, in turns with the
same cell on the big database (see run()). Then the targets are printed with
PASS or FAIL: efficiency at 8, each indexed shape's median at 1,000,000
against its median at 10,000, a keyset page near the end against the first,
and throughput at 32 against 8. Events the benchmark writes are marked in
`notes` and deleted at the end. docs/PERFORMANCE.md describes the run and
its results.
"""

import argparse
import contextlib
import datetime as dt
import json
import logging
import math
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from api.store import database as app_database
from api.store import tokens
from api.web import observability
from bench.data import BENCH_DATABASE, END_DAY, START_DAY, bench_url, event_count
from schemas.query import Cursor

SMALL_DATABASE = "eventdata_bench_10k"
# A shape measured in turns with the one it is compared with (at concurrency 1).
PAIRS = {"keyset-deep": "keyset-first"}
CONCURRENCIES = (1, 8, 32)
# What the targets are judged at.
EFFICIENCY_LEVEL, EFFICIENCY_TARGET = 8, 0.5
GROWTH_TARGET = 1.5  # median at 1,000,000 events / median at 10,000
# Issue 15 asks more of the shapes it added: 1.3x.
TIGHT_GROWTH_TARGET = 1.3
DEEP_TARGET = 1.2  # keyset page near the end / first keyset page
SCALING_FROM, SCALING_TO, SCALING_TARGET = 8, 32, 0.9
BENCH_TOKEN = "bench-http"
# Every event the benchmark writes says so, and is deleted at the end.
MARK = "Written by the HTTP benchmark (bench/http.py); deleted when it ends."
PATCH_TARGETS = 128
# A load generator is one client at one address: the rate limits (api/web/ratelimit.py)
# are raised out of reach, so that their cost per request is measured but no 429.
UNLIMITED = {"RATE_LIMIT_PER_TOKEN": "1000000/second", "RATE_LIMIT_PER_ADDRESS": "1000000/second"}
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


# -- shapes ------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: dict | None = None


@dataclass
class Variant:
    """One request of a shape and the SQL it ran: transactions of (many, query, params)."""

    request: Request
    transactions: list = field(default_factory=list)
    # Ids the request created: the SQL replay substitutes fresh ones each time.
    created: list = field(default_factory=list)
    inprocess_ms: float = 0.0
    sql_ms: float = 0.0
    # How many records it answered with (a list's length), to show like is compared with like.
    items: int | None = None


@dataclass
class Shape:
    key: str
    name: str
    requests: list
    # Judged against its median at 10,000 events: an index should make it cost the same.
    indexed: bool = True
    growth: float = GROWTH_TARGET
    write: bool = False
    # Only measured at these concurrencies (a reference for another shape).
    levels: tuple = CONCURRENCIES
    # Whether it runs SQL to replay (not /healthz, the floor of the stack).
    replay: bool = True
    variants: list = field(default_factory=list)
    script: Path | None = None


def get(path, **params):
    return Request("GET", path + ("?" + urlencode(params) if params else ""))


def pick(conn):
    """Request parameters drawn from the data: ids, actors by rank, places, names, cursors."""
    one = lambda query, *args: conn.execute(query, args).fetchone()  # noqa: E731
    n = one("SELECT count(*) AS n FROM events")["n"]
    # About 400 rows from whole pages spread over the table, the same ones each run.
    percent = min(100.0, 100.0 * 400 / max(n, 1))
    event_ids = [
        row["id"]
        for row in conn.execute(
            "SELECT id FROM events TABLESAMPLE SYSTEM (%s) REPEATABLE (20201002) LIMIT 64",
            [percent],
        )
    ]
    # Actors by how many events they take part in (ACTOR_RANKS).
    ranked = conn.execute(
        "SELECT actor_id, count(*) AS n FROM event_participants"
        " GROUP BY actor_id ORDER BY n DESC, actor_id"
    ).fetchall()
    ranks = [rank for rank in ACTOR_RANKS if rank < len(ranked)]
    actors = [ranked[rank]["actor_id"] for rank in ranks]
    names = [
        row["name"]
        for row in conn.execute(
            "SELECT name FROM actors WHERE id = ANY(%s) ORDER BY name", [actors]
        )
    ]
    regions = conn.execute(
        "SELECT latitude, longitude FROM locations WHERE kind = 'region'"
        " AND latitude IS NOT NULL ORDER BY id LIMIT 8"
    ).fetchall()
    # Keyset cursors for pages near the end of the default order (-start_date).
    tail = conn.execute(
        "SELECT start_date, id FROM events ORDER BY start_date DESC, id DESC OFFSET %s",
        [max(0, n - 50 * 9)],
    ).fetchall()
    deep = [Cursor.encode("-start_date", row["start_date"], row["id"]) for row in tail[::50][:8]]
    # The body of a created event: real actors, a town, a quote from a source.
    quiet = ranked[len(ranked) // 2]["actor_id"], ranked[len(ranked) // 2 + 1]["actor_id"]
    town = one("SELECT id FROM locations WHERE kind = 'town' ORDER BY id LIMIT 1")["id"]
    towns = [
        row["name"]
        for row in conn.execute(
            "SELECT name FROM locations WHERE kind = 'town' ORDER BY id LIMIT 4"
        )
    ]
    citation = one(
        "SELECT source_id, quote FROM citations WHERE event_id IS NOT NULL ORDER BY id LIMIT 1"
    )
    event = {
        "title": "Shelling reported near the town",
        "summary": "Both sides accused each other of shelling residential areas overnight.",
        "event_type": "ASSAULT",
        "start_date": "2020-09-30",
        "date_precision": "day",
        "location_id": str(town),
        "participants": [
            {"actor_id": str(quiet[0]), "role": "initiator"},
            {"actor_id": str(quiet[1]), "role": "target"},
        ],
        "certainty": "alleged",
        "reports": [
            {
                "source_id": str(citation["source_id"]),
                "quotes": [{"quote": citation["quote"]}],
                "fatalities": {"low": 2, "best": 3, "high": 5},
            }
        ],
        "notes": MARK,
    }
    return {
        "events": n,
        "event_ids": [str(i) for i in event_ids],
        "actors": [str(a) for a in actors],
        "actor_events": [ranked[rank]["n"] for rank in ranks],
        "prefixes": list(dict.fromkeys(name[:3] for name in names)),
        "names": names,
        "towns": towns,
        "regions": [(r["latitude"], r["longitude"]) for r in regions],
        "deep_cursors": deep,
        "new_event": event,
    }


# Actors by how many events they take part in: the busiest, then the 2nd, 4th ... 128th,
# so that the share of the data each stands for is the same at any size.
ACTOR_RANKS = (0, 1, 3, 7, 15, 31, 63, 127)
# Words of event titles and quotes, from common to rarer.
SEARCH_WORDS = ("ceasefire", "shelling", "curfew", "talks", "prisoners", "drone")
# The filtered shape asks for an actor's events in a date range that holds the same
# share of them at any size: September 2020 at a million events, a range a hundred
# times longer at 10,000 (moved to start with the data, which it would otherwise
# begin before). With September at both, the busiest actors had a page of 50 at a
# million and 0 to 11 events at 10,000: that compared pages, not the data.
RANGE_DAYS_AT_A_MILLION = 30
RANGE_END = dt.date(2020, 9, 30)


def date_range(events):
    days = max(1, round(RANGE_DAYS_AT_A_MILLION * 1_000_000 / max(events, 1)))
    first, last = dt.date.fromordinal(START_DAY), dt.date.fromordinal(END_DAY)
    start = max(first, RANGE_END - dt.timedelta(days=days - 1))
    end = min(last, start + dt.timedelta(days=days - 1))
    return {"date_from": start.isoformat(), "date_to": end.isoformat()}


def match_requests(names, towns):
    """/match as a client resolving names before a write asks it: an actor's name as
    written, with a letter dropped, upper-cased and hyphenated, with a country's
    adjective before it; a town's name and a typo of it."""
    requests = []
    for name in names[:4]:
        requests += [
            get("/v1/actors/match", name=name),
            get("/v1/actors/match", name=name[:-1]),
            get("/v1/actors/match", name=name.upper().replace(" ", "-")),
            get("/v1/actors/match", name=f"Armenian {name}"),
        ]
    for town in towns[:4]:
        requests += [
            get("/v1/locations/match", name=town),
            get("/v1/locations/match", name=town[:-1]),
        ]
    return requests


def shapes(p):
    """The shapes of the issue, given the parameters picked from the data."""
    events = "/v1/events"
    boxes = [
        f"{lon - 1:.4f},{lat - 0.75:.4f},{lon + 1:.4f},{lat + 0.75:.4f}"
        for lat, lon in p["regions"]
    ]
    return [
        # No SQL: what gunicorn, Flask and the hooks every request runs cost alone.
        Shape("healthz", "GET /healthz (no SQL)", [get("/healthz")], indexed=False, replay=False),
        Shape("get", "get one event", [get(f"{events}/{i}") for i in p["event_ids"]]),
        Shape("list", "list a page of 50", [get(events, page=page) for page in (1, 2, 3, 4)]),
        Shape(
            "filtered",
            "actor + date range",
            [get(events, actor_id=actor, **date_range(p["events"])) for actor in p["actors"]],
        ),
        Shape("bbox", "bbox", [get(events, bbox=box) for box in boxes]),
        Shape("search", "full-text search", [get(events, q=word) for word in SEARCH_WORDS]),
        Shape(
            "min-sources",
            "min_sources (2 to 5)",
            [get(events, min_sources=count) for count in (2, 3, 4, 5)],
            growth=TIGHT_GROWTH_TARGET,
        ),
        Shape(
            "autocomplete",
            "name autocomplete",
            [get("/v1/actors", q=prefix, page_size=10) for prefix in p["prefixes"]],
        ),
        Shape(
            "match",
            "match a name",
            match_requests(p["names"], p["towns"]),
            growth=TIGHT_GROWTH_TARGET,
        ),
        Shape(
            "timeline",
            "timeline (actor, by month)",
            [get("/v1/stats/timeline", interval="month", actor_id=a) for a in p["actors"]],
            # It counts every event of the actor: that grows with the data.
            indexed=False,
        ),
        Shape("keyset-first", "keyset first page", [get(events, cursor="")], levels=(1,)),
        Shape(
            "keyset-deep",
            "keyset page near the end",
            [get(events, cursor=cursor) for cursor in p["deep_cursors"]],
        ),
        # Writes are reported beside the reads, not judged by the indexed-read targets.
        Shape(
            "create",
            "create an event",
            [Request("POST", events, p["new_event"])],
            indexed=False,
            write=True,
        ),
        # Its requests are made once the events to patch exist (patch_targets).
        Shape("patch", "patch an event", [], indexed=False, write=True),
    ]


def patch_targets(client, token, body, count):
    """Create `count` marked events (in process) for the patch shape; return its requests."""
    targets = []
    for _ in range(count):
        response = client.post("/v1/events", json=body, headers=authorization(token))
        if response.status_code != 201:
            raise SystemExit(f"creating an event to patch: {response.status_code} {response.text}")
        targets.append(response.get_json()["id"])
    summary = {"summary": "Updated: both sides now confirm the shelling, figures still vary."}
    return [Request("PATCH", f"/v1/events/{target}", summary) for target in targets]


def authorization(token):
    return {"Authorization": f"Bearer {token}"}


# -- capturing the SQL of a request ---------------------------------------------------------


class Recorder:
    """What the application's connections executed, and how long that took, while on."""

    def __init__(self):
        self.on = False
        self.transactions = []
        self.seconds = 0.0

    def record(self, cursor, many, query, params):
        if not self.on:
            return
        conn = cursor.connection
        if isinstance(query, sql.Composable):
            query = query.as_string(conn)
        if not str(query).strip():
            return  # the pool's check of a connection it hands out
        if conn.info.transaction_status == TransactionStatus.IDLE:
            # A statement that begins a transaction, or one that is its own.
            self.transactions.append(Autocommitted() if conn.autocommit else [])
        self.transactions[-1].append((many, query, params))


class Autocommitted(list):
    """A statement the application ran outside a transaction (Database.single_statement):
    replayed so too, without BEGIN and COMMIT."""


RECORDER = Recorder()


class RecordingCursor(psycopg.Cursor):
    def execute(self, query, params=None, **kwargs):
        RECORDER.record(self, False, query, params)
        began = time.perf_counter()
        try:
            return super().execute(query, params, **kwargs)
        finally:
            RECORDER.seconds += time.perf_counter() - began

    def executemany(self, query, params_seq, **kwargs):
        params_seq = list(params_seq)
        RECORDER.record(self, True, query, params_seq)
        began = time.perf_counter()
        try:
            return super().executemany(query, params_seq, **kwargs)
        finally:
            RECORDER.seconds += time.perf_counter() - began


class RecordingPool(app_database.ConnectionPool):
    """The application's pool, with cursors that record what they execute."""

    def __init__(self, *args, kwargs=None, **more):
        super().__init__(
            *args, kwargs={**(kwargs or {}), "cursor_factory": RecordingCursor}, **more
        )


@contextlib.contextmanager
def app_in_process(url):
    """The application, built in process against `url`, with recording connections."""
    from api import create_app

    # The access log is formatted as under gunicorn, then dropped.
    access_log = logging.getLogger(observability.ACCESS_LOGGER)
    if not access_log.handlers:
        access_log.addHandler(logging.StreamHandler(open(os.devnull, "w")))  # noqa: SIM115
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    original = app_database.ConnectionPool
    app_database.ConnectionPool = RecordingPool
    app = create_app({"DATABASE_URL": url, "ACCESS_LOG": True, **UNLIMITED})
    try:
        yield app.test_client()
    finally:
        app.extensions["eventdata.db"].close()
        app_database.ConnectionPool = original


def send(client, request, token):
    # Reads are open: a client sends its token with writes only.
    headers = authorization(token) if request.method != "GET" else {}
    return client.open(request.path, method=request.method, json=request.body, headers=headers)


def capture(client, shape, token, repeats=5):
    """Each request of `shape` once, recording its SQL; then timed `repeats` times in process."""
    variants = []
    for request in shape.requests:
        RECORDER.transactions, RECORDER.on = [], True
        response = send(client, request, token)
        RECORDER.on = False
        if response.status_code >= 300:
            raise SystemExit(
                f"{shape.name}: {request.method} {request.path} answered"
                f" {response.status_code}: {response.text[:500]}"
            )
        variant = Variant(request, RECORDER.transactions)
        answer = response.get_json(silent=True)
        if isinstance(answer, list):
            variant.items = len(answer)
        if request.method == "POST":
            variant.created = [uuid.UUID(response.get_json()["id"])]
        variants.append(variant)
    # Time in process (no HTTP, no gunicorn), and the part of it spent in execute().
    for variant in variants[:8]:
        totals, sqls = [], []
        for _ in range(repeats):
            RECORDER.seconds = 0.0
            began = time.perf_counter()
            send(client, variant.request, token)
            totals.append(time.perf_counter() - began)
            sqls.append(RECORDER.seconds)
        variant.inprocess_ms = statistics.median(totals) * 1000
        variant.sql_ms = statistics.median(sqls) * 1000
    return variants


# -- replaying the SQL through psycopg --------------------------------------------------------


def substitute(value, fresh):
    """`value` with each id in `fresh` replaced by its new value, in any container."""
    if isinstance(value, uuid.UUID):
        return fresh.get(value, value)
    if isinstance(value, dict):
        return {key: substitute(item, fresh) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(substitute(item, fresh) for item in value)
    return value


def run_variant(conn, variant):
    transactions, created = variant
    fresh = {old: uuid.uuid4() for old in created}
    for transaction in transactions:
        conn.autocommit = isinstance(transaction, Autocommitted)
        with conn.cursor() as cursor:
            for many, query, params in transaction:
                if fresh:
                    params = substitute(params, fresh)
                if many:
                    cursor.executemany(query, params)
                else:
                    cursor.execute(query, params)
                    if cursor.description is not None:
                        cursor.fetchall()
        conn.commit()


def replay_worker(url, variants, threads, first, stride, start_at, duration):
    """Run `variants` in `threads` client threads from start_at for `duration` seconds.

    Returns (latencies in seconds of the requests that ended in time, errors).
    """
    connections = [psycopg.connect(url, row_factory=dict_row) for _ in range(threads)]
    latencies = [[] for _ in range(threads)]
    errors = [0] * threads
    deadline = start_at + duration

    def client(index):
        conn, done = connections[index], latencies[index]
        position = first + index * stride
        time.sleep(max(0.0, start_at - time.time()))
        while True:
            began = time.perf_counter()
            try:
                run_variant(conn, variants[position % len(variants)])
            except psycopg.Error:
                errors[index] += 1
                conn.rollback()
            position += 1
            if time.time() > deadline:
                break
            done.append(time.perf_counter() - began)

    workers = [threading.Thread(target=client, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for conn in connections:
        conn.close()
    return [t for done in latencies for t in done], sum(errors)


def replay(processes, url, shape, concurrency, duration):
    """The SQL of `shape` at `concurrency`: requests/s, p50 and p99 (ms), errors.

    `processes` is (a multiprocessing pool, its size): the clients are spread
    over its processes as gunicorn spreads requests over its workers.
    """
    pool, size = processes
    variants = [(v.transactions, v.created) for v in shape.variants]
    count = min(concurrency, size)
    shares = [concurrency // count + (index < concurrency % count) for index in range(count)]
    stride = max(1, len(variants) // concurrency)
    start_at = time.time() + 0.3 + 0.02 * concurrency
    jobs, first = [], 0
    for share in shares:
        jobs.append((url, variants, share, first * stride, stride, start_at, duration))
        first += share
    results = pool.starmap(replay_worker, jobs)
    latencies = sorted(t for done, _ in results for t in done)
    errors = sum(e for _, e in results)
    return {
        "requests": len(latencies),
        "rps": (len(latencies) + in_flight(concurrency)) / duration,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": errors,
    }


def in_flight(concurrency):
    """The requests a run of `concurrency` clients is worth beyond those it completed.

    When a run stops, each client has a request under way, on average half
    done, which neither wrk nor the replay counts: without this, a shape that
    takes seconds at concurrency 32 would lose a quarter of its throughput
    to the end of a 5-second run, and the comparison of 32 with 8 with it.
    """
    return concurrency / 2


def percentile(ordered, pct):
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


# -- the HTTP side: gunicorn and wrk -------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn started as `make run` starts it, against one database, on a free port."""

    def __init__(self, url, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            # gunicorn's master keeps the token it prints under the data directory:
            # not the one `make run` uses, so its token for the real database survives.
            "EVENTDATA_DATA_DIR": str(workdir),
            **UNLIMITED,
        }
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "python:api.serve", "api:create_app()"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.base + "/readyz", timeout=2) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"gunicorn did not become ready:\n{self.tail()}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines=30):
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def settings(self):
        return {
            "workers": int(os.environ.get("WEB_CONCURRENCY", "2")),
            "threads": int(os.environ.get("THREADS", "4")),
        }


def lua_string(text):
    """`text` as a Lua long string (no escapes are interpreted in one)."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


# wrk runs this in each of its threads: requests cycle through the shape's list, each
# thread from its own place in it; writes carry the token; done() prints the run as
# one JSON line.
WRK_SCRIPT = """
local requests = {
%(requests)s
}
local authorization = %(authorization)s
local threads = {}

function setup(thread)
  thread:set("place", #threads)
  table.insert(threads, thread)
end

function init(args)
  prepared = {}
  for i, r in ipairs(requests) do
    local headers = {}
    if r[1] ~= "GET" then headers["Authorization"] = authorization end
    if r[3] then headers["Content-Type"] = "application/json" end
    prepared[i] = wrk.format(r[1], r[2], headers, r[3])
  end
  counter = math.floor(place * #prepared / 2)
  not_2xx = 0
end

function request()
  counter = counter + 1
  return prepared[(counter %% #prepared) + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then not_2xx = not_2xx + 1 end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + thread:get("not_2xx") end
  local e = summary.errors
  -- Every latency recorded (microseconds) and how often: runs can then be merged.
  local histogram = {}
  for i = 1, #latency do
    local value, count = latency(i)
    histogram[i] = string.format("[%%d,%%d]", value, count)
  end
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "not_2xx": %%d, "connect": %%d,' ..
    ' "read": %%d, "write": %%d, "timeout": %%d, "latency_us": [%%s]}\\n',
    summary.requests, summary.duration, not_ok, e.connect, e.read, e.write, e.timeout,
    table.concat(histogram, ",")))
end
"""


def wrk_script(shape, token, workdir):
    rows = []
    for request in shape.requests:
        body = "nil" if request.body is None else lua_string(json.dumps(request.body))
        rows.append(f"  {{{lua_string(request.method)}, {lua_string(request.path)}, {body}}},")
    path = workdir / f"{shape.key}.lua"
    path.write_text(
        WRK_SCRIPT % {"requests": "\n".join(rows), "authorization": lua_string(f"Bearer {token}")}
    )
    return path


def wrk(base, script, concurrency, duration):
    """One wrk run, as its done() reports it (requests, duration, errors, latencies)."""
    command = [
        "wrk",
        f"-t{min(2, concurrency)}",
        f"-c{concurrency}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        base,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def summarise(runs, concurrency):
    """Requests/s, p50 and p99 (ms) and errors of one or more wrk runs, merged."""
    histogram = {}
    for run in runs:
        for value, count in run["latency_us"]:
            histogram[value] = histogram.get(value, 0) + count
    requests = sum(run["requests"] for run in runs)
    seconds = sum(run["duration_us"] for run in runs) / 1e6
    worth = requests + in_flight(concurrency) * len(runs)
    errors = sum(
        run[kind] for run in runs for kind in ("not_2xx", "connect", "read", "write", "timeout")
    )
    return {
        "requests": requests,
        "rps": worth / seconds,
        "p50_ms": histogram_percentile(histogram, 50) / 1000,
        "p99_ms": histogram_percentile(histogram, 99) / 1000,
        "errors": errors,
        "runs": len(runs),
        "rps_by_run": [
            (run["requests"] + in_flight(concurrency)) / (run["duration_us"] / 1e6) for run in runs
        ],
    }


def histogram_percentile(histogram, pct):
    """The smallest value with at least pct % of the counts at or below it."""
    total = sum(histogram.values())
    if not total:
        return float("nan")
    wanted, seen = pct / 100 * total, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= wanted:
            return value
    return max(histogram)


# -- the run -----------------------------------------------------------------------------------


def bench_token(url):
    with psycopg.connect(url) as conn:
        tokens.revoke_token(conn, BENCH_TOKEN)
        token = tokens.create_token(conn, BENCH_TOKEN)
    return token


def clean_up(url):
    """Delete the events the benchmark wrote, the record of their deletion and their history."""
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            ids = [
                row[0]
                for row in conn.execute("DELETE FROM events WHERE notes = %s RETURNING id", [MARK])
            ]
            for table in ("deletions", "revisions"):
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE kind = 'event' AND record_id = ANY(%s)").format(
                        sql.Identifier(table)
                    ),
                    [ids],
                )
        if ids:
            conn.execute(
                "VACUUM (ANALYZE) events, event_participants, citations, deletions, revisions"
            )
    return len(ids)


@dataclass
class Database:
    """One benchmark database, its parameters, shapes, token and (while running) server."""

    name: str
    url: str
    levels: tuple
    params: dict = field(default_factory=dict)
    shapes: dict = field(default_factory=dict)
    token: str = ""
    server: Server | None = None
    results: dict = field(default_factory=dict)

    def prepare(self, only, log):
        """Pick the parameters and capture the SQL of every shape but patch."""
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            self.params = pick(conn)
        log(
            f"{self.name}: {self.params['events']:,} events;"
            f" busiest actors take part in {self.params['actor_events'][:4]} events"
        )
        self.token = bench_token(self.url)
        wanted = only.split(",") if only else None
        self.shapes = {
            s.key: s
            for s in shapes(self.params)
            if not wanted or any(part in s.key for part in wanted)
        }
        self.results = {"events": self.params["events"], "shapes": {}}
        with app_in_process(self.url) as client:
            for shape in self.shapes.values():
                if shape.key != "patch":  # captured once its events exist
                    shape.variants = capture(client, shape, self.token)

    def prepare_patch(self, shape):
        with app_in_process(self.url) as client:
            shape.requests = patch_targets(
                client, self.token, self.params["new_event"], PATCH_TARGETS
            )
            shape.variants = capture(client, shape, self.token)

    def cells(self, shape):
        """The results of `shape`, with what capture() learnt of it in process."""
        if shape.key not in self.results["shapes"]:
            timed = [v for v in shape.variants if v.inprocess_ms]
            self.results["shapes"][shape.key] = {
                "name": shape.name,
                "indexed": shape.indexed,
                "growth": shape.growth,
                "write": shape.write,
                "sample": shape.requests[0].method + " " + shape.requests[0].path,
                "inprocess_ms": statistics.median(v.inprocess_ms for v in timed),
                "inprocess_sql_ms": statistics.median(v.sql_ms for v in timed),
                "statements": statistics.median(
                    sum(len(t) for t in v.transactions) for v in shape.variants
                ),
                "transactions": statistics.median(len(v.transactions) for v in shape.variants),
                "items": median_items(shape.variants),
                "levels": {},
            }
        return self.results["shapes"][shape.key]


def median_items(variants):
    counts = [v.items for v in variants if v.items is not None]
    return statistics.median(counts) if counts else None


def in_turns(cells, rounds, duration):
    """wrk runs of each (database, shape, level) in turns, `rounds` times.

    Returns {(id of the shape, level): [runs]}.
    """
    seconds = max(1, math.ceil(duration / rounds))
    runs = {(id(shape), level): [] for _, shape, level in cells}
    for _ in range(rounds):
        for database, shape, level in cells:
            runs[id(shape), level].append(wrk(database.server.base, shape.script, level, seconds))
    return runs


def http_cell(database, shape, level, http_runs):
    cell = database.cells(shape)["levels"].setdefault(level, {})
    cell["load_average"] = os.getloadavg()[0]
    cell["http"] = summarise(http_runs, level)


def sql_cell(database, shape, level, args, processes, log):
    cell = database.cells(shape)["levels"][level]
    if args.sql and shape.replay:
        cell["sql"] = replay(processes, database.url, shape, level, args.duration)
        rps = cell["sql"]["rps"]
        cell["efficiency"] = cell["http"]["rps"] / rps if rps else float("nan")
    log(f"  {database.name}: " + row(shape.name, level, cell).strip("| "))


def run(databases, args, processes, workdir, log):
    """Every shape, on every database, at each of its levels.

    The servers run side by side. What the targets compare is measured in
    turns, round after round, and each cell's rounds merged, so that a change
    in the machine's load between two measurements falls on both alike: at
    concurrency 1, the same shape on each database (and a keyset page near the
    end with the first one), one second a turn; above, concurrency 8 with 32,
    in two rounds.
    """
    try:
        for database in databases:
            database.prepare(args.only, log)
        with contextlib.ExitStack() as servers:
            for database in databases:
                home = workdir / database.name
                home.mkdir()
                database.server = servers.enter_context(Server(database.url, home))
                log(
                    f"  {database.name}: gunicorn on {database.server.base}"
                    f" {database.server.settings()}"
                )
            keys = list(databases[0].shapes)
            references = {PAIRS[key] for key in keys if PAIRS.get(key) in keys}
            for key in keys:
                if key in references:
                    continue  # measured with the shape it is the reference of
                group = [k for k in (PAIRS.get(key), key) if k in keys]
                for database in databases:
                    for k in group:
                        prepare_cells(database, database.shapes[k], args, processes, workdir)
                for first in (True, False):
                    # Concurrency 1, then the others: each set of HTTP runs in turns,
                    # then the SQL replays.
                    cells = [
                        (database, database.shapes[k], level)
                        for k in group
                        for database in databases
                        for level in sorted(database.levels)
                        if (level == 1) == first and level in database.shapes[k].levels
                    ]
                    runs = in_turns(cells, args.duration if first else 2, args.duration)
                    for database, shape, level in cells:
                        http_cell(database, shape, level, runs[id(shape), level])
                    for database, shape, level in cells:
                        sql_cell(database, shape, level, args, processes, log)
    finally:
        for database in databases:
            removed = clean_up(database.url)
            log(f"  {database.name}: deleted the {removed:,} events the benchmark wrote")


def prepare_cells(database, shape, args, processes, workdir):
    """The shape's wrk script (and for patch, its events), then a short warm-up."""
    if shape.key == "patch":
        database.prepare_patch(shape)
    shape.script = wrk_script(shape, database.token, workdir / database.name)
    if args.warmup:
        wrk(database.server.base, shape.script, 4, args.warmup)
        if args.sql and shape.replay:
            replay(processes, database.url, shape, 4, args.warmup)


def fmt(value, digits=1):
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return "n/a"
    return f"{value:,.{digits}f}"


def row(name, level, cell):
    http, sql_ = cell["http"], cell.get("sql")
    return (
        f"| {name} | {level} | {fmt(http['rps'])} | {fmt(http['p50_ms'])} | {fmt(http['p99_ms'])}"
        f" | {http['errors']} | {fmt(sql_ and sql_['rps'])} | {fmt(sql_ and sql_['p50_ms'])}"
        f" | {sql_['errors'] if sql_ else ''} | {fmt(cell.get('efficiency'), 2)}"
        f" | {fmt(cell.get('load_average'))} |"
    )


def table(big):
    lines = [
        "| shape | c | HTTP req/s | p50 ms | p99 ms | errors | SQL req/s | SQL p50 ms"
        " | SQL errors | efficiency | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for shape in big["shapes"].values():
        for level, cell in shape["levels"].items():
            lines.append(row(shape["name"], level, cell))
    return "\n".join(lines)


def breakdown(big):
    """Where one request's time goes at concurrency 1."""
    lines = [
        "| shape | HTTP p50 ms | in process ms | of which SQL ms | SQL p50 (replay) ms"
        " | statements | transactions | items |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for shape in big["shapes"].values():
        cell = shape["levels"].get(1)
        if not cell:
            continue
        lines.append(
            f"| {shape['name']} | {fmt(cell['http']['p50_ms'])} | {fmt(shape['inprocess_ms'])}"
            f" | {fmt(shape['inprocess_sql_ms'])}"
            f" | {fmt(cell.get('sql', {}).get('p50_ms'))}"
            f" | {fmt(shape['statements'], 0)} | {fmt(shape['transactions'], 0)}"
            f" | {fmt(shape.get('items'), 0)} |"
        )
    return "\n".join(lines)


def verdict(ok):
    return "PASS" if ok else "FAIL"


def targets(big, small):
    """The issue's targets, one line each: (text, passed)."""
    lines = []
    shapes_ = big["shapes"]
    for key, shape in shapes_.items():
        cell = shape["levels"].get(EFFICIENCY_LEVEL)
        if cell and "efficiency" in cell and key not in ("create", "patch"):
            lines.append(
                (
                    f"efficiency at c={EFFICIENCY_LEVEL} >= {EFFICIENCY_TARGET}:"
                    f" {shape['name']} {cell['efficiency']:.2f}",
                    cell["efficiency"] >= EFFICIENCY_TARGET,
                )
            )
    if small:
        for key, shape in shapes_.items():
            other = small["shapes"].get(key, {}).get("levels", {}).get(1)
            cell = shape["levels"].get(1)
            if not (cell and other):
                continue
            ratio = cell["http"]["p50_ms"] / other["http"]["p50_ms"]
            growth = shape.get("growth", GROWTH_TARGET)
            text = (
                f"median at {big['events']:,} <= {growth}x at {small['events']:,}:"
                f" {shape['name']} {cell['http']['p50_ms']:.1f} / {other['http']['p50_ms']:.1f}"
                f" ms = {ratio:.2f}x"
            )
            counts = shape.get("items"), small["shapes"][key].get("items")
            if None not in counts:
                text += f" ({counts[0]:,.0f} / {counts[1]:,.0f} records)"
            lines.append((text, ratio <= growth) if shape["indexed"] else (text, None))
    first = shapes_.get("keyset-first", {}).get("levels", {}).get(1)
    deep = shapes_.get("keyset-deep", {}).get("levels", {}).get(1)
    if first and deep:
        ratio = deep["http"]["p50_ms"] / first["http"]["p50_ms"]
        lines.append(
            (
                f"keyset page near the end <= {DEEP_TARGET}x the first:"
                f" {deep['http']['p50_ms']:.1f} / {first['http']['p50_ms']:.1f} ms = {ratio:.2f}x",
                ratio <= DEEP_TARGET,
            )
        )
    for shape in shapes_.values():
        low, high = shape["levels"].get(SCALING_FROM), shape["levels"].get(SCALING_TO)
        if not (low and high):
            continue
        ratio = high["http"]["rps"] / low["http"]["rps"]
        errors = low["http"]["errors"] + high["http"]["errors"]
        # The same ratio round by round: how far the machine's load moved it.
        rounds = [
            at_high / at_low
            for at_high, at_low in zip(
                high["http"]["rps_by_run"], low["http"]["rps_by_run"], strict=True
            )
        ]
        lines.append(
            (
                f"req/s at c={SCALING_TO} >= {SCALING_TARGET}x c={SCALING_FROM}, no errors:"
                f" {shape['name']} {ratio:.2f}x (by round {', '.join(f'{r:.2f}' for r in rounds)}),"
                f" {errors} errors",
                ratio >= SCALING_TARGET and errors == 0,
            )
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up per shape")
    parser.add_argument(
        "--concurrency",
        default=",".join(map(str, CONCURRENCIES)),
        help="comma-separated client counts (default 1,8,32)",
    )
    parser.add_argument(
        "--only",
        help="only the shapes whose key contains this (or one of these, comma-separated):"
        " healthz, get, list, filtered, bbox, search, autocomplete, match, timeline,"
        " keyset-first, keyset-deep, create, patch",
    )
    parser.add_argument("--no-sql", dest="sql", action="store_false", help="skip the SQL replay")
    parser.add_argument(
        "--no-small", dest="small", action="store_false", help=f"skip {SMALL_DATABASE}"
    )
    parser.add_argument("--json", help="where to write the results (default bench/results/)")
    args = parser.parse_args(argv)
    args.duration = max(1, round(args.duration))
    args.warmup = round(args.warmup)
    levels = tuple(int(level) for level in args.concurrency.split(","))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")

    # Both databases are migrated first, as gunicorn's master would.
    big_url = bench_url(database=BENCH_DATABASE)
    small_url = bench_url(database=SMALL_DATABASE) if args.small else None
    for name, url in ((BENCH_DATABASE, big_url), (SMALL_DATABASE, small_url)):
        if name == SMALL_DATABASE and not args.small:
            continue
        try:
            if not event_count(url):
                raise psycopg.OperationalError
        except psycopg.Error:
            raise SystemExit(
                f"{name} is missing or empty: `make bench-data` makes {BENCH_DATABASE};"
                f" `make bench` makes {SMALL_DATABASE}."
            ) from None

    began = time.perf_counter()
    stamp = dt.datetime.now(dt.UTC)
    log = lambda line: print(line, flush=True)  # noqa: E731
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    big = Database(BENCH_DATABASE, big_url, levels)
    databases = [big]
    if args.small:
        databases.append(Database(SMALL_DATABASE, small_url, (1,)))
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="eventdata-bench-") as tmp,
        context.Pool(processes=workers) as processes,
    ):
        run(databases, args, (processes, workers), Path(tmp), log)
    big = big.results
    small = databases[1].results if args.small else None

    print()
    print(f"## {BENCH_DATABASE}: {big['events']:,} events, {args.duration:g} s per cell")
    print()
    print(table(big))
    print()
    print("## Where the time goes at c=1")
    print()
    print(breakdown(big))
    if small:
        print()
        print(f"## {SMALL_DATABASE}: {small['events']:,} events, c=1")
        print()
        print(table(small))
    checks = targets(big, small)
    print()
    print("## Targets")
    print()
    for text, passed in checks:
        print(f"- {'info' if passed is None else verdict(passed)}: {text}")
    judged = [passed for _, passed in checks if passed is not None]
    print(
        f"\n{sum(judged)} of {len(judged)} targets met; {time.perf_counter() - began:.0f} s"
        f" ({stamp:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average"
        f" {os.getloadavg()[0]:.1f})"
    )
    path = Path(args.json) if args.json else RESULTS / f"http-{stamp:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "when": stamp.isoformat(timespec="seconds"),
                "cores": os.cpu_count(),
                "duration_s": args.duration,
                "gunicorn": {"workers": workers, "threads": int(os.environ.get("THREADS", "4"))},
                "databases": {BENCH_DATABASE: big, SMALL_DATABASE: small},
                "targets": [{"target": text, "passed": passed} for text, passed in checks],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
