"""Soak: mixed reads and writes against a live gunicorn for minutes; nothing lost, memory flat.

`python -m bench.soak [--duration 300] [--concurrency 32]` (or `make soak`;
`make soak DURATION=60` for a quick one) answers three questions of the issues
"Reliability" (item 6) and "Performance":

- zero 5xx: every answer of the run is counted by status;
- zero lost writes: every write the API acknowledged (201, 200, 204) is
  recorded with the state it promised, and afterwards each record is read back
  through the API: created and changed records must hold what was sent, deleted
  ones must answer 404; the rows in each table must add up as well;
- memory per worker flat: the RSS of each gunicorn worker is sampled every few
  seconds; from the end of the warm-up (the first 30 s) to the end of the run
  it may grow by 10 % at most.

Set-up: a database of its own, `eventdata_soak`, dropped and created afresh on
the embedded server (or on DATABASE_URL's server) and migrated; gunicorn
started as `make run` starts it (api/serve.py: WEB_CONCURRENCY workers of
THREADS threads; its master loads the article) on a free loopback port, with
rate limits out of reach; a token from api.store.tokens.create_token. Then
`--concurrency` clients, each a thread with a keep-alive connection, send
requests without pause: they create sources, actors, locations, events and
statements, PATCH them with If-Match, DELETE some, and read: one record (also
with If-None-Match), filtered lists, searches, the timeline. Each client
changes only records it created, so the state it expects of them is exact.

Prints requests, req/s, status counts, acknowledged and lost writes, latency
by operation and the RSS table, then PASS/FAIL lines; writes the figures as
JSON (`--json`, by default .data/soak.json). Exits 1 when a check fails.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil
import psycopg
from psycopg import sql

from api import embedded
from api.store.database import upgrade
from api.store.tokens import create_token

SOAK_DATABASE = "eventdata_soak"
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Memory may grow this much from the end of the warm-up to the end of the run.
MEMORY_GROWTH_LIMIT = 0.10
MIB = 1024 * 1024
# The rate limits of the soak's server: the limiter runs, and never refuses.
UNREACHED_RATE_LIMIT = "1000000/second"

# Operations and their weights: about 40 % writes, 60 % reads.
OPERATIONS = {
    "create_source": 3,
    "create_actor": 8,
    "create_location": 5,
    "create_event": 12,
    "create_statement": 6,
    "patch": 10,
    "delete": 4,
    "get_one": 18,
    "get_unchanged": 4,
    "list_filtered": 14,
    "search": 10,
    "timeline": 6,
}
WRITES = ("create_source", "create_actor", "create_location", "create_event")
WRITES += ("create_statement", "patch", "delete")

# Sentences of the sources' bodies; citations quote them.
SENTENCES = (
    "Azerbaijan's Defense Ministry accused Armenian forces of shelling the town of Tartar.",
    "Armenia's Defense Ministry said the shelling of Stepanakert continued overnight.",
    "Dozens of people have been killed since the fighting began on Sunday.",
    "The co-chairs of the Minsk Group called for an immediate ceasefire.",
    "Russia offered to host talks between the two foreign ministers in Moscow.",
    "Turkey denied that its F-16 shot down an Armenian SU-25 over Armenian airspace.",
    "Residents of Terter sheltered in dugouts as artillery fire hit the town.",
    "Armenia declared martial law and a general mobilization on Sunday.",
    "France and the United States condemned the use of force in a joint statement.",
    "Drones struck positions along the line of contact near Fizuli.",
    "Officials in Baku said civilians were among the casualties.",
    "A photographer in Yerevan saw wounded soldiers arrive at the hospital.",
)
COUNTRIES = ("AZE", "ARM", "RUS", "TUR", "FRA", "USA", "IRN", "GEO")
ACTOR_KINDS = ("state", "government", "military", "armed_group", "person", "media")
EVENT_TYPES = ("ASSAULT", "ACCUSE", "PROTEST", "CONSULT", "REQUEST", "REJECT", "COERCE")
CERTAINTIES = ("reported", "alleged", "disputed", "confirmed")
STATEMENT_TYPES = ("claim", "accusation", "denial", "condemnation", "appeal", "announcement")
STANCES = ("asserts", "denies", "condemns", "refers_to")
SEARCH_WORDS = ("shelling", "ceasefire", "Tartar", "drones", "mobilization", "Moscow")
PATCHED_FIELD = {
    "sources": "title",
    "actors": "description",
    "locations": "name",
    "events": "summary",
    "statements": "medium",
}


# -- the database and the server -------------------------------------------------------


def prepare_database(name=SOAK_DATABASE):
    """Create database `name` afresh and migrate it; return its URL."""
    server = os.environ.get("DATABASE_URL") or embedded.start()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = embedded.with_database(server, name)
    upgrade(url)
    return url


def make_token(url):
    with psycopg.connect(url) as conn:
        return create_token(conn, "soak")


TABLES = ("sources", "actors", "locations", "events", "statements")


def row_counts(url):
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in TABLES
        }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn started as `make run` starts it, its output kept in a temporary file.

    Its master migrates, loads the article, and writes `make run`'s token file
    into EVENTDATA_DATA_DIR, here a temporary directory, so that the token of
    a developer's `make run` is left alone. The rate limits are raised out of
    reach: the soak's clients all come from one address, as no real
    deployment's do, and a 429 would hide what the soak looks for.
    """

    def __init__(self, url, port):
        from api import serve

        self.address = ("127.0.0.1", port)
        self.workers = serve.workers
        self.threads = serve.threads
        self.command = [str(GUNICORN), "--config", "python:api.serve", "api:create_app()"]
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "RATE_LIMIT_PER_TOKEN": UNREACHED_RATE_LIMIT,
            "RATE_LIMIT_PER_ADDRESS": UNREACHED_RATE_LIMIT,
        }
        self.env.pop("GUNICORN_CMD_ARGS", None)
        self.data_dir = None
        self.log = None
        self.process = None
        # Where the log stood when the server was ready: what follows is the run's.
        self.ready_at = 0

    def __enter__(self):
        self.data_dir = tempfile.TemporaryDirectory()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**self.env, "EVENTDATA_DATA_DIR": self.data_dir.name},
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                ready = Client(self.address).request("GET", "/readyz").status == 200
            except OSError:
                ready = False
            if ready and len(self.worker_processes()) == self.workers:
                self.ready_at = os.fstat(self.log.fileno()).st_size
                return self
            time.sleep(0.2)
        output = self.output()
        self.__exit__()
        raise RuntimeError("gunicorn did not start:\n" + output)

    def __exit__(self, *exc_info):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.data_dir.cleanup()

    def worker_processes(self):
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def output(self, start=0):
        self.log.seek(start)
        return self.log.read().decode(errors="replace")

    def problems(self):
        """The lines logged since the server was ready but for access log lines and [INFO]."""
        return [
            line
            for line in self.output(self.ready_at).splitlines()
            if line.strip() and not line.startswith("{") and "[INFO]" not in line
        ]


# -- the clients -----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: object


class Client:
    """One keep-alive HTTP connection; reconnects after an error."""

    def __init__(self, address, token=None):
        self.address = address
        self.token = token
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["Authorization"] = f"Bearer {self.token}"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(*self.address, timeout=60)
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        content_type = response.headers.get("Content-Type", "")
        parsed = json.loads(raw) if raw and "json" in content_type else raw
        return Response(response.status, dict(response.headers), parsed)


@dataclass
class Record:
    """What a client expects of a record it wrote: the fields it sent, or that it is gone."""

    kind: str
    id: str
    expected: dict
    deleted: bool = False
    # A change or delete whose answer never came (5xx, lost connection): either state is possible.
    uncertain: bool = False

    @property
    def path(self):
        return f"/v1/{self.kind}/{self.id}"


@dataclass
class Tally:
    """What one client did and saw."""

    statuses: Counter = field(default_factory=Counter)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    # Writes acknowledged, by operation; and writes whose outcome is unknown (5xx, error).
    acknowledged: Counter = field(default_factory=Counter)
    unacknowledged: Counter = field(default_factory=Counter)
    # Answers that contradict what the client knows: a stale read, an unexpected 4xx.
    anomalies: list = field(default_factory=list)


class Base:
    """Records every client may refer to and read: created before the load, never changed."""

    def __init__(self):
        self.sources = []  # (id, sentences of its body)
        self.actors = []
        self.locations = []
        self.records = []


class LoadClient(threading.Thread):
    """One of the concurrent clients: sends a weighted mix of requests until the deadline."""

    def __init__(self, number, address, token, base, deadline, seed):
        super().__init__(name=f"soak-client-{number}", daemon=True)
        self.number = number
        self.client = Client(address, token)
        self.base = base
        self.deadline = deadline
        self.random = random.Random(seed)
        self.tally = Tally()
        self.records = {}  # id -> Record, every record this client created
        self.live = defaultdict(list)  # kind -> ids not deleted
        self.used = set()  # ids other records refer to: not to be deleted
        self.sources = []  # (id, sentences) of this client's live sources
        self.counter = 0
        names = list(OPERATIONS)
        self.choices = (names, [OPERATIONS[name] for name in names])

    def run(self):
        while time.monotonic() < self.deadline:
            operation = self.random.choices(*self.choices)[0]
            try:
                getattr(self, operation)()
            except (OSError, http.client.HTTPException) as error:
                self.tally.errors[f"{operation}: {error.__class__.__name__}"] += 1
                if operation in WRITES:
                    self.tally.unacknowledged[operation] += 1
            except Exception as error:  # an answer this client did not expect: keep going
                self.tally.anomalies.append(f"{operation}: {error!r}")

    # -- sending and recording --

    def send(self, operation, method, path, body=None, headers=None):
        started = time.perf_counter()
        response = self.client.request(method, path, body, headers)
        self.tally.latencies[operation].append(time.perf_counter() - started)
        self.tally.statuses[response.status] += 1
        if response.status >= 500 and operation in WRITES:
            self.tally.unacknowledged[operation] += 1
        return response

    def send_change(self, operation, record, method, body=None, headers=None):
        """Send a PATCH or DELETE of `record`; without an answer, its state is uncertain."""
        try:
            response = self.send(operation, method, record.path, body, headers)
        except (OSError, http.client.HTTPException):
            record.uncertain = True
            raise
        if response.status >= 500:
            record.uncertain = True
        return response

    def anomaly(self, operation, response, note=""):
        detail = response.body if isinstance(response.body, dict) else str(response.body)[:200]
        self.tally.anomalies.append(f"{operation}: {response.status} {note} {detail}")

    def tag(self):
        self.counter += 1
        return f"{self.number}-{self.counter}"

    def create(self, operation, kind, body):
        response = self.send(operation, "POST", f"/v1/{kind}", body)
        if response.status != 201:
            if response.status < 500:
                self.anomaly(operation, response)
            return None
        record_id = response.body["id"]
        self.records[record_id] = Record(kind, record_id, body)
        self.live[kind].append(record_id)
        self.tally.acknowledged[operation] += 1
        return record_id

    # -- what the records refer to --

    def some_sources(self, count):
        pool = self.base.sources + self.sources
        return self.random.sample(pool, min(count, len(pool)))

    def some_actors(self, count):
        pool = self.base.actors + self.live["actors"]
        return self.random.sample(pool, min(count, len(pool)))

    def citations(self, count):
        citations = []
        for source_id, sentences in self.some_sources(count):
            citations.append({"source_id": source_id, "quote": self.random.choice(sentences)})
            self.used.add(source_id)
        return citations

    def a_date(self):
        return (dt.date(2020, 1, 1) + dt.timedelta(days=self.random.randrange(366))).isoformat()

    # -- writes --

    def create_source(self):
        tag = self.tag()
        sentences = self.random.sample(SENTENCES, 6)
        body = {
            "title": f"Soak report {tag}",
            "url": f"https://soak.example/{tag}",
            "publisher": "Soak News",
            "published_on": self.a_date(),
            "language": "en",
            "body": f"Report {tag}. " + " ".join(sentences),
        }
        source_id = self.create("create_source", "sources", body)
        if source_id:
            self.sources.append((source_id, sentences))

    def create_actor(self):
        tag = self.tag()
        body = {
            "name": f"Soak actor {tag}",
            "kind": self.random.choice(ACTOR_KINDS),
            "country": self.random.choice(COUNTRIES),
            "aliases": [f"Actor {tag}"],
            "description": f"Created by soak client {self.number}.",
        }
        self.create("create_actor", "actors", body)

    def create_location(self):
        tag = self.tag()
        body = {
            "name": f"Soak town {tag}",
            "kind": "town",
            "country": self.random.choice(COUNTRIES),
            "aliases": [f"Town {tag}"],
            "latitude": round(self.random.uniform(38.5, 41.5), 4),
            "longitude": round(self.random.uniform(44.0, 48.0), 4),
            "geo_precision": "settlement",
        }
        self.create("create_location", "locations", body)

    def create_event(self):
        tag = self.tag()
        actors = self.some_actors(self.random.randint(1, 3))
        roles = ("initiator", "target", "participant", "affected")
        location_pool = self.base.locations + self.live["locations"]
        location_id = self.random.choice(location_pool) if self.random.random() < 0.8 else None
        start = self.a_date()
        body = {
            "title": f"Soak event {tag}: {self.random.choice(SEARCH_WORDS)}",
            "summary": f"Event {tag} of soak client {self.number}.",
            "event_type": self.random.choice(EVENT_TYPES),
            "start_date": start,
            "end_date": start,
            "certainty": self.random.choice(CERTAINTIES),
            "location_id": location_id,
            "participants": [
                {"actor_id": actor_id, "role": roles[index]}
                for index, actor_id in enumerate(actors)
            ],
            "fatalities": {"low": 1, "high": 12},
            "citations": self.citations(self.random.randint(1, 2)),
        }
        self.used.update(actors)
        if location_id:
            self.used.add(location_id)
        self.create("create_event", "events", body)

    def create_statement(self):
        tag = self.tag()
        [speaker] = self.some_actors(1)
        events = self.random.sample(self.live["events"], min(len(self.live["events"]), 2))
        addressees = [actor for actor in self.some_actors(2) if actor != speaker]
        body = {
            "speaker_id": speaker,
            "text": f"Statement {tag}: we call for a ceasefire.",
            "is_direct_quote": self.random.random() < 0.5,
            "statement_type": self.random.choice(STATEMENT_TYPES),
            "stated_on": self.a_date(),
            "medium": "press briefing",
            "addressee_ids": addressees,
            "events": [
                {"event_id": event_id, "stance": self.random.choice(STANCES)} for event_id in events
            ],
            "citations": self.citations(1),
        }
        self.used.update([speaker, *addressees, *events])
        self.create("create_statement", "statements", body)

    def own_live_record(self, deletable=False):
        kinds = [kind for kind, ids in self.live.items() if ids]
        if not kinds:
            return None
        ids = self.live[self.random.choice(kinds)]
        if deletable:
            ids = [record_id for record_id in ids if record_id not in self.used]
            if not ids:
                return None
        return self.records[self.random.choice(ids)]

    def patch(self):
        record = self.own_live_record()
        if record is None:
            return
        # Read, then write only if nobody changed it since: If-Match with the ETag read.
        current = self.send("patch", "GET", record.path)
        if current.status != 200:
            self.anomaly("patch (read)", current, record.path)
            return
        change = {PATCHED_FIELD[record.kind]: f"Changed {self.tag()}"}
        if_match = {"If-Match": current.headers["ETag"]}
        response = self.send_change("patch", record, "PATCH", change, if_match)
        if response.status == 200:
            record.expected = {**record.expected, **change}
            self.tally.acknowledged["patch"] += 1
        elif response.status < 500:
            self.anomaly("patch", response, record.path)

    def delete(self):
        record = self.own_live_record(deletable=True)
        if record is None:
            return
        response = self.send_change("delete", record, "DELETE")
        if response.status == 204:
            record.deleted = True
            self.live[record.kind].remove(record.id)
            if record.kind == "sources":
                self.sources = [source for source in self.sources if source[0] != record.id]
            self.tally.acknowledged["delete"] += 1
        elif response.status < 500:
            self.anomaly("delete", response, record.path)

    # -- reads --

    def get_one(self):
        record = self.own_live_record()
        if record is None:
            record = self.random.choice(self.base.records)
        response = self.send("get_one", "GET", record.path)
        if response.status != 200 or not matches(record.expected, response.body):
            self.anomaly("get_one", response, f"{record.path} not as written")

    def get_unchanged(self):
        record = self.random.choice(self.base.records)
        first = self.send("get_unchanged", "GET", record.path)
        if first.status != 200:
            self.anomaly("get_unchanged", first, record.path)
            return
        again = self.send(
            "get_unchanged", "GET", record.path, headers={"If-None-Match": first.headers["ETag"]}
        )
        if again.status != 304:
            self.anomaly("get_unchanged", again, record.path)

    def list_filtered(self):
        actor = self.random.choice(self.base.actors)
        month = self.random.randrange(1, 13)
        paths = (
            ("/v1/events", {"event_type": self.random.choice(EVENT_TYPES), "page_size": 20}),
            ("/v1/events", {"actor_id": actor, "sort": "-start_date"}),
            (
                "/v1/events",
                {"date_from": f"2020-{month:02d}-01", "date_to": f"2020-{month:02d}-28"},
            ),
            ("/v1/events", {"country": self.random.choice(COUNTRIES), "page": 2}),
            ("/v1/events", {"bbox": "44,38,48,42", "certainty": "alleged,confirmed"}),
            ("/v1/actors", {"kind": self.random.choice(ACTOR_KINDS), "page_size": 50}),
            ("/v1/locations", {"country": self.random.choice(COUNTRIES)}),
            ("/v1/statements", {"speaker_id": actor}),
            ("/v1/sources", {"sort": "-published_on"}),
            (f"/v1/actors/{actor}/events", {}),
        )
        path, params = self.random.choice(paths)
        self.read("list_filtered", path, params)

    def search(self):
        word = self.random.choice(SEARCH_WORDS)
        path, params = self.random.choice(
            (
                ("/v1/events", {"q": word}),
                ("/v1/events", {"q": word, "sort": "-start_date"}),
                ("/v1/actors", {"q": "Soak act"}),
                ("/v1/locations", {"q": "Tartar"}),
                ("/v1/statements", {"q": "ceasefire"}),
            )
        )
        self.read("search", path, params)

    def timeline(self):
        params = self.random.choice(
            (
                {"interval": "month"},
                {"interval": "week", "split": "event_type"},
                {"interval": "month", "actor_id": self.random.choice(self.base.actors)},
            )
        )
        self.read("timeline", "/v1/stats/timeline", params)

    def read(self, operation, path, params):
        response = self.send(operation, "GET", f"{path}?{urlencode(params)}" if params else path)
        if response.status != 200:
            self.anomaly(operation, response, path)


def matches(sent, got):
    """Whether `got` holds what was `sent`: every field sent, in lists item by item."""
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(
            key in got and matches(value, got[key]) for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(got, list)
            and len(sent) == len(got)
            and all(matches(item, other) for item, other in zip(sent, got, strict=True))
        )
    if isinstance(sent, float):
        return isinstance(got, int | float) and abs(sent - got) < 1e-6
    return sent == got


def create_base(address, token):
    """Sources, actors and locations every client refers to; returned with their Records."""
    client = Client(address, token)
    base = Base()

    def create(kind, body):
        response = client.request("POST", f"/v1/{kind}", body)
        if response.status != 201:
            raise RuntimeError(f"cannot create the base {kind}: {response.status} {response.body}")
        base.records.append(Record(kind, response.body["id"], body))
        return response.body["id"]

    for number in range(4):
        sentences = list(SENTENCES[number * 3 : number * 3 + 3]) + list(SENTENCES[:3])
        body = {
            "title": f"Base report {number}",
            "url": f"https://soak.example/base/{number}",
            "publisher": "Soak News",
            "published_on": "2020-09-30",
            "language": "en",
            "body": " ".join(sentences),
        }
        base.sources.append((create("sources", body), sentences))
    for number in range(16):
        body = {
            "name": f"Base actor {number}",
            "kind": ACTOR_KINDS[number % len(ACTOR_KINDS)],
            "country": COUNTRIES[number % len(COUNTRIES)],
        }
        base.actors.append(create("actors", body))
    for number in range(8):
        body = {
            "name": f"Base town {number}",
            "kind": "town",
            "country": COUNTRIES[number % len(COUNTRIES)],
            "latitude": 39.0 + number / 4,
            "longitude": 45.0 + number / 4,
            "geo_precision": "settlement",
        }
        base.locations.append(create("locations", body))
    return base


# -- memory ----------------------------------------------------------------------------


class MemorySampler(threading.Thread):
    """Samples the RSS of every gunicorn worker every `interval` seconds."""

    def __init__(self, server, began, interval):
        super().__init__(name="soak-memory", daemon=True)
        self.server = server
        self.began = began
        self.interval = interval
        self.samples = []  # (seconds since the start, {pid: rss bytes})
        self.stopped = threading.Event()

    def sample(self):
        rss = {}
        for worker in self.server.worker_processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                rss[worker.pid] = worker.memory_info().rss
        self.samples.append((time.monotonic() - self.began, rss))

    def run(self):
        while not self.stopped.wait(self.interval):
            self.sample()

    def stop(self):
        self.stopped.set()
        self.join()
        self.sample()

    def table(self, warmup):
        """Per worker: RSS at the end of the warm-up, at the end, the most, and the growth."""
        rows = []
        pids = sorted({pid for _, rss in self.samples for pid in rss})
        for pid in pids:
            series = [(at, rss[pid]) for at, rss in self.samples if pid in rss]
            after = [(at, value) for at, value in series if at >= warmup] or series[-1:]
            start_at, start = after[0]
            end_at, end = series[-1]
            rows.append(
                {
                    "pid": pid,
                    "start_at_s": round(start_at, 1),
                    "start_mib": round(start / MIB, 1),
                    "end_at_s": round(end_at, 1),
                    "end_mib": round(end / MIB, 1),
                    "max_mib": round(max(value for _, value in after) / MIB, 1),
                    "first_mib": round(series[0][1] / MIB, 1),
                    "growth_pct": round(100.0 * (end - start) / start, 1),
                }
            )
        return rows


# -- checking ---------------------------------------------------------------------------


def verify(address, records, concurrency=8):
    """Read every record back; return the lost ones: (record, what was found)."""
    lost = []
    lock = threading.Lock()
    queue = list(records)

    def check():
        client = Client(address)
        while True:
            with lock:
                if not queue:
                    return
                record = queue.pop()
            response = client.request("GET", record.path)
            if record.deleted:
                ok = response.status == 404
            else:
                ok = response.status == 200 and matches(record.expected, response.body)
            if not ok:
                with lock:
                    lost.append((record, response.status, response.body))

    threads = [threading.Thread(target=check) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return lost


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def soak(duration, concurrency, warmup, sample_interval, port, seed):
    url = prepare_database()
    with Gunicorn(url, port or free_port()) as server:
        baseline = row_counts(url)
        token = make_token(url)
        base = create_base(server.address, token)
        began = time.monotonic()
        memory = MemorySampler(server, began, sample_interval)
        memory.sample()
        memory.start()
        deadline = began + duration
        clients = [
            LoadClient(number, server.address, token, base, deadline, seed * 1000 + number)
            for number in range(concurrency)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - began
        memory.stop()

        records = base.records + [r for client in clients for r in client.records.values()]
        verifying = time.monotonic()
        lost = verify(server.address, [record for record in records if not record.uncertain])
        verify_seconds = time.monotonic() - verifying
        final = row_counts(url)
        problems = server.problems()
        workers, threads = server.workers, server.threads

    statuses = Counter()
    errors = Counter()
    acknowledged = Counter()
    unacknowledged = Counter()
    latencies = defaultdict(list)
    anomalies = []
    for client in clients:
        statuses.update(client.tally.statuses)
        errors.update(client.tally.errors)
        acknowledged.update(client.tally.acknowledged)
        unacknowledged.update(client.tally.unacknowledged)
        for operation, values in client.tally.latencies.items():
            latencies[operation].extend(values)
        anomalies.extend(client.tally.anomalies)

    expected_rows = dict(baseline)
    for record in records:
        if not record.deleted:
            expected_rows[record.kind] += 1
    requests = sum(statuses.values())
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    memory_rows = memory.table(warmup)
    worst_growth = max((row["growth_pct"] for row in memory_rows), default=0.0)
    restarted = len(memory_rows) != workers
    checks = {
        "zero 5xx": server_errors == 0 and not errors,
        "zero lost writes": not lost and (final == expected_rows or bool(unacknowledged)),
        f"memory per worker flat (growth <= {MEMORY_GROWTH_LIMIT:.0%})": (
            worst_growth <= 100 * MEMORY_GROWTH_LIMIT and not restarted
        ),
    }
    return {
        "when": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "cores": os.cpu_count(),
        "duration_s": round(elapsed, 1),
        "concurrency": concurrency,
        "gunicorn": {"workers": workers, "threads": threads, "worker_class": "gthread"},
        "database": SOAK_DATABASE,
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "server_errors": server_errors,
        "client_errors": dict(errors),
        "writes_acknowledged": dict(acknowledged),
        "writes_acknowledged_total": sum(acknowledged.values()),
        "writes_unacknowledged": dict(unacknowledged),
        "records_verified": len(records),
        "records_deleted": sum(record.deleted for record in records),
        "lost_writes": len(lost),
        "lost_examples": [
            {"path": record.path, "deleted": record.deleted, "status": status, "body": str(body)}
            for record, status, body in lost[:10]
        ],
        "verify_s": round(verify_seconds, 1),
        "rows": {"expected": expected_rows, "found": final},
        "anomalies": len(anomalies),
        "anomaly_examples": anomalies[:10],
        "latency_ms": {
            operation: {
                "count": len(values),
                "p50": round(1000 * statistics.median(values), 1),
                "p95": round(1000 * percentile(values, 0.95), 1),
                "max": round(1000 * max(values), 1),
            }
            for operation, values in sorted(latencies.items())
        },
        "warmup_s": warmup,
        "memory": memory_rows,
        "memory_worst_growth_pct": worst_growth,
        "workers_restarted": restarted,
        "server_log_problems": len(problems),
        "server_log_examples": problems[:10],
        "checks": checks,
    }


def report(figures):
    lines = [
        f"soak: {figures['duration_s']} s, {figures['concurrency']} clients, gunicorn"
        f" {figures['gunicorn']['workers']} workers x {figures['gunicorn']['threads']} threads,"
        f" database {figures['database']}, {figures['cores']} cores, {figures['when']}",
        f"requests              {figures['requests']:,}  ({figures['requests_per_s']} req/s)",
        "status counts         "
        + "  ".join(f"{status}: {count:,}" for status, count in figures["statuses"].items()),
        f"5xx                   {figures['server_errors']}",
        f"client errors         {sum(figures['client_errors'].values())}"
        + (f"  {figures['client_errors']}" if figures["client_errors"] else ""),
        f"writes acknowledged   {figures['writes_acknowledged_total']:,}  "
        + ", ".join(f"{op} {n:,}" for op, n in sorted(figures["writes_acknowledged"].items())),
        f"writes unacknowledged {sum(figures['writes_unacknowledged'].values())}",
        f"records read back     {figures['records_verified']:,}"
        f" ({figures['records_deleted']:,} deleted) in {figures['verify_s']} s",
        f"lost writes           {figures['lost_writes']}",
        "rows (expected/found) "
        + "  ".join(
            f"{table} {figures['rows']['expected'][table]:,}/{figures['rows']['found'][table]:,}"
            for table in TABLES
        ),
        f"anomalies             {figures['anomalies']}",
        f"server log problems   {figures['server_log_problems']}",
    ]
    for example in figures["lost_examples"] + figures["anomaly_examples"]:
        lines.append(f"  {example}")
    for example in figures["server_log_examples"]:
        lines.append(f"  log: {example}")
    lines.append("")
    lines.append(f"{'operation':<16} {'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for operation, latency in figures["latency_ms"].items():
        lines.append(
            f"{operation:<16} {latency['count']:>8,} {latency['p50']:>8} {latency['p95']:>8}"
            f" {latency['max']:>8}"
        )
    lines.append("")
    lines.append(
        f"RSS per worker, MiB (start = first sample after the {figures['warmup_s']} s warm-up)"
    )
    lines.append(f"{'pid':>8} {'at boot':>8} {'start':>8} {'end':>8} {'max':>8} {'growth':>8}")
    for row in figures["memory"]:
        lines.append(
            f"{row['pid']:>8} {row['first_mib']:>8} {row['start_mib']:>8} {row['end_mib']:>8}"
            f" {row['max_mib']:>8} {row['growth_pct']:>7}%"
        )
    if figures["workers_restarted"]:
        lines.append("workers were restarted during the run")
    lines.append("")
    for check, passed in figures["checks"].items():
        lines.append(f"{'PASS' if passed else 'FAIL'} {check}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument(
        "--warmup", type=float, default=30.0, help="seconds before memory is taken as the start"
    )
    parser.add_argument("--sample", type=float, default=2.0, help="seconds between RSS samples")
    parser.add_argument("--port", type=int, help="gunicorn's port (default: a free one)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' choices")
    parser.add_argument(
        "--json",
        default=str(embedded.DATA_DIR / "soak.json"),
        help="where to write the figures (default: .data/soak.json)",
    )
    args = parser.parse_args(argv)
    figures = soak(args.duration, args.concurrency, args.warmup, args.sample, args.port, args.seed)
    print(report(figures), flush=True)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures written to {args.json}")
    return 0 if all(figures["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
