"""Errors: the exceptions the data layer raises, and their translation into problem details.

Database errors are translated here and nowhere else.
"""

import logging

import marshmallow as ma
import psycopg
from psycopg import errors as pg
from psycopg_pool import PoolTimeout

from api.web.problems import problem, validation_problem
from api.web.requests import RepeatedKey
from schemas.codes import Message

log = logging.getLogger(__name__)

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
    "statement_addressees_actor_id_fkey": "addressee_ids",
    "statement_addressees_once": "addressee_ids",
    "statement_events_event_id_fkey": "events",
    "statement_events_once": "events",
    "citations_source_id_fkey": "citations",
    "api_tokens_active_name_key": "name",
}

# A database that is down or restarting: clients should retry shortly.
RETRY_AFTER_SECONDS = "5"


class InvalidInput(Exception):
    """Input that passed the schema but not the database's facts: 422.

    `errors` maps dotted field paths to messages, as schema errors do.
    """

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class StillReferenced(Exception):
    """A record that others still refer to cannot be deleted: 409."""

    def __init__(self, kind, referrers):
        super().__init__(kind, referrers)
        self.kind = kind
        self.referrers = referrers


def _field(error):
    return CONSTRAINT_FIELDS.get(error.diag.constraint_name or "", "_schema")


def register(app):
    """Install the translation of errors into problem details on `app`."""

    @app.errorhandler(ma.ValidationError)
    def schema_error(error):
        return validation_problem(error.normalized_messages())

    @app.errorhandler(RepeatedKey)
    def repeated_key(error):
        return error.problem()

    @app.errorhandler(InvalidInput)
    def invalid_input(error):
        return validation_problem(error.errors)

    @app.errorhandler(StillReferenced)
    def still_referenced(error):
        count = len(error.referrers)
        return problem(
            409,
            f"This {error.kind} is still referred to by {count} record"
            f"{'s' if count != 1 else ''}; change or delete those first.",
            kind="still-referenced",
            referrers=error.referrers,
        )

    @app.errorhandler(pg.UniqueViolation)
    def unique_violation(error):
        field = _field(error)
        return problem(
            409,
            f"Another record already has this {field}.",
            kind="already-exists",
            errors={field: [Message("taken", "Already taken by another record.")]},
        )

    @app.errorhandler(pg.ForeignKeyViolation)
    def foreign_key_violation(error):
        field = _field(error)
        if field == "_schema":
            # Raised by a DELETE racing an insert that refers to the record.
            return problem(
                409, "The record is referred to by another record.", kind="still-referenced"
            )
        return validation_problem(
            {field: [Message("not_found", "Refers to a record that does not exist.")]}
        )

    @app.errorhandler(pg.CheckViolation)
    def check_violation(error):
        return validation_problem(
            {_field(error): [Message("data_rule", "Violates a rule of the data model.")]}
        )

    @app.errorhandler(pg.DataError)
    def data_error(error):
        # A value the schemas let through but PostgreSQL cannot store.
        return problem(422, "A value cannot be stored: " + (error.diag.message_primary or ""))

    @app.errorhandler(pg.ProgramLimitExceeded)
    def too_large(error):
        # An OperationalError by class, but a fault of the input, not of the database.
        return problem(
            422, "A value is too large to store or search: " + (error.diag.message_primary or "")
        )

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        log.warning("database unavailable: %s", error)
        return problem(
            503,
            "The database is not available; retry shortly.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", app.name, error.__class__.__name__)
        return problem(500, "An unexpected error occurred; it has been logged.")
