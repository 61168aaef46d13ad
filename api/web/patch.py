"""PATCH as the API means it: the fields given replace the record's, then all are checked."""

from schemas.forms import input_form, sent_input


def merge_patch(schema, current, changes):
    """Apply the fields in `changes` to `current` (as the API sends it) and validate the result.

    Rules that span fields (end_date after start_date) are checked against the
    merged record, so a PATCH cannot produce what a PUT would refuse.
    """
    given = input_form(schema, changes)
    current = sent_input(schema, current)
    # Fields another one is made from or with (an event's citations and reports, its
    # figures and figures_set_by_hand): giving one without the other replaces both.
    for name in given:
        for tied in getattr(schema, "PATCH_REPLACES", {}).get(name, ()):
            if tied not in given:
                current.pop(tied, None)
    return schema.load({**current, **given})
