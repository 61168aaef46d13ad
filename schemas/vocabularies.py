"""The controlled vocabularies: each is an enum in the schemas and in the OpenAPI document,
and each word has a label and a definition, so a front end shows it without a table of its own.
"""

import marshmallow as ma

from schemas import plover
from schemas.plover import Term


def _terms(*terms):
    return tuple(Term(code, label, definition) for code, label, definition in terms)


def _codes(terms):
    return tuple(term.code for term in terms)


ACTOR_KIND_TERMS = _terms(
    ("state", "State", "A sovereign state as a whole."),
    (
        "government",
        "Government",
        "A government or a part of it: a head of state, a ministry, an agency.",
    ),
    ("military", "Military", "State armed forces, or a unit of them."),
    ("armed_group", "Armed group", "A non-state armed group: rebels, militias, paramilitaries."),
    (
        "international_organization",
        "International organisation",
        "An intergovernmental organisation or a body of one: the UN, the OSCE Minsk Group.",
    ),
    ("person", "Person", "One person."),
    ("media", "Media", "A news organisation or outlet."),
    (
        "population_group",
        "Population group",
        "People taken together: civilians, residents of a place, an ethnic group.",
    ),
    ("other", "Other", "Any other actor."),
)

LOCATION_KIND_TERMS = _terms(
    ("country", "Country", "A country."),
    ("region", "Region", "A region, province or district within a country, or across several."),
    ("city", "City", "A city."),
    ("town", "Town", "A town or village."),
    ("facility", "Facility", "A building or installation: a base, a plant, an airport."),
    ("airspace", "Airspace", "The airspace over a place."),
    ("frontline", "Front line", "A front line or line of contact."),
    ("area", "Area", "Any other area: a border zone, a stretch of land."),
)

# How exact a location's coordinates are.
GEO_PRECISION_TERMS = _terms(
    ("exact", "Exact", "The point itself: a building, a facility."),
    ("settlement", "Settlement", "The centre of the town or city."),
    ("region", "Region", "The centroid of the region or district."),
    ("country", "Country", "The centroid of the country."),
)

DATE_PRECISION_TERMS = _terms(
    ("day", "Day", "The dates are known to the day."),
    ("week", "Week", "The dates are known to the week."),
    ("month", "Month", "The dates are known to the month."),
    ("year", "Year", "The dates are known to the year."),
)

PARTICIPANT_ROLE_TERMS = _terms(
    ("initiator", "Initiator", "Does what the event type says: attacks, accuses, meets."),
    ("target", "Target", "Has it done to them: is attacked, accused, visited."),
    (
        "participant",
        "Participant",
        "Takes part without initiating or being targeted: a mediator, a co-signatory.",
    ),
    ("affected", "Affected", "Is affected without being targeted: civilians caught in fighting."),
)

CERTAINTY_TERMS = _terms(
    ("reported", "Reported", "The source reports it as fact."),
    ("alleged", "Alleged", "One party says so; it is not confirmed."),
    ("disputed", "Disputed", "A party denies it."),
    ("confirmed", "Confirmed", "Confirmed independently."),
)

STATEMENT_TYPE_TERMS = _terms(
    ("claim", "Claim", "States something as fact."),
    ("accusation", "Accusation", "Blames another actor for something."),
    ("denial", "Denial", "Says that something did not happen, or was not the speaker's doing."),
    ("condemnation", "Condemnation", "Condemns an act or an actor."),
    ("appeal", "Appeal", "Calls on someone to do something, or to stop."),
    ("rejection", "Rejection", "Refuses a proposal, a demand or a claim."),
    ("announcement", "Announcement", "Makes a decision or a plan known."),
    ("other", "Other", "Any other statement."),
)

STANCE_TERMS = _terms(
    ("asserts", "Asserts", "Says the event happened, as the statement tells it."),
    ("denies", "Denies", "Says the event did not happen, or not so."),
    ("condemns", "Condemns", "Condemns the event."),
    ("refers_to", "Refers to", "Mentions the event without taking a position on it."),
)

# How a source tells an event: maps, timelines and statistics count only
# ordinary events unless asked for the others (include=background,scene).
REPORTED_AS_TERMS = _terms(
    ("event", "Event", "An event the source reports: what happened, where and when it happened."),
    (
        "background",
        "Background",
        "History the source tells for context, not news of the day: a war that ended years ago.",
    ),
    (
        "scene",
        "Scene",
        "What a photo or a video shows, dated and placed where it was taken, which need not be"
        " where the violence happened: a wounded soldier carried into a hospital far from the"
        " front.",
    ),
)

# How sure the source is of who said a statement.
ATTRIBUTION_TERMS = _terms(
    ("clear", "Clear", "The source says plainly who said it."),
    (
        "doubtful",
        "Doubtful",
        "The source's words leave who said it in doubt (garbled, or at odds with the rest of"
        " the text); attribution_note says why.",
    ),
)

EVENT_TYPE_TERMS = plover.EVENT_TYPES

ACTOR_KINDS = _codes(ACTOR_KIND_TERMS)
LOCATION_KINDS = _codes(LOCATION_KIND_TERMS)
GEO_PRECISIONS = _codes(GEO_PRECISION_TERMS)
DATE_PRECISIONS = _codes(DATE_PRECISION_TERMS)
PARTICIPANT_ROLES = _codes(PARTICIPANT_ROLE_TERMS)
CERTAINTIES = _codes(CERTAINTY_TERMS)
STATEMENT_TYPES = _codes(STATEMENT_TYPE_TERMS)
STANCES = _codes(STANCE_TERMS)
REPORTED_AS = _codes(REPORTED_AS_TERMS)
# What maps and statistics leave out unless asked: every way of reporting but an event.
SET_APART = REPORTED_AS[1:]
ATTRIBUTIONS = _codes(ATTRIBUTION_TERMS)
# PLOVER event types and, for each, its modes.
PLOVER_MODES = {term.code: _codes(term.modes) for term in EVENT_TYPE_TERMS}
EVENT_TYPES = tuple(PLOVER_MODES)
EVENT_MODES = tuple(sorted({mode for modes in PLOVER_MODES.values() for mode in modes}))

# What GET /v1/vocabularies answers, by name.
TERMS = {
    "actor_kinds": ACTOR_KIND_TERMS,
    "location_kinds": LOCATION_KIND_TERMS,
    "geo_precisions": GEO_PRECISION_TERMS,
    "date_precisions": DATE_PRECISION_TERMS,
    "event_types": EVENT_TYPE_TERMS,
    "participant_roles": PARTICIPANT_ROLE_TERMS,
    "certainties": CERTAINTY_TERMS,
    "statement_types": STATEMENT_TYPE_TERMS,
    "stances": STANCE_TERMS,
    "reported_as": REPORTED_AS_TERMS,
    "attributions": ATTRIBUTION_TERMS,
}
# The codes of each vocabulary, by name; event_modes are those of each event type.
ALL = {name: _codes(terms) for name, terms in TERMS.items()}
ALL["event_modes"] = PLOVER_MODES


class TermSchema(ma.Schema):
    """A word of a vocabulary: the code records use, a label and a definition for people."""

    code = ma.fields.String(
        required=True, metadata={"description": "What records hold.", "example": "ASSAULT"}
    )
    label = ma.fields.String(
        required=True, metadata={"description": "A name to show.", "example": "Assault"}
    )
    definition = ma.fields.String(
        required=True,
        metadata={
            "description": "What it means, in a sentence or two.",
            "example": "Use of force: deliberate actions that can cause substantial physical"
            " harm to people or property.",
        },
    )


class EventTypeSchema(TermSchema):
    """A PLOVER event type, with the modes an event of that type may have."""

    modes = ma.fields.List(
        ma.fields.Nested(TermSchema),
        required=True,
        metadata={
            "description": "Its modes: how it was done (for THREATEN, what was threatened);"
            " empty when it has none."
        },
    )


def _term_list(description):
    return ma.fields.List(
        ma.fields.Nested(TermSchema), required=True, metadata={"description": description}
    )


class VocabulariesSchema(ma.Schema):
    """Every controlled vocabulary, by name: each word's code, label and definition."""

    actor_kinds = _term_list("Values of an actor's kind.")
    location_kinds = _term_list("Values of a location's kind.")
    geo_precisions = _term_list("Values of a location's geo_precision.")
    date_precisions = _term_list("Values of date_precision.")
    event_types = ma.fields.List(
        ma.fields.Nested(EventTypeSchema),
        required=True,
        metadata={
            "description": "PLOVER event types, values of an event's event_type, each with"
            " its modes (values of mode)."
        },
    )
    participant_roles = _term_list("Values of a participant's role.")
    certainties = _term_list("Values of an event's certainty.")
    statement_types = _term_list("Values of a statement's statement_type.")
    stances = _term_list("Values of a statement's stance towards an event.")
    reported_as = _term_list(
        "Values of an event's reported_as: how the source tells it. Maps, timelines and"
        " statistics leave all but event out unless asked (include)."
    )
    attributions = _term_list("Values of a statement's attribution.")
    attribution = ma.fields.String(
        required=True,
        metadata={
            "description": "Where the definitions come from, and under what licence.",
            "example": plover.ATTRIBUTION,
        },
    )
