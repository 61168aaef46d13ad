"""POST /v1/events/bulk: many events in one request and one transaction, all or none.

The body is read here (a JSON array or NDJSON); checking and writing the
events is api/resources/events/bulk_store.py's.
"""

import json

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import abort

from api.resources.events.bulk_store import import_records
from api.store.database import get_db
from api.web.auth import author
from api.web.blueprint import Blueprint
from api.web.requests import RepeatedKey, parse_json
from schemas.bulk import EventImportResultSchema, EventImportSchema
from schemas.codes import Message

JSON = "application/json"
NDJSON = "application/x-ndjson"

blp = Blueprint(
    "events_bulk",
    __name__,
    url_prefix="/v1/events",
    description="Many events imported in one request: all of them, or none.",
)

REQUEST_BODY = {
    "required": True,
    "description": "The events: a JSON array, or NDJSON (one JSON object per line, blank"
    " lines ignored). Each is what POST /v1/events takes, with an optional id.",
    "content": {
        JSON: {"schema": {"type": "array", "minItems": 1, "items": EventImportSchema}},
        # OpenAPI 3.1 has no schema for a sequence of lines (3.2's itemSchema):
        # the lines are described as the items of an array, as is customary.
        NDJSON: {
            "schema": {
                "type": "array",
                "minItems": 1,
                "items": EventImportSchema,
                "description": "The same events, each on a line of its own.",
            },
        },
    },
}


@blp.route("/bulk", tags=["events"])
class EventsBulk(MethodView):
    # What create_app's require_json_body lets through to this view, and how large.
    BODY_MEDIA_TYPES = (JSON, NDJSON)
    BODY_LIMIT = "BULK_MAX_CONTENT_LENGTH"

    @blp.doc(requestBody=REQUEST_BODY, operationId="importEvents")
    @blp.response(201, EventImportResultSchema)
    @blp.errors(400, 413, 415, 422)
    def post(self):
        """Import many events with their participants and citations, all or none.

        The body is a JSON array of events (`Content-Type: application/json`) or
        NDJSON, one event per line (`Content-Type: application/x-ndjson`; blank
        lines are ignored). Each event is what `POST /v1/events` takes, checked
        the same way: its actors, location and sources must exist, and its
        quotes must be in its sources, whose offsets are computed.

        An event may carry an `id`. When an event has that id it is replaced,
        participants and citations too, as `PUT` would replace it (without
        If-Match); otherwise it is created with that id. So a file of events
        with ids can be imported again: its events are replaced, not doubled.
        Without an id, the server assigns one.

        The import is one transaction. When any record is invalid the answer
        is 422 and nothing is written; `errors` names every invalid field
        under its record's position: the index in the array, from 0
        (`3.participants.0.actor_id`), or for NDJSON the line number, from 1
        (`17.citations.0.quote`; a line that is not JSON is an error under its
        number, `17`, and a key given twice in one object under its path,
        `17.certainty`). Up to 100 invalid records are listed; `detail` counts
        them all. The same id given twice is an error at its second record. A
        JSON array that is not JSON, or gives a key twice in one object, answers
        400, naming that key's path (`3.certainty`).

        A request takes at most 10,000 events (`BULK_MAX_RECORDS`) and 32 MiB
        (`BULK_MAX_CONTENT_LENGTH`); beyond either the answer is 413. The
        answer says how many events were created and how many replaced, and
        their ids in the order they were sent.
        ---
        The limits in this text are the defaults; keep them in step with config.py.
        """
        documents, unreadable = read_records()
        positions = "line number (from 1)" if request.mimetype == NDJSON else "index (from 0)"
        with get_db().transaction() as conn:
            return import_records(conn, documents, unreadable, author(), positions=positions)


def read_records():
    """The records in the body, by position, and the errors of NDJSON lines that are not JSON.

    A position is the index in a JSON array (from 0), or the line number in
    NDJSON (from 1), as editors and `sed -n 17p` count lines. A line's error is
    under its number, or under the path of a key it repeats (`17.certainty`).
    """
    data = request.get_data()
    limit = current_app.config["BULK_MAX_RECORDS"]
    unreadable = {}
    if request.mimetype == NDJSON:
        lines = [(number, line) for number, line in enumerate(data.split(b"\n"), 1)]
        lines = [(number, line) for number, line in lines if line.strip()]
        _check_count(len(lines), limit)
        documents = {}
        for number, line in lines:
            try:
                documents[number] = parse_json(line)
            except RepeatedKey as error:
                unreadable[f"{number}.{error.path}"] = RepeatedKey.MESSAGE
            except json.JSONDecodeError as error:
                unreadable[number] = Message(
                    "invalid_json", f"Not valid JSON: {error.msg}: column {error.colno}."
                )
            except UnicodeDecodeError:
                unreadable[number] = Message("invalid_unicode", "Not valid UTF-8.")
            except (ValueError, RecursionError):
                # A number of more than 4,300 digits, or nesting deeper than Python parses.
                unreadable[number] = Message("invalid_json", "Not JSON this server can read.")
        return documents, unreadable
    try:
        documents = parse_json(data)
    except RepeatedKey:
        raise
    except (ValueError, RecursionError):
        abort(400, message="The request body is not valid JSON.")
    if not isinstance(documents, list):
        abort(
            422,
            message="Send the events as a JSON array, or as NDJSON.",
            errors={"_schema": [Message("invalid_type", "Must be a JSON array of events.")]},
        )
    _check_count(len(documents), limit)
    return dict(enumerate(documents)), unreadable


def _check_count(count, limit):
    if count == 0:
        abort(
            422,
            message="Send at least one event.",
            errors={"_schema": [Message("length", "Must hold at least one event.")]},
        )
    if count > limit:
        abort(
            413,
            message=f"{count:,} events in one request; at most {limit:,} are taken."
            " Send them in several requests.",
        )
