"""RFC 9457 problem details: how every error is answered.

A problem's `type` names its kind (schemas/problems.py), a path this API
serves with a short explanation: a program branches on the type, a person
follows it. The title is the status's phrase; the detail says what went wrong
this time; field errors carry a code (schemas/codes.py) beside their message.
"""

import http
import json
import logging

import marshmallow as ma
import psycopg
from flask import current_app, g, request
from flask_smorest import abort
from psycopg import errors as pg
from psycopg_pool import PoolTimeout

from api.store.errors import (
    CONSTRAINT_FIELDS,
    Conflict,
    InvalidInput,
    NamesTaken,
    StillReferenced,
)
from schemas.codes import Message, coded
from schemas.messages import flatten_errors
from schemas.problems import BLANK, KINDS

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class KnownProblem(Exception):
    """An error that knows the problem it answers, as `problem()`."""

    def problem(self):
        raise NotImplementedError


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


class Moved(KnownProblem):
    """A record merged into another: 308 to the same request on that record.

    308 keeps the method and the body, so a client that follows it reads, or
    changes, the record that now holds what this one held.
    """

    def __init__(self, noun, record_id, into, location):
        super().__init__(noun, record_id, into, location)
        self.noun, self.record_id, self.into, self.location = noun, record_id, into, location

    def problem(self):
        return problem(
            308,
            f"The {self.noun} {self.record_id} was merged into {self.into}: ask that one.",
            headers={"Location": self.location},
            merged_into=str(self.into),
        )


def merged_elsewhere(noun, record_id, into):
    """Answer 409 to a write that would, followed to the record `into` which `record_id`
    was merged into, replace or delete more than the client knows of."""
    abort(
        409,
        message=f"The {noun} {record_id} was merged into {into}, which holds more than it"
        f" did: read {into} and write to it if you mean to.",
        kind="conflict",
        extensions={"merged_into": str(into)},
    )


def validation_problem(messages, detail=None):
    """A 422 problem naming every invalid field."""
    errors = flatten_errors(messages)
    if detail is None:
        detail = "Invalid input: " + ", ".join(sorted(errors)) + "."
    return problem(422, detail, errors=errors)


# A database that is down or restarting: clients should retry shortly.
RETRY_AFTER_SECONDS = "5"


def _taken_fields(taken):
    """The field errors of a NamesTaken: the name that matched, under name."""
    return {
        "name": [
            Message("name_taken", f"{row['matched_name']!r} is a name of {row['id']}.")
            for row in taken
        ]
    }


def _field(error):
    return CONSTRAINT_FIELDS.get(error.diag.constraint_name or "", "_schema")


def register(app):
    """Answer errors as problem details: schema and data-layer errors, and the
    database's own, translated here and nowhere else."""

    @app.errorhandler(ma.ValidationError)
    def schema_error(error):
        return validation_problem(error.normalized_messages())

    @app.errorhandler(KnownProblem)
    def known_problem(error):
        return error.problem()

    @app.errorhandler(InvalidInput)
    def invalid_input(error):
        return validation_problem(error.errors, error.detail)

    @app.errorhandler(Conflict)
    def conflict(error):
        return problem(409, error.detail, kind="conflict", errors=error.errors, **error.extensions)

    @app.errorhandler(StillReferenced)
    def still_referenced(error):
        count = len(error.referrers)
        return problem(
            409,
            f"This {error.kind} is still referred to by {count} record"
            f"{'s' if count != 1 else ''}; change or delete those first.",
            kind="still-referenced",
            referrers=error.referrers,
        )

    @app.errorhandler(NamesTaken)
    def names_taken(error):
        matches = [
            {
                "id": str(row["id"]),
                "name": row["name"],
                "matched_name": row["matched_name"],
                "href": f"/v1/{error.table}/{row['id']}",
            }
            for row in error.taken
        ]
        listed = "; ".join(f"{m['name']} ({m['id']})" for m in matches)
        return problem(
            409,
            f"Another {error.kind} already goes by this name: {listed}. Refer to it by its id,"
            " or send allow_duplicate=true if this is another one.",
            kind="name-taken",
            errors=_taken_fields(error.taken),
            matches=matches,
            headers={"Link": ", ".join(f'<{m["href"]}>; rel="related"' for m in matches)},
        )

    @app.errorhandler(pg.UniqueViolation)
    def unique_violation(error):
        field = _field(error)
        return problem(
            409,
            f"Another record already has this {field}.",
            kind="already-exists",
            errors={field: [Message("taken", "Already taken by another record.")]},
        )

    @app.errorhandler(pg.ForeignKeyViolation)
    def foreign_key_violation(error):
        field = _field(error)
        if field == "_schema":
            # Raised by a DELETE racing an insert that refers to the record.
            return problem(
                409, "The record is referred to by another record.", kind="still-referenced"
            )
        return validation_problem(
            {field: [Message("not_found", "Refers to a record that does not exist.")]}
        )

    @app.errorhandler(pg.CheckViolation)
    def check_violation(error):
        return validation_problem(
            {_field(error): [Message("data_rule", "Violates a rule of the data model.")]}
        )

    @app.errorhandler(pg.DataError)
    def data_error(error):
        # A value the schemas let through but PostgreSQL cannot store.
        return problem(422, "A value cannot be stored: " + (error.diag.message_primary or ""))

    @app.errorhandler(pg.ProgramLimitExceeded)
    def too_large(error):
        # An OperationalError by class, but a fault of the input, not of the database.
        return problem(
            422, "A value is too large to store or search: " + (error.diag.message_primary or "")
        )

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        log.warning("database unavailable: %s", error)
        return problem(
            503,
            "The database is not available; retry shortly.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", app.name, error.__class__.__name__)
        return problem(500, "An unexpected error occurred; it has been logged.")
