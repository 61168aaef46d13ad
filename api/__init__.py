"""The eventdata API: create_app() builds the Flask application."""

from flask import Flask, request
from flask_cors import CORS

from api import (
    actors,
    auth,
    cli,
    config,
    deletions,
    docs,
    errors,
    events,
    health,
    locations,
    sources,
    statements,
    stats,
    vocabularies,
)
from api.database import Database
from api.http import Api, problem

RESOURCES = (sources, actors, locations, events, statements, stats, deletions, vocabularies)
# Lists of one kind of record seen from another: /v1/actors/{id}/events...
RELATED = (events.related_blp, statements.related_blp)

# Response headers a browser script may read.
EXPOSED_HEADERS = ["ETag", "Location", "Link", "X-Pagination", "Retry-After"]


def create_app(overrides=None):
    """Build the application; `overrides` replace settings from the environment."""
    app = Flask("eventdata")
    app.config.update(config.load(overrides))
    app.json.sort_keys = False

    app.extensions["eventdata.db"] = Database(
        app.config["DATABASE_URL"],
        min_size=app.config["DATABASE_POOL_MIN_SIZE"],
        max_size=app.config["DATABASE_POOL_MAX_SIZE"],
        timeout=app.config["DATABASE_POOL_TIMEOUT"],
    )

    origins = [origin.strip() for origin in app.config["CORS_ORIGINS"].split(",") if origin.strip()]
    CORS(
        app,
        origins=origins,
        expose_headers=EXPOSED_HEADERS,
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    )

    api = Api(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    app.extensions["eventdata.api"] = api
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `flask --app api tokens create NAME`.",
        },
    )
    for resource in RESOURCES:
        api.register_blueprint(resource.blp)
    for blueprint in RELATED:
        api.register_blueprint(blueprint)
    health.register(app)
    docs.register(app)
    errors.register(app)
    app.before_request(auth.require_token_for_writes)
    app.before_request(require_json_body)
    cli.register(app)
    return app


def require_json_body():
    """Refuse a write whose body is not declared as JSON (415)."""
    if (
        request.method in ("POST", "PUT", "PATCH")
        and request.routing_exception is None
        and not request.is_json
    ):
        return problem(415, "Send the body as JSON with 'Content-Type: application/json'.")
    return None


DESCRIPTION = """\
Structured event data drawn from news reporting: events, actors, statements,
locations and the sources they come from, each event and statement citing the
verbatim words of its source.

Reads are open. Writes need `Authorization: Bearer <token>`. Errors are RFC 9457
problem details. Lists are paginated with `page` and `page_size` and carry
`X-Pagination` and `Link` headers. Single records carry an `ETag`: send it back
in `If-None-Match` to get 304, or in `If-Match` on PUT, PATCH and DELETE to get
412 when someone changed the record first.
"""
