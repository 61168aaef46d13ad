"""RFC 9457 problem details: how every error is answered."""

import http
import json

from flask import current_app, g, request
from flask_smorest import abort

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(status, detail, *, errors=None, headers=None, **extensions):
    """Return an RFC 9457 problem details response."""
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if g.get("request_id"):
        body["request_id"] = g.request_id
    if errors:
        body["errors"] = errors
    body.update(extensions)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def not_found(noun, record_id):
    """Answer 404 for a record that does not exist."""
    abort(404, message=f"No {noun} has the id {record_id}.")


def flatten_errors(messages, prefix=""):
    """Turn marshmallow's nested messages into {"dotted.path": [messages]}."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            # marshmallow files a nested record's own errors under "_schema".
            if key == "_schema" and prefix:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def validation_problem(messages, detail=None):
    """A 422 problem naming every invalid field."""
    errors = flatten_errors(messages)
    if detail is None:
        detail = "Invalid input: " + ", ".join(sorted(errors)) + "."
    return problem(422, detail, errors=errors)
