"""`make run`'s gunicorn (api/serve.py) stops at once on Ctrl-C, every worker with it."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.live import call, serving

# Each test starts gunicorn as `make run` does, seeding the article.
pytestmark = pytest.mark.slow

# A worker that hangs is killed after serve.graceful_timeout (10 s); one that
# does not is gone well within this.
PROMPT = 5.0


def workers_of(master):
    """The pids of the processes whose parent is `master`."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.add(int(stat.parent.name))
    return children


def ignores(pid, signum):
    """Whether process `pid` ignores signal `signum` (its SigIgn mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signum - 1)))
    raise AssertionError(f"no SigIgn line for {pid}")


def started_workers(served, count=2, timeout=20.0):
    """The server's workers, once `count` have started and ignore SIGINT, or at `timeout`.

    The server answers once one worker is up; another may still be forking or
    loading the app.
    """
    deadline = time.monotonic() + timeout
    while True:
        workers = workers_of(served.process.pid)
        ready = len(workers) == count and all(ignores(pid, signal.SIGINT) for pid in workers)
        if ready or time.monotonic() > deadline:
            return workers
        time.sleep(0.1)


def test_the_workers_leave_ctrl_c_to_the_master(database_url):
    with serving(database_url, config="python:api.serve", graceful_timeout=None) as served:
        workers = started_workers(served)

        assert len(workers) == 2
        assert all(ignores(pid, signal.SIGINT) for pid in workers)
        assert not ignores(served.process.pid, signal.SIGINT)


def test_ctrl_c_stops_the_server_and_its_workers_at_once(database_url):
    # The hang it guards against came about one stop in two: a few stops in a row.
    for _ in range(3):
        with serving(
            database_url, config="python:api.serve", graceful_timeout=None, new_session=True
        ) as served:
            for _ in range(10):
                status, _, _ = call(served.address, "GET", "/v1/events?page_size=5")
                assert status == 200
            workers = started_workers(served)
            began = time.monotonic()
            # What a terminal does on Ctrl-C: SIGINT to every process of the group.
            os.killpg(served.process.pid, signal.SIGINT)
            served.process.wait(timeout=30)
            took = time.monotonic() - began
            output = served.output()

            assert took < PROMPT, output
            assert "SIGKILL" not in output
            assert output.count("Worker exiting") == len(workers) == 2
