"""The explorer at /explore: a map, a timeline and the sources' words, on the typed client.

Its script, style sheet and basemap are built from clients/typescript/explorer
(`make explorer`) into static/ and checked in, so that serving the page needs
no Node.js and nothing from outside the machine. The pages of one event, actor
or place are the same document: the script reads the path.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import abort, render_template_string, send_from_directory

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
ASSETS = {"explorer.js", "explorer.css", "countries-50m.json"}


@lru_cache(maxsize=len(ASSETS))
def fingerprint(name):
    """A short hash of an asset's content, so that a browser never runs a stale copy."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def asset_url(name):
    return f"/explore/assets/{name}?v={fingerprint(name)}"


def register(app):
    page = (HERE / "index.html").read_text()

    def explorer_page(**_ids):
        """Serve the explorer; its script shows what the path names."""
        return render_template_string(page, asset_url=asset_url)

    app.add_url_rule("/explore", "explorer", explorer_page)
    for kind in ("events", "actors", "locations"):
        app.add_url_rule(f"/explore/{kind}/<uuid:record_id>", f"explorer_{kind}", explorer_page)

    @app.get("/explore/assets/<path:filename>")
    def explorer_asset(filename):
        """Serve one of the explorer's files."""
        if filename not in ASSETS:
            abort(404, description="No such file serves the explorer.")
        return send_from_directory(STATIC, filename, max_age=86400)
