"""The forms a record takes in the spec: as the API sends it, and as a client writes it.

A record's fields are declared once (EventSchema): what a write requires,
what the server sets (dump_only), what a field defaults to. A code generator
needs more than one type of it, and reads each form's `required` literally:

- sent (Event): the record in a response, where every field is always there,
  null when empty, so every field is required;
- written (EventCreate, EventReplace, EventPatch, and EventInput for nested
  records): a request body, without what the server sets; a patch requires
  nothing. A default is said in words, not as `default`: generators (such as
  openapi-typescript) make a field with a default required, as it would be in
  a response.

Each form is derived here from the declaration, as a subclass of it, so it
loads and validates exactly as the declaration does and cannot drift from it.
"""

from copy import copy
from functools import cache

import marshmallow as ma


def _base_name(schema):
    return schema.__name__.removesuffix("Schema")


def _nested_class(field):
    """The schema class a Nested field holds, or None."""
    nested = field.nested if isinstance(field, ma.fields.Nested) else None
    if isinstance(nested, ma.Schema):
        nested = type(nested)
    return nested if isinstance(nested, type) else None


def _with_nested(field, form):
    """A copy of `field` whose nested records (or list items) take `form` of their schema."""
    if isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
        inner = _with_nested(field.inner, form)
        if inner is field.inner:
            return field
        field = copy(field)
        field.inner = inner
        return field
    nested = _nested_class(field)
    if nested is None or form(nested) is nested:
        return field
    field = copy(field)
    field.nested = form(nested)
    # Nested caches the schema instance it makes from `nested`.
    field._schema = None
    return field


def _derived(schema, name, fields, exclude=()):
    """A subclass of `schema` called `name` (its name in the spec), with `fields` replaced."""
    attributes = dict(fields)
    if exclude:
        attributes["Meta"] = type("Meta", (schema.Meta,), {"exclude": tuple(exclude)})
    return type(name, (schema,), attributes)


@cache
def sent(schema):
    """The form of `schema` in responses: every field required, no default.

    `schema` itself when it is already so (a summary declared for responses only).
    """
    fields = {}
    for name, field in schema._declared_fields.items():
        changed = _with_nested(field, sent)
        if not changed.required or changed.load_default is not ma.missing:
            if changed is field:
                changed = copy(field)
            changed.required = True
            # Never loaded: its default would only be read as a promise of one.
            changed.load_default = ma.missing
        if changed is not field:
            fields[name] = changed
    if not fields:
        return schema
    return _derived(schema, _base_name(schema), fields)


def _stated_default(field):
    """A copy of `field` whose default is applied but said in its description, not as `default`."""
    value = field.load_default
    field = copy(field)
    # A callable default is applied the same, and left out of the spec.
    field.load_default = lambda: value
    description = field.metadata.get("description", "")
    field.metadata = {**field.metadata, "description": f"{description} Default: {value}.".strip()}
    return field


def _written_fields(schema, *, partial=False):
    """The fields of `schema` a client writes, and the names of those the server sets."""
    fields, server_set = {}, []
    for name, field in schema._declared_fields.items():
        if field.dump_only:
            server_set.append(name)
            continue
        changed = _with_nested(field, written)
        default = changed.load_default
        if partial and (changed.required or default is not ma.missing):
            changed = copy(changed)
            changed.required = False
            changed.load_default = ma.missing
        elif default is not ma.missing and not callable(default):
            changed = _stated_default(changed)
        if changed is not field:
            fields[name] = changed
    return fields, server_set


@cache
def written(schema):
    """The form of a nested record in request bodies (ParticipantInput).

    `schema` itself when nothing of it differs from what is sent.
    """
    fields, server_set = _written_fields(schema)
    if not fields and not server_set and sent(schema) is schema:
        return schema
    return _derived(schema, f"{_base_name(schema)}Input", fields, server_set)


def _body(schema, suffix, *, partial=False, name=None, extra=None):
    fields, server_set = _written_fields(schema, partial=partial)
    extra = extra or {}
    return _derived(
        schema,
        name or f"{_base_name(schema)}{suffix}",
        {**fields, **extra},
        [field for field in server_set if field not in extra],
    )


@cache
def create(schema):
    """The body of a POST that creates a record (EventCreate)."""
    return _body(schema, "Create")


@cache
def replace(schema):
    """The body of a PUT that replaces a record (EventReplace): what a create takes."""
    return _body(schema, "Replace")


@cache
def patch(schema):
    """The body of a PATCH (EventPatch): any of the fields a create takes, none required.

    Load it with partial=True, so that rules across fields wait for the merged record.
    """
    return _body(schema, "Patch", partial=True)


def body(schema, name, *, extra):
    """A create's body called `name`, with `extra` fields: those the server would set
    are taken when named here (an import's `id`)."""
    return _body(schema, "", name=name, extra=extra)


# A record's input form: the body a client would send to write it as it is.


def input_form(schema, document):
    """Dump `document` (as the schema loads it) keeping only what the schema loads.

    That is the body a client would send to recreate the record as it is.
    """
    return sent_input(schema, schema.dump(document))


def sent_input(schema, sent):
    """The fields of `sent`, a record as the API sends it, that its schema loads."""
    return _strip_dump_only(schema, sent)


def _strip_dump_only(schema, dumped):
    form = {}
    for name, field in schema.fields.items():
        if field.dump_only or name not in dumped:
            continue
        value = dumped[name]
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Nested) and value is not None:
            if isinstance(field, ma.fields.List):
                value = [_strip_dump_only(inner.schema, item) for item in value]
            else:
                value = _strip_dump_only(inner.schema, value)
        form[name] = value
    return form
