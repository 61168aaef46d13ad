"""GeoJSON (RFC 7946): a list of records as a FeatureCollection, for maps."""

from functools import cache

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f
from schemas.common import sparse


class PointSchema(ma.Schema):
    """A point on the globe: [longitude, latitude] in WGS 84, as GeoJSON orders them."""

    type = f.one_of(("Point",), "Always Point.", example="Point", required=True)
    coordinates = fields.List(
        fields.Float(),
        required=True,
        validate=validate.Length(equal=2),
        metadata={"description": "[longitude, latitude] (WGS 84).", "example": [46.9311, 40.3444]},
    )


@cache
def feature_collection(record_schema):
    """The FeatureCollection of a list of `record_schema` (a sent form, named Event):
    EventFeatureCollection, whose features are EventFeatures."""
    name = record_schema.__name__.removesuffix("Schema")
    feature = type(
        f"{name}Feature",
        (ma.Schema,),
        {
            "__doc__": f"A {name.lower()} on a map: its point and the record itself.",
            "type": f.one_of(("Feature",), "Always Feature.", example="Feature", required=True),
            "id": f.identifier(f"The {name.lower()}'s id.", required=True),
            "geometry": fields.Nested(
                PointSchema,
                allow_none=True,
                required=True,
                metadata={"description": "Where it is; null when its place has no coordinates."},
            ),
            # The record as the JSON list sends it: whole, or the fields= asked for.
            "properties": fields.Nested(
                sparse(record_schema),
                required=True,
                metadata={
                    "description": f"The {name.lower()} as the JSON list sends it: every"
                    " field, or its id and those fields= names."
                },
            ),
        },
    )
    return type(
        f"{name}FeatureCollection",
        (ma.Schema,),
        {
            "__doc__": f"{name} records as GeoJSON (RFC 7946), one Feature each, for a map.",
            "type": f.one_of(
                ("FeatureCollection",),
                "Always FeatureCollection.",
                example="FeatureCollection",
                required=True,
            ),
            "features": fields.List(
                fields.Nested(feature),
                required=True,
                metadata={"description": "One feature per record, in the list's order."},
            ),
        },
    )
