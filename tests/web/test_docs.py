"""/docs: Swagger UI served from the API itself (api/web/docs.py)."""

import pytest

from tests.helpers import assert_clean_problem


class TestDocs:
    """/docs serves Swagger UI from the API itself."""

    def test_page_references_local_assets(self, client):
        response = client.get("/docs")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert "/docs/assets/swagger-ui-bundle.js" in page
        assert "/openapi.json" in page

    @pytest.mark.parametrize(
        ("asset", "mimetype"),
        [
            pytest.param("swagger-ui-bundle.js", "text/javascript", id="bundle"),
            pytest.param("swagger-ui-standalone-preset.js", "text/javascript", id="preset"),
            pytest.param("swagger-ui.css", "text/css", id="css"),
        ],
    )
    def test_asset_is_served(self, client, asset, mimetype):
        response = client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200
        assert response.mimetype in {mimetype, "application/javascript"}
        assert len(response.get_data()) > 1000
        response.close()

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/docs/assets/nothing.js", id="unknown"),
            pytest.param("/docs/assets/../../api/config.py", id="traversal"),
            pytest.param("/docs/assets/index.html", id="not-listed"),
        ],
    )
    def test_unknown_asset(self, client, path):
        response = client.get(path)
        assert_clean_problem(response, 404)
