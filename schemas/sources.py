"""Sources: the documents records are drawn from."""

import marshmallow as ma

from schemas import fields as f
from schemas import query
from schemas.common import RecordSchema


class SourceSchema(RecordSchema):
    """A document, with its full text, that events and statements cite."""

    title = f.text("The document's title.", required=True, example="Armenia and Azerbaijan clash")
    url = f.url("Where the document is published; unique when present.", allow_none=True)
    publisher = f.text("Who published it.", allow_none=True, example="Example News")
    published_on = f.date("The day it was published.", allow_none=True, example="2020-09-30")
    language = f.language("Its language, as a BCP 47 tag.", allow_none=True)
    body = f.text(
        "The full text, byte for byte; citations point into it.",
        max_length=f.BODY_TEXT,
        required=True,
        example="Armenian and Azerbaijani forces clashed for a fourth consecutive day Wednesday",
    )
    notes = f.text(
        "Editorial notes on the document: where its title or date come from.",
        max_length=f.LONG_TEXT,
        allow_none=True,
    )



class SourceQueryArgsSchema(query.ListArgsSchema):
    """Which sources to list, in what order and shape."""

    SORTS = {
        "published_on": query.Sort("date", null="-infinity"),
        "title": query.Sort("text"),
        "created_at": query.Sort("timestamptz"),
        "updated_at": query.Sort("timestamptz"),
    }
    DEFAULT_SORT = "-published_on"
    FIELDS = tuple(SourceSchema().fields)

    publisher = query.one_or_more(
        f.text("A publisher, exactly as recorded."),
        "Only sources from this publisher, exactly as recorded.",
        "Example News",
    )
    language = query.one_or_more(
        f.language("A BCP 47 tag."), "Only sources in this language (BCP 47 tag).", "en"
    )
    url = f.url("Only the source published at exactly this URL.")
    published_from = f.date(
        "Only sources published on this day or later (undated ones never match).",
        example="2020-09-27",
    )
    published_to = f.date(
        "Only sources published on this day or earlier (undated ones never match).",
        example="2020-09-30",
    )
    q = query.search_text(
        "Full-text search (English stemming) over titles and bodies; a q that names actors"
        " or places (Terter) also finds what says their other names (Tartar).",
        "shelling Tartar",
    )

    format = query.format_of(("json", "csv"))

    @ma.validates_schema
    def consistent_filters(self, data, **kwargs):
        query.check_range(data, "published_from", "published_to")
        query.check_export(data)
