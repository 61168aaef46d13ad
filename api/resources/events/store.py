"""Events in PostgreSQL: the Record, its filters, and a write with participants and citations."""

import uuid

from psycopg import sql

from api.resources.actors import store as actors
from api.resources.events.profiles import PROFILES
from api.resources.locations import store as locations
from api.store import geo, render, reports
from api.store.citations import citations_json
from api.store.query import Conditions, Driver
from api.store.record import Member, Record, column, columns, embedded, estimate, joined
from api.store.references import Problems, check_exist, touch_embedders
from api.store.search import TextSearch, Tie
from schemas.events import EventQueryArgsSchema
from schemas.vocabularies import SET_APART

# What statements embed of an event.
SUMMARY_FIELDS = ("title", "event_type", "start_date", "certainty")

# The actor filters: which participants an event must have, by parameter.
PARTICIPANT_FILTERS = {
    "actor_id": "p.actor_id = ANY(%(actor_id)s)",
    "initiator_id": "p.actor_id = ANY(%(initiator_id)s) AND p.role = 'initiator'",
    "target_id": "p.actor_id = ANY(%(target_id)s) AND p.role = 'target'",
}
# A participant carries its event's dates (migration 0005), so that an actor's
# events in a date range come from one index, event_participants_actor_dates_idx,
# rather than from all of the actor's events checked against their dates.
PARTICIPANT_DATES = (
    "daterange(p.start_date, p.end_date, '[]')"
    " && daterange(%(date_from)s::date, %(date_to)s::date, '[]')"
)
IN_AREA = "e.location_id IN (SELECT l.id FROM locations l WHERE {})"
# What maps and statistics leave out (left_out): the few events reported
# otherwise, found by the partial index events_set_apart_idx and left out by
# id. A condition on e.reported_as itself would make the timeline's index-only
# scans read every event's row (31 -> 85 ms at 50,000 events; docs/PERFORMANCE.md).
SET_APART_IDS = (
    "SELECT x.id FROM events x"
    " WHERE x.reported_as <> 'event' AND x.reported_as = ANY(%(left_out)s)"
)
LEFT_OUT = f"e.id NOT IN ({SET_APART_IDS})"
PARTICIPANT_LEFT_OUT = f"p.event_id NOT IN ({SET_APART_IDS})"
# Set in a list's args by maps and statistics (for_counting): what they count.
COUNTING = "counting"


def for_counting(args):
    """`args` of a map or a statistic: background and scenes are left out unless asked."""
    return {**args, COUNTING: True}


def left_out(args):
    """The values of reported_as that a map or a statistic of `args` leaves out."""
    if not args.get(COUNTING) or "reported_as" in args:
        return []
    return [value for value in SET_APART if value not in args.get("include", ())]


def participants_clause(name, dated, left=()):
    """The condition of actor filter `name` on a participant `p`, with the dates if
    `dated`, leaving out the events reported as `left` (left_out)."""
    clause = PARTICIPANT_FILTERS[name]
    if dated:
        clause = f"{clause} AND {PARTICIPANT_DATES}"
    return f"{clause} AND {PARTICIPANT_LEFT_OUT}" if left else clause


def more_conditions(args, where):
    """The filters that are not one condition on one parameter: dates, actors, places."""
    left = left_out(args)
    if left:
        where.add(LEFT_OUT, left_out=left)
    dated = bool(args.get("date_from") or args.get("date_to"))
    if dated:
        where.add(
            "daterange(e.start_date, e.end_date, '[]')"
            " && daterange(%(date_from)s::date, %(date_to)s::date, '[]')",
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
        )
    # The bounds the overlap implies, spelt out: the planner estimates them
    # far better than the range operator, and picks the right index.
    if args.get("date_from"):
        where.add("e.end_date >= %(date_from)s", date_from=args["date_from"])
    if args.get("date_to"):
        where.add("e.start_date <= %(date_to)s", date_to=args["date_to"])
    for name in PARTICIPANT_FILTERS:
        if name in args:
            where.add(
                "e.id IN (SELECT p.event_id FROM event_participants p WHERE "
                + participants_clause(name, dated)
                + ")",
                **{name: args[name]},
            )
    if "location_id" in args:
        where.add(
            sql.SQL("e.location_id IN ({})").format(locations.inside("location_id")),
            location_id=args["location_id"],
        )
    if "bbox" in args:
        boxes, params = geo.in_boxes("l", geo.split_box(*args["bbox"]), "bbox")
        where.add(sql.SQL(IN_AREA).format(boxes), **params)
    if "near" in args:
        near, params = geo.within_radius("l", *args["near"], args["radius_km"])
        where.add(sql.SQL(IN_AREA).format(near), **params)


def participants_driver(args):
    """The Driver of a list filtered by one actor filter alone (and dates), in date order.

    "The events of these actors in this range", the commonest question, then
    finds its page and count among the actors' participations, which carry the
    dates, without reading an event that is not on the page.
    """
    name = lone_participant_filter(args)
    sort = args.get("sort") or EventQueryArgsSchema.DEFAULT_SORT
    if name is None or sort.removeprefix("-") != "start_date":
        return None
    dated = bool(args.get("date_from") or args.get("date_to"))
    left = left_out(args)
    where = Conditions()
    where.add(
        participants_clause(name, dated, left),
        **{
            name: args[name],
            "date_from": args.get("date_from"),
            "date_to": args.get("date_to"),
            "left_out": left,
        },
    )
    return Driver("event_participants p", "p.event_id", "p.start_date", where)


def _names(event, role):
    return joined(p["actor"]["name"] for p in event["participants"] if p["role"] == role)


def _place(key):
    return lambda event: (event["location"] or {}).get(key)


RECORD = Record(
    kind="event",
    table="events",
    alias="e",
    members=[
        *columns(
            "e",
            "title",
            "summary",
            "event_type",
            "mode",
            "start_date",
            "end_date",
            "date_precision",
            "location_id",
        ),
        embedded(
            "location",
            render.nested_object(
                locations.summary_members("l"), "locations l WHERE l.id = e.location_id"
            ),
            csv=[
                ("location_name", _place("name")),
                ("location_country", _place("country")),
                ("latitude", _place("latitude")),
                ("longitude", _place("longitude")),
            ],
        ),
        embedded(
            "participants",
            render.nested_list(
                [
                    ("actor_id", "p.actor_id"),
                    ("actor", render.nested_object(actors.summary_members("a"))),
                    ("role", "p.role"),
                ],
                "event_participants p JOIN actors a ON a.id = p.actor_id WHERE p.event_id = e.id",
                "p.position",
            ),
            csv=[
                ("initiators", lambda event: _names(event, "initiator")),
                ("targets", lambda event: _names(event, "target")),
                (
                    "participants",
                    lambda event: joined(
                        f"{p['actor']['name']} ({p['role']})" for p in event["participants"]
                    ),
                ),
            ],
        ),
        column("e", "reported_as"),
        # Written, the certainty its sources give the event (coded_certainty);
        # sent, what that makes it given the statements about it (migration 0008).
        Member(
            "certainty",
            "e.certainty",
            lambda event: {"coded_certainty": event.get("coded_certainty")},
            (("certainty", lambda event: event["certainty"]),),
        ),
        column("e", "certainty_set_by_hand"),
        estimate("e", "fatalities"),
        estimate("e", "injuries"),
        *columns("e", "figures_set_by_hand", "source_count", "notes"),
        embedded(
            "reports",
            reports.reports_json("event_id", "e.id", says=True),
            csv=[
                (
                    "sources",
                    lambda event: joined(report["source"]["title"] for report in event["reports"]),
                )
            ],
        ),
        embedded(
            "citations",
            citations_json("event_id", "e.id"),
            csv=[
                (
                    "source_ids",
                    lambda event: joined(dict.fromkeys(c["source_id"] for c in event["citations"])),
                ),
                ("quotes", lambda event: joined(c["quote"] for c in event["citations"])),
            ],
        ),
    ],
    args_schema=EventQueryArgsSchema,
    filters={
        "event_type": "e.event_type = ANY(%(event_type)s)",
        "mode": "e.mode = ANY(%(mode)s)",
        "certainty": "e.certainty = ANY(%(certainty)s)",
        "certainty_set_by_hand": "e.certainty_set_by_hand = %(certainty_set_by_hand)s",
        "reported_as": "e.reported_as = ANY(%(reported_as)s)",
        "country": "e.location_id IN (SELECT l.id FROM locations l"
        " WHERE l.country = ANY(%(country)s))",
        "fatalities_min": "e.fatalities_low >= %(fatalities_min)s",
        "injuries_min": "e.injuries_low >= %(injuries_min)s",
        "source_id": "e.id IN (SELECT r.event_id FROM reports r"
        " WHERE r.source_id = ANY(%(source_id)s) AND r.event_id IS NOT NULL)",
        "min_sources": "e.source_count >= %(min_sources)s",
        "updated_since": "e.updated_at >= %(updated_since)s",
    },
    more_conditions=more_conditions,
    more_filters=(
        "date_from",
        "date_to",
        *PARTICIPANT_FILTERS,
        "location_id",
        "bbox",
        "near",
        "include",
    ),
    text_search=TextSearch(
        "e.search",
        ties=(
            Tie("e.location_id", "q_locations"),
            Tie(
                "e.id",
                "q_actors",
                via="SELECT p.event_id FROM event_participants p"
                " WHERE p.actor_id = ANY(%(q_actors)s::uuid[])",
                one="EXISTS (SELECT 1 FROM event_participants p"
                " WHERE p.event_id = e.id AND p.actor_id = ANY(%(q_actors)s::uuid[]))",
                # A participation's dates are its event's (0005): by its GiST index.
                since="SELECT DISTINCT p.event_id FROM event_participants p"
                " WHERE p.actor_id = ANY(%(q_actors)s::uuid[])"
                " AND daterange(p.start_date, p.end_date, '[]') && daterange(%(since)s::date, NULL)"
                " AND p.start_date >= %(since)s::date",
                newest="SELECT max(e.start_date) FROM events e",
            ),
        ),
        tie_names=(
            "ARRAY(SELECT l.name FROM locations l"
            " WHERE l.id = e.location_id AND l.id = ANY(%(q_locations)s::uuid[]))",
            "ARRAY(SELECT a.name FROM event_participants p JOIN actors a ON a.id = p.actor_id"
            " WHERE p.event_id = e.id AND a.id = ANY(%(q_actors)s::uuid[]) ORDER BY p.position)",
        ),
    ),
    recent="e.start_date DESC, e.id DESC",
    driver=participants_driver,
    mapped=for_counting,
    profiles=PROFILES,
    summary=SUMMARY_FIELDS,
    embedded_in=(
        "UPDATE statements SET updated_at = now()"
        " WHERE id IN (SELECT statement_id FROM statement_events WHERE event_id = %(id)s)",
    ),
    referrers="""
        SELECT DISTINCT 'statement' AS kind, statement_id AS id FROM statement_events
        WHERE event_id = %(id)s ORDER BY id LIMIT 100
    """,
)


def lone_participant_filter(args):
    """The actor filter of `args` when it is their only filter besides the dates, else None."""
    given = RECORD.filter_names.intersection(args) - {"date_from", "date_to", "include"}
    if len(given) == 1 and given <= PARTICIPANT_FILTERS.keys():
        return given.pop()
    return None


UPDATE_SEARCH = """
    UPDATE events e SET search = eventdata_event_search(e.title, e.summary,
        (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
         WHERE c.event_id = e.id))
    WHERE e.id = %(id)s
"""


# What a write needs of the event it replaces to keep the certainty it was given.
CERTAINTY_OF = (
    "SELECT certainty, coded_certainty, denied_by_statement FROM events WHERE id = %(id)s"
)
# The certainty an event would show, given what it is written with (migration 0008).
CERTAINTY_RULE = "SELECT eventdata_certainty(%(coded)s, %(by_hand)s, %(denied)s) AS certainty"


def coded_certainty(event, current):
    """The certainty to store as the one `event`'s sources give it.

    A write that sends back the certainty the event shows (`current`, the row
    CERTAINTY_OF reads, or None for a new event), as a PUT of what a GET gave
    or any PATCH does, keeps the one the event was given: an alleged event that
    a statement makes disputed stays alleged underneath, and is alleged again
    once no statement denies it.
    """
    if (
        current is not None
        and not event.get("certainty_set_by_hand")
        and event["certainty"] == current["certainty"]
    ):
        return current["coded_certainty"]
    return event["certainty"]


def write(conn, event, *, record_id=None, author=None):
    """Create the event, or replace it when `record_id` exists; return its id."""
    record_id = record_id or uuid.uuid4()
    problems = Problems()
    check_exist(
        conn, problems, "locations", [("location_id", event.get("location_id"))], "location"
    )
    check_exist(
        conn,
        problems,
        "actors",
        [
            (f"participants.{index}.actor_id", participant["actor_id"])
            for index, participant in enumerate(event["participants"])
        ],
        "actor",
    )
    check_exist(conn, problems, "locations", reports.locations_named(event), "location")
    reports.locate(conn, problems, event)
    problems.raise_any()
    if event.get("reports_from_citations"):
        stored = reports.stored_says(conn, [record_id]).get(record_id)
        reports.keep_what_sources_say(event, stored)
    before = RECORD.summary_of(conn, record_id)
    current = conn.execute(CERTAINTY_OF, {"id": record_id}).fetchone()
    event = {**event, "coded_certainty": coded_certainty(event, current)}
    RECORD.store(conn, event, record_id)
    conn.execute("DELETE FROM event_participants WHERE event_id = %(id)s", {"id": record_id})
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO event_participants (event_id, position, actor_id, role)"
            " VALUES (%(event_id)s, %(position)s, %(actor_id)s, %(role)s)",
            [
                {"event_id": record_id, "position": position, **participant}
                for position, participant in enumerate(event["participants"])
            ],
        )
    reports.write(conn, "event_id", record_id, event, says=True)
    conn.execute(UPDATE_SEARCH, {"id": record_id})
    # Statements embed the certainty the event shows, not the one it was written with.
    shown = conn.execute(CERTAINTY_OF, {"id": record_id}).fetchone()["certainty"]
    touch_embedders(conn, before, {**event, "certainty": shown}, RECORD.embedded_in, record_id)
    return record_id


def as_stored(conn, event, record_id):
    """`event` (as its schema loads it) with the certainty it would show once written
    over the event of `record_id`: what the seed loader compares with what is stored."""
    current = conn.execute(CERTAINTY_OF, {"id": record_id}).fetchone()
    params = {
        "coded": coded_certainty(event, current),
        "by_hand": bool(event.get("certainty_set_by_hand")),
        "denied": bool(current and current["denied_by_statement"]),
    }
    return {**event, "certainty": conn.execute(CERTAINTY_RULE, params).fetchone()["certainty"]}


# Whether a statement denies each of the events, as the statements now say,
# each event's row locked in one order (two writes of statements about the same
# events queue rather than deadlock); the ids of those whose certainty changed.
# The UPDATE's RETURNING gives the certainty as generated from the new values.
FOLLOW_STATEMENTS = """
    WITH linked AS (
        SELECT e.id, e.certainty FROM events e
        WHERE e.id = ANY(%(ids)s) ORDER BY e.id FOR NO KEY UPDATE
    ), followed AS (
        UPDATE events e SET denied_by_statement = NOT e.denied_by_statement,
            updated_at = CASE
                WHEN eventdata_certainty(e.coded_certainty, e.certainty_set_by_hand,
                                         NOT e.denied_by_statement) <> e.certainty
                THEN now() ELSE e.updated_at END
        FROM linked
        WHERE e.id = linked.id AND e.denied_by_statement <> EXISTS (
            SELECT FROM statement_events se WHERE se.event_id = e.id AND se.stance = 'denies')
        RETURNING e.id, e.certainty
    )
    SELECT followed.id FROM followed JOIN linked USING (id)
    WHERE followed.certainty <> linked.certainty
    ORDER BY followed.id
"""
# Statements embed a summary of the events they are about, certainty among it.
TOUCH_STATEMENTS = """
    UPDATE statements SET updated_at = now()
    WHERE id IN (SELECT statement_id FROM statement_events WHERE event_id = ANY(%(ids)s))
"""


def follow_statements(conn, event_ids, author):
    """Let the certainty of the events of `event_ids` follow the statements about them, as
    they are now in this transaction; each event whose certainty changed gets a revision
    by `author`, whose write changed the statements. Return the ids of those events."""
    if not event_ids:
        return []
    changed = [
        row["id"] for row in conn.execute(FOLLOW_STATEMENTS, {"ids": sorted(set(event_ids))})
    ]
    if changed:
        conn.execute(TOUCH_STATEMENTS, {"ids": changed})
        RECORD.revise_many(conn, changed, ["update"] * len(changed), author)
    return changed


def of_actor(args, actor_id):
    """The conditions of /v1/actors/{id}/events: events the actor takes part in."""
    where = Conditions()
    dated = args.get("date_from") or args.get("date_to")
    where.add(
        "e.id IN (SELECT p.event_id FROM event_participants p WHERE p.actor_id = %(of_actor)s"
        + (f" AND {PARTICIPANT_DATES})" if dated else ")"),
        of_actor=actor_id,
    )
    return where


def at_location(args, location_id):
    """The conditions of /v1/locations/{id}/events: events at the place or inside it."""
    where = Conditions()
    where.add(
        sql.SQL("e.location_id IN ({})").format(locations.inside("of_location")),
        of_location=[location_id],
    )
    return where
