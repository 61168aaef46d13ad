"""Schemas that several resources share: the record base, embedded summaries, citations, errors."""

from copy import copy
from functools import cache

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas.codes import Message
from schemas.vocabularies import ACTOR_KINDS, GEO_PRECISIONS, LOCATION_KINDS


class RecordSchema(ma.Schema):
    """Fields every record has, set by the server."""

    class Meta:
        # An unknown field is an error, never silently dropped.
        unknown = ma.RAISE

    id = f.identifier("The record's id, assigned by the server.", dump_only=True)
    created_at = f.timestamp("When the record was created (RFC 3339, UTC).")
    updated_at = f.timestamp("When the record last changed (RFC 3339, UTC).")


@cache
def sparse(record_schema):
    """The schema of a record in a list asked for some fields only (fields=): its id and
    those fields, so no field but id is required; nested records stay whole. Made once
    per record schema, so the spec names it once (SparseSource for SourceSchema)."""
    declared = {}
    for name, field in record_schema._declared_fields.items():
        declared[name] = copy(field)
        declared[name].required = name == "id"
    return type(f"Sparse{record_schema.__name__}", (record_schema,), declared)


class ActorSummarySchema(ma.Schema):
    """An actor as embedded in other records: every field always there."""

    id = f.identifier("The actor's id.", required=True)
    name = f.text("The actor's name.", example="Azerbaijan", required=True)
    kind = f.one_of(ACTOR_KINDS, "What sort of actor it is.", example="state", required=True)
    country = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "ISO 3166-1 alpha-3 code.", "example": "AZE"},
    )


class LocationSummarySchema(ma.Schema):
    """A location as embedded in other records, with its coordinates for a map."""

    id = f.identifier("The location's id.", required=True)
    name = f.text("The location's name.", example="Tartar", required=True)
    kind = f.one_of(LOCATION_KINDS, "What sort of place it is.", example="town", required=True)
    country = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "ISO 3166-1 alpha-3 code.", "example": "AZE"},
    )
    latitude = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "WGS 84 latitude.", "example": 40.3444},
    )
    longitude = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "WGS 84 longitude.", "example": 46.9311},
    )
    geo_precision = fields.String(
        allow_none=True,
        required=True,
        validate=validate.OneOf(GEO_PRECISIONS),
        metadata={
            "description": "How exact the coordinates are (exact, settlement, region, country):"
            " a map can draw a region's centroid unlike a town's.",
            "example": "settlement",
        },
    )


class SourceSummarySchema(ma.Schema):
    """A source as embedded in a report or a citation: enough to show whose word it is."""

    id = f.identifier("The source's id.", required=True)
    title = f.text("The source's title.", required=True)
    publisher = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Who published it.", "example": "Example News"},
    )
    # Embedded from JSON built in SQL, so already a string.
    published_on = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The day it was published.", "format": "date"},
    )
    url = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Where it is published.", "format": "uri"},
    )


class QuoteSchema(ma.Schema):
    """Words copied verbatim from a source, and where they are in its body."""

    class Meta:
        unknown = ma.RAISE

    quote = f.text(
        "Words copied verbatim from the source's body.",
        max_length=f.LONG_TEXT,
        required=True,
        example="Azerbaijan’s Defense Ministry accused Armenian forces",
    )
    start = fields.Integer(
        dump_only=True,
        metadata={
            "description": "Offset of the quote's first character in the body "
            "(Unicode code points, from 0).",
            "example": 210,
        },
    )
    end = fields.Integer(
        dump_only=True,
        metadata={
            "description": "Offset just past the quote's last character: "
            "body[start:end] is the quote.",
            "example": 262,
        },
    )


class _QuotedSourceSchema(ma.Schema):
    source_id = f.identifier("The source quoted.", required=True)
    source = f.nested(SourceSummarySchema, "The source quoted, summarised.", dump_only=True)


# Bases are declared in reverse: marshmallow puts the fields of the last base first,
# so a citation keeps its members in the order PostgreSQL writes them.
class CitationSchema(QuoteSchema, _QuotedSourceSchema):
    """Evidence for a record: a verbatim quote from a source.

    The server finds the quote in the source's body and records where it is.
    """


class RangeSchema(ma.Schema):
    """A number of people as low, best and high estimates: "dozens" is a range, not a number."""

    class Meta:
        unknown = ma.RAISE

    low = f.count("The smallest number the source supports.", required=True, example=24)
    best = f.count(
        "The most likely number, when the source gives one; null when it gives only a range.",
        allow_none=True,
        example=None,
    )
    high = f.count(
        "The largest number the source supports; null when it gives no upper bound.",
        allow_none=True,
        example=99,
    )

    @ma.validates_schema
    def ordered(self, data, **kwargs):
        low, best, high = data.get("low"), data.get("best"), data.get("high")
        # A PATCH loads nested records partially too: low may be missing here.
        if high is not None and low is not None and high < low:
            raise ma.ValidationError(Message("below_low", "Must not be less than low."), "high")
        if best is not None and low is not None and best < low:
            raise ma.ValidationError(Message("below_low", "Must not be less than low."), "best")
        if best is not None and high is not None and best > high:
            raise ma.ValidationError(
                Message("outside_range", "Must not be more than high."), "best"
            )

    @ma.post_load
    def complete(self, data, partial=False, **kwargs):
        # Every bound is there, null when not given: as the API sends an estimate.
        if not partial:
            for name in self.load_fields:
                data.setdefault(name, None)
        return data


class CiviliansSchema(RangeSchema):
    """How many of the people counted were civilians, as low, best and high estimates.

    "Including civilians" with no number is at least 1: {"low": 1}.
    """


class EstimateSchema(RangeSchema):
    """A number of people as low, best and high estimates, and how many were civilians.

    "Dozens" is {"low": 24, "best": null, "high": 99}; "12 killed" is
    {"low": 12, "best": 12, "high": 12}; "at least 158" is {"low": 158, "high": null}.
    """

    civilians = f.nested(
        CiviliansSchema,
        "How many of them were civilians; null when the source does not say. Within the"
        " total: civilians.low is at most low, civilians.high at most high.",
        allow_none=True,
    )

    @ma.validates_schema
    def civilians_within(self, data, **kwargs):
        civilians = data.get("civilians")
        if not civilians:
            return
        low, high = data.get("low"), data.get("high")
        if low is not None and civilians.get("low") is not None and civilians["low"] > low:
            raise ma.ValidationError(
                {"low": [Message("outside_range", "Must not be more than the total's low.")]},
                "civilians",
            )
        if high is not None and civilians.get("high") is not None and civilians["high"] > high:
            raise ma.ValidationError(
                {"high": [Message("outside_range", "Must not be more than the total's high.")]},
                "civilians",
            )
