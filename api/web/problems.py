"""RFC 9457 problem details: how every error is answered.

A problem's `type` names its kind (schemas/problems.py), a path this API
serves with a short explanation: a program branches on the type, a person
follows it. The title is the status's phrase; the detail says what went wrong
this time; field errors carry a code (schemas/codes.py) beside their message.
"""

import http
import json

from flask import current_app, g, request
from flask_smorest import abort

from schemas.codes import coded
from schemas.problems import BLANK, KINDS

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The kind of a problem when its raiser names none: the first of its status.
BY_STATUS = {kind.status: kind.name for kind in reversed(KINDS.values())}


def type_of(status, kind=None):
    """The type URI of a problem of `kind`, or of the default kind of `status`."""
    kind = kind or BY_STATUS.get(status)
    return KINDS[kind].type if kind else BLANK


def problem(status, detail, *, kind=None, errors=None, headers=None, **extensions):
    """Return an RFC 9457 problem details response.

    `kind` names its kind (KINDS) when it is not the first of its status;
    `errors` maps field paths to their messages.
    """
    if kind is not None and KINDS[kind].status != status:
        raise ValueError(f"A {kind} problem answers {KINDS[kind].status}, not {status}.")
    body = {
        "type": type_of(status, kind),
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if g.get("request_id"):
        body["request_id"] = g.request_id
    if errors:
        body["errors"] = {
            path: [coded(message) for message in messages] for path, messages in errors.items()
        }
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
        # A message stays itself (a coded Message); anything else is said as text.
        flat[prefix or "_schema"] = [messages if isinstance(messages, str) else str(messages)]
    return flat


def validation_problem(messages, detail=None):
    """A 422 problem naming every invalid field."""
    errors = flatten_errors(messages)
    if detail is None:
        detail = "Invalid input: " + ", ".join(sorted(errors)) + "."
    return problem(422, detail, errors=errors)
