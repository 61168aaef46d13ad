"""GET /problems and /problems/{kind}: what each kind of problem means, at its type's URI."""

from flask.views import MethodView

from api.web.blueprint import Blueprint
from api.web.problems import not_found
from schemas.problems import KINDS, ProblemTypeSchema

blp = Blueprint(
    "problems",
    __name__,
    url_prefix="/problems",
    description="The kinds of problem an error answer may carry: each answers at its type.",
)


def explained(kind):
    return {
        "type": kind.type,
        "status": kind.status,
        "title": kind.title,
        "description": kind.description,
    }


@blp.route("")
class ProblemTypes(MethodView):
    @blp.etag
    @blp.response(200, ProblemTypeSchema(many=True))
    @blp.doc(operationId="listProblemTypes")
    def get(self):
        """List the kinds of problem, with what each means."""
        return [explained(kind) for kind in KINDS.values()]


@blp.route("/<kind>")
class ProblemType(MethodView):
    @blp.etag
    @blp.response(200, ProblemTypeSchema)
    @blp.errors(404)
    @blp.doc(operationId="getProblemType")
    def get(self, kind):
        """Explain a kind of problem: the answer at a problem's type."""
        if kind not in KINDS:
            not_found("kind of problem", kind)
        return explained(KINDS[kind])
