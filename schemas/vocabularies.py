"""The controlled vocabularies: each is an enum in the schemas and in the OpenAPI document."""

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
