"""The exceptions the data layer raises, and which field each constraint of the schema names.

api/web/problems.py answers them, and the database's own errors, as problem details.
"""

# Constraint name -> the field a client should fix.
CONSTRAINT_FIELDS = {
    "sources_url_key": "url",
    "actors_parent_id_fkey": "parent_id",
    "actors_parent_not_self": "parent_id",
    "locations_parent_id_fkey": "parent_id",
    "locations_parent_not_self": "parent_id",
    "locations_coordinates_paired": "latitude",
    "locations_latitude_range": "latitude",
    "locations_longitude_range": "longitude",
    "events_location_id_fkey": "location_id",
    "events_dates_ordered": "end_date",
    "events_fatalities_ordered": "fatalities.high",
    "events_injuries_ordered": "injuries.high",
    "event_participants_actor_id_fkey": "participants",
    "event_participants_once": "participants",
    "statements_speaker_id_fkey": "speaker_id",
    "statements_attribution_note_doubtful": "attribution_note",
    "statement_addressees_actor_id_fkey": "addressee_ids",
    "statement_addressees_once": "addressee_ids",
    "statement_events_event_id_fkey": "events",
    "statement_events_once": "events",
    "citations_source_id_fkey": "citations",
    "citations_event_report_fkey": "citations",
    "citations_statement_report_fkey": "citations",
    "events_fatalities_estimate": "fatalities",
    "events_injuries_estimate": "injuries",
    "reports_source_id_fkey": "reports",
    "reports_location_id_fkey": "reports",
    "reports_event_source_key": "reports",
    "reports_statement_source_key": "reports",
    "reports_fatalities_estimate": "reports",
    "reports_injuries_estimate": "reports",
    "api_tokens_active_name_key": "name",
}


class InvalidInput(Exception):
    """Input that passed the schema but not the database's facts: 422.

    `errors` maps dotted field paths to messages, as schema errors do;
    `detail`, when given, says more than the list of fields.
    """

    def __init__(self, errors, detail=None):
        super().__init__(errors)
        self.errors = errors
        self.detail = detail


class StillReferenced(Exception):
    """A record that others still refer to cannot be deleted: 409."""

    def __init__(self, kind, referrers):
        super().__init__(kind, referrers)
        self.kind = kind
        self.referrers = referrers


class Conflict(Exception):
    """A write that the records as they are refuse (a merge of a deleted event): 409.

    `errors` maps dotted field paths to messages; `extensions`, more members of
    the problem (what conflicts).
    """

    def __init__(self, detail, errors=None, **extensions):
        super().__init__(detail, errors)
        self.detail = detail
        self.errors = errors
        self.extensions = extensions


class NamesTaken(Exception):
    """A new actor's or place's name or alias that records of its kind have already: 409.

    `taken` are those records: id, name, and the name or alias that matched.
    """

    def __init__(self, kind, table, taken):
        super().__init__(kind, taken)
        self.kind = kind
        self.table = table
        self.taken = taken
