"""Swagger UI's assets, served from the flask-swagger-ui package so /docs works offline."""

from importlib import resources

from flask import abort, send_from_directory

ASSETS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-16x16.png",
    "favicon-32x32.png",
}


def register(app):
    assets_dir = resources.files("flask_swagger_ui") / "dist"

    @app.get("/docs/assets/<path:filename>")
    def docs_asset(filename):
        """Serve one of Swagger UI's files."""
        if filename not in ASSETS:
            abort(404, description="No such file serves the docs.")
        return send_from_directory(str(assets_dir), filename, max_age=86400)
