"""/explore: the explorer's page and its files, served by the API itself (api/web/explorer)."""

import re

import pytest

from api import serve
from api.web import ratelimit
from tests.helpers import MISSING_ID, assert_clean_problem


class TestExplorerPage:
    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/explore", id="overview"),
            pytest.param(f"/explore/events/{MISSING_ID}", id="event"),
            pytest.param(f"/explore/actors/{MISSING_ID}", id="actor"),
            pytest.param(f"/explore/locations/{MISSING_ID}", id="location"),
        ],
    )
    def test_every_view_is_the_one_page(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assets = re.findall(r'(?:src|href|data-basemap)="(/explore/assets/[^"]+)"', page)
        assert sorted(asset.split("?")[0] for asset in assets) == [
            "/explore/assets/countries-50m.json",
            "/explore/assets/explorer.css",
            "/explore/assets/explorer.js",
        ]

    def test_nothing_comes_from_elsewhere(self, client):
        """Its policy lets the page load its own files and talk to its own API only."""
        response = client.get("/explore")
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "connect-src 'self'" in policy
        assert "http" not in response.get_data(as_text=True)

    def test_an_asset_changes_its_address_when_its_content_does(self, client):
        page = client.get("/explore").get_data(as_text=True)
        script = re.search(r'src="(/explore/assets/explorer\.js\?v=[0-9a-f]{12})"', page)
        assert script
        response = client.get(script.group(1))
        assert response.status_code == 200
        assert response.mimetype in {"text/javascript", "application/javascript"}
        response.close()

    @pytest.mark.parametrize(
        ("asset", "mimetypes"),
        [
            pytest.param("explorer.js", {"text/javascript", "application/javascript"}, id="script"),
            pytest.param("explorer.css", {"text/css"}, id="style"),
            pytest.param("countries-50m.json", {"application/json"}, id="basemap"),
        ],
    )
    def test_asset_is_served(self, client, asset, mimetypes):
        response = client.get(f"/explore/assets/{asset}")
        assert response.status_code == 200
        assert response.mimetype in mimetypes
        assert len(response.get_data()) > 1000
        response.close()

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param("/explore/assets/nothing.js", id="unknown"),
            pytest.param("/explore/assets/../__init__.py", id="traversal"),
            pytest.param("/explore/assets/index.html", id="not-listed"),
            pytest.param("/explore/events/not-a-uuid", id="not-a-uuid"),
            pytest.param("/explore/sources", id="no-such-view"),
        ],
    )
    def test_what_is_not_there(self, client, path):
        assert_clean_problem(client.get(path), 404)


def test_make_runs_banner_gives_the_explorers_address(app, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setattr(serve, "TOKEN_FILE", tmp_path / "local-token")
    # The rate-limit table is shared with forked workers; none are forked here.
    monkeypatch.setattr(ratelimit, "share_between_processes", lambda: None)

    serve.on_starting(None)

    banner = capsys.readouterr().out
    base = f"http://{serve.bind}"
    assert f"  eventdata is starting on {base}\n  explore: {base}/explore\n" in banner
