"""Request ids, JSON access logs and the security headers every response carries.

- Each request gets an id: the client's X-Request-ID when it is sane (1 to 128
  of [A-Za-z0-9._-]), else a new uuid4. It is sent back in X-Request-ID, kept
  in flask.g.request_id and put in problem details as `request_id`.
- Each request is logged as one JSON line on the "eventdata.access" logger:
  never the Authorization header nor a token, only the name of the token that
  authenticated a write. A query parameter named like a credential
  (CREDENTIAL_PARAMETERS) is logged with its value replaced by [REDACTED].
  JSON escapes every control character, so nothing a client sends can forge a
  log line.
- Every response says nosniff, no-referrer and may not be framed; the Swagger
  UI page gets a Content-Security-Policy that allows only its own files and
  the inline scripts it actually serves, by hash.
"""

import base64
import hashlib
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote_plus

from flask import g, request

from api.web.problems import PROBLEM_CONTENT_TYPE

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

ACCESS_LOGGER = "eventdata.access"
access_log = logging.getLogger(ACCESS_LOGGER)
# Query parameters whose values the access log never shows, by name, compared
# in lower case with "-" read as "_": RFC 6750's access_token and the names
# clients commonly give a token, key or password. The API takes none of them;
# a client that sends one anyway must not find its secret in the logs.
CREDENTIAL_PARAMETERS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "api_key",
        "apikey",
        "key",
        "password",
        "passwd",
        "secret",
        "client_secret",
        "auth",
        "authorization",
        "signature",
    }
)
REDACTED = "[REDACTED]"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Every response but an HTML page: nothing may frame it.
API_CSP = "frame-ancestors 'none'"
# An HTML page (Swagger UI at /docs): its own files, and its inline scripts by hash.
# Swagger UI sets inline styles, uses data: images and fetches /openapi.json.
HTML_CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)


def register(app):
    """Install request ids, the access log and security headers on `app`."""
    enabled = app.config.get("ACCESS_LOG")
    if enabled is None:
        enabled = not app.testing
    if enabled:
        configure_access_log()
    # First before any other hook, so that even a refused request has its id;
    # last after every other, so that the log sees the final response.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, finish_request)


def configure_access_log(stream=None):
    """Send access log lines to stdout, unless the logger was configured already."""
    if access_log.handlers:
        return False
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    return True


def request_id_from(value):
    """The client's request id when it is sane, else a new one."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def start_request():
    g.request_started = time.perf_counter()
    g.request_time = datetime.now(UTC)
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def finish_request(response):
    if "request_id" not in g:
        start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    add_security_headers(response)
    if access_log.isEnabledFor(logging.INFO):
        log_access(response)
    return response


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if "Content-Security-Policy" not in response.headers:
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = html_policy(response)
        else:
            response.headers["Content-Security-Policy"] = API_CSP
    if response.mimetype == PROBLEM_CONTENT_TYPE:
        response.headers["Cache-Control"] = "no-store"


def html_policy(response):
    """The CSP of an HTML page: 'self' and the hash of each of its inline scripts."""
    body = b"" if response.is_streamed else response.get_data()
    return HTML_CSP.format(scripts=" ".join(("'self'", *script_hashes(body))))


@lru_cache(maxsize=16)
def script_hashes(body):
    """The CSP sources ('sha256-...') of the inline scripts in the HTML `body`."""
    parser = InlineScripts()
    parser.feed(body.decode(errors="replace"))
    parser.close()
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in parser.scripts
    )


class InlineScripts(HTMLParser):
    """Collects the text of each <script> without a src, as a browser hashes it."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts = []
        self._text = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._text is not None:
            self.scripts.append("".join(self._text))
            self._text = None


def log_access(response):
    """Log the request as one JSON line: never its headers, only the token's name."""
    entry = {
        "time": g.request_time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_id": g.request_id,
        "method": request.method,
        "path": request.path,
        "query": logged_query(request.query_string),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 3),
        # None when the body is streamed: its length is not known yet.
        "bytes": response.content_length,
        "remote_addr": request.remote_addr,
        "user_agent": request.headers.get("User-Agent"),
        "token_name": g.get("token_name"),
    }
    access_log.info(json.dumps(entry), extra={"access": entry})


def logged_query(query_string):
    """The query string as logged: as sent, but for the values of credentials."""
    parameters = query_string.decode("utf-8", "backslashreplace").split("&")
    return "&".join(_redact(parameter) for parameter in parameters)


def _redact(parameter):
    name, equals, _ = parameter.partition("=")
    # The name as the app reads it (access%5Ftoken is access_token).
    read_as = unquote_plus(name).strip().lower().replace("-", "_")
    if equals and read_as in CREDENTIAL_PARAMETERS:
        return f"{name}={REDACTED}"
    return parameter
