"""Query arguments every list shares: paging, keyset cursors, sorting, sparse fields, sync."""

import base64
import binascii
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from schemas.codes import Message
from schemas.fields import Text

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def _metadata(description, example=None):
    metadata = {"description": description}
    if example is not None:
        metadata["example"] = example
    return metadata


def one_or_more(inner, description, example):
    """A parameter taking one value or several, comma-separated (OR)."""
    return DelimitedList(
        inner,
        validate=validate.Length(min=1, max=100),
        metadata=_metadata(
            description + " Several values match any: comma-separated (a,b), or with the"
            " parameter repeated (x=a&x=b).",
            example,
        ),
    )


def uuids(description):
    return one_or_more(fields.UUID(), description, "9aacaccd-dc05-56c6-827b-c8ad46d81d32")


def words(vocabulary, description, example):
    return one_or_more(fields.String(validate=validate.OneOf(vocabulary)), description, example)


def _text(value):
    """A text value PostgreSQL can take: no NUL, no lone surrogate (it must encode as UTF-8)."""
    if not isinstance(value, str) or "\x00" in value:
        raise TypeError(value)
    value.encode("utf-8")
    return value


def _aware_moment(value):
    """A timestamptz value: a moment with its offset (the API writes UTC's)."""
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


def _number(kind):
    def read(value):
        # bool is an int to Python, never a sort value.
        if type(value) is not kind or not math.isfinite(value):
            raise TypeError(value)
        return value

    return read


def _written(value):
    """A sort value as a cursor holds it: a moment in UTC and RFC 3339, as records show it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


NOT_ISSUED = Message("invalid_format", "Not a cursor this API issued.")


class Cursor:
    """Where a keyset page ends: the sort column's value and the id of the last row.

    A cursor is taken only in the exact form encode() writes: read() parses its
    value as the sort column's type, writes the cursor again and compares. A
    value PostgreSQL would refuse, or would read as something else (a week date,
    a date without dashes, another time zone), never reaches it.
    """

    # A cursor's value, for each SQL type a sort column has, as psycopg gives it.
    READERS = {
        "date": lambda value: date.fromisoformat(_text(value)),
        "timestamptz": _aware_moment,
        "text": _text,
        "real": _number(float),
        "bigint": _number(int),
    }

    @staticmethod
    def encode(sort_key, value, record_id):
        payload = json.dumps([sort_key, value, str(record_id)], default=_written)
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def read(cls, cursor, sort, sql_type, null_value):
        """The (value, id) after which the page starts, if `cursor` is one the API issued
        for `sort`; the value stays text, as written, for PostgreSQL to cast.

        Raises ValidationError naming cursor otherwise. `null_value` stands for a
        null in the cursors of a sort (see ListArgsSchema).
        """
        padded = cursor + "=" * (-len(cursor) % 4)
        try:
            payload = json.loads(base64.urlsafe_b64decode(padded))
            if not isinstance(payload, list) or len(payload) != 3:
                raise TypeError(payload)
            issued_sort, value, record_id = payload
            if issued_sort != sort:
                raise ma.ValidationError(
                    Message("incompatible", "The cursor belongs to another sort order."), "cursor"
                )
            issued_null = value is not None and value == null_value
            read = value if issued_null else cls.READERS[sql_type](value)
            written = cls.encode(sort, read, uuid.UUID(_text(record_id)))
        except (binascii.Error, ValueError, TypeError, KeyError, OverflowError):
            written = None
        if written != cursor:
            raise ma.ValidationError(NOT_ISSUED, "cursor")
        return value, record_id


@dataclass(frozen=True)
class Sort:
    """A sort key as a client sees it: the type of its value in a cursor, and
    the value that stands for null there (a null sorts as that value)."""

    type: str
    null: object = None


# The sorts of records found by name (actors, locations).
NAME_SORTS = {
    "name": Sort("text"),
    "created_at": Sort("timestamptz"),
    "updated_at": Sort("timestamptz"),
    "relevance": Sort("real"),
}


class ListArgsSchema(ma.Schema):
    """Paging, ordering, shape and sync: the arguments every list takes.

    Several values of one filter match any of them (OR); different filters
    must all match (AND). Subclasses set SORTS (sort key, which is also an output field -> its
    Sort; the SQL it orders by is its store's), DEFAULT_SORT, and FIELDS (the
    names `fields` may pick).
    """

    class Meta:
        # A misspelt parameter is an error, never silently ignored.
        unknown = ma.RAISE

    SORTS = {}
    DEFAULT_SORT = None
    FIELDS = ()

    page = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata=_metadata("The page to return, from 1 (not with cursor).", 1),
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata=_metadata(f"Records per page, at most {MAX_PAGE_SIZE}.", DEFAULT_PAGE_SIZE),
    )
    cursor = fields.String(
        validate=validate.Length(max=1000),
        metadata=_metadata(
            'Keyset paging: empty to start, then the cursor in the Link rel="next" URL,'
            " exactly as given (any other text answers 422). Each page costs the same"
            " however deep.",
            "",
        ),
    )
    sort = fields.String(
        metadata=_metadata(
            "The order: a field name, with '-' before it for descending; ties are broken by id.",
            "-updated_at",
        )
    )
    fields_ = DelimitedList(
        fields.String(),
        data_key="fields",
        metadata=_metadata(
            "Only these fields in each record, and always its id: the list is then of"
            " sparse records (the response's second form), any other field left out."
            " Comma-separated (id,title), or with the parameter repeated.",
            "id,title",
        ),
    )
    updated_since = fields.AwareDateTime(
        metadata=_metadata(
            "Only records created or changed at or after this moment (RFC 3339).",
            "2020-09-30T00:00:00Z",
        )
    )

    # Checked even when another parameter is invalid, so every error is reported at once.
    @ma.validates_schema(skip_on_field_errors=False)
    def consistent(self, data, **kwargs):
        errors = {}
        if "cursor" in data and "page" in data:
            errors["cursor"] = [Message("incompatible", "Give page or cursor, not both.")]
        sort = data.get("sort")
        if sort is not None and sort.removeprefix("-") not in self.SORTS:
            errors["sort"] = [
                Message(
                    "not_one_of",
                    f"Must be one of {', '.join(sorted(self.SORTS))}, optionally with '-' before.",
                )
            ]
        unknown = set(data.get("fields_") or ()) - set(self.FIELDS)
        if unknown:
            errors["fields"] = [
                Message("not_one_of", f"Unknown fields: {', '.join(sorted(unknown))}.")
            ]
        if errors:
            raise ma.ValidationError(errors)

    @ma.validates_schema
    def relevance_needs_q(self, data, **kwargs):
        sort = (data.get("sort") or "").removeprefix("-")
        if "relevance" in self.SORTS and sort == "relevance" and "q" not in data:
            raise ma.ValidationError(Message("incompatible", "Sort by relevance needs q."), "sort")

    @ma.post_load
    def relevance_by_default(self, data, **kwargs):
        """With q, and no sort or cursor, the best matches come first."""
        if (
            "relevance" in self.SORTS
            and "q" in data
            and "sort" not in data
            and "cursor" not in data
        ):
            data["sort"] = "relevance"
        return data

    @ma.post_load
    def decode_cursor(self, data, **kwargs):
        if data.get("cursor"):
            sort = data.get("sort", self.DEFAULT_SORT)
            key = self.SORTS[sort.removeprefix("-")]
            data["after"] = Cursor.read(data["cursor"], sort, key.type, key.null)
        if data.get("sort", self.DEFAULT_SORT).removeprefix("-") == "relevance" and (
            "cursor" in data
        ):
            raise ma.ValidationError(
                Message("incompatible", "Sort by relevance pages by page number only."), "cursor"
            )
        return data


def _floats(text, count, name):
    shape = Message("invalid_format", f"Must be {count} numbers separated by commas: {name}.")
    parts = text.split(",")
    if len(parts) != count:
        raise ma.ValidationError(shape)
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ma.ValidationError(shape) from None
    if any(number != number or number in (float("inf"), float("-inf")) for number in numbers):
        raise ma.ValidationError(Message("out_of_range", "Must be finite numbers."))
    return numbers


def _check_latitude(latitude):
    if not -90 <= latitude <= 90:
        raise ma.ValidationError(Message("out_of_range", "Latitudes run from -90 to 90."))


def _check_longitude(longitude):
    if not -180 <= longitude <= 180:
        raise ma.ValidationError(Message("out_of_range", "Longitudes run from -180 to 180."))


class BoundingBox(fields.String):
    """min_lon,min_lat,max_lon,max_lat; a box whose min_lon exceeds its max_lon crosses 180°."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        min_lon, min_lat, max_lon, max_lat = _floats(text, 4, "min_lon,min_lat,max_lon,max_lat")
        for longitude in (min_lon, max_lon):
            _check_longitude(longitude)
        for latitude in (min_lat, max_lat):
            _check_latitude(latitude)
        if min_lat > max_lat:
            raise ma.ValidationError(Message("out_of_range", "min_lat must not exceed max_lat."))
        return (min_lon, min_lat, max_lon, max_lat)


class LatLon(fields.String):
    """lat,lon."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        latitude, longitude = _floats(text, 2, "lat,lon")
        _check_latitude(latitude)
        _check_longitude(longitude)
        return (latitude, longitude)


# Decimal numbers separated by commas, as the spec states them (ranges are checked too).
NUMBER_PATTERN = r"-?[0-9]+(\.[0-9]+)?"


def bbox(description):
    return BoundingBox(
        metadata={
            **_metadata(description, "46.0,39.5,47.5,40.5"),
            "pattern": f"^{NUMBER_PATTERN}(,{NUMBER_PATTERN}){{3}}$",
        }
    )


def near(description):
    return LatLon(
        metadata={
            **_metadata(description, "40.3444,46.9311"),
            "pattern": f"^{NUMBER_PATTERN},{NUMBER_PATTERN}$",
        }
    )


def radius_km():
    return fields.Float(
        validate=validate.Range(min=0, max=20_038, min_inclusive=False),
        metadata=_metadata("With near: the radius in kilometres (great-circle).", 50),
    )


def at_least(description, example=1):
    """A whole number from 0 (from a query string, so written as text)."""
    return fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1), metadata=_metadata(description, example)
    )


# Sorting by relevance ranks at most this many matches: the most recent ones.
# Finding them walks recent rows until this many match, so the cost depends on
# how common the words are, not on how many rows there are (docs/PERFORMANCE.md).
RELEVANCE_POOL = 1000


def search_text(description, example, *, pooled=False):
    """The `q` parameter; `pooled` when relevance ranks only RELEVANCE_POOL matches."""
    if pooled:
        description += (
            f" Relevance ranks the {RELEVANCE_POOL:,} most recent matches;"
            " sort by date to walk every match."
        )
    return Text(validate=validate.Length(min=1, max=200), metadata=_metadata(description, example))


def name_search(example):
    """The `q` of actors and locations: their names and aliases (api/store/search.py)."""
    return search_text(
        "Name search over names and aliases, ignoring case and accents: a part of a name"
        " is enough (autocomplete), and from five letters on a typo is tolerated. Ranked"
        " best first when sort is relevance, the default with q.",
        example,
    )


def check_range(data, start, end):
    """The end of a range given by two parameters is not before its start."""
    if data.get(start) is not None and data.get(end) is not None and data[end] < data[start]:
        raise ma.ValidationError(Message("before_start", f"Must not be before {start}."), end)


def check_near(data):
    """near and radius_km go together."""
    if ("near" in data) != ("radius_km" in data):
        raise ma.ValidationError(
            Message("incompatible", "Give near and radius_km together."), "radius_km"
        )


def format_of(names):
    """The `format` parameter: the shapes a list can take besides JSON."""
    return fields.String(
        validate=validate.OneOf(names),
        metadata=_metadata(
            "The response format: "
            + ", ".join(names)
            + " (or ask with Accept: application/geo+json or text/csv). CSV exports every"
            " matching record, streamed, without paging.",
            names[-1],
        ),
    )


def check_profile(data):
    """A profile is a shape of CSV: it takes no other format."""
    if "profile" in data and data.get("format", "csv") != "csv":
        raise ma.ValidationError(
            Message("incompatible", "A profile is a CSV: give format=csv or no format."),
            "profile",
        )


def check_export(data):
    """A CSV export is every matching record: paging does not apply."""
    exported = data.get("format") == "csv" or "profile" in data
    if exported and ("page" in data or "cursor" in data):
        raise ma.ValidationError(
            Message("incompatible", "A CSV export has every matching record: no page or cursor."),
            "format",
        )
