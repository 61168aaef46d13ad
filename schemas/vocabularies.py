"""The controlled vocabularies: each is an enum in the schemas and in the OpenAPI document."""

import marshmallow as ma

ACTOR_KINDS = (
    "state",
    "government",
    "military",
    "armed_group",
    "international_organization",
    "person",
    "media",
    "population_group",
    "other",
)

LOCATION_KINDS = (
    "country",
    "region",
    "city",
    "town",
    "facility",
    "airspace",
    "frontline",
    "area",
)

# How exact a location's coordinates are.
GEO_PRECISIONS = (
    "exact",  # the point itself: a building, a facility
    "settlement",  # the centre of a town or city
    "region",  # the centroid of a region or district
    "country",  # the centroid of a country
)

DATE_PRECISIONS = ("day", "week", "month", "year")

# PLOVER event types and, for each, its modes, spelled as PLOVER spells them
# (openeventdata/PLOVER; the modes of the violent types as POLECAT codes them).
PLOVER_MODES = {
    "AGREE": (),
    "CONSULT": ("visit", "third-party", "multilateral", "phone"),
    "SUPPORT": (),
    "CONCEDE": (),
    "COOPERATE": (),
    "AID": ("economic", "military", "humanitarian", "asylum"),
    "RETREAT": ("withdraw", "release", "return", "disarm", "ceasefire", "access", "resign"),
    "REQUEST": ("assist", "change", "yield", "meet"),
    "ACCUSE": ("disapprove", "investigate", "allege"),
    "REJECT": ("assist", "change", "yield", "meet"),
    "THREATEN": ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    "PROTEST": ("demo", "riot", "strike", "hunger", "boycott", "obstruct"),
    "SANCTION": ("convict", "cancel", "expel", "withdraw", "sever"),
    "MOBILIZE": ("troops", "weapons", "police", "militia"),
    "COERCE": (
        "seize",
        "restrict",
        "arrest",
        "deport",
        "withhold",
        "cyber",
        "censor",
        "curfew",
        "martial-law",
        "misinformation",
    ),
    "ASSAULT": (
        "abduct",
        "beat",
        "torture",
        "sexual",
        "destroy",
        "primitive",
        "firearms",
        "explosives",
        "suicide-attack",
        "heavy-weapons",
        "aerial",
        "drone",
        "targeted",
        "unconventional",
        "crowd-control",
    ),
}
EVENT_TYPES = tuple(PLOVER_MODES)
EVENT_MODES = tuple(sorted({mode for modes in PLOVER_MODES.values() for mode in modes}))

PARTICIPANT_ROLES = ("initiator", "target", "participant", "affected")

CERTAINTIES = (
    "reported",  # the source reports it as fact
    "alleged",  # one party says so; not confirmed
    "disputed",  # a party denies it
    "confirmed",  # independently confirmed
)

STATEMENT_TYPES = (
    "claim",
    "accusation",
    "denial",
    "condemnation",
    "appeal",
    "rejection",
    "announcement",
    "other",
)

STANCES = ("asserts", "denies", "condemns", "refers_to")

ALL = {
    "actor_kinds": ACTOR_KINDS,
    "location_kinds": LOCATION_KINDS,
    "geo_precisions": GEO_PRECISIONS,
    "date_precisions": DATE_PRECISIONS,
    "event_types": EVENT_TYPES,
    "event_modes": EVENT_MODES,
    "participant_roles": PARTICIPANT_ROLES,
    "certainties": CERTAINTIES,
    "statement_types": STATEMENT_TYPES,
    "stances": STANCES,
}


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
