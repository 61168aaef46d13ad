"""A record's input form: the body a client would send to write it as it is."""

import marshmallow as ma


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
