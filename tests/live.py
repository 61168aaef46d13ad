"""A live gunicorn for the tests that need real processes, threads and sockets."""

import contextlib
import dataclasses
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import typing
from pathlib import Path

import pytest

from tests.helpers import ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2
THREADS = 4


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class Served:
    """A gunicorn serving: its address, its master process, and the file of its output."""

    address: tuple
    process: subprocess.Popen
    log: typing.IO[bytes]

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@contextlib.contextmanager
def serving(
    database_url,
    *,
    config=None,
    env=None,
    workers=WORKERS,
    threads=THREADS,
    graceful_timeout=2,
    new_session=False,
):
    """Serve `database_url` with gunicorn until the block ends; yield its Served.

    With `config` ("python:api.serve") the server starts as `make run` starts it
    (its master migrates, seeds and makes a token, under a temporary data dir).
    `graceful_timeout` None leaves the config's; `new_session` starts the
    server in a process group of its own, as a terminal starts `make run`.
    """
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "THREADS": str(threads),
        "PORT": str(port),
        **(env or {}),
    }
    environment.pop("GUNICORN_CMD_ARGS", None)
    command = [str(GUNICORN)]
    if config:
        command += ["--config", config]
    command += [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
    ]
    if graceful_timeout is not None:
        command += ["--graceful-timeout", str(graceful_timeout)]
    command.append("api:create_app()")
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryFile() as log:
        environment.setdefault("EVENTDATA_DATA_DIR", data_dir)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=log,
            start_new_session=new_session,
        )
        try:
            wait_until_up(process, port, log)
            yield Served(("127.0.0.1", port), process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def gunicorn(database_url, **settings):
    """Serve `database_url` with gunicorn until the block ends (serving()'s
    `settings`); yield (host, port)."""
    with serving(database_url, **settings) as served:
        yield served.address


def wait_until_up(process, port, log, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, _ = call(("127.0.0.1", port), "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    log.seek(0)
    pytest.fail("gunicorn did not start:\n" + log.read().decode(errors="replace"))


def call(address, method, path, body=None, headers=None, connection=None):
    """Send one request; return (status, headers, decoded JSON body or None)."""
    connection = connection or http.client.HTTPConnection(*address, timeout=30)
    try:
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None
    finally:
        connection.close()


def call_chunked(address, method, path, data, headers, piece=64 * 1024):
    """Send `data` (bytes) with Transfer-Encoding: chunked, in pieces of `piece` bytes.

    Return (status, headers, decoded JSON body or None), as call() does.
    """
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        # An iterable body has no length: http.client sends it chunked.
        pieces = (data[start : start + piece] for start in range(0, len(data), piece))
        connection.request(method, path, body=pieces, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None
    finally:
        connection.close()


def created(server, auth, path, body):
    """POST `body` to `path`, insist on 201, and return the created record."""
    status, _, record = call(server, "POST", path, body, auth)
    assert status == 201, record
    return record
