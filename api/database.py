"""The connection pool, the migrations, and the translation of database errors."""

import os
import threading
from contextlib import contextmanager
from importlib import resources

import psycopg
from flask import current_app
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

MIGRATIONS_PACKAGE = "api.migrations"
# Any 64-bit number: it only has to be the same in every process that migrates.
MIGRATION_LOCK_ID = 0x6576656E7464


class Database:
    """One connection pool per process, opened on first use.

    Opening on first use rather than in create_app() means a pool is never
    inherited across gunicorn's fork: each worker opens its own.
    """

    def __init__(self, url=None, *, min_size=1, max_size=10, timeout=5.0):
        self._url = url or None
        self._pool_args = {"min_size": min_size, "max_size": max_size, "timeout": timeout}
        self._pool = None
        self._pool_pid = None
        self._lock = threading.Lock()

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
                        check=ConnectionPool.check_connection,
                        name="eventdata",
                        open=True,
                        **self._pool_args,
                    )
                    self._pool_pid = os.getpid()
        return self._pool

    @contextmanager
    def transaction(self):
        """Yield a connection in a transaction: committed on success, rolled back on error."""
        with self.pool.connection() as conn:
            yield conn

    def close(self):
        if self._pool is not None and self._pool_pid == os.getpid():
            self._pool.close()
        self._pool = None


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


def upgrade(url):
    """Apply the migrations not yet applied, each in its own transaction.

    Returns the versions applied. An advisory lock keeps two processes from
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
                with conn.transaction():
                    conn.execute(script)
                    conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", [version])
                applied_now.append(version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
    return applied_now
