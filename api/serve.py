"""gunicorn's settings for `make run`, and the set-up its master does once before forking.

The master starts the embedded PostgreSQL (unless DATABASE_URL is set),
migrates, loads the article (keeping what people changed since it was
loaded, and saying so) and makes a token; the workers inherit
DATABASE_URL and each opens its own pool; they share the rate-limit table
the master makes. On Ctrl-C the master exits and
the embedded server stops with it; its data stays under .data/.
"""

import json
import os
import signal

import gunicorn.util

from api import embedded
from api.web.problems import type_of

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
# The app logs each request as a JSON line on stdout (api/web/observability.py):
# gunicorn's own plain-text access log is off; its error log goes to stderr.
accesslog = None
errorlog = "-"
graceful_timeout = 10
# The longest request line (method, path and query) gunicorn takes: its maximum,
# so that filters naming many ids fit; a longer one answers 414.
limit_request_line = 8190


def _problem(sock, status_int, reason, mesg):
    """What gunicorn refuses before the app sees a request (414, 431, a malformed
    request line...) is answered as problem details too, not as an HTML page."""
    body = json.dumps(
        {
            "type": type_of(status_int),
            "title": reason,
            "status": status_int,
            "detail": mesg or reason,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        "Content-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


# gunicorn's workers call util.write_error for these; they inherit this from the master.
gunicorn.util.write_error = _problem

# The token `make run` prints is kept here so that it survives restarts.
TOKEN_FILE = embedded.DATA_DIR / "local-token"
TOKEN_NAME = "local"


def post_worker_init(worker):
    """Leave Ctrl-C to the master, which stops the workers itself.

    A terminal sends Ctrl-C's SIGINT to every process of the group, the
    workers too, and the master then sends each worker SIGQUIT: a worker that
    took both ran gunicorn's quit handler inside itself, waited on the lock
    its first run held, and was killed 10 s later (graceful_timeout), the
    master saying "Perhaps out of memory?". Ignoring SIGINT, a worker quits
    once, when the master tells it to.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def on_starting(server):
    import psycopg
    from psycopg.rows import dict_row

    from api.store import database
    from api.web import ratelimit
    from seeds import loader

    # Made before the workers fork, so that they count against one table.
    ratelimit.share_between_processes()

    url = os.environ.get("DATABASE_URL") or embedded.database_url()
    os.environ["DATABASE_URL"] = url
    database.upgrade(url)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        try:
            report = loader.load(conn, loader.ARTICLE_SEED)
            article = "\n".join([report.summary(), *("  " + line for line in report.kept_lines())])
        except loader.SeedError as error:
            # Nothing of the load is kept; the API serves what is stored.
            article = f"not loaded: {error}"
        token = _local_token(conn)
    host, port = bind.rsplit(":", 1)
    base = f"http://{host}:{port}"
    print(
        f"\n  eventdata is starting on {base}\n"
        f"  explore: {base}/explore\n"
        f"  docs:    {base}/docs\n"
        f"  spec:    {base}/openapi.json\n"
        f"  article: {article}\n"
        f"  token for writes: {token}\n"
        f"    curl -H 'Authorization: Bearer {token}' ...\n",
        flush=True,
    )


def _local_token(conn):
    """Reuse the token in TOKEN_FILE while it is valid; otherwise make a new one."""
    from api.store import tokens

    if TOKEN_FILE.exists():
        token = TOKEN_FILE.read_text().strip()
        if tokens.token_name(conn, token) is not None:
            return token
    tokens.revoke_token(conn, TOKEN_NAME)
    # The person who runs the server may do anything with it.
    token = tokens.create_token(conn, TOKEN_NAME, tokens.SCOPES)
    conn.commit()
    TOKEN_FILE.write_text(token + "\n")
    TOKEN_FILE.chmod(0o600)
    return token
