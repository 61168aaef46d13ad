"""Problem details (RFC 9457) on the wire: the kinds of problem, their body, field errors.

Each kind of problem has a stable type, a path the API serves with a short
explanation of it (GET /problems/validation-failed): the spec lists them all,
so that a client can branch on them. api/web/problems.py answers with them.
"""

import http
from dataclasses import dataclass

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas.codes import CODES

# Where the explanations of the kinds are served; a problem's type is this and the kind.
PROBLEMS_PATH = "/problems/"


@dataclass(frozen=True)
class Kind:
    """A kind of problem: its name in its type URI, its status, what it means and what to do."""

    name: str
    status: int
    description: str

    @property
    def type(self):
        return PROBLEMS_PATH + self.name

    @property
    def title(self):
        return http.HTTPStatus(self.status).phrase


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "malformed-request",
            400,
            "The request could not be read: its body is not JSON, or gives a key twice in one"
            " object (errors names where), or its request line or headers are malformed.",
        ),
        Kind(
            "unauthorized",
            401,
            "The request needs a token and sent none, or sent one that is not valid or was"
            " revoked; the WWW-Authenticate header says which. Send 'Authorization: Bearer"
            " <token>' with a valid token.",
        ),
        Kind(
            "insufficient-scope",
            403,
            "The token is valid but lacks the scope the request needs (read, write or admin):"
            " use a token that has it.",
        ),
        Kind(
            "not-found",
            404,
            "Nothing is here: no record has this id (and an id that is not a UUID names none),"
            " or no route has this path. A record deleted meanwhile answers this too.",
        ),
        Kind(
            "method-not-allowed",
            405,
            "The path does not take this method; the Allow header lists those it takes.",
        ),
        Kind(
            "already-exists",
            409,
            "Another record already has a value that must be unique (a source's url, an active"
            " token's name); errors names the field.",
        ),
        Kind(
            "still-referenced",
            409,
            "The record cannot be deleted while other records refer to it; referrers lists"
            " them (kind and id). Change or delete those first.",
        ),
        Kind(
            "name-taken",
            409,
            "An actor or a place would repeat a name or alias that records of its kind have"
            " already (ignoring case, accents, punctuation and spacing): matches lists them"
            " (id, name, the name that matched, href). Refer to one of them by its id, or,"
            " when a new record is meant, send the write again with allow_duplicate=true.",
        ),
        Kind(
            "in-progress",
            409,
            "A request with the same Idempotency-Key is still running: retry after the"
            " seconds in Retry-After, and get its answer.",
        ),
        Kind(
            "conflict",
            409,
            "The request conflicts with the state of the resource; detail says how.",
        ),
        Kind(
            "precondition-failed",
            412,
            "Someone changed the record since the ETag sent in If-Match: nothing was written."
            " The ETag header carries the record's current ETag; read the record again,"
            " reapply the change, and send it with that ETag.",
        ),
        Kind(
            "too-large",
            413,
            "The request body is larger than this operation takes; detail says the limit.",
        ),
        Kind("uri-too-long", 414, "The request line is longer than this server reads."),
        Kind(
            "unsupported-media-type",
            415,
            "The body is not of a media type this operation takes (application/json, or as"
            " detail says): send it with that Content-Type.",
        ),
        Kind(
            "validation-failed",
            422,
            "The request was read but is not valid: errors names each field or query"
            " parameter at fault, by dotted path (participants.1.actor_id), each with a"
            " machine code and a message. Nothing was written.",
        ),
        Kind(
            "precondition-required",
            428,
            "This server requires If-Match on PUT, PATCH and DELETE: read the record, and send"
            " its ETag in If-Match.",
        ),
        Kind(
            "rate-limited",
            429,
            "Too many requests from this token or address: retry after the seconds in"
            " Retry-After. RateLimit-* headers say the limit and what is left.",
        ),
        Kind(
            "headers-too-large",
            431,
            "The request's headers are larger than this server reads.",
        ),
        Kind(
            "internal-error",
            500,
            "The server failed; it has logged the error. Quote the request_id when you report it.",
        ),
        Kind(
            "unavailable",
            503,
            "The database cannot be reached: retry after the seconds in Retry-After.",
        ),
    )
}
# A status no kind covers (none the API answers on purpose) has RFC 9457's default type.
BLANK = "about:blank"
TYPES = (*(kind.type for kind in KINDS.values()), BLANK)


class FieldErrorSchema(ma.Schema):
    """What is wrong with one field: a code for a program, a message for a person."""

    code = fields.String(
        required=True,
        validate=ma.validate.OneOf(tuple(CODES)),
        metadata={
            "description": "What is wrong, for a program to branch on:\n\n"
            + "\n".join(f"- `{code}`: {meaning}" for code, meaning in CODES.items()),
            "example": "not_in_source",
        },
    )
    message = fields.String(
        required=True,
        metadata={
            "description": "What is wrong, for a person.",
            "example": "Not found verbatim in the source's body.",
        },
    )


class ReferrerSchema(ma.Schema):
    """A record that refers to the one a DELETE would remove."""

    kind = fields.String(
        required=True, metadata={"description": "The kind of record.", "example": "statement"}
    )
    id = f.identifier("Its id.", required=True)


class StanceSchema(ma.Schema):
    """A statement's stance towards one event."""

    event_id = f.identifier("The event.", required=True)
    stance = fields.String(
        required=True, metadata={"description": "The stance.", "example": "denies"}
    )


class StanceConflictSchema(ma.Schema):
    """A statement whose stances towards events being merged differ."""

    statement_id = f.identifier("The statement.", required=True)
    stances = fields.List(
        fields.Nested(StanceSchema),
        required=True,
        metadata={"description": "Its stance towards each of the events merged."},
    )


class NameMatchSchema(ma.Schema):
    """A record whose name or alias a write would repeat."""

    id = f.identifier("Its id.", required=True)
    name = fields.String(
        required=True,
        metadata={"description": "Its name.", "example": "Azerbaijani forces"},
    )
    matched_name = fields.String(
        required=True,
        metadata={
            "description": "Its name or alias that the written name matched.",
            "example": "Azeri forces",
        },
    )
    href = fields.String(
        required=True,
        metadata={
            "description": "Its path.",
            "example": "/v1/actors/9aacaccd-dc05-56c6-827b-c8ad46d81d32",
        },
    )


class ProblemSchema(ma.Schema):
    """An error, as RFC 9457 problem details.

    Answers refused before they reach the application (a request line or headers
    too long) carry only type, title, status and detail.
    """

    type = fields.String(
        required=True,
        validate=ma.validate.OneOf(TYPES),
        metadata={
            "description": "The kind of problem, for a program to branch on: a path of this"
            " API (resolve it against the API's URL) that answers a short explanation:\n\n"
            + "\n".join(
                f"- `{kind.type}` ({kind.status}): {kind.description}" for kind in KINDS.values()
            ),
            "example": "/problems/validation-failed",
        },
    )
    title = fields.String(
        required=True,
        metadata={"description": "The HTTP status phrase.", "example": "Unprocessable Content"},
    )
    status = fields.Integer(
        required=True, metadata={"description": "The HTTP status code.", "example": 422}
    )
    detail = fields.String(
        required=True,
        metadata={
            "description": "What went wrong this time, for a person.",
            "example": "Invalid input: citations.0.quote.",
        },
    )
    instance = fields.String(
        metadata={"description": "The path of the request.", "example": "/v1/events"}
    )
    request_id = fields.String(
        metadata={
            "description": "The request's id, as in its X-Request-ID response header:"
            " quote it when reporting a problem.",
            "example": "9f2c4e1a0b7d4c3e8a6f5d2b1c0e9a87",
        }
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FieldErrorSchema)),
        metadata={
            "description": "With validation-failed (and a few others): what is wrong with each"
            " field or query parameter, by dotted path (participants.2.actor_id).",
            "example": {
                "citations.0.quote": [
                    {"code": "not_in_source", "message": "Not found verbatim in the source's body."}
                ]
            },
        },
    )
    referrers = fields.List(
        fields.Nested(ReferrerSchema),
        metadata={
            "description": "With still-referenced: the records that still refer to this one."
        },
    )
    merged_into = f.identifier(
        "With a 308, or a conflict of a PUT or DELETE: the record this one was merged into."
    )
    conflicts = fields.List(
        fields.Nested(StanceConflictSchema),
        metadata={
            "description": "With a conflict of a merge: the statements whose stances towards"
            " the events merged differ, for the merge's `stances` to settle."
        },
    )
    matches = fields.List(
        fields.Nested(NameMatchSchema),
        metadata={"description": "With name-taken: the records that have the name already."},
    )


class ProblemTypeSchema(ma.Schema):
    """A kind of problem: what it means and what a client can do about it."""

    type = fields.String(
        required=True,
        metadata={
            "description": "Its type, as problems carry it.",
            "example": "/problems/not-found",
        },
    )
    status = fields.Integer(
        required=True, metadata={"description": "The status it answers with.", "example": 404}
    )
    title = fields.String(
        required=True,
        metadata={"description": "The title problems of this kind carry.", "example": "Not Found"},
    )
    description = fields.String(
        required=True,
        metadata={"description": "What it means and what to do.", "example": "Nothing is here."},
    )
