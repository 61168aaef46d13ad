"""GET /v1/vocabularies: every controlled vocabulary, so a front end can build its pickers."""

from flask.views import MethodView

from api.web.blueprint import Blueprint
from schemas import vocabularies
from schemas.vocabularies import VocabulariesSchema

blp = Blueprint(
    "vocabularies",
    __name__,
    url_prefix="/v1/vocabularies",
    description="The controlled vocabularies records use.",
)


@blp.route("")
class Vocabularies(MethodView):
    @blp.etag
    @blp.response(200, VocabulariesSchema)
    @blp.doc(operationId="getVocabularies")
    def get(self):
        """List the controlled vocabularies."""
        return {**vocabularies.ALL, "event_modes": vocabularies.PLOVER_MODES}
