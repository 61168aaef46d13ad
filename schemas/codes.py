"""Machine codes of field errors: a program branches on the code, a person reads the message.

A problem's `errors` name each field at fault with {"code", "message"}. A
message this API writes carries its code (a Message); one marshmallow or a
validator writes is known by its template (code_of). Every code is listed in
CODES, which the spec documents.
"""

import re
from functools import cache

import marshmallow as ma

CODES = {
    "required": "A required field is missing.",
    "null": "The field may not be null.",
    "unknown_field": "A field or parameter this operation does not take, or one the server sets.",
    "invalid_type": "A value of the wrong JSON type: a string for a number, a number for a list.",
    "invalid_format": "Text not in the form the field takes: a date that is not YYYY-MM-DD, an"
    " id that is not a UUID, a URL, a language tag, a cursor the API did not issue.",
    "not_one_of": "Not one of the values the field takes (its enum; vocabularies are at"
    " GET /v1/vocabularies).",
    "length": "Text longer or shorter than the field takes, or a list with too many or too"
    " few items.",
    "out_of_range": "A number beyond the field's bounds, or not finite.",
    "blank": "Text with nothing but white space.",
    "nul": "Text with a NUL character, which no text field takes.",
    "invalid_unicode": "Text that is not valid Unicode (a lone surrogate, bytes not UTF-8).",
    "control_characters": "A URL with control characters.",
    "unknown_country": "Three letters that ISO 3166-1 does not assign to a country.",
    "given_twice": "A key given twice in one JSON object, or a query parameter of one value"
    " given twice.",
    "invalid_json": "A line of an NDJSON body that is not JSON.",
    "not_found": "Refers to a record that does not exist.",
    "taken": "Another record already has this value, which must be unique.",
    "name_taken": "An actor's or a place's name or alias that another record of its kind"
    " has already, ignoring case, accents, punctuation and spacing: link that record, or"
    " send allow_duplicate=true to create another.",
    "not_in_source": "A citation's quote is not, verbatim, in its source's body.",
    "quote_removed": "A source's new body drops a quote that a record cites.",
    "before_start": "An end before its start: end_date before start_date, date_to before"
    " date_from.",
    "below_low": "An estimate whose high or best is less than its low.",
    "outside_range": "A best estimate above its high, or a civilian share larger than its"
    " total.",
    "disagrees_with_reports": "citations given with reports that quote otherwise: send one,"
    " or both as read.",
    "mode_not_of_type": "A PLOVER mode that is not one of its event type's modes.",
    "duplicate": "The same actor, event, source, scope or id listed twice.",
    "without_value": "A precision without the date or coordinates it qualifies, or one"
    " coordinate without the other.",
    "required_when_doubtful": "A doubtful attribution without attribution_note saying why.",
    "only_when_doubtful": "An attribution_note on an attribution that is not doubtful.",
    "cycle": "A parent that would make a record part of itself.",
    "data_rule": "A value the data model refuses.",
    "incompatible": "Parameters that do not go together, or one that needs another: page with"
    " cursor, near without radius_km, sort=relevance without q.",
    "too_many_periods": "A timeline with more periods than it draws: choose a longer interval.",
    "invalid_key": "An Idempotency-Key that is not 1 to 255 printable ASCII characters.",
    "key_reused": "An Idempotency-Key already used with another request.",
    "same_record": "A record named as both the one to keep and one to merge into it.",
    "merged": "Refers to a record merged into another since: its id answers 308 to that one.",
    "deleted": "Refers to a record that was deleted (its history is still readable).",
    "stance_conflict": "A statement whose stances towards events being merged differ: say in"
    " stances which one it keeps.",
    "not_linked": "Names a link that does not exist: a statement about none of the events"
    " being merged.",
    "invalid": "Any other invalid value.",
}


class Message(str):
    """An error message that carries its code: a str, so marshmallow and JSON take it as one."""

    def __new__(cls, code, text):
        if code not in CODES:
            raise ValueError(f"Unknown error code {code!r}: add it to CODES.")
        message = super().__new__(cls, text)
        message.code = code
        _KNOWN[text] = code
        return message

    def __getnewargs__(self):
        return (self.code, str(self))


# Texts of the Messages made so far, by text: a validator given one as its error
# formats it into a plain str, which is known again here.
_KNOWN = {}

# The error keys of marshmallow's fields (and of Text), and the code of each.
FIELD_KEYS = {
    "required": "required",
    "null": "null",
    "validator_failed": "invalid",
    "invalid_utf8": "invalid_unicode",
    "too_large": "out_of_range",
    "special": "out_of_range",
    "format": "invalid_format",
    "invalid_uuid": "invalid_format",
    "invalid_awareness": "invalid_format",
    "type": "invalid_type",
    # An Enum's value not among its members.
    "unknown": "not_one_of",
    "nul": "nul",
    "blank": "blank",
    "surrogate": "invalid_unicode",
}
# The error keys of a schema.
SCHEMA_KEYS = {"unknown": "unknown_field", "type": "invalid_type"}
# Fields whose "invalid" means text in the wrong form rather than a value of the wrong type.
FORMATTED = (
    ma.fields.Date,
    ma.fields.DateTime,
    ma.fields.Time,
    ma.fields.UUID,
    ma.fields.Url,
    ma.fields.Email,
    ma.fields.IP,
)
VALIDATOR_MESSAGES = (
    (ma.validate.Length.message_min, "length"),
    (ma.validate.Length.message_max, "length"),
    (ma.validate.Length.message_all, "length"),
    (ma.validate.Length.message_equal, "length"),
    (ma.validate.Range.message_min, "out_of_range"),
    (ma.validate.Range.message_max, "out_of_range"),
    (ma.validate.Range.message_all, "out_of_range"),
    (ma.validate.OneOf.default_message, "not_one_of"),
    (ma.validate.Regexp.default_message, "invalid_format"),
    (ma.validate.URL.default_message, "invalid_format"),
)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _pattern(template):
    """A regular expression of the messages a template such as 'Must be {min_op} {{min}}.'
    formats to: each placeholder stands for any text."""
    return re.compile(re.sub(r"(\\\{)+[^{}]*?(\\\})+", ".+?", re.escape(template)) + r"\Z")


@cache
def _templates():
    """(pattern, code) of every message marshmallow and its validators write, the most
    specific first: "Not a valid integer." before "Not a valid {obj_type}.", "Not a
    valid {awareness} datetime." before "Not a valid {obj_type}.".

    Made on first use, when every field class of the API has been defined.
    """
    templates = []
    for cls in (ma.fields.Field, *_subclasses(ma.fields.Field)):
        messages = {}
        for base in reversed(cls.__mro__):
            messages.update(vars(base).get("default_error_messages", {}))
        for key, template in messages.items():
            if key == "invalid":
                code = "invalid_format" if issubclass(cls, FORMATTED) else "invalid_type"
            else:
                code = FIELD_KEYS.get(key)
            if code and isinstance(template, str):
                # "Not a valid {obj_type}." says which: "Not a valid datetime."
                template = template.replace("{obj_type}", getattr(cls, "OBJ_TYPE", "{obj_type}"))
                templates.append((_pattern(template), code))
    for key, template in ma.Schema._default_error_messages.items():
        templates.append((_pattern(template), SCHEMA_KEYS[key]))
    for template, code in VALIDATOR_MESSAGES:
        templates.append((_pattern(template), code))
    return sorted(templates, key=lambda template: _vagueness(template[0].pattern))


def _vagueness(pattern):
    return (pattern.count(".+?"), -len(pattern.replace(".+?", "")))


def code_of(message):
    """The code of an error message."""
    code = getattr(message, "code", None) or _KNOWN.get(message)
    if code:
        return code
    for pattern, code in _templates():
        if pattern.match(message):
            return code
    return "invalid"


def coded(message):
    """An error as problem details write it: its code and its message."""
    return {"code": code_of(message), "message": str(message)}
