"""The views every kind of record shares: list, create, get, replace, change and delete.

A resource's views.py calls record_views() with its Record's store and the
words of its documentation; what differs between resources (formats, errors,
docstrings) is said there, and the behaviour is written once here.
"""

import json

from flask import url_for
from flask.views import MethodView

from api.store import render
from api.store.database import get_db
from api.web import formats
from api.web.blueprint import created_at
from api.web.patch import merge_patch
from api.web.problems import not_found
from schemas import forms


def respond(blp, record, args, where=None, *, allowed=("json",), geometry=None):
    """Answer a list of `record`s in the format asked for: JSON, GeoJSON or a CSV export.

    Every format starts from the JSON text PostgreSQL writes for a record.
    `geometry` is (the field a record's point comes from, or None for the
    record itself; a function of the record giving its point).
    """
    fmt = formats.negotiate(args, allowed)
    if fmt == "csv":
        with get_db().transaction() as conn:
            args = record.searched(conn, args)
        query, params = record.export(args, where)
        return formats.csv_response(
            get_db(), query, params, record.csv_columns, _decoded, f"{record.table}.csv"
        )
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


def check_current(blp, conn, record, record_id):
    """Lock the record for a write, or answer 404; 412 if If-Match names another version."""
    if not record.exists(conn, record_id, lock=True):
        not_found(record.kind, record_id)
    blp.check_etag_of_body(lambda: record.fetch_json(conn, record_id))


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
    statuses = {
        "create": (422,),
        "get": (404,),
        "replace": (404, 412, 422),
        "change": (404, 412, 422),
        "delete": (404, 409, 412),
        **(errors or {}),
    }

    def documented(name, function):
        function.__doc__ = docs[name]
        function.__name__ = name
        return blp.doc(operationId=operation_ids[name])(function)

    def list_(self, args):
        return respond(blp, record, args, allowed=allowed, geometry=geometry)

    def create(self, data):
        with get_db().transaction() as conn:
            record_id = store.write(conn, data)
            body = record.fetch_json(conn, record_id)
        created_at(url_for(f"{blp.name}.{by_id.__name__}", **{id_name: record_id}))
        return render.response(body, 201)

    def get(self, **path):
        record_id = path[id_name]
        with get_db().single_statement() as conn:
            return render.response(
                record.fetch_json(conn, record_id) or not_found(record.kind, record_id)
            )

    def replace(self, data, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            store.write(conn, data, record_id=record_id)
            return render.response(record.fetch_json(conn, record_id))

    def change(self, changes, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            merged = merge_patch(schema(), record.fetch(conn, record_id), changes)
            store.write(conn, merged, record_id=record_id)
            return render.response(record.fetch_json(conn, record_id))

    def delete(self, **path):
        record_id = path[id_name]
        with get_db().transaction() as conn:
            check_current(blp, conn, record, record_id)
            record.delete(conn, record_id)

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
            ),
            "patch": _operation(
                blp,
                documented("change", change),
                forms.patch(schema)(partial=True),
                200,
                statuses["change"],
                sent,
            ),
            "delete": _operation(blp, documented("delete", delete), None, 204, statuses["delete"]),
        },
    )
    blp.route("")(collection)
    blp.route(f"/<uuid:{id_name}>")(by_id)
    return collection, by_id


def _operation(blp, function, body_schema, status, errors, response_schema=None):
    """Decorate a view function as every record's views are: ETag, body, response, errors."""
    function = blp.errors(*errors)(function)
    if status == 204:
        function = blp.response(204)(function)
    else:
        function = blp.response(status, response_schema or body_schema)(function)
    if body_schema is not None:
        function = blp.arguments(body_schema)(function)
    return blp.etag(function)


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
                not_found(parent.kind, parent_id)
        return respond(
            blp, record, args, where(args, parent_id), allowed=allowed, geometry=geometry
        )

    list_.__doc__ = doc
    list_ = blp.doc(operationId=f"list{name}")(list_)
    list_ = blp.listing()(list_)
    list_ = blp.errors(404)(list_)
    sent = forms.sent(schema)
    list_ = blp.doc(**formats.alternatives_doc(allowed[1:], sent))(list_)
    list_ = blp.response(200, sent(many=True))(list_)
    list_ = blp.arguments(args_schema, location="query", as_kwargs=False)(list_)
    view = type(name, (MethodView,), {"get": blp.etag(list_)})
    blp.route(rule, tags=[record.table])(view)
    return view
