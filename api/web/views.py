"""The views every kind of record shares: list, create, get, replace, change and delete,
and its history: its revisions, one of them, and the restore of one.

A resource's views.py calls record_views() with its Record's store and the
words of its documentation; what differs between resources (formats, errors,
docstrings) is said there, and the behaviour is written once here.
"""

import json

import marshmallow as ma
from flask import request, url_for
from flask.views import MethodView
from flask_smorest import abort

from api.store import merges, render, resolution, revisions
from api.store.database import get_db
from api.store.errors import InvalidInput
from api.web import formats
from api.web.auth import author
from api.web.blueprint import created_at
from api.web.patch import merge_patch
from api.web.problems import Moved, merged_elsewhere, not_found
from schemas import forms
from schemas.forms import sent_input
from schemas.messages import flatten_errors
from schemas.resolution import MatchSchema, ResolveArgsSchema
from schemas.revisions import RevisionQueryArgsSchema, RevisionSchema, revision_with_state


def respond(blp, record, args, where=None, *, allowed=("json",), geometry=None):
    """Answer a list of `record`s in the format asked for: JSON, GeoJSON or a CSV export.

    Every format starts from the JSON text PostgreSQL writes for a record.
    `geometry` is (the field a record's point comes from, or None for the
    record itself; a function of the record giving its point).
    """
    profile = args.get("profile")
    # A profile is a shape of CSV: it asks for CSV whatever Accept says.
    fmt = "csv" if profile else formats.negotiate(args, allowed)
    if fmt == "csv":
        with get_db().transaction() as conn:
            args = record.searched(conn, args)
        query, params = record.export(args, where, profile)
        return formats.csv_response(
            get_db(),
            query,
            params,
            record.export_columns(profile),
            _with_added if profile else _decoded,
            f"{record.table}-{profile}.csv" if profile else f"{record.table}.csv",
        )
    if fmt == "geojson" and record.mapped:
        args = record.mapped(args)
    if fmt == "geojson" and geometry[0] and args.get("fields_"):
        # The geometry comes from that field, asked for or not.
        args = {**args, "fields_": [*args["fields_"], geometry[0]]}
    with get_db().transaction() as conn:
        page = record.list(conn, args, where)
    if fmt == "geojson":
        return blp.geojson(page, [_decoded(row) for row in page.items], geometry[1])
    return blp.json_page(page)


def _decoded(row):
    return json.loads(row["json"])


def _with_added(row):
    """A record and what its profile adds to it (Record.export)."""
    return {**json.loads(row["json"]), **json.loads(row["added"])}


def check_current(blp, conn, record, record_id):
    """Lock the record for a write, or answer 404 (or 308, 409 for a merged one: missing());
    412 if If-Match names another version."""
    if not record.exists(conn, record_id, lock=True):
        missing(conn, record, record_id)
    blp.check_etag_of_body(lambda: record.fetch_json(conn, record_id))


# What follows a 308 from a merged record to the one it went into changes no
# more than the client meant: a read, a PATCH of some fields, a merge into it.
# A PUT (a whole record, as it was) or a DELETE would replace or delete what
# the merge brought from the other records too.
FOLLOW_MERGES = frozenset({"GET", "HEAD", "PATCH", "POST"})


def missing(conn, record, record_id, id_name=None):
    """Answer for a record that is not there: 308 to the record it was merged into
    (409 for a PUT or DELETE), else 404. `id_name` names the path's id, the
    record's own (event_id) unless given."""
    into = merges.merged_into(conn, record, record_id)
    if into is None:
        not_found(record.kind, record_id)
    if request.method not in FOLLOW_MERGES:
        merged_elsewhere(record.kind, record_id, into)
    path = url_for(request.endpoint, **{**request.view_args, id_name or f"{record.kind}_id": into})
    query = request.query_string.decode()
    raise Moved(record.kind, record_id, into, f"{path}?{query}" if query else path)


def record_views(
    blp,
    store,
    *,
    schema,
    args_schema,
    docs,
    errors=None,
    allowed=("json",),
    geometry=None,
    resolve=None,
):
    """Register the collection and one-record views of `store.RECORD` on `blp`.

    `store` writes (`write(conn, data, record_id=None)` returns the id);
    `schema` declares the record, whose forms (schemas/forms.py) document the
    responses and load the bodies; `docs` has the docstring of each operation
    (list, create, get, replace, change, delete), which becomes its OpenAPI
    summary; `errors` replaces the statuses an operation documents.
    """
    record = store.RECORD
    id_name = f"{record.kind}_id"
    sent = forms.sent(schema)
    # operationIds as a generator names methods: listEvents, getEvent, updateEvent...
    noun = record.kind.capitalize()
    operation_ids = {
        "list": f"list{record.table.capitalize()}",
        "create": f"create{noun}",
        "get": f"get{noun}",
        "replace": f"replace{noun}",
        "change": f"update{noun}",
        "delete": f"delete{noun}",
    }
    # 308: the record was merged into another (missing()); a PUT or DELETE of it, 409.
    statuses = {
        "create": (422,),
        "get": (308, 404),
        "replace": (404, 409, 412, 422),
        "change": (308, 404, 412, 422),
        "delete": (404, 409, 412),
        **(errors or {}),
    }
    query_schema = ResolveArgsSchema if resolve else None
    if resolve:
        for name in ("create", "replace", "change"):
            statuses[name] = tuple(sorted({*statuses[name], 409}))

    def resolved(conn, data, record_id, allow_duplicate):
        if resolve and not allow_duplicate:
            resolve(conn, record, data, record_id)

    def documented(name, function):
        function.__doc__ = docs[name]
        function.__name__ = name
        return blp.doc(operationId=operation_ids[name])(function)

    def list_(self, args):
        return respond(blp, record, args, allowed=allowed, geometry=geometry)

    def create(self, data, allow_duplicate=False):
        with get_db().transaction() as conn:
            resolved(conn, data, None, allow_duplicate)
            record_id, body = revisions.write(conn, store, data, author(), operation="create")
        created_at(url_for(f"{blp.name}.{by_id.__name__}", **{id_name: record_id}))
        return render.response(body, 201)

    def get(self, **path):
        record_id = path[id_name]
        with get_db().single_statement() as conn:
            return render.response(
                record.fetch_json(conn, record_id) or missing(conn, record, record_id)
            )

    def replace(self, data, allow_duplicate=False, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            resolved(conn, data, record_id, allow_duplicate)
            _, body = revisions.write(
                conn, store, data, author(), record_id=record_id, operation="update"
            )
        return render.response(body)

    def change(self, changes, allow_duplicate=False, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            merged = merge_patch(schema(), record.fetch(conn, record_id), changes)
            resolved(conn, merged, record_id, allow_duplicate)
            _, body = revisions.write(
                conn, store, merged, author(), record_id=record_id, operation="update"
            )
        return render.response(body)

    def delete(self, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            record.delete(conn, record_id, author())

    list_ = blp.listing()(documented("list", list_))
    if len(allowed) > 1:
        list_ = blp.doc(**formats.alternatives_doc(allowed[1:], sent))(list_)
    list_ = blp.response(200, sent(many=True))(list_)
    list_ = blp.arguments(args_schema, location="query", as_kwargs=False)(list_)

    collection = type(
        record.table.capitalize(),
        (MethodView,),
        {
            "get": blp.etag(list_),
            "post": _operation(
                blp,
                documented("create", create),
                forms.create(schema),
                201,
                statuses["create"],
                sent,
                query_schema,
            ),
        },
    )
    by_id = type(
        f"{record.kind.capitalize()}ById",
        (MethodView,),
        {
            "get": _operation(blp, documented("get", get), None, 200, statuses["get"], sent),
            "put": _operation(
                blp,
                documented("replace", replace),
                forms.replace(schema),
                200,
                statuses["replace"],
                sent,
                query_schema,
            ),
            "patch": _operation(
                blp,
                documented("change", change),
                forms.patch(schema)(partial=True),
                200,
                statuses["change"],
                sent,
                query_schema,
            ),
            "delete": _operation(blp, documented("delete", delete), None, 204, statuses["delete"]),
        },
    )
    blp.route("")(collection)
    blp.route(f"/<uuid:{id_name}>")(by_id)
    revision_views(blp, store, schema=schema)
    return collection, by_id


def _operation(
    blp, function, body_schema, status, errors, response_schema=None, query_schema=None
):
    """Decorate a view function as every record's views are: ETag, body, response, errors;
    and its query's arguments, as keywords, when it takes any (`query_schema`)."""
    function = blp.errors(*errors)(function)
    if query_schema is not None:
        function = blp.arguments(query_schema, location="query", as_kwargs=True)(function)
    if status == 204:
        function = blp.response(204)(function)
    else:
        function = blp.response(status, response_schema or body_schema)(function)
    if body_schema is not None:
        function = blp.arguments(body_schema)(function)
    return blp.etag(function)


def revision_views(blp, store, *, schema):
    """Register the history of `store.RECORD` on `blp`: /{id}/revisions, one revision
    by its number, and its restore."""
    record = store.RECORD
    kind = record.kind
    id_name = f"{kind}_id"
    a_record = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    base = f"/<uuid:{id_name}>/revisions"
    number = {
        "in": "path",
        "name": "number",
        "description": "The revision's number in the record's history, from 1.",
    }

    def list_(self, args, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            page = revisions.history(conn, kind, record_id, args)
            if not page.items:
                require_history(conn, record, record_id)
        return blp.json_page(page)

    def get(self, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            found = revisions.revision(conn, kind, record_id, path["number"])
            if found is None:
                require_history(conn, record, record_id)
                no_revision(kind, record_id, path["number"])
        return render.response(found["json"])

    def restore(self, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            latest = revisions.lock_latest(conn, kind, record_id)
            found = revisions.revision(conn, kind, record_id, path["number"])
            exists = record.exists(conn, record_id, lock=True)
            if found is None:
                if latest is None and not exists:
                    not_found(kind, record_id)
                no_revision(kind, record_id, path["number"])
            current = record.fetch_json(conn, record_id) if exists else None
            # A deleted record is compared as it was when deleted: the ETag it had.
            blp.check_etag_of_body(lambda: current if exists else latest["state"])
            wanted = sent_input(schema(), json.loads(found["state"]))
            if exists and sent_input(schema(), json.loads(current)) == wanted:
                # Already in that state: nothing to write, and no revision.
                return render.response(current)
            try:
                _, body = revisions.write(
                    conn,
                    store,
                    schema().load(wanted),
                    author(),
                    record_id=record_id,
                    operation="restore",
                )
            except ma.ValidationError as error:
                cannot_restore(path["number"], flatten_errors(error.normalized_messages()))
            except InvalidInput as error:
                cannot_restore(path["number"], error.errors)
        return render.response(body)

    list_.__doc__ = f"""List the revisions of {a_record}, newest first.

        Each write to the {kind} (its create, updates, delete, restores) left
        one, saying who wrote it, when, and which fields it changed. A deleted
        {kind}'s history stays readable: its last revision holds the {kind} as
        it was.
        """
    get.__doc__ = f"""Get {a_record} as it was at one revision, and who wrote it when.

        For a delete, `state` is the {kind} as it was when deleted.
        """
    restore.__doc__ = f"""Make {a_record} as it was at one revision current again.

        The restore is a new revision; a deleted {kind} comes back, with its id.
        Restoring the state the {kind} is in already changes nothing (200, no
        revision). A state that refers to records deleted since, or that no
        longer fits the data, answers 409 naming them. If-Match is compared with
        the {kind} as it is, or for a deleted one as it was when deleted (412
        when stale).
        """
    list_ = blp.listing()(list_)
    list_ = blp.errors(404)(list_)
    list_ = blp.doc(operationId=f"list{kind.capitalize()}Revisions")(list_)
    list_ = blp.response(200, RevisionSchema(many=True))(list_)
    list_ = blp.arguments(RevisionQueryArgsSchema, location="query", as_kwargs=False)(list_)
    capitalized = kind.capitalize()
    views = (
        (base, f"{capitalized}Revisions", "get", blp.etag(list_), ()),
        (
            f"{base}/<int:number>",
            f"{capitalized}Revision",
            "get",
            blp.doc(operationId=f"get{kind.capitalize()}Revision")(
                _operation(blp, get, None, 200, (404,), revision_with_state(schema))
            ),
            [number],
        ),
        (
            f"{base}/<int:number>/restore",
            f"{capitalized}RevisionRestore",
            "post",
            blp.doc(parameters=["IF_MATCH"], operationId=f"restore{kind.capitalize()}Revision")(
                _operation(blp, restore, None, 200, (404, 409, 412, 428), forms.sent(schema))
            ),
            [number],
        ),
    )
    for rule, name, method, function, parameters in views:
        # A restore takes no body (api/__init__.py, require_json_body).
        view = type(name, (MethodView,), {method: function, "TAKES_BODY": False})
        blp.route(rule, parameters=parameters)(view)


def require_history(conn, record, record_id):
    """Answer 404 unless the record exists or has a history."""
    if not (record.exists(conn, record_id) or revisions.has_history(conn, record.kind, record_id)):
        not_found(record.kind, record_id)


def no_revision(kind, record_id, number):
    abort(404, message=f"The {kind} {record_id} has no revision {number}.")


def cannot_restore(number, errors):
    """Answer 409: the revision's state refers to records since deleted, or no longer fits."""
    abort(
        409,
        message=f"Revision {number} cannot be made current as it is: it refers to records"
        " that no longer exist, or no longer fits the data ("
        + ", ".join(sorted(errors))
        + "). Restore or recreate those first.",
        errors=errors,
    )


def related_views(
    blp, rule, name, *, parent, record, schema, args_schema, doc, where, allowed, geometry=None
):
    """Register a list of `record`s seen from a `parent` record (the events of an actor).

    `where(args, parent_id)` gives the conditions that tie the list to its parent.
    """
    id_name = f"{parent.kind}_id"

    def list_(self, args, **path):
        parent_id = path[id_name]
        with get_db().transaction() as conn:
            if not parent.exists(conn, parent_id):
                missing(conn, parent, parent_id)
        return respond(
            blp, record, args, where(args, parent_id), allowed=allowed, geometry=geometry
        )

    list_.__doc__ = doc
    list_ = blp.doc(operationId=f"list{name}")(list_)
    list_ = blp.listing()(list_)
    list_ = blp.errors(308, 404)(list_)
    sent = forms.sent(schema)
    list_ = blp.doc(**formats.alternatives_doc(allowed[1:], sent))(list_)
    list_ = blp.response(200, sent(many=True))(list_)
    list_ = blp.arguments(args_schema, location="query", as_kwargs=False)(list_)
    view = type(name, (MethodView,), {"get": blp.etag(list_)})
    blp.route(rule, tags=[record.table])(view)
    return view


def match_view(blp, record, *, args_schema, doc):
    """Register GET /match on `blp`: the records of `record`'s kind a name may mean."""

    def get(self, args):
        with get_db().transaction() as conn:
            countries, rows = resolution.match(conn, record, args)
        candidates = [
            {**row, "href": f"/v1/{record.table}/{row['id']}"} for row in rows
        ]
        return {"name": args["name"], "countries": countries, "candidates": candidates}

    get.__doc__ = doc
    get = blp.doc(operationId=f"match{record.table.capitalize()}")(get)
    get = blp.response(200, MatchSchema)(get)
    get = blp.arguments(args_schema, location="query", as_kwargs=False)(get)
    view = type(f"{record.table.capitalize()}Match", (MethodView,), {"get": blp.etag(get)})
    blp.route("/match")(view)
    return view
