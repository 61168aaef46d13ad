"""Rate limits: per token and per address, 429 with Retry-After, one count per server."""

import pytest

from api import create_app
from api.store.tokens import create_token
from api.web.ratelimit import Limiter, parse_limit
from tests.helpers import Client, assert_problem, source_body
from tests.live import call, gunicorn


@pytest.fixture
def make_client(make_app, token):
    """Build clients of apps with these rate limits."""
    return lambda **limits: Client(make_app(**limits).test_client(), token)


class TestParseLimit:
    @pytest.mark.parametrize(
        ("text", "parsed"),
        [
            ("600/minute", (600, 60.0)),
            (" 5 / second ", (5, 1.0)),
            ("10000/hour", (10000, 3600.0)),
            ("off", None),
            ("", None),
            (None, None),
        ],
    )
    def test_valid(self, text, parsed):
        assert parse_limit(text) == parsed

    @pytest.mark.parametrize("text", ["600", "600/day", "-1/minute", "a/minute", "0.5/second"])
    def test_invalid(self, text):
        with pytest.raises(ValueError, match="Not a rate limit"):
            parse_limit(text)

    def test_an_invalid_setting_stops_the_app(self, database_url):
        with pytest.raises(ValueError):
            create_app(
                {"DATABASE_URL": database_url, "TESTING": True, "RATE_LIMIT_PER_ADDRESS": "lots"}
            )


class TestLimiter:
    """GCRA: a burst of the whole count, then the steady rate."""

    def test_burst_then_refuse_then_recover(self):
        limiter = Limiter()
        now = 1000.0
        results = [limiter.hit("k", 5, 10.0, now=now) for _ in range(6)]
        assert [allowed for allowed, *_ in results] == [True] * 5 + [False]
        assert [remaining for _, remaining, *_ in results[:5]] == [4, 3, 2, 1, 0]
        retry_after = results[5][3]
        assert retry_after == pytest.approx(2.0)
        # One interval (period / count) later, exactly one more request fits.
        assert limiter.hit("k", 5, 10.0, now=now + 2.0)[0]
        assert not limiter.hit("k", 5, 10.0, now=now + 2.0)[0]
        # After a whole period the bucket is full again.
        later = [limiter.hit("k", 5, 10.0, now=now + 12.0)[0] for _ in range(5)]
        assert later == [True] * 5

    def test_keys_are_counted_apart(self):
        limiter = Limiter()
        assert limiter.hit("a", 1, 60.0, now=0.0)[0]
        assert not limiter.hit("a", 1, 60.0, now=0.0)[0]
        assert limiter.hit("b", 1, 60.0, now=0.0)[0]

    def test_drained_buckets_free_their_slots(self):
        limiter = Limiter()
        for n in range(50_000):
            assert limiter.hit(f"client-{n}", 1, 1.0, now=float(n))[0]


class TestPerAddress:
    def test_over_the_limit_answers_429(self, make_client):
        client = make_client(RATE_LIMIT_PER_ADDRESS="3/minute")
        responses = [client.get("/v1/events", auth=False) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert [r.headers["RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
        assert all(r.headers["RateLimit-Limit"] == "3" for r in responses)
        refused = responses[-1]
        problem = assert_problem(refused, 429)
        assert "3 per minute" in problem["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 20
        assert int(refused.headers["RateLimit-Reset"]) <= 60

    def test_probes_are_not_limited(self, make_client):
        client = make_client(RATE_LIMIT_PER_ADDRESS="1/minute")
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
            assert client.get("/readyz").status_code == 200

    def test_addresses_are_counted_apart(self, make_client):
        client = make_client(RATE_LIMIT_PER_ADDRESS="1/minute")
        one = {"REMOTE_ADDR": "192.0.2.1"}
        two = {"REMOTE_ADDR": "192.0.2.2"}
        assert client.get("/v1/events", environ_base=one).status_code == 200
        assert client.get("/v1/events", environ_base=one).status_code == 429
        assert client.get("/v1/events", environ_base=two).status_code == 200

    def test_failed_authentication_counts_against_the_address(self, make_client):
        client = make_client(RATE_LIMIT_PER_ADDRESS="2/minute", RATE_LIMIT_PER_TOKEN="off")
        bad = {"Authorization": "Bearer edt_guess"}
        statuses = [
            client.post("/v1/sources", json=source_body(), headers=bad, auth=False).status_code
            for _ in range(3)
        ]
        assert statuses == [401, 401, 429]

    def test_off_means_unlimited(self, make_client):
        client = make_client(RATE_LIMIT_PER_ADDRESS="off")
        responses = [client.get("/v1/events", auth=False) for _ in range(20)]
        assert {r.status_code for r in responses} == {200}
        assert "RateLimit-Limit" not in responses[0].headers


class TestPerToken:
    def test_a_token_has_its_own_limit(self, make_client, db):
        client = make_client(RATE_LIMIT_PER_TOKEN="2/minute", RATE_LIMIT_PER_ADDRESS="1/minute")
        other = {"Authorization": f"Bearer {create_token(db, 'other')}"}
        statuses = [
            client.post("/v1/sources", json=source_body(url=f"https://example.org/{n}")).status_code
            for n in range(3)
        ]
        assert statuses == [201, 201, 429]
        # Another token, and reads without a token (by address), count apart.
        response = client.post(
            "/v1/sources", json=source_body(url="https://example.org/x"), headers=other
        )
        assert response.status_code == 201
        assert client.get("/v1/sources", auth=False).status_code == 200

    def test_nothing_is_written_when_refused(self, make_client, db):
        client = make_client(RATE_LIMIT_PER_TOKEN="1/minute")
        client.post("/v1/sources", json=source_body(url="https://example.org/1"))
        response = client.post("/v1/sources", json=source_body(url="https://example.org/2"))
        assert_problem(response, 429)
        assert db.execute("SELECT count(*) AS n FROM sources").fetchone()["n"] == 1


@pytest.mark.slow
@pytest.mark.live
def test_limits_hold_across_the_workers_of_a_server(session_database):
    """Started as `make run` starts it, two workers share one count."""
    url, _tables = session_database
    env = {"RATE_LIMIT_PER_ADDRESS": "10/minute", "ACCESS_LOG": "0"}
    with gunicorn(url, config="python:api.serve", env=env, workers=2) as server:
        statuses = [call(server, "GET", "/v1/vocabularies")[0] for _ in range(30)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 20
