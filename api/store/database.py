"""The connection pool, the migrations, and the translation of database errors."""

import logging
import os
import re
import threading
import time
import weakref
from contextlib import contextmanager
from importlib import resources

import psycopg
from flask import current_app
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "api.store.migrations"
# Any 64-bit number: it only has to be the same in every process that migrates.
MIGRATION_LOCK_ID = 0x6576656E7464
# A connection given back this recently is lent again without a check (see
# Database._check_connection); a restart of PostgreSQL takes longer than this.
FRESH_SECONDS = 0.1
# A migration that rewrites a table says so on a line of its own,
# "-- vacuum afterwards: table, ...": the rewrite leaves the table's visibility
# map empty, so that its index-only scans read the table too until a VACUUM,
# which cannot run inside the migration's transaction.
VACUUM_AFTERWARDS = re.compile(r"^-- vacuum afterwards: (.+)$", re.MULTILINE)


class Database:
    """One connection pool per process, opened on first use.

    Opening on first use rather than in create_app() means a pool is never
    inherited across gunicorn's fork: each worker opens its own.

    After an outage the pool must reconnect promptly. psycopg_pool retries a
    failed connection with an exponential backoff (1, 2, 4... seconds, for up
    to `reconnect_timeout`, 5 minutes by default) and starts no other attempt
    meanwhile, so a 30-second outage went on answering 503 for about as long
    again once PostgreSQL was back. An attempt now gives up after `timeout`,
    as long as a request waits anyway; the next request that needs a
    connection starts a fresh one, whose first try is immediate.
    """

    def __init__(self, url=None, *, min_size=1, max_size=10, timeout=5.0):
        self._url = url or None
        self._pool_args = {
            "min_size": min_size,
            "max_size": max_size,
            "timeout": timeout,
            "reconnect_timeout": timeout,
        }
        self._pool = None
        self._pool_pid = None
        self._lock = threading.Lock()
        # When each connection was last given back to the pool.
        self._returned = weakref.WeakKeyDictionary()

    @property
    def url(self):
        """The database's URL; without one, the embedded server is started on first use."""
        if self._url is None:
            from api import embedded

            self._url = embedded.database_url()
        return self._url

    @property
    def pool(self):
        if self._pool is None or self._pool_pid != os.getpid():
            with self._lock:
                if self._pool is None or self._pool_pid != os.getpid():
                    self._pool = ConnectionPool(
                        self.url,
                        kwargs={"row_factory": dict_row},
                        check=self._check_connection,
                        reset=self._stamp_returned,
                        name="eventdata",
                        open=True,
                        **self._pool_args,
                    )
                    self._pool_pid = os.getpid()
        return self._pool

    def _check_connection(self, conn):
        """Check a connection before it is lent; when it is dead, check its idle siblings too.

        One dead connection means the server restarted or the network broke,
        so the others in the pool are dead as well. The pool alone would try
        them one after another, waiting 1, 2, 4... seconds after the second
        failed check and each one after: a request that met four of them ran
        past the 5-second `timeout` and got a 503 though PostgreSQL was back.
        Checking them all at once discards the dead and opens new connections
        while this request waits for one.

        A connection given back less than FRESH_SECONDS ago is lent unchecked:
        it worked a moment ago. Under load every connection is, and the check
        (an empty query, a round trip) was 7 % of the time of a small read.
        Should PostgreSQL die within that moment, the request that meets the
        dead connection answers 503, as it would during any outage, and the
        pool discards the connection.
        """
        if time.monotonic() - self._returned.get(conn, float("-inf")) < FRESH_SECONDS:
            return
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            if self._pool is not None:
                self._pool.check()
            raise

    def _stamp_returned(self, conn):
        # Whatever single_statement() made of it, a connection goes back to the
        # pool ready for a transaction (the pool discards it should this fail).
        conn.autocommit = False
        self._returned[conn] = time.monotonic()

    @contextmanager
    def transaction(self, timeout=None):
        """Yield a connection in a transaction: committed on success, rolled back on error.

        `timeout`: seconds to wait for a connection, when not the pool's own.
        """
        with self.pool.connection(timeout) as conn:
            yield conn

    @contextmanager
    def single_statement(self):
        """Yield a connection on which each statement is a transaction of its own.

        For a request that runs one statement, a record by its id: the statement
        alone is one round trip to PostgreSQL, where BEGIN, the statement and
        COMMIT were three (an event by its id at a million events: 0.25 ms of
        database time -> 0.12 ms). Anything that runs two statements, or
        writes, takes transaction().
        """
        with self.pool.connection() as conn:
            conn.autocommit = True
            yield conn

    def close(self):
        if self._pool is not None and self._pool_pid == os.getpid():
            self._pool.close()
        self._pool = None


PLAN_WITH_VALUES = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"


def plan_with_values(conn):
    """Plan the rest of this transaction's statements with their values.

    psycopg prepares a statement run five times on a connection, and then
    PostgreSQL soon reuses a generic plan, made without the values. That is
    right for a record by its id, a write, and the foreign-key checks behind
    it: planning them again each time was most of a small read's database time
    (0.29 of 0.40 ms) and half of a bulk import's. It is wrong for a list's
    queries, whose best plan depends on the values: for a filter as skewed as
    an actor's events in a date range the generic plan was several times
    slower (78 ms against 21 ms at a million events), and a search's a third
    slower. Lists and statistics call this first; the setting ends with the
    transaction. Their statements stay prepared: parsing a page's query again
    each time cost more still (docs/PERFORMANCE.md).
    """
    conn.execute(PLAN_WITH_VALUES)


# Settings for a few statements of a transaction, and the server's own put back.
SET_LOCAL = (
    "SELECT set_config(name, value, true)"
    " FROM unnest(%(names)s::text[], %(values)s::text[]) AS setting (name, value)"
)
RESET_LOCAL = (
    "SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = ANY(%(names)s::text[])"
)


@contextmanager
def local_settings(conn, settings):
    """Run the statements of the block with `settings` (name: value), then put those
    settings back as the server is configured, for the rest of the transaction: one
    statement each way."""
    names = list(settings)
    conn.execute(SET_LOCAL, {"names": names, "values": list(settings.values())})
    yield
    conn.execute(RESET_LOCAL, {"names": names})


def get_db():
    """Return the application's Database."""
    return current_app.extensions["eventdata.db"]


def migrations():
    """Return the migrations as (version, sql) pairs in the order they apply."""
    files = resources.files(MIGRATIONS_PACKAGE)
    scripts = sorted(
        (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in files.iterdir()
        if entry.name.endswith(".sql")
    )
    return scripts


def tables_to_vacuum(script):
    """The tables a migration's script asks to be vacuumed once it is committed."""
    return [
        name.strip() for names in VACUUM_AFTERWARDS.findall(script) for name in names.split(",")
    ]


def _vacuum(conn, table):
    """VACUUM (ANALYZE) `table`. The migration before it is committed: should the
    vacuum fail (a lock or statement timeout, an interruption), say so, and go on."""
    try:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    except psycopg.Error as error:
        log.warning(
            "migrated, but VACUUM (ANALYZE) %s failed (%s); run it by hand for fast"
            " index-only scans",
            table,
            str(error).strip(),
        )


def upgrade(url):
    """Apply the migrations not yet applied, each in its own transaction.

    Then vacuum the tables a migration names (VACUUM_AFTERWARDS), once it is
    committed. Returns the versions applied. An advisory lock keeps two processes from
    migrating at once.
    """
    applied_now = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            conn.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, script in migrations():
                if version in done:
                    continue
                to_vacuum = tables_to_vacuum(script)
                with conn.transaction():
                    conn.execute(script)
                    for table in to_vacuum:
                        # A name that is no table fails the migration, not its vacuum.
                        conn.execute("SELECT %s::regclass", [table])
                    conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", [version])
                applied_now.append(version)
                for table in to_vacuum:
                    _vacuum(conn, table)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
    return applied_now
