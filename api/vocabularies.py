"""GET /v1/vocabularies: every controlled vocabulary, so a front end can build its pickers."""

import marshmallow as ma
from flask.views import MethodView

from api.web.http import Blueprint
from schemas import vocabularies

blp = Blueprint(
    "vocabularies",
    __name__,
    url_prefix="/v1/vocabularies",
    description="The controlled vocabularies records use.",
)


def _word_list(description):
    return ma.fields.List(ma.fields.String(), metadata={"description": description})


class VocabulariesSchema(ma.Schema):
    """Every controlled vocabulary, by name."""

    actor_kinds = _word_list("Values of an actor's kind.")
    location_kinds = _word_list("Values of a location's kind.")
    geo_precisions = _word_list("Values of a location's geo_precision.")
    date_precisions = _word_list("Values of date_precision.")
    event_types = _word_list("PLOVER event types: values of an event's event_type.")
    event_modes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "PLOVER modes allowed for each event type."},
    )
    participant_roles = _word_list("Values of a participant's role.")
    certainties = _word_list("Values of an event's certainty.")
    statement_types = _word_list("Values of a statement's statement_type.")
    stances = _word_list("Values of a statement's stance towards an event.")


@blp.route("")
class Vocabularies(MethodView):
    @blp.etag
    @blp.response(200, VocabulariesSchema)
    def get(self):
        """List the controlled vocabularies."""
        return {**vocabularies.ALL, "event_modes": vocabularies.PLOVER_MODES}
