"""create_app(): CORS for the configured origins."""

import pytest

from tests.helpers import MISSING_ID

ORIGIN = "https://app.example"


class TestCORS:
    """Browsers on the configured origins may call the API and read its headers."""

    @pytest.fixture
    def cors_client(self, make_app):
        return make_app(CORS_ORIGINS=ORIGIN).test_client()

    def test_allowed_origin(self, cors_client):
        response = cors_client.get("/v1/sources", headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        exposed = {
            h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
        }
        assert exposed >= {"etag", "location", "link", "x-pagination"}

    def test_allowed_origin_on_an_error(self, cors_client):
        response = cors_client.get("/v1/nothing", headers={"Origin": ORIGIN})
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN

    @pytest.mark.parametrize(
        ("path", "method"),
        [
            pytest.param("/v1/sources", "POST", id="post"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "PUT", id="put"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "PATCH", id="patch"),
            pytest.param(f"/v1/sources/{MISSING_ID}", "DELETE", id="delete"),
        ],
    )
    def test_preflight(self, cors_client, path, method):
        response = cors_client.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "Authorization, Content-Type, If-Match",
            },
        )
        assert response.status_code in (200, 204)
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
        assert method in methods
        allowed = {
            h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert allowed >= {"authorization", "content-type", "if-match"}

    def test_other_origin(self, cors_client):
        response = cors_client.get("/v1/sources", headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    def test_no_origins_by_default(self, client):
        response = client.get("/v1/sources", headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers
