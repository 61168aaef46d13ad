"""Rate limits: per token, and per address for requests without one.

A request that carries a valid token counts against that token's limit
(RATE_LIMIT_PER_TOKEN); any other request, and every failed authentication,
counts against the client address's (RATE_LIMIT_PER_ADDRESS). Limits are
written "<count>/<second|minute|hour>" ("600/minute"); "off" turns one off.
Over the limit a request answers 429 problem+json with Retry-After. Every
limited response says where its client stands, in the IETF draft's
RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers.

The algorithm is GCRA (the generic cell rate algorithm, a leaky bucket kept
as one number per client): each request moves the client's "theoretical
arrival time" on by period/count; a request is refused when that time would
run further than one period ahead of now. So a client may burst its whole
count at once, then goes at the steady rate.

The table lives in memory shared by every process of one server: gunicorn's
master makes it before forking its workers (`share_between_processes()`, from
api/serve.py), so the limits hold for the server as a whole, not per worker,
and cost no database round trip. It has a fixed number of slots; a client
whose bucket has drained needs no slot, so the table only fills when more
clients than it has slots are all inside their period at once; a request that
finds no slot is let through (and logged), never refused. Several servers
behind a load balancer each count for themselves.
"""

import hashlib
import logging
import math
import mmap
import multiprocessing
import re
import struct
import time

from flask import current_app, g, request

from api.web import probes
from api.web.problems import problem

log = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600}
LIMIT_PATTERN = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour)\s*")
HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

# Used unless a setting says otherwise (and not while TESTING).
DEFAULT_LIMITS = {"token": "3000/minute", "address": "600/minute"}

SLOTS = 16_384
PROBES = 16
SLOT = struct.Struct("=Qd")  # key hash (0: empty), theoretical arrival time


def parse_limit(text):
    """'600/minute' -> (600, 60.0); 'off', '' or None -> None."""
    if text is None or str(text).strip().lower() in {"", "off", "none", "0"}:
        return None
    match = LIMIT_PATTERN.fullmatch(str(text))
    if not match or int(match[1]) < 1:
        raise ValueError(f"Not a rate limit: {text!r}; write <count>/<second|minute|hour>, or off.")
    return int(match[1]), float(PERIODS[match[2]])


class Limiter:
    """GCRA buckets in a fixed table of slots, in (possibly shared) memory."""

    def __init__(self):
        # Anonymous and MAP_SHARED: processes forked after this share it, lock and all.
        self.memory = mmap.mmap(-1, SLOTS * SLOT.size, flags=mmap.MAP_SHARED)
        self.lock = multiprocessing.Lock()
        self.full_warned = False

    @staticmethod
    def key_hash(key):
        value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
        return value or 1

    def hit(self, key, count, period, now=None):
        """Count one request for `key`; return (allowed, remaining, reset, retry_after)."""
        now = time.monotonic() if now is None else now
        interval = period / count
        wanted = self.key_hash(key)
        with self.lock:
            slot, tat = self._find(wanted, now)
            if slot is None:
                if not self.full_warned:
                    log.warning("rate limit table full: a request was let through unlimited")
                    self.full_warned = True
                return True, count - 1, 0, 0
            new_tat = max(tat, now) + interval
            if new_tat - now > period:
                retry_after = new_tat - now - period
                return False, 0, max(tat, now) - now, retry_after
            SLOT.pack_into(self.memory, slot * SLOT.size, wanted, new_tat)
        remaining = math.floor((period - (new_tat - now)) / interval + 1e-9)
        return True, remaining, new_tat - now, 0

    def _find(self, wanted, now):
        """The slot of `wanted` and its arrival time, or a free one (time 0), or None."""
        start = wanted % SLOTS
        free = None
        for probe in range(PROBES):
            slot = (start + probe) % SLOTS
            key, tat = SLOT.unpack_from(self.memory, slot * SLOT.size)
            if key == wanted:
                return slot, tat
            # An empty slot, or one whose bucket has drained, is free.
            if free is None and (key == 0 or tat <= now):
                free = slot
        return free, 0.0


# The table gunicorn's master makes before it forks, for its workers to share.
_shared = None


def share_between_processes():
    """Make the table that apps created in processes forked from now on will share."""
    global _shared
    _shared = Limiter()


def client_address():
    return request.remote_addr or "unknown"


def charge(kind, who):
    """Count the request against `kind` ("token" or "address"); a 429 response or None."""
    limit = current_app.extensions["eventdata.rate_limits"].get(kind)
    if limit is None:
        return None
    count, period = limit
    table = current_app.extensions["eventdata.limiter"]
    allowed, remaining, reset, retry_after = table.hit(f"{kind}:{who}", count, period)
    g.rate_limit = {
        "RateLimit-Limit": str(count),
        "RateLimit-Remaining": str(max(remaining, 0)),
        "RateLimit-Reset": str(math.ceil(reset)),
    }
    if allowed:
        return None
    per = {v: k for k, v in PERIODS.items()}[int(period)]
    whose = "this token" if kind == "token" else "this address"
    return problem(
        429,
        f"Too many requests from {whose}: the limit is {count} per {per}."
        f" Retry after {math.ceil(retry_after)} seconds.",
        headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
    )


def limit_request():
    """A before_request hook, after authentication: charge the token, or the address."""
    # Probes are never limited: they must answer whatever a client does.
    if request.path in probes.PATHS or request.method == "OPTIONS":
        return None
    name = g.get("token_name")
    if name is not None:
        return charge("token", name)
    return charge("address", client_address())


def add_headers(response):
    for name, value in (g.get("rate_limit") or {}).items():
        response.headers.setdefault(name, value)
    return response


def register(app):
    """Read the limits (off while TESTING unless set) and install the hooks.

    Call after the authentication hook is installed: the token must be known.
    """
    limits = {}
    for kind, setting in (("token", "RATE_LIMIT_PER_TOKEN"), ("address", "RATE_LIMIT_PER_ADDRESS")):
        value = app.config.get(setting)
        if value is None:
            value = "off" if app.testing else DEFAULT_LIMITS[kind]
        limits[kind] = parse_limit(value)
    app.extensions["eventdata.rate_limits"] = limits
    # Shared by a server's workers; else the app's own.
    app.extensions["eventdata.limiter"] = _shared or Limiter()
    app.before_request(limit_request)
    app.after_request(add_headers)
