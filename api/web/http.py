"""HTTP conventions every resource shares: problem details, page links, ETags, auth docs."""

import hashlib
import http
import json
import re
from copy import deepcopy
from functools import wraps
from urllib.parse import urlencode

import flask
import flask_smorest
import marshmallow as ma
from flask import Response, after_this_request, current_app, g, request
from flask_smorest import abort
from flask_smorest.exceptions import NotModified, PreconditionFailed, PreconditionRequired
from flask_smorest.utils import prepare_response
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream

from api.store import render
from api.store.query import EXACT_COUNT_LIMIT
from api.web import formats
from schemas.common import ProblemSchema, sparse

PROBLEM_CONTENT_TYPE = "application/problem+json"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


class RepeatedKey(ValueError):
    """A JSON object that gives a key more than once: 400, naming where."""

    MESSAGE = "Given more than once in its object."

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


def created_at(location):
    """Send `location`, the URL of the record just created, in the Location header."""

    @after_this_request
    def add_location(response):
        response.headers["Location"] = location
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


# A domain name as marshmallow's Url validator takes it (labels, then a top level).
HOST_PATTERN = r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
# Anything but white space and control characters.
PATH_CHARACTER = r"[^\s\u0000-\u001f\u007f-\u009f]"


def exact_constraints(converter, field, ret):
    """apispec attribute function: say in the spec what the schemas check.

    - an exclusive Range bound is exclusiveMinimum/Maximum, not minimum/maximum;
    - a Url is described by a pattern, not by format "url" (no JSON Schema format);
    - `sort` and `fields` of a list name the values its schema allows (SORTS, FIELDS).
    """
    extra = {}
    for validator in getattr(field, "validators", ()):
        if isinstance(validator, ma.validate.Range):
            if validator.min is not None and not validator.min_inclusive:
                ret.pop("minimum", None)
                extra["exclusiveMinimum"] = validator.min
            if validator.max is not None and not validator.max_inclusive:
                ret.pop("maximum", None)
                extra["exclusiveMaximum"] = validator.max
        if isinstance(validator, ma.validate.URL):
            # No `format`: "url" is none of JSON Schema's, and the path may hold
            # non-ASCII letters, which neither "uri" nor (with its stricter escapes)
            # "iri" admits as they are. The pattern says what is taken.
            ret.pop("format", None)
            schemes = "|".join(sorted(validator.schemes))
            extra["pattern"] = (
                f"^({schemes})://{HOST_PATTERN}(:[0-9]{{1,5}})?(/|[/?]{PATH_CHARACTER}+)?$"
            )
    schema = field.parent
    if field.name == "sort" and getattr(schema, "SORTS", None):
        extra["enum"] = [f"{sign}{name}" for name in sorted(schema.SORTS) for sign in ("", "-")]
        if ret.get("example") not in extra["enum"]:
            extra["example"] = schema.DEFAULT_SORT
    if field.name == "fields_" and getattr(schema, "FIELDS", None):
        extra["items"] = {**ret.get("items", {}), "enum": sorted(schema.FIELDS)}
        if not set(str(ret.get("example", "")).split(",")) <= set(schema.FIELDS):
            extra["example"] = ",".join(["id", *[f for f in schema.FIELDS if f != "id"][:1]])
    return extra


def etag_of(body, extra_data=None):
    """A strong validator of `body` (bytes) and of the headers in `extra_data`."""
    digest = hashlib.blake2b(body, digest_size=20)
    if extra_data:
        digest.update(json.dumps(extra_data).encode())
    return digest.hexdigest()


CHANGED_SINCE = "The record has changed since the ETag in If-Match was issued."


class PaginationMetadataSchema(flask_smorest.pagination.PaginationMetadataSchema):
    """flask-smorest's pagination metadata, saying what a client may rely on."""

    total = ma.fields.Int(
        metadata={
            "description": "How many records match: exact unless total_is_estimate is true."
            " An estimate is never less than this page proves: the records before it,"
            " its own, and one more when next_page is given."
        }
    )
    total_pages = ma.fields.Int(
        metadata={"description": "How many pages there are; left out while total is an estimate."}
    )
    last_page = ma.fields.Int(
        metadata={"description": "The last page's number; left out while total is an estimate."}
    )
    next_page = ma.fields.Int(
        metadata={"description": "The next page's number: given exactly when records follow."}
    )
    total_is_estimate = ma.fields.Boolean(
        metadata={
            "description": "Present and true when total is PostgreSQL's estimate (more than"
            f" {EXACT_COUNT_LIMIT:,} records match): follow next_page to the end."
        }
    )


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering and documenting errors as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(exact_constraints)

    def link_created_records(self):
        """Add OpenAPI links from each create's 201 to the operations on what it made.

        POST /v1/events answers 201 with the event; its `id` is the event_id of
        GET, PUT, PATCH and DELETE /v1/events/{event_id}. A client generator, or
        a contract tester walking create -> read -> update -> delete, follows them.
        Call once every blueprint is registered.
        """
        paths = self.spec._paths
        for path, operations in paths.items():
            responses = operations.get("post", {}).get("responses", {})
            created = responses.get(201, responses.get("201"))
            if not created or "$ref" in created:
                continue
            for record_path, record_operations in paths.items():
                parameter = record_path.removeprefix(path + "/")
                if record_path == path or not (
                    record_path.startswith(path + "/{") and parameter.count("/") == 0
                ):
                    continue
                name = parameter.strip("{}")
                field = "id" if name.endswith("_id") else name
                pointer = record_path.replace("~", "~0").replace("/", "~1")
                links = created.setdefault("links", {})
                for method in ("get", "put", "patch", "delete"):
                    if method in record_operations:
                        links[f"{method.capitalize()}Created"] = {
                            "operationRef": f"#/paths/{pointer}/{method}",
                            "parameters": {name: f"$response.body#/{field}"},
                            "description": f"{method.upper()} the record just created.",
                        }

    def _register_pagination_header(self):
        # The header's value is a JSON object: `content`, not a simple-style `schema`.
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata (JSON). next_page, like the Link"
                ' rel="next", is given exactly when records follow the page: following it'
                " until it is absent reaches every record. total is exact up to"
                f" {EXACT_COUNT_LIMIT:,} records, and on the last page; above, it is"
                " PostgreSQL's estimate (total_is_estimate is true), never less than the"
                ' page proves, and total_pages, last_page and the Link rel="last" are'
                " left out. Keyset paging (cursor) walks a large result at a steady cost.",
                "content": {"application/json": {"schema": PaginationMetadataSchema}},
            },
            lazy=True,
        )

    def _register_etag_headers(self):
        self.spec.components.parameter(
            "IF_NONE_MATCH", "header", flask_smorest.etag.IF_NONE_MATCH_HEADER, lazy=True
        )
        # flask-smorest documents If-Match as required; here it is optional unless
        # the server runs with REQUIRE_IF_MATCH (then its absence answers 428).
        self.spec.components.parameter(
            "IF_MATCH",
            "header",
            {
                "name": "If-Match",
                "required": False,
                "description": "The ETag of the record as last read: the write answers 412"
                " if the record has changed since. Optional unless the server requires it"
                " (428).",
                "schema": {"type": "string"},
            },
            lazy=True,
        )
        self.spec.components.header("ETAG", flask_smorest.etag.ETAG_HEADER, lazy=True)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_CONTENT_TYPE
            elif not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error):
        """Answer any HTTP error (from abort, routing or webargs) as problem details."""
        data = getattr(error, "data", None) or {}
        headers = dict(data.get("headers") or {})
        if error.code == 304:
            return current_app.response_class(status=304, headers=headers)
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        messages = data.get("errors") or data.get("messages")
        if error.code == 422 and messages:
            # webargs keys its messages by location ("json", "query"): drop that level.
            if set(messages) <= {"json", "query", "headers", "form", "view_args"}:
                located = {}
                for location, value in messages.items():
                    if not isinstance(value, dict):
                        value = {"_schema": value}
                    if location == "query":
                        # A query parameter is named as a whole, even when one of
                        # its comma-separated values is the wrong one.
                        value = {
                            name: [
                                message
                                for messages in flatten_errors(inner).values()
                                for message in messages
                            ]
                            for name, inner in value.items()
                        }
                    located.update(value)
                messages = located
            response = validation_problem(messages, data.get("message"))
        elif error.code == 400 and messages:
            response = problem(400, "The request body is not valid JSON.", headers=headers)
        else:
            detail = data.get("message") or error.description
            meant = error.code == 404 and error is request.routing_exception and path_meant()
            if meant:
                detail = (
                    f"Nothing is at this path; did you mean {meant}?"
                    " Paths take single slashes, and none at the end."
                )
            response = problem(
                error.code,
                detail,
                errors=flatten_errors(messages) if messages else None,
                headers=headers,
                **data.get("extensions", {}),
            )
        for name, value in headers.items():
            response.headers[name] = value
        return response


class Parser(FlaskParser):
    """webargs' parser, stricter.

    - Query arguments follow their schema's `unknown` (RAISE): webargs would
      drop unknown ones, so a misspelt filter would silently match everything;
      and a repeated one is refused rather than cut to its first value.
    - A body Python's JSON decoder cannot take answers 400: json.loads raises
      RecursionError on very deep nesting and ValueError on integers of more
      than 4,300 digits, neither of them a JSONDecodeError.
    - So does an object that gives a key twice (parse_json).
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None}

    def load_querystring(self, req, schema):
        # webargs would keep only the first of a repeated parameter: refuse it.
        repeated = sorted(name for name, values in req.args.lists() if len(values) > 1)
        if repeated:
            raise ma.ValidationError(
                {
                    name: ["Give this parameter once; separate several values with commas."]
                    for name in repeated
                }
            )
        return super().load_querystring(req, schema)

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        try:
            return parse_json(req.get_data(cache=True).decode())
        except RepeatedKey:
            raise
        except (RecursionError, ValueError) as error:
            self._handle_invalid_json_error(error, req)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with this API's conventions.

    - lists carry an RFC 8288 Link header beside X-Pagination;
    - If-Match is optional unless REQUIRE_IF_MATCH is set, and checked when given;
    - write operations are documented as needing a bearer token.
    """

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.extend([self._prepare_listing_doc, self._prepare_auth_doc])

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's arguments(), with one instance of a schema class for all requests.

        webargs makes a new instance of a schema class for every request it
        parses, and marshmallow deep-copies every declared field to make one:
        0.45 ms of a 3.4 ms page of events. The schemas here keep nothing
        between loads, so one instance serves every request.
        """
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)

    def listing(self):
        """Turn the view's query.Page into the list and its paging headers.

        Page mode sends X-Pagination and Link (first, prev, next while records
        follow, last when the total is exact); keyset mode sends Link rel="next"
        while records follow.
        """

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                page = current_app.ensure_sync(func)(*args, **kwargs)
                if isinstance(page, Response):
                    # Another format (GeoJSON, CSV) already made its own response.
                    return page
                return page.items, self._paging_headers(page)

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["listing"] = True
            return wrapper

        return decorator

    def _paging_headers(self, page):
        def link(relation, **changes):
            query = request.args.to_dict(flat=False)
            for name, value in changes.items():
                query[name] = [str(value)]
            return f'<{request.base_url}?{urlencode(query, doseq=True)}>; rel="{relation}"'

        if page.total is None:
            return {"Link": link("next", cursor=page.next_cursor)} if page.next_cursor else {}
        metadata = self._pagination_metadata(page)
        links = [
            link(relation, page=metadata[key])
            for relation, key in (
                ("first", "first_page"),
                ("prev", "previous_page"),
                ("next", "next_page"),
                ("last", "last_page"),
            )
            if key in metadata
        ]
        headers = {self.PAGINATION_HEADER_NAME: json.dumps(metadata)}
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    def _pagination_metadata(self, page):
        """X-Pagination of a numbered page.

        An estimated total may fall short of the records there are, so the
        pages it would imply are not stated: total_pages and last_page are left
        out, and next_page, known from the page itself, leads on.
        """
        if not page.estimated:
            # query.proven_total() keeps an exact total in step with page.more.
            return self._make_pagination_metadata(page.page, page.page_size, page.total)
        metadata = {"total": page.total, "total_is_estimate": True, "first_page": 1}
        if page.items or page.page == 1:
            metadata["page"] = page.page
            if page.page > 1:
                metadata["previous_page"] = page.page - 1
        if page.more:
            metadata["next_page"] = page.page + 1
        return metadata

    def json_page(self, page):
        """Answer a page of records already JSON text (their `json`), with its paging headers."""
        return render.response(
            render.array(record["json"] for record in page.items),
            headers=self._paging_headers(page),
        )

    def geojson(self, page, records, geometry_of):
        """Answer a page of records (decoded) as a GeoJSON FeatureCollection, with ETag
        and paging headers. `geometry_of(record)` gives the record's {latitude, longitude}.
        """
        collection = formats.feature_collection(records, geometry_of)
        self.set_etag(collection)
        return formats.geojson_response(collection, self._paging_headers(page))

    @staticmethod
    def _generate_etag(etag_data, extra_data=None):
        """The ETag of a representation: a hash of the JSON body that sends it.

        The same hash as _set_etag_in_response takes of a response's body, so
        that If-Match on a write compares with the ETag its GET gave.
        """
        return etag_of(current_app.json.response(etag_data).get_data(), extra_data)

    def _set_etag_in_response(self, response):
        """Hash the body already serialized, rather than serialize the data again."""
        # A streamed export is not hashed: it would have to be held in memory.
        if response.is_streamed or request.method not in self.METHODS_ALLOWING_SET_ETAG:
            return
        etag = flask_smorest.etag._get_etag_ctx().get("etag")
        if etag is None:
            extra = tuple((k, v) for k, v in response.headers if k in self.ETAG_INCLUDE_HEADERS)
            etag = etag_of(response.get_data(), extra)
            self._check_not_modified(etag)
        response.set_etag(etag)

    def _prepare_listing_doc(self, doc, doc_info, *, spec, **kwargs):
        if doc_info.get("listing"):
            takes_fields = any(
                "fields_" in getattr(parameter.get("schema"), "fields", {})
                for parameter in doc.get("parameters", [])
                if parameter.get("in") == "query"
            )
            for status in doc_info.get("success_status_codes", []):
                self._document_pagination_metadata(spec, doc["responses"][status])
                if takes_fields:
                    self._document_sparse_records(doc["responses"][status])
        return doc

    @staticmethod
    def _document_sparse_records(resp_doc):
        """Say that a list's records are whole, or sparse when fields= is given.

        Either an array of the record's schema (whole records, every required
        field there) or an array of its sparse() schema (only id required): a
        client generator keeps the whole record's type for a list read without
        fields=, and a list read with it validates against what it holds.
        """
        content = resp_doc["content"]["application/json"]
        record_schema = type(content["schema"])
        content["schema"] = {
            "anyOf": [
                {
                    "type": "array",
                    "items": record_schema,
                    "description": "Without fields=: whole records.",
                },
                {
                    "type": "array",
                    "items": sparse(record_schema),
                    "description": "With fields=: each record's id and the fields asked for.",
                },
            ]
        }

    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the first, prev, next and last pages: next"
            " exactly when records follow, last only when the total is exact.",
            "schema": {"type": "string"},
        }

    def _check_precondition(self):
        if current_app.config["REQUIRE_IF_MATCH"]:
            super()._check_precondition()

    def check_etag(self, etag_data, etag_schema=None):
        """Answer 412 when If-Match names another version of the record.

        Without If-Match the write goes ahead, unless REQUIRE_IF_MATCH is set.
        """
        if not self._if_match_to_check():
            return
        try:
            super().check_etag(etag_data, etag_schema)
        except PreconditionFailed as error:
            error.description = CHANGED_SINCE
            raise

    def check_etag_of_body(self, body_of):
        """check_etag() for a record sent as JSON text (api/render.py): `body_of()` gives it.

        The text is fetched only when there is an If-Match to compare it with.
        """
        if not self._if_match_to_check():
            return
        flask_smorest.etag._get_etag_ctx()["etag_checked"] = True
        if etag_of(render.response(body_of()).get_data()) not in request.if_match:
            raise PreconditionFailed(CHANGED_SINCE)

    @staticmethod
    def _if_match_to_check():
        """Whether the request has an If-Match to compare; 428 if one is required and missing."""
        if request.if_match:
            return True
        if current_app.config["REQUIRE_IF_MATCH"]:
            raise PreconditionRequired()
        flask_smorest.etag._get_etag_ctx()["etag_checked"] = True
        return False

    def errors(self, *statuses):
        """Document the error responses a view can give, as problem details."""

        def decorator(func):
            for status in sorted(statuses, reverse=True):
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator

    @staticmethod
    def _prepare_auth_doc(doc, doc_info, *, method, **kwargs):
        """Who may call an operation, and the errors any call may meet.

        Writes (and token management, which says so itself) need a token; reads
        take one optionally (needed when the server sets REQUIRE_TOKEN_FOR_READS),
        and a token sent is always checked. Any call may be refused for its token
        (401, 403), over a rate limit (429), or while the database is away (503).
        """
        if method.upper() in WRITE_METHODS:
            doc["security"] = [{"bearerAuth": []}]
        else:
            doc.setdefault("security", [{}, {"bearerAuth": []}])
        responses = doc.setdefault("responses", {})
        for status in (401, 403, 429, 503):
            responses.setdefault(status, http.HTTPStatus(status).name)
        return doc

    def _check_not_modified(self, etag):
        # If-None-Match compares weakly (RFC 9110, 13.1.2).
        if (
            request.method in self.METHODS_CHECKING_NOT_MODIFIED
            and request.if_none_match.contains_weak(etag)
        ):
            error = NotModified()
            error.data = {"headers": {"ETag": f'"{etag}"'}}
            raise error
