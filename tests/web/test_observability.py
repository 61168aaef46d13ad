"""Request ids, JSON access logs and security headers (api/web/observability.py)."""

import base64
import hashlib
import io
import json
import logging
import re

import pytest

from api import create_app, serve
from api.web import observability
from tests.helpers import MISSING_ID, source_body

NEW_ID = re.compile(r"[0-9a-f]{32}")
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
ACCESS_FIELDS = {
    "time",
    "request_id",
    "method",
    "path",
    "query",
    "status",
    "duration_ms",
    "bytes",
    "remote_addr",
    "user_agent",
    "token_name",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@pytest.fixture
def access(caplog):
    """The access log lines of the test, parsed."""
    caplog.set_level(logging.INFO, logger=observability.ACCESS_LOGGER)

    def lines():
        return [
            json.loads(record.getMessage())
            for record in caplog.records
            if record.name == observability.ACCESS_LOGGER
        ]

    return lines


@pytest.fixture
def pristine_access_logger():
    """The access logger as no app has configured it; restored afterwards."""
    logger = logging.getLogger(observability.ACCESS_LOGGER)
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    yield logger
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


class TestRequestId:
    def test_a_new_one_when_the_client_sends_none(self, client):
        first = client.get("/healthz").headers["X-Request-ID"]
        second = client.get("/healthz").headers["X-Request-ID"]
        assert NEW_ID.fullmatch(first)
        assert NEW_ID.fullmatch(second)
        assert first != second

    @pytest.mark.parametrize(
        "request_id",
        ["a", "req-42", "0123.abc_DEF-9", "x" * 128, "f47ac10b-58cc-4372-a567-0e02b2c3d479"],
    )
    def test_a_sane_one_is_echoed(self, client, request_id):
        response = client.get("/v1/sources", headers={"X-Request-ID": request_id})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == request_id

    @pytest.mark.parametrize(
        "request_id",
        [
            pytest.param("", id="empty"),
            pytest.param("x" * 129, id="too-long"),
            pytest.param("has space", id="space"),
            pytest.param("a/b", id="slash"),
            pytest.param('"quoted"', id="quotes"),
            pytest.param("a;b=c", id="semicolon"),
            pytest.param("caf\u00e9", id="non-ascii"),
            pytest.param("<script>", id="markup"),
        ],
    )
    def test_an_insane_one_is_replaced(self, client, request_id):
        response = client.get("/healthz", headers={"X-Request-ID": request_id})
        assert NEW_ID.fullmatch(response.headers["X-Request-ID"])

    def test_on_a_problem_body(self, client):
        response = client.get(f"/v1/sources/{MISSING_ID}")
        assert response.status_code == 404
        assert response.get_json()["request_id"] == response.headers["X-Request-ID"]

    def test_a_sane_one_on_a_problem_body(self, client):
        response = client.post("/v1/sources", json={}, headers={"X-Request-ID": "trace-7"})
        assert response.status_code == 422
        assert response.headers["X-Request-ID"] == "trace-7"
        assert response.get_json()["request_id"] == "trace-7"

    def test_on_a_refused_write(self, client):
        response = client.post("/v1/sources", json=source_body(), auth=False)
        assert response.status_code == 401
        assert response.get_json()["request_id"] == response.headers["X-Request-ID"]

    def test_on_routing_errors(self, client):
        for response in (client.get("/nowhere"), client.request("PUT", "/v1/sources")):
            assert response.status_code in (404, 405)
            assert response.get_json()["request_id"] == response.headers["X-Request-ID"]

    def test_on_a_created_record(self, client):
        response = client.post("/v1/sources", json=source_body(), headers={"X-Request-ID": "c1"})
        assert response.status_code == 201
        assert response.headers["X-Request-ID"] == "c1"
        assert "request_id" not in response.get_json()

    def test_on_not_modified(self, client):
        location = client.post("/v1/sources", json=source_body()).headers["Location"]
        etag = client.get(location).headers["ETag"]
        response = client.get(location, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert NEW_ID.fullmatch(response.headers["X-Request-ID"])

    def test_browsers_may_send_and_read_it(self, database_url):
        origin = "https://app.example"
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "CORS_ORIGINS": origin})
        try:
            client = app.test_client()
            response = client.get("/healthz", headers={"Origin": origin})
            exposed = response.headers["Access-Control-Expose-Headers"].lower()
            assert "x-request-id" in exposed.replace(" ", "").split(",")
            preflight = client.options(
                "/v1/sources",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "X-Request-ID",
                },
            )
            assert "x-request-id" in preflight.headers["Access-Control-Allow-Headers"].lower()
        finally:
            app.extensions["eventdata.db"].close()


class TestAccessLog:
    def test_one_json_line_with_every_field(self, client, access):
        response = client.get(
            "/v1/sources?page_size=5",
            headers={"User-Agent": "probe/1.0", "X-Request-ID": "log-1"},
        )
        assert response.status_code == 200

        [line] = access()
        assert set(line) == ACCESS_FIELDS
        assert RFC3339_UTC.fullmatch(line["time"])
        assert line["request_id"] == "log-1"
        assert line["method"] == "GET"
        assert line["path"] == "/v1/sources"
        assert line["query"] == "page_size=5"
        assert line["status"] == 200
        assert isinstance(line["duration_ms"], int | float)
        assert line["duration_ms"] >= 0
        assert line["bytes"] == len(response.get_data())
        assert line["remote_addr"] == "127.0.0.1"
        assert line["user_agent"] == "probe/1.0"
        assert line["token_name"] is None

    def test_the_generated_id_is_the_one_logged(self, client, access):
        response = client.get(f"/v1/sources/{MISSING_ID}")
        [line] = access()
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert line["status"] == 404

    def test_an_authenticated_write_names_its_token_and_nothing_else(
        self, client, caplog, access, token
    ):
        response = client.post("/v1/sources", json=source_body())
        assert response.status_code == 201

        [line] = access()
        assert line["method"] == "POST"
        assert line["status"] == 201
        assert line["token_name"] == "tests"
        logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
        assert token not in logged
        assert token.removeprefix("edt_") not in logged
        assert "Bearer" not in logged
        assert "Authorization" not in logged

    def test_a_refused_token_is_not_logged(self, client, caplog, access):
        secret = "edt_not-a-real-token-but-still-secret"
        response = client.post(
            "/v1/sources",
            json=source_body(),
            headers={"Authorization": f"Bearer {secret}"},
            auth=False,
        )
        assert response.status_code == 401

        [line] = access()
        assert line["status"] == 401
        assert line["token_name"] is None
        logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
        assert secret not in logged
        assert "Bearer" not in logged

    @pytest.mark.parametrize(
        ("query", "logged"),
        [
            pytest.param(
                "access_token=edt_s3cret&page_size=5",
                "access_token=[REDACTED]&page_size=5",
                id="access_token",
            ),
            pytest.param("page=2&TOKEN=edt_s3cret", "page=2&TOKEN=[REDACTED]", id="any-case"),
            pytest.param("api_key=s3cret", "api_key=[REDACTED]", id="api_key"),
            pytest.param("api-key=s3cret", "api-key=[REDACTED]", id="api-key"),
            pytest.param("apikey=s3cret", "apikey=[REDACTED]", id="apikey"),
            pytest.param("key=s3cret", "key=[REDACTED]", id="key"),
            pytest.param("password=s3cret", "password=[REDACTED]", id="password"),
            pytest.param("client_secret=s3cret", "client_secret=[REDACTED]", id="client_secret"),
            pytest.param(
                "access%5Ftoken=s3cret", "access%5Ftoken=[REDACTED]", id="percent-encoded-name"
            ),
            pytest.param(
                "secret=s3cret&secret=s3cret+again",
                "secret=[REDACTED]&secret=[REDACTED]",
                id="repeated",
            ),
        ],
    )
    def test_credentials_in_the_query_are_redacted(self, client, caplog, access, query, logged):
        """A credential sent as a query parameter was logged verbatim; the others stay."""
        client.get(f"/v1/sources?{query}", headers={"Authorization": "Bearer edt_s3cret"})

        [line] = access()
        assert line["query"] == logged
        everything = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
        assert "s3cret" not in everything
        assert "Authorization" not in everything

    @pytest.mark.parametrize(
        "query",
        [
            pytest.param("q=token&sort=title", id="a-value-that-is-a-name"),
            pytest.param("keys=a&monkey=b&token_name=c", id="names-that-only-contain-one"),
            pytest.param("token&page=2", id="a-name-without-a-value"),
        ],
    )
    def test_other_parameters_are_logged_as_sent(self, client, access, query):
        client.get(f"/v1/sources?{query}")

        [line] = access()
        assert line["query"] == query

    def test_a_client_cannot_forge_a_line(self, client, caplog, access):
        client.get(
            "/v1/nowhere%0A%7B%22status%22%3A200%7D",
            # Past any check of the test client, as a raw server might pass it.
            environ_overrides={"HTTP_USER_AGENT": 'x"}\r\n{"forged": true\x1b[2J'},
        )
        [record] = [r for r in caplog.records if r.name == observability.ACCESS_LOGGER]
        message = record.getMessage()
        assert not re.search(r"[\x00-\x1f]", message)
        line = json.loads(message)
        assert line["path"] == '/v1/nowhere\n{"status":200}'
        assert line["user_agent"] == 'x"}\r\n{"forged": true\x1b[2J'
        assert line["status"] == 404

    def test_an_unknown_length_is_null(self, client, access):
        response = client.get("/v1/statements", headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert response.is_streamed
        response.get_data()
        [line] = access()
        assert line["status"] == 200
        assert line["bytes"] is None

    def test_quiet_in_tests(self, pristine_access_logger, database_url):
        # No handler of its own: lines reach pytest's capture only when asked for.
        app = create_app({"DATABASE_URL": database_url, "TESTING": True})
        app.extensions["eventdata.db"].close()
        assert not pristine_access_logger.handlers

    def test_configured_on_stdout_once(self, pristine_access_logger, database_url, capsys):
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "ACCESS_LOG": True})
        try:
            assert len(pristine_access_logger.handlers) == 1
            assert pristine_access_logger.propagate is False
            app.test_client().get("/healthz", headers={"X-Request-ID": "out-1"})
            second = create_app({"DATABASE_URL": database_url, "TESTING": True, "ACCESS_LOG": True})
            second.extensions["eventdata.db"].close()
            assert len(pristine_access_logger.handlers) == 1
        finally:
            app.extensions["eventdata.db"].close()
        [printed] = capsys.readouterr().out.splitlines()
        assert json.loads(printed)["request_id"] == "out-1"

    def test_a_configured_logger_is_left_alone(self, pristine_access_logger):
        mine = logging.StreamHandler(io.StringIO())
        pristine_access_logger.addHandler(mine)
        assert observability.configure_access_log() is False
        assert pristine_access_logger.handlers == [mine]

    def test_gunicorn_logs_errors_but_not_plain_text_access(self):
        assert serve.accesslog is None
        assert serve.errorlog == "-"


def csp(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


class TestSecurityHeaders:
    def assert_common(self, response):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value

    def test_on_a_json_response(self, client):
        response = client.get("/v1/sources")
        assert response.status_code == 200
        self.assert_common(response)
        assert csp(response) == {"frame-ancestors": ["'none'"]}
        assert "no-store" not in response.headers.get("Cache-Control", "")

    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", f"/v1/sources/{MISSING_ID}", 404),
            ("GET", "/v1/sources?page=0", 422),
            ("POST", "/v1/sources", 401),
        ],
    )
    def test_on_a_problem_response(self, client, method, path, status):
        response = client.request(method, path, json=source_body(), auth=False)
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        self.assert_common(response)
        assert csp(response) == {"frame-ancestors": ["'none'"]}
        assert response.headers["Cache-Control"] == "no-store"

    def test_on_the_spec_and_docs_assets(self, client):
        for path in ("/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
            response = client.get(path)
            assert response.status_code == 200
            self.assert_common(response)
            response.close()


class TestDocsPolicy:
    @pytest.fixture
    def docs(self, client):
        response = client.get("/docs")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        return response

    def test_security_headers(self, docs):
        for name, value in SECURITY_HEADERS.items():
            assert docs.headers[name] == value

    def test_a_restrictive_policy(self, docs):
        policy = csp(docs)
        assert policy["default-src"] == ["'none'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]

    def test_the_hash_is_of_the_inline_script_served(self, docs):
        html = docs.get_data(as_text=True)
        inline = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert len(inline) == 1
        digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
        assert csp(docs)["script-src"] == ["'self'", f"'sha256-{digest}'"]

    def test_every_other_script_is_its_own(self, client, docs):
        html = docs.get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>", html)
        sources = [re.search(r'src="([^"]*)"', attrs) for attrs in scripts]
        external = [match.group(1) for match in sources if match]
        assert len(external) == len(scripts) - 1
        for src in external:
            assert src.startswith("/") and not src.startswith("//")
            asset = client.get(src)
            assert asset.status_code == 200
            asset.close()

    def test_inline_scripts_are_found_as_browsers_hash_them(self):
        html = (
            b"<html><script src='/a.js'></script><script>\n  a < b && c;\n</script>"
            b"<p>&amp;</p><script type='module'>x = '&amp;'</script></html>"
        )
        assert observability.script_hashes(html) == tuple(
            "'sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode() + "'"
            for text in (b"\n  a < b && c;\n", b"x = '&amp;'")
        )
