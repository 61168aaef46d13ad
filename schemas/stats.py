"""Aggregates over events: a timeline for charts and initiator→target pairs for network views."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas.common import ActorSummarySchema
from schemas.events import EventFiltersSchema

INTERVALS = ("day", "week", "month", "year")
SPLITS = ("event_type", "certainty", "mode")


class TimelineArgsSchema(EventFiltersSchema):
    """Which events to count, and how to bucket them."""

    interval = fields.String(
        load_default="day",
        validate=validate.OneOf(INTERVALS),
        metadata={
            "description": "The bucket: day, week (from Monday), month or year.",
            "example": "week",
        },
    )
    split = fields.String(
        validate=validate.OneOf(SPLITS),
        metadata={
            "description": "Count each bucket by this field as well.",
            "example": "event_type",
        },
    )
    fatalities = fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: each period, and the whole, also sums the deaths of its"
            " events (low, best, high). Counted from the events themselves, so slower for"
            " an actor filter alone.",
            "example": True,
        },
    )


class FatalitiesSumSchema(ma.Schema):
    """The deaths of some events, added up: each estimate summed over the events that have one."""

    low = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The low estimates, summed."}
    )
    best = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The best estimates of the events that have one, summed; null when"
            " none has (a source that gives only a range gives no best)."
        },
    )
    high = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The high estimates, summed."}
    )
    events = fields.Integer(
        required=True,
        metadata={"description": "The events with an estimate of deaths among those counted."},
    )


class TimelineBucketSchema(ma.Schema):
    """The events that began in one period."""

    period = fields.Date(required=True, metadata={"description": "The first day of the period."})
    count = fields.Integer(
        required=True, metadata={"description": "Events that began in the period."}
    )
    by = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "With split: the count for each value of the split field.",
            "example": {"ASSAULT": 3, "REQUEST": 1},
        },
    )
    fatalities = fields.Nested(
        FatalitiesSumSchema,
        metadata={"description": "With fatalities=true: the deaths of its events, summed."},
    )


class TimelineSchema(ma.Schema):
    """Counts of events per period, every period from the first to the last present."""

    interval = fields.String(required=True, metadata={"description": "The bucket asked for."})
    split = fields.String(
        allow_none=True, required=True, metadata={"description": "The split asked for."}
    )
    total = fields.Integer(
        required=True,
        metadata={"description": "All events counted: the sum of the buckets."},
    )
    buckets = fields.List(
        fields.Nested(TimelineBucketSchema),
        required=True,
        metadata={"description": "The periods, in order."},
    )
    fatalities = fields.Nested(
        FatalitiesSumSchema,
        metadata={"description": "With fatalities=true: the deaths of all events, summed."},
    )


class InteractionsArgsSchema(EventFiltersSchema):
    """Which events to count, and how many pairs to return."""

    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "The most pairs to return, busiest first.", "example": 100},
    )


class InteractionSchema(ma.Schema):
    """An initiator, a target, and how many events link them."""

    initiator = fields.Nested(
        ActorSummarySchema, required=True, metadata={"description": "Who acted."}
    )
    target = fields.Nested(
        ActorSummarySchema, required=True, metadata={"description": "Who was acted on."}
    )
    events = fields.Integer(
        required=True, metadata={"description": "Events with this initiator and target."}
    )
    fatalities = fields.Nested(
        FatalitiesSumSchema,
        required=True,
        metadata={"description": "The deaths of those events, summed."},
    )


class InteractionsSchema(ma.Schema):
    """Initiator→target pairs with event counts, for network views."""

    pairs = fields.List(
        fields.Nested(InteractionSchema),
        required=True,
        metadata={"description": "Busiest pairs first."},
    )
