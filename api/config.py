"""Settings of the API: defaults, overridden by the environment or create_app(config)."""

import os

DEFAULTS = {
    # A libpq URL; when empty the embedded PostgreSQL under .data/ is started.
    "DATABASE_URL": "",
    "DATABASE_POOL_MIN_SIZE": 1,
    "DATABASE_POOL_MAX_SIZE": 10,
    # Seconds a request waits for a pooled connection before answering 503.
    "DATABASE_POOL_TIMEOUT": 5.0,
    # Request bodies larger than this answer 413.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # POST /v1/events/bulk: events per request, and bytes per body (the
    # endpoint's description states these defaults), beyond which it answers 413.
    "BULK_MAX_RECORDS": 10_000,
    "BULK_MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # Origins allowed to call the API from a browser, comma-separated.
    "CORS_ORIGINS": "",
    # Seconds a browser may reuse a preflight's answer before asking again
    # (Access-Control-Max-Age); Chromium caps it at 7200, Firefox at 86400.
    "CORS_MAX_AGE": 7200,
    # When true, PUT, PATCH and DELETE without If-Match answer 428.
    "REQUIRE_IF_MATCH": False,
    # When true, reads need a token with the read scope too (writes always need one).
    "REQUIRE_TOKEN_FOR_READS": False,
    # "<count>/<second|minute|hour>" or "off" (api/web/ratelimit.py); None: the
    # defaults below, or off when TESTING.
    "RATE_LIMIT_PER_TOKEN": None,
    "RATE_LIMIT_PER_ADDRESS": None,
    # One JSON line per request on stdout ("eventdata.access" logger); None: on
    # unless TESTING. Left alone when that logger already has a handler.
    "ACCESS_LOG": None,
    "API_TITLE": "eventdata",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Swagger UI's assets are served by the API itself: no CDN is needed.
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "JSON_SORT_KEYS": False,
}

# Settings read from the environment, with the type each converts to.
ENVIRONMENT = {
    "DATABASE_URL": str,
    "DATABASE_POOL_MIN_SIZE": int,
    "DATABASE_POOL_MAX_SIZE": int,
    "DATABASE_POOL_TIMEOUT": float,
    "MAX_CONTENT_LENGTH": int,
    "BULK_MAX_RECORDS": int,
    "BULK_MAX_CONTENT_LENGTH": int,
    "CORS_ORIGINS": str,
    "CORS_MAX_AGE": int,
    "REQUIRE_IF_MATCH": lambda value: value.lower() in {"1", "true", "yes", "on"},
    "REQUIRE_TOKEN_FOR_READS": lambda value: value.lower() in {"1", "true", "yes", "on"},
    "RATE_LIMIT_PER_TOKEN": str,
    "RATE_LIMIT_PER_ADDRESS": str,
    "ACCESS_LOG": lambda value: value.lower() in {"1", "true", "yes", "on"},
}


def load(overrides=None):
    """Return the settings: defaults, then the environment, then overrides."""
    settings = dict(DEFAULTS)
    for name, convert in ENVIRONMENT.items():
        if name in os.environ:
            settings[name] = convert(os.environ[name])
    settings.update(overrides or {})
    return settings
