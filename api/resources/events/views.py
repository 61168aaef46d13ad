"""Events over HTTP: /v1/events, /v1/events/{event_id}, its similar events and merge,
and the events of an actor or a place."""

from api.resources.actors.store import RECORD as ACTOR
from api.resources.events import duplicates_views, store
from api.resources.locations.store import RECORD as LOCATION
from api.web.blueprint import Blueprint
from api.web.views import record_views, related_views
from schemas.events import EventQueryArgsSchema, EventSchema

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="What happened, when, where, to whom, and on whose word.",
)
FORMATS = ("json", "geojson", "csv")
GEOMETRY = ("location", lambda event: event.get("location"))

record_views(
    blp,
    store,
    schema=EventSchema,
    args_schema=EventQueryArgsSchema,
    docs={
        "list": """List events, latest first, filtered, searched and sorted as asked.

        ---
        Also GeoJSON (format=geojson or Accept: application/geo+json), which
        leaves out events reported as background or scenes unless include asks
        for them, and a streamed CSV export of every match (format=csv or
        Accept: text/csv).
        """,
        "create": "Create an event with its participants and citations.",
        "get": "Get an event.",
        "replace": "Replace an event, its participants and its citations.",
        "change": "Change some fields of an event; a list given replaces the whole list.",
        "delete": "Delete an event that no statement is about.",
    },
    allowed=FORMATS,
    geometry=GEOMETRY,
)
duplicates_views.register(blp)

# Events seen from another record: /v1/actors/{id}/events, /v1/locations/{id}/events.
related_blp = Blueprint(
    "related_events",
    __name__,
    url_prefix="/v1",
    description="The events of an actor or a place.",
)
for rule, name, parent, where, doc in (
    (
        "/actors/<uuid:actor_id>/events",
        "ActorEvents",
        ACTOR,
        store.of_actor,
        "List the events an actor takes part in; takes the filters of /v1/events.",
    ),
    (
        "/locations/<uuid:location_id>/events",
        "LocationEvents",
        LOCATION,
        store.at_location,
        "List the events at a place or anywhere inside it; takes the filters of /v1/events.",
    ),
):
    related_views(
        related_blp,
        rule,
        name,
        parent=parent,
        record=store.RECORD,
        schema=EventSchema,
        args_schema=EventQueryArgsSchema,
        doc=doc,
        where=where,
        allowed=FORMATS,
        geometry=GEOMETRY,
    )
