"""A live gunicorn for the tests that need real processes, threads and sockets."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
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


@contextlib.contextmanager
def gunicorn(database_url, *, config=None, env=None, workers=WORKERS, threads=THREADS):
    """Serve `database_url` with gunicorn until the block ends; yield (host, port).

    With `config` ("python:api.serve") the server starts as `make run` starts it
    (its master migrates, seeds and makes a token, under a temporary data dir).
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
        "--graceful-timeout",
        "2",
        "api:create_app()",
    ]
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryFile() as log:
        environment.setdefault("EVENTDATA_DATA_DIR", data_dir)
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        try:
            wait_until_up(process, port, log)
            yield ("127.0.0.1", port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
