"""The eventdata API: create_app() builds the Flask application."""

from flask import current_app, request
from flask_cors import CORS

from api import cli, config
from api.resources.actors import views as actors
from api.resources.deletions import views as deletions
from api.resources.events import bulk_views as bulk
from api.resources.events import views as events
from api.resources.locations import views as locations
from api.resources.search import views as search
from api.resources.sources import views as sources
from api.resources.statements import views as statements
from api.resources.stats import views as stats
from api.resources.tokens import views as tokens
from api.resources.vocabularies import views as vocabularies
from api.store.database import Database
from api.web import (
    auth,
    docs,
    explorer,
    idempotency,
    observability,
    probes,
    problem_types,
    problems,
    ratelimit,
)
from api.web.blueprint import Api
from api.web.problems import problem
from api.web.requests import Flask

RESOURCES = (
    sources,
    actors,
    locations,
    events,
    bulk,
    statements,
    stats,
    deletions,
    vocabularies,
    search,
    tokens,
)
# Lists of one kind of record seen from another: /v1/actors/{id}/events...
RELATED = (events.related_blp, statements.related_blp)

# Response headers a browser script may read.
EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Link",
    "X-Pagination",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    *ratelimit.HEADERS,
]


def create_app(overrides=None):
    """Build the application; `overrides` replace settings from the environment."""
    app = Flask("eventdata")
    app.config.update(config.load(overrides))
    app.json.sort_keys = False
    observability.register(app)

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
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "X-Request-ID",
            "Idempotency-Key",
        ],
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        max_age=app.config["CORS_MAX_AGE"],
    )
    if origins:
        app.after_request(vary_by_origin)

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
    api.register_blueprint(problem_types.blp)
    api.link_created_records()
    probes.register(app)
    docs.register(app)
    explorer.register(app)
    problems.register(app)
    app.before_request(auth.authenticate)
    ratelimit.register(app)
    app.before_request(require_json_body)
    idempotency.register(app)
    cli.register(app)
    return app


def vary_by_origin(response):
    """Say that every answer depends on Origin while CORS is on.

    flask-cors says so only when several origins are configured and the request
    came from one; a cache between the API and its users would otherwise hand
    an answer made for one origin (or for none) to a browser on another.
    """
    response.vary.add("Origin")
    return response


def require_json_body():
    """Refuse a write whose body is not declared as JSON (415).

    A view class may take other media types, listed in BODY_MEDIA_TYPES, and
    name in BODY_LIMIT the setting that caps its bodies instead of
    MAX_CONTENT_LENGTH (POST /v1/events/bulk takes NDJSON, and more); or say
    with TAKES_BODY = False that it reads none (a restore), so needs no type.
    """
    if request.method not in ("POST", "PUT", "PATCH") or request.routing_exception is not None:
        return None
    view = getattr(current_app.view_functions.get(request.endpoint), "view_class", None)
    if not getattr(view, "TAKES_BODY", True):
        return None
    media_types = getattr(view, "BODY_MEDIA_TYPES", None)
    if media_types is None and not request.is_json:
        return problem(415, "Send the body as JSON with 'Content-Type: application/json'.")
    if media_types is not None and request.mimetype not in media_types:
        return problem(415, f"Send the body with 'Content-Type: {' or '.join(media_types)}'.")
    if getattr(view, "BODY_LIMIT", None):
        # Set before any hook reads the body (idempotency hashes it); reading
        # more than this answers 413.
        request.max_content_length = current_app.config[view.BODY_LIMIT]
    return None


DESCRIPTION = """\
Structured event data drawn from news reporting: events, actors, statements,
locations and the sources they come from, each event and statement citing the
verbatim words of its source.

Reads are open. Writes need `Authorization: Bearer <token>`. Errors are RFC 9457
problem details. A body that is not JSON, or gives a key twice in one object,
answers 400; one over its size limit answers 413, sent with a Content-Length or
chunked. Lists are paginated with `page` and `page_size` and carry
`X-Pagination` and `Link` headers. Single records carry an `ETag`: send it back
in `If-None-Match` to get 304, or in `If-Match` on PUT, PATCH and DELETE to get
412 when someone changed the record first.
"""
