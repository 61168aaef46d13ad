"""PATCH as the API means it: the fields given replace the record's, then all are checked."""

from schemas.forms import input_form, sent_input


def merge_patch(schema, current, changes):
    """Apply the fields in `changes` to `current` (as the API sends it) and validate the result.

    Rules that span fields (end_date after start_date) are checked against the
    merged record, so a PATCH cannot produce what a PUT would refuse.
    """
    merged = {**sent_input(schema, current), **input_form(schema, changes)}
    return schema.load(merged)
