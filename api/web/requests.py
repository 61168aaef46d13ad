"""What a request may carry: a body within its limit, JSON without repeated keys, a path.

werkzeug stops reading a body at its limit without saying so, and Python's
JSON keeps the last of a repeated key: both would lose data silently.
"""

import json
import re

import flask
from flask import current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect, UUIDConverter
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream

from api.web.problems import KnownProblem, problem
from schemas.codes import Message


class BodyStream(LimitedStream):
    """A request body read up to its maximum size; one byte more answers 413.

    werkzeug's LimitedStream stops at a maximum without a word, so a body sent
    without a Content-Length to check beforehand (chunked) was read up to the
    limit and taken as if it ended there. Reading one byte past the limit tells
    a body that ends there from one that goes on.
    """

    def __init__(self, stream, maximum):
        super().__init__(stream, maximum + 1, is_max=True)

    def readinto(self, buffer):
        size = super().readinto(buffer)
        if self.is_exhausted:
            raise RequestEntityTooLarge()
        return size


class Request(flask.Request):
    """Flask's request, whose body is refused (413) past max_content_length however it is sent.

    Every read of the body (get_data, the JSON parsers, the bulk import,
    Idempotency-Key's hash) goes through `stream`.
    """

    @cached_property
    def stream(self):
        maximum = self.max_content_length
        if maximum is None or "wsgi.input_terminated" not in self.environ:
            # Without a limit, or from a server that does not end the stream itself,
            # werkzeug reads up to Content-Length (refused over the limit) or nothing.
            return get_input_stream(self.environ, max_content_length=maximum)
        if (self.content_length or 0) > maximum:
            raise RequestEntityTooLarge()
        return BodyStream(self.environ["wsgi.input"], maximum)


class RepeatedKey(ValueError, KnownProblem):
    """A JSON object that gives a key more than once: 400, naming where."""

    MESSAGE = Message("given_twice", "Given more than once in its object.")

    def __init__(self, key, path):
        super().__init__(key, path)
        self.key = key
        # Dotted, from the top of the document, as `errors` names fields: participants.1.role.
        self.path = ".".join(str(part) for part in path)

    def problem(self):
        return problem(
            400,
            f'The request body gives the key "{self.key}" more than once in one object,'
            f" at {self.path}.",
            errors={self.path: [self.MESSAGE]},
        )


class _Repeated(Exception):
    """Raised by _unique_keys, inside the decoder: the document repeats a key."""


def _unique_keys(pairs):
    record = dict(pairs)
    if len(record) < len(pairs):
        raise _Repeated
    return record


class _Pairs(list):
    """A JSON object as the list of its (key, value) pairs, repeats kept."""


def _first_repeat(value, path=()):
    """(key, path) of the first repeated key in `value`, parsed into _Pairs; None if none."""
    if isinstance(value, _Pairs):
        seen = set()
        for key, item in value:
            if key in seen:
                return key, (*path, key)
            seen.add(key)
            found = _first_repeat(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_repeat(item, (*path, index))
            if found:
                return found
    return None


# Made once: json.loads with a hook would make a decoder per call (per NDJSON line).
_UNIQUE_KEYS_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=_Pairs)


def parse_json(text):
    """Parse a JSON body (str or bytes), as json.loads does; a repeated key raises RepeatedKey.

    json.loads keeps the last value of a key given twice in an object, so a
    client's slip would be taken silently; strict parsers refuse it, as RFC 8259
    allows. Only a body refused is parsed a second time, to find the path.
    """
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    try:
        return _UNIQUE_KEYS_DECODER.decode(text)
    except _Repeated:
        pass
    raise RepeatedKey(*_first_repeat(_PAIRS_DECODER.decode(text)))


class Flask(flask.Flask):
    """Flask, with this API's edges: bodies refused past their limit, routing answered as problems.

    - A path with doubled slashes names nothing (404), as one with a trailing
      slash does, rather than redirecting; the 404 names the path meant.
    - A routing redirect, should a route ever ask for one, is problem details.
    - The automatic answer to OPTIONS has no body and claims no media type.
    """

    request_class = Request

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # werkzeug would redirect /v1//tokens to /v1/tokens (308): a client
        # following it re-sends a write, one not following it gets a page of HTML.
        self.url_map.merge_slashes = False

    def handle_http_exception(self, error):
        # Flask sends routing redirects as werkzeug makes them, in HTML, past every handler.
        if isinstance(error, RequestRedirect):
            return problem(
                error.code,
                f"This resource is at {error.new_url}.",
                headers={"Location": error.new_url},
            )
        return super().handle_http_exception(error)

    def make_default_options_response(self):
        response = super().make_default_options_response()
        del response.headers["Content-Type"]
        return response


def path_meant():
    """The request's path without doubled and trailing slashes, when a route serves it."""
    meant = re.sub("/{2,}", "/", request.path).rstrip("/")
    if not meant or meant == request.path:
        return None
    try:
        current_app.create_url_adapter(request).match(meant, method=request.method)
    except MethodNotAllowed:
        pass
    except HTTPException:
        return None
    return request.script_root + meant


def malformed_id():
    """(noun, text) when the path is a route's but for an id that is not a UUID, else None.

    /v1/events/123 matches no route, since a route's id is a UUID: werkzeug can
    only say that nothing is there. The route it was meant for says what is wrong.
    """
    for rule in current_app.url_map.iter_rules():
        parts = re.split(r"<(?:(\w+):)?(\w+)>", rule.rule)
        # re.split gives: text, converter, name, text, converter, name, ..., text.
        statics, converters, names = parts[::3], parts[1::3], parts[2::3]
        if "uuid" not in converters:
            continue
        pattern = re.escape(statics[0]) + "".join(
            f"(?P<{name}>[^/]+){re.escape(static)}"
            for name, static in zip(names, statics[1:], strict=True)
        )
        match = re.fullmatch(pattern, request.path)
        if not match:
            continue
        for converter, name in zip(converters, names, strict=True):
            text = match.group(name)
            if converter == "uuid" and not re.fullmatch(UUIDConverter.regex, text):
                return name.removesuffix("_id").replace("_", " "), text
    return None
