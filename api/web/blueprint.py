"""flask-smorest with this API's conventions: page links, ETags, auth docs, strict arguments."""

import hashlib
import http
import json
from copy import deepcopy
from functools import wraps
from urllib.parse import urlencode

import flask_smorest
import marshmallow as ma
from flask import Response, after_this_request, current_app, request
from flask_smorest.exceptions import NotModified, PreconditionFailed, PreconditionRequired
from flask_smorest.utils import prepare_response
from webargs.core import missing
from webargs.fields import DelimitedList
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import MultiDict

from api.store import render
from api.store.query import EXACT_COUNT_LIMIT
from api.web import formats
from api.web.problems import PROBLEM_CONTENT_TYPE, problem, validation_problem
from api.web.requests import RepeatedKey, malformed_id, parse_json, path_meant
from schemas.codes import Message
from schemas.common import sparse
from schemas.messages import flatten_errors
from schemas.problems import ProblemSchema

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def created_at(location):
    """Send `location`, the URL of the record just created, in the Location header."""

    @after_this_request
    def add_location(response):
        response.headers["Location"] = location
        return response


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


def raise_changed(current):
    """Answer 412, with the record's `current` ETag: a client reads the record again
    (or has it already, from a write of its own) and retries with it."""
    error = PreconditionFailed(CHANGED_SINCE)
    error.data = {"headers": {"ETag": f'"{current}"'}}
    raise error


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
            if status >= 400 or status == 308:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_CONTENT_TYPE
            if status == 308:
                response["description"] = (
                    "The record was merged into another: the Location header gives the same"
                    " request on that record (the method and body kept); merged_into, its id."
                )
                response["headers"] = {
                    "Location": {
                        "description": "The same path and query on the record merged into.",
                        "schema": {"type": "string"},
                    }
                }
            if status == 412:
                response["headers"] = {
                    "ETag": {
                        "description": "The record's current ETag: retry with it in If-Match"
                        " once the change is reapplied to the record as it is now.",
                        "schema": {"type": "string"},
                    }
                }
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
            if error is request.routing_exception:
                detail = routing_detail(error) or detail
            response = problem(
                error.code,
                detail,
                kind=data.get("kind"),
                errors=flatten_errors(messages) if messages else None,
                headers=headers,
                **data.get("extensions", {}),
            )
        for name, value in headers.items():
            response.headers[name] = value
        return response


GIVEN_TWICE = Message("given_twice", "Give this parameter once.")


def routing_detail(error):
    """What a routing error means for this request: werkzeug's own words are for a page
    in a browser ("If you entered the URL manually...")."""
    if error.code == 405:
        allowed = ", ".join(sorted(set(error.valid_methods or ()) - {"HEAD", "OPTIONS"}))
        return f"{request.path} does not take {request.method}; it takes {allowed}."
    if error.code != 404:
        return None
    meant = path_meant()
    if meant:
        return (
            f"Nothing is at this path; did you mean {meant}?"
            " Paths take single slashes, and none at the end."
        )
    malformed = malformed_id()
    if malformed:
        noun, value = malformed
        shown = value if len(value) <= 60 else value[:60] + "..."
        return f"No {noun} has the id {shown!r}: ids are UUIDs."
    return "Nothing is at this path: the paths are listed in /openapi.json."


class Parser(FlaskParser):
    """webargs' parser, stricter.

    - Query arguments follow their schema's `unknown` (RAISE): webargs would
      drop unknown ones, so a misspelt filter would silently match everything.
    - A list parameter takes its values comma-separated or as the parameter
      repeated (what most HTTP clients send for an array, openapi-fetch among
      them); any other parameter given twice is refused rather than cut to its
      first value.
    - A body Python's JSON decoder cannot take answers 400: json.loads raises
      RecursionError on very deep nesting and ValueError on integers of more
      than 4,300 digits, neither of them a JSONDecodeError.
    - So does an object that gives a key twice (parse_json).
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None}

    def load_querystring(self, req, schema):
        lists = {
            field.data_key or name
            for name, field in schema.fields.items()
            if isinstance(field, DelimitedList)
        }
        repeated = {name for name, values in req.args.lists() if len(values) > 1}
        # webargs would keep only the first of a repeated parameter: refuse it.
        refused = sorted(repeated - lists)
        if refused:
            raise ma.ValidationError({name: [GIVEN_TWICE] for name in refused})
        if repeated:
            # x=a&x=b is the list x=a,b.
            args = MultiDict(
                (name, ",".join(values) if name in repeated else values[0])
                for name, values in req.args.lists()
            )
            return self._makeproxy(args, schema)
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
            # Parameters are dicts, or names of components (ETag's "IF_NONE_MATCH").
            takes_fields = any(
                "fields_" in getattr(parameter.get("schema"), "fields", {})
                for parameter in doc.get("parameters", [])
                if isinstance(parameter, dict) and parameter.get("in") == "query"
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

    def check_etag_of_body(self, body_of):
        """Answer 412 when If-Match names another version of the record, sent as JSON
        text (api/store/render.py) that `body_of()` gives; without If-Match the
        write goes ahead, unless REQUIRE_IF_MATCH is set (428).

        The text is fetched only when there is an If-Match to compare it with.
        """
        if not self._if_match_to_check():
            return
        flask_smorest.etag._get_etag_ctx()["etag_checked"] = True
        current = etag_of(render.response(body_of()).get_data())
        if current not in request.if_match:
            raise_changed(current)

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
