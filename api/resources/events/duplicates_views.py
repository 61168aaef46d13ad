"""Same event over HTTP: /v1/events/{event_id}/similar and /v1/events/{event_id}/merge."""

from flask.views import MethodView

from api.resources.events import duplicates_store
from api.resources.events import store as events
from api.store import render
from api.store.database import get_db
from api.store.errors import Conflict
from api.web.auth import author
from api.web.views import _operation, missing
from schemas import forms
from schemas.codes import Message
from schemas.duplicates import EventMergeSchema, SimilarArgsSchema, SimilarEventSchema
from schemas.events import EventSchema


def register(blp):
    """Register the views of duplicates on the events' blueprint."""

    def similar(self, args, event_id):
        """List the events that may be this one told again, most alike first.

        A candidate has the same event type, dates that overlap (or a day
        apart: sources date one event differently), and shares a place with
        the event (the same, one containing the other, or within radius_km)
        or an actor taking part. Each comes with a score from 0 to 1 and the
        reasons it matched, a code and words for each. An event with neither a
        location nor participants has no candidates. Merge the duplicates with
        POST /v1/events/{event_id}/merge.
        """
        with get_db().transaction() as conn:
            page = duplicates_store.similar(conn, event_id, args)
            if page is None:
                missing(conn, events.RECORD, event_id)
        return blp.json_page(page)

    def merge(self, request, event_id):
        """Merge duplicates into this event, and answer it as it then is.

        Their participants join this event's (each once), and so do their
        reports, one per source (a source reporting both keeps one report
        with the quotes of both; where this event's report is silent, the
        other's words fill it). The statements about them come to be about
        this event (each link once: a statement that takes different stances
        towards the events merged needs its stance chosen in `stances`, else
        409). A field this event lacks (summary, mode, location) is taken from
        them; their notes, and their summaries where they differ, are added
        to this event's notes, each under the event it came from. The figures
        are derived again from the reports, or, when any of the events had
        them set by hand, stay set by hand, derived by the same rule from the
        events' own. The events merged are then deleted: their ids answer 308
        to this event, /v1/deletions lists them with `merged_into`, and their
        last revision (operation merge) holds each as it was. This event's
        history records the merge (operation merge, and `merge` naming the
        events). All or nothing, in one transaction. If-Match is compared
        with this event.
        """
        with get_db().transaction() as conn:
            try:
                body = duplicates_store.merge(
                    conn,
                    event_id,
                    request,
                    author(),
                    lambda current: blp.check_etag_of_body(lambda: current),
                )
            except duplicates_store.SurvivorGone:
                into, deleted = duplicates_store.survivor_gone(conn, event_id)
                if into is None and deleted:
                    raise Conflict(
                        f"The event {event_id} was deleted: restore it (its revisions) before"
                        " merging others into it.",
                        {"event_id": [Message("deleted", "This event was deleted.")]},
                    ) from None
                missing(conn, events.RECORD, event_id)
        return render.response(body)

    sent = forms.sent(EventSchema)
    similar = blp.listing()(similar)
    similar = blp.errors(308, 404)(similar)
    similar = blp.doc(operationId="listSimilarEvents")(similar)
    similar = blp.response(200, SimilarEventSchema(many=True))(similar)
    similar = blp.arguments(SimilarArgsSchema, location="query", as_kwargs=False)(similar)
    blp.route("/<uuid:event_id>/similar")(
        type("SimilarEvents", (MethodView,), {"get": blp.etag(similar)})
    )
    merge = blp.doc(parameters=["IF_MATCH"], operationId="mergeEvents")(
        _operation(blp, merge, EventMergeSchema, 200, (308, 404, 409, 412, 422, 428), sent)
    )
    blp.route("/<uuid:event_id>/merge")(type("EventMerge", (MethodView,), {"post": merge}))
