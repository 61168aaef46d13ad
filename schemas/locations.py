"""Locations: countries, regions, towns, facilities, airspace."""

import marshmallow as ma

from schemas import fields as f
from schemas import query
from schemas.codes import Message
from schemas.common import LocationSummarySchema, RecordSchema
from schemas.vocabularies import GEO_PRECISIONS, LOCATION_KINDS


class LocationSchema(RecordSchema):
    """A place where events happen."""

    name = f.text("The place's name.", required=True, example="Tartar")
    kind = f.one_of(LOCATION_KINDS, "What sort of place it is.", required=True, example="town")
    country = f.country("The country it lies in (ISO 3166-1 alpha-3).", allow_none=True)
    parent_id = f.identifier("The location that contains it.", allow_none=True)
    parent = f.nested(
        LocationSummarySchema,
        "The containing location, summarised.",
        dump_only=True,
        allow_none=True,
    )
    aliases = f.text_list("Other names or spellings.", load_default=list, example=["Terter"])
    latitude = f.coordinate(
        "WGS 84 latitude; give both coordinates or neither.",
        low=-90,
        high=90,
        allow_none=True,
        example=40.3444,
    )
    longitude = f.coordinate(
        "WGS 84 longitude; give both coordinates or neither.",
        low=-180,
        high=180,
        allow_none=True,
        example=46.9311,
    )
    geo_precision = f.one_of(
        GEO_PRECISIONS, "How exact the coordinates are.", allow_none=True, example="settlement"
    )
    description = f.text("Notes on the place.", max_length=f.LONG_TEXT, allow_none=True)

    @ma.validates_schema
    def coordinates_paired(self, data, partial=False, **kwargs):
        if partial:
            return
        has_latitude = data.get("latitude") is not None
        has_longitude = data.get("longitude") is not None
        if has_latitude and not has_longitude:
            raise ma.ValidationError(
                Message("without_value", "Give longitude with latitude, or neither."), "longitude"
            )
        if has_longitude and not has_latitude:
            raise ma.ValidationError(
                Message("without_value", "Give latitude with longitude, or neither."), "latitude"
            )
        if data.get("geo_precision") is not None and not has_latitude:
            raise ma.ValidationError(
                Message("without_value", "Only coordinates have a precision."), "geo_precision"
            )



class LocationQueryArgsSchema(query.ListArgsSchema):
    """Which locations to list, in what order and shape."""

    SORTS = query.NAME_SORTS
    format = query.format_of(("json", "geojson", "csv"))
    DEFAULT_SORT = "name"
    FIELDS = tuple(LocationSchema().fields)

    kind = query.words(LOCATION_KINDS, "Only places of this kind.", "city,town")
    country = query.one_or_more(
        f.country("An ISO 3166-1 alpha-3 code."),
        "Only places in this country (ISO 3166-1 alpha-3).",
        "AZE",
    )
    parent_id = query.uuids("Only places directly inside this location.")
    bbox = query.bbox(
        "Only places inside min_lon,min_lat,max_lon,max_lat (WGS 84); a box whose min_lon"
        " exceeds its max_lon crosses 180°. Places without coordinates never match."
    )
    near = query.near(
        "Only places within radius_km of lat,lon. Places without coordinates never match."
    )
    radius_km = query.radius_km()
    q = query.name_search("Terter")

    @ma.validates_schema
    def consistent_filters(self, data, **kwargs):
        query.check_near(data)
        query.check_export(data)
