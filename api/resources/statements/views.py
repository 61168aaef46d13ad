"""Statements over HTTP: /v1/statements, /v1/statements/{statement_id}, and related lists."""

from api.resources.actors.store import RECORD as ACTOR
from api.resources.events.store import RECORD as EVENT
from api.resources.statements import store
from api.web.blueprint import Blueprint
from api.web.views import record_views, related_views
from schemas.statements import StatementQueryArgsSchema, StatementSchema

blp = Blueprint(
    "statements",
    __name__,
    url_prefix="/v1/statements",
    description="What actors said: claims, accusations, denials, appeals and quotes.",
)
FORMATS = ("json", "csv")

record_views(
    blp,
    store,
    schema=StatementSchema,
    args_schema=StatementQueryArgsSchema,
    docs={
        "list": """List statements, latest first, filtered, searched and sorted as asked.

        ---
        Also a streamed CSV export of every match (format=csv or Accept: text/csv).
        """,
        "create": "Create a statement with its addressees, events and citations.",
        "get": "Get a statement.",
        "replace": "Replace a statement, its addressees, events and citations.",
        "change": "Change some fields of a statement; a list given replaces the whole list.",
        "delete": "Delete a statement.",
    },
    # Nothing refers to a statement: its delete is never refused (no 409).
    errors={"delete": (404, 412)},
    allowed=FORMATS,
)

# Statements seen from another record: /v1/events/{id}/statements, /v1/actors/{id}/statements.
related_blp = Blueprint(
    "related_statements",
    __name__,
    url_prefix="/v1",
    description="The statements about an event or made by an actor.",
)
for rule, name, parent, where, doc in (
    (
        "/events/<uuid:event_id>/statements",
        "EventStatements",
        EVENT,
        store.about_event,
        """List the statements about an event; takes the filters of /v1/statements.

        ---
        With stance, only statements taking that stance towards this event.
        """,
    ),
    (
        "/actors/<uuid:actor_id>/statements",
        "ActorStatements",
        ACTOR,
        store.made_by,
        "List the statements an actor made; takes the filters of /v1/statements.",
    ),
):
    related_views(
        related_blp,
        rule,
        name,
        parent=parent,
        record=store.RECORD,
        schema=StatementSchema,
        args_schema=StatementQueryArgsSchema,
        doc=doc,
        where=where,
        allowed=FORMATS,
    )
