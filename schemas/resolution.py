"""Entity resolution on the wire: the flag that creates a record despite a taken name,
and /match, the records a name may mean."""

import marshmallow as ma
from marshmallow import fields, validate

from schemas import fields as f

MAX_CANDIDATES = 50


class ResolveArgsSchema(ma.Schema):
    """The query of a write of an actor or a place."""

    class Meta:
        unknown = ma.RAISE

    allow_duplicate = fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: write the record even if another of its kind has one of its"
            " names or aliases already (ignoring case, accents, punctuation and spacing);"
            " otherwise such a write answers 409 name-taken, listing those records.",
            "example": False,
        },
    )


def match_args(kinds, name_example):
    """The query of /match for records of `kinds` (their vocabulary)."""

    class MatchArgsSchema(ma.Schema):
        class Meta:
            unknown = ma.RAISE

        name = f.text(
            "The name to resolve: compared with every name and alias, ignoring case,"
            " accents, punctuation and spacing, then by trigram similarity. Countries it"
            " names, by name or demonym (Armenia, Armenian), count: a record of another"
            " country ranks lower, one of that country higher.",
            required=True,
            example=name_example,
        )
        kind = f.one_of(kinds, "Only records of this kind.", example=kinds[0])
        country = f.country(
            "A country the record is of (ISO 3166-1 alpha-3), counted as if the name said it."
        )
        parent_id = f.identifier(
            "Only records directly inside this one.",
            example="9aacaccd-dc05-56c6-827b-c8ad46d81d32",
        )
        limit = fields.Integer(
            load_default=10,
            validate=validate.Range(min=1, max=MAX_CANDIDATES),
            metadata={"description": f"Candidates, at most {MAX_CANDIDATES}.", "example": 10},
        )
        min_score = fields.Float(
            load_default=0.15,
            validate=validate.Range(min=0, max=1),
            metadata={"description": "Only candidates scoring at least this.", "example": 0.15},
        )

    return MatchArgsSchema


class CandidateSchema(ma.Schema):
    """A record a name may mean."""

    id = f.identifier("Its id.", required=True)
    name = fields.String(required=True, metadata={"description": "Its name."})
    kind = fields.String(required=True, metadata={"description": "Its kind."})
    country = fields.String(
        required=True, allow_none=True, metadata={"description": "Its country, if any."}
    )
    parent_id = f.identifier("What it belongs to or lies in, if anything.", allow_none=True)
    matched_name = fields.String(
        required=True,
        metadata={"description": "Its name or alias that matched best.", "example": "Terter"},
    )
    exact = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether matched_name is the name asked for, ignoring case, accents,"
            " punctuation and spacing (a write of that name answers 409)."
        },
    )
    score = fields.Float(
        required=True,
        metadata={
            "description": "1 for an exact match; otherwise the trigram similarity of the"
            " names (0 to 1), raised toward 1 by 30% for a record of a country the name"
            " mentions and halved for one of another country.",
            "example": 0.52,
        },
    )
    href = fields.String(required=True, metadata={"description": "Its path."})


class MatchSchema(ma.Schema):
    """The records a name may mean, best first."""

    name = fields.String(required=True, metadata={"description": "The name asked for."})
    countries = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "The countries the name (or country) was read to mention, ISO"
            " 3166-1 alpha-3: those that moved the scores.",
            "example": ["ARM"],
        },
    )
    candidates = fields.List(
        fields.Nested(CandidateSchema),
        required=True,
        metadata={"description": "The records the name may mean, best first."},
    )
