"""Field types shared by every resource; each one insists on a description for the spec."""

import re
from functools import cache

import marshmallow as ma
from marshmallow import fields, validate

from schemas.codes import Message

# PostgreSQL integer columns hold at most this.
MAX_INTEGER = 2**31 - 1
SHORT_TEXT = 500
LONG_TEXT = 20_000
BODY_TEXT = 1_000_000


def _metadata(description, example=None):
    metadata = {"description": description}
    if example is not None:
        metadata["example"] = example
    return metadata


class Text(fields.String):
    """A string PostgreSQL can store, with something in it: no NUL, not only spaces."""

    default_error_messages = {
        "nul": "Must not contain NUL (\\u0000) characters.",
        "blank": "Must not be blank.",
        "surrogate": "Must be valid Unicode (no lone surrogates).",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        if not text.strip():
            raise self.make_error("blank")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("surrogate") from None
        return text


class Number(fields.Float):
    """A JSON number; unlike marshmallow's Float, never a numeric string or a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def text(description, *, max_length=SHORT_TEXT, min_length=1, example=None, **kwargs):
    """A text field of at most `max_length` characters."""
    return Text(
        validate=validate.Length(min=min_length, max=max_length),
        metadata=_metadata(description, example),
        **kwargs,
    )


def one_of(vocabulary, description, *, example=None, **kwargs):
    """A string drawn from a controlled vocabulary (an enum in the spec)."""
    return fields.String(
        validate=validate.OneOf(vocabulary),
        metadata=_metadata(description, example),
        **kwargs,
    )


def identifier(description, *, example=None, **kwargs):
    """A UUID."""
    return fields.UUID(metadata=_metadata(description, example), **kwargs)


class Date(fields.Date):
    """A date written YYYY-MM-DD, and only so.

    Python's date.fromisoformat also takes 20200901 and 2020-W36-2, which the
    spec's `format: date` does not promise.
    """

    PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self.PATTERN.match(value):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return super()._deserialize(value, attr, data, **kwargs)


class Boolean(fields.Boolean):
    """A JSON true or false; unlike marshmallow's Boolean, never "true", 1 or "yes"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def date(description, *, example=None, **kwargs):
    """A calendar date, YYYY-MM-DD."""
    return Date(metadata=_metadata(description, example), **kwargs)


def timestamp(description):
    """A moment set by the server, RFC 3339 in UTC."""
    return fields.AwareDateTime(
        format="iso", dump_only=True, metadata=_metadata(description, "2020-09-30T12:00:00+00:00")
    )


def boolean(description, *, example=None, **kwargs):
    """A JSON boolean."""
    return Boolean(metadata=_metadata(description, example), **kwargs)


def count(description, *, example=None, **kwargs):
    """A whole number of people, from 0."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_INTEGER),
        metadata=_metadata(description, example),
        **kwargs,
    )


def coordinate(description, *, low, high, example=None, **kwargs):
    """A degree of latitude or longitude within [low, high]."""
    return Number(
        allow_nan=False,
        validate=validate.Range(min=low, max=high),
        metadata=_metadata(description, example),
        **kwargs,
    )


def nested(schema, description, **kwargs):
    """A nested record."""
    return fields.Nested(schema, metadata=_metadata(description), **kwargs)


def nested_list(schema, description, *, max_items=100, **kwargs):
    """A list of nested records."""
    return fields.List(
        fields.Nested(schema),
        validate=validate.Length(max=max_items),
        metadata=_metadata(description),
        **kwargs,
    )


def text_list(description, *, max_items=100, example=None, **kwargs):
    """A list of short texts (aliases and the like)."""
    return fields.List(
        Text(validate=validate.Length(min=1, max=SHORT_TEXT)),
        validate=validate.Length(max=max_items),
        metadata=_metadata(description, example),
        **kwargs,
    )


@cache
def _alpha3_codes():
    import pycountry

    return frozenset(country.alpha_3 for country in pycountry.countries)


def _is_alpha3(code):
    if code not in _alpha3_codes():
        raise ma.ValidationError(
            Message("unknown_country", f"{code!r} is not an ISO 3166-1 alpha-3 country code.")
        )


def country(description, **kwargs):
    """An ISO 3166-1 alpha-3 country code."""
    return fields.String(
        validate=[
            validate.Regexp(
                r"^[A-Z]{3}$", error=Message("invalid_format", "Must be three upper-case letters.")
            ),
            _is_alpha3,
        ],
        metadata=_metadata(description, "AZE"),
        **kwargs,
    )


BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language(description, **kwargs):
    """A BCP 47 language tag."""
    return fields.String(
        validate=validate.Regexp(
            BCP47, error=Message("invalid_format", "Must be a BCP 47 language tag such as 'en'.")
        ),
        metadata=_metadata(description, "en"),
        **kwargs,
    )


# Control characters (C0, DEL, C1), which no URL or IRI may hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def no_control_characters(value):
    if CONTROL_CHARACTERS.search(value):
        raise ma.ValidationError(
            Message("control_characters", "Must not contain control characters.")
        )


def url(description, **kwargs):
    """An absolute http(s) URL; non-ASCII letters in its path are taken as they are."""
    return fields.Url(
        schemes={"http", "https"},
        validate=[validate.Length(max=2048), no_control_characters],
        metadata=_metadata(description, "https://example.org/news/article"),
        **kwargs,
    )
