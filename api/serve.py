"""gunicorn's settings for `make run`, and the set-up its master does once before forking.

The master starts the embedded PostgreSQL (unless DATABASE_URL is set),
migrates, loads the article and makes a token; the workers inherit
DATABASE_URL and each opens its own pool. On Ctrl-C the master exits and
the embedded server stops with it; its data stays under .data/.
"""

import os

from api import embedded

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
accesslog = "-"
graceful_timeout = 10

# The token `make run` prints is kept here so that it survives restarts.
TOKEN_FILE = embedded.DATA_DIR / "local-token"
TOKEN_NAME = "local"


def on_starting(server):
    import psycopg
    from psycopg.rows import dict_row

    from api import database
    from seeds import loader

    url = os.environ.get("DATABASE_URL") or embedded.database_url()
    os.environ["DATABASE_URL"] = url
    database.upgrade(url)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        report = loader.load(conn, loader.ARTICLE_SEED)
        token = _local_token(conn)
    host, port = bind.rsplit(":", 1)
    base = f"http://{host}:{port}"
    print(
        f"\n  eventdata is starting on {base}\n"
        f"  docs:    {base}/docs\n"
        f"  spec:    {base}/openapi.json\n"
        f"  article: {report.summary()}\n"
        f"  token for writes: {token}\n"
        f"    curl -H 'Authorization: Bearer {token}' ...\n",
        flush=True,
    )


def _local_token(conn):
    """Reuse the token in TOKEN_FILE while it is valid; otherwise make a new one."""
    from api import auth

    if TOKEN_FILE.exists():
        token = TOKEN_FILE.read_text().strip()
        if auth.token_name(conn, token) is not None:
            return token
    auth.revoke_token(conn, TOKEN_NAME)
    token = auth.create_token(conn, TOKEN_NAME)
    conn.commit()
    TOKEN_FILE.write_text(token + "\n")
    TOKEN_FILE.chmod(0o600)
    return token
