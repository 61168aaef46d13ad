"""Aggregates over HTTP: /v1/stats/timeline and /v1/stats/interactions."""

from flask.views import MethodView

from api.resources.stats.store import interactions, timeline
from api.store.database import get_db
from api.web.blueprint import Blueprint
from schemas.stats import (
    InteractionsArgsSchema,
    InteractionsSchema,
    TimelineArgsSchema,
    TimelineSchema,
)

blp = Blueprint(
    "stats",
    __name__,
    url_prefix="/v1/stats",
    description="Counts of events over time and between actors, for charts and networks.",
)


@blp.route("/timeline")
class Timeline(MethodView):
    @blp.etag
    @blp.arguments(TimelineArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, TimelineSchema)
    @blp.doc(operationId="getTimeline")
    def get(self, args):
        """Count events per day, week, month or year; takes the filters of /v1/events.

        ---
        Events are counted in the period their start_date falls in; periods
        with no events between the first and the last are included with 0.
        Events reported as background or scenes are left out unless include
        (or a reported_as filter) asks for them.
        """
        with get_db().transaction() as conn:
            return timeline(conn, args)


@blp.route("/interactions")
class Interactions(MethodView):
    @blp.etag
    @blp.arguments(InteractionsArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, InteractionsSchema)
    @blp.doc(operationId="getInteractions")
    def get(self, args):
        """List initiator→target actor pairs with their event counts; takes the event filters.

        Events reported as background or scenes are left out unless include
        (or a reported_as filter) asks for them.
        """
        with get_db().transaction() as conn:
            return interactions(conn, args)
