"""GET /v1/vocabularies: every controlled vocabulary, so a front end can build its pickers."""

from flask.views import MethodView

from api.web.blueprint import Blueprint
from schemas import plover, vocabularies
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
        """List the controlled vocabularies: each word's code, label and definition."""
        return {**vocabularies.TERMS, "attribution": plover.ATTRIBUTION}
