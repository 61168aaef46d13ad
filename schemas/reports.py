"""Reports: what each source says of an event or a statement, and the rule that makes an
event's figures from its reports.

A record is reported by one or more sources; each report holds its source,
its quotes, and for an event what that source says (dates, place, fatalities
and injuries, certainty). `citations`, the flat list of every report's
quotes, is what clients wrote before reports existed: it is still served,
derived from the reports, and still taken on a write (ReportedSchema).
"""

import marshmallow as ma
from marshmallow import fields

from schemas import fields as f
from schemas.codes import Message
from schemas.common import (
    EstimateSchema,
    LocationSummarySchema,
    QuoteSchema,
    SourceSummarySchema,
)
from schemas.vocabularies import CERTAINTIES, DATE_PRECISIONS

FIGURES = ("fatalities", "injuries")

# The rule, said once: the schema's descriptions, the docs and the code follow it.
FIGURES_RULE = (
    "Unless figures_set_by_hand, an event's fatalities and injuries are derived from its"
    " reports, as UCDP GED keeps low, best and high estimates, taking every source as"
    " credible: low is the highest of the reports' lows (each source's floor holds); high"
    " is the highest of their highs, or null (no upper bound) when a report with figures"
    " gives none; best is the highest of their bests, raised to low when below it, or null"
    " when no report gives one. The civilian share follows the same rule over the reports"
    " that give one. Reports without figures are left out; with none, the figures are null."
)


def derive(estimates, *, civilians=True):
    """The estimate FIGURES_RULE makes of the reports' `estimates` (None where a report
    gives none), with its civilian share if `civilians`; None when none gives one."""
    given = [estimate for estimate in estimates if estimate is not None]
    if not given:
        return None
    low = max(estimate["low"] for estimate in given)
    highs = [estimate.get("high") for estimate in given]
    bests = [estimate["best"] for estimate in given if estimate.get("best") is not None]
    derived = {
        "low": low,
        "best": max(max(bests), low) if bests else None,
        "high": None if None in highs else max(highs),
    }
    if civilians:
        derived["civilians"] = derive(
            [estimate.get("civilians") for estimate in given], civilians=False
        )
    return derived


def derived_figures(reports):
    """An event's fatalities and injuries from its `reports`, by FIGURES_RULE."""
    return {name: derive([report.get(name) for report in reports]) for name in FIGURES}


class StatementReportSchema(ma.Schema):
    """A source that reports a statement, and its quotes."""

    class Meta:
        unknown = ma.RAISE

    source_id = f.identifier("The source; each source reports a record once.", required=True)
    source = f.nested(SourceSummarySchema, "The source, summarised.", dump_only=True)
    quotes = fields.List(
        fields.Nested(QuoteSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=100),
        metadata={
            "description": "Its evidence, verbatim: the server finds each quote in the"
            " source's body (422 when it is not there)."
        },
    )


class EventReportSchema(StatementReportSchema):
    """A source that reports an event: its quotes, and what it says (each optional)."""

    start_date = f.date("The first day it happened, as this source says.", allow_none=True)
    end_date = f.date(
        "The last day it happened, as this source says; start_date when left out.",
        allow_none=True,
    )
    date_precision = f.one_of(
        DATE_PRECISIONS,
        "How exactly this source dates it; day when a start_date is given without it.",
        allow_none=True,
    )
    location_id = f.identifier("Where it happened, as this source says.", allow_none=True)
    location = f.nested(
        LocationSummarySchema, "That place, summarised.", dump_only=True, allow_none=True
    )
    certainty = f.one_of(
        CERTAINTIES, "How far this source establishes that it happened.", allow_none=True
    )
    fatalities = f.nested(EstimateSchema, "People killed, as this source says.", allow_none=True)
    injuries = f.nested(EstimateSchema, "People injured, as this source says.", allow_none=True)

    @ma.validates_schema
    def dated(self, data, partial=False, **kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if end is not None and start is None:
            raise ma.ValidationError(Message("without_value", "Needs start_date."), "end_date")
        if data.get("date_precision") is not None and start is None:
            raise ma.ValidationError(
                Message("without_value", "Only a date has a precision."), "date_precision"
            )
        if start is not None and end is not None and end < start:
            raise ma.ValidationError(
                Message("before_start", "Must not be before start_date."), "end_date"
            )

    @ma.post_load
    def complete(self, data, partial=False, **kwargs):
        if partial:
            return data
        # A report says what it says: every field is there, null when it is silent.
        for name in self.load_fields:
            data.setdefault(name, None)
        if data["start_date"] is not None:
            data["end_date"] = data["end_date"] or data["start_date"]
            data["date_precision"] = data["date_precision"] or "day"
        return data


def _quotes_by_source(pairs):
    """{source_id: [quote, ...]} of (source_id, quote) pairs, in order."""
    grouped = {}
    for source_id, quote in pairs:
        grouped.setdefault(source_id, []).append(quote)
    return grouped


class ReportedSchema(ma.Schema):
    """A record reported by sources: `reports`, and `citations`, the flat list of their quotes.

    A write gives either (or both, as a record is read: then they must quote
    the same). Loaded (its schema's post_load calls reported()), a record has
    both: reports (each quote with `position`, its place in the flat list) and
    citations; `reports_from_citations` is set when the client gave citations
    only, so that the store may keep what each source's stored report says
    besides its quotes.
    """

    # A PATCH giving one of these replaces the other too (api/web/patch.py).
    PATCH_REPLACES = {"reports": ("citations",), "citations": ("reports",)}

    @ma.validates_schema
    def reports_agree(self, data, partial=False, **kwargs):
        if partial:
            return
        reports = data.get("reports")
        if reports is None:
            return
        seen = set()
        for index, report in enumerate(reports):
            if report["source_id"] in seen:
                listed = Message("duplicate", "This source already has a report here.")
                raise ma.ValidationError({str(index): {"source_id": [listed]}}, "reports")
            seen.add(report["source_id"])
        citations = data.get("citations")
        if citations is not None and _quotes_by_source(
            (c["source_id"], c["quote"]) for c in citations
        ) != _quotes_by_source(
            (report["source_id"], q["quote"]) for report in reports for q in report["quotes"]
        ):
            raise ma.ValidationError(
                Message(
                    "disagrees_with_reports",
                    "Not the quotes of reports: send reports or citations, or both as read.",
                ),
                "citations",
            )

    def reported(self, data):
        """Complete a loaded record's reports and citations (its schema's post_load calls it)."""
        citations = data.get("citations")
        if data.get("reports") is None:
            data["reports"] = self._reports_of(citations or [])
            data["reports_from_citations"] = citations is not None
        if citations is None:
            citations = [
                {"source_id": report["source_id"], "quote": quote["quote"]}
                for report in data["reports"]
                for quote in report["quotes"]
            ]
        # Each quote's place in the flat list: the citations' order when given.
        places = {}
        for position, citation in enumerate(citations):
            places.setdefault((citation["source_id"], citation["quote"]), []).append(position)
        for report in data["reports"]:
            for quote in report["quotes"]:
                quote["position"] = places[(report["source_id"], quote["quote"])].pop(0)
        data["citations"] = citations
        return data

    def _reports_of(self, citations):
        """The reports citations make: one per source, in the order each was first quoted."""
        empty = dict.fromkeys(self.fields["reports"].inner.schema.load_fields)
        reports = {}
        for citation in citations:
            report = reports.setdefault(
                citation["source_id"], {**empty, "source_id": citation["source_id"], "quotes": []}
            )
            report["quotes"].append({"quote": citation["quote"]})
        return list(reports.values())
