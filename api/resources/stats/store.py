"""Aggregates over events in PostgreSQL: timelines and initiator-target pairs.

Both take the filters of /v1/events, so a chart and the list beside it show
the same events.
"""

from datetime import date

from psycopg import sql

from api.resources.events import store as events
from api.store.database import plan_with_values
from api.store.errors import InvalidInput
from schemas.codes import Message

TIMELINE = """
    SELECT date_trunc({interval}, e.start_date)::date AS period, {split} AS split, count(*) AS n
        {sums}
    FROM events e{where}
    GROUP BY 1, 2
    ORDER BY 1, 2
"""
# The timeline of actors alone (no other filter but dates, no split), counted
# from their participations: each carries its event's dates (migration 0005)
# and event_participants_actor_role_idx holds them, so the events themselves
# are not read. An event counts once however many of its participants match.
PARTICIPANTS_TIMELINE = """
    SELECT date_trunc({interval}, d.start_date)::date AS period, NULL::text AS split,
        sum(d.n)::bigint AS n
    FROM (
        SELECT p.start_date, count(DISTINCT p.event_id) AS n
        FROM event_participants p WHERE {participants}
        GROUP BY p.start_date
    ) d
    GROUP BY 1, 2
    ORDER BY 1, 2
"""
# Each event counts once in a pair: an actor takes part in one role once.
INTERACTIONS = """
    SELECT i.actor_id AS initiator_id, t.actor_id AS target_id, count(DISTINCT e.id) AS events
        {sums}
    FROM events e
    JOIN event_participants i ON i.event_id = e.id AND i.role = 'initiator'
    JOIN event_participants t ON t.event_id = e.id AND t.role = 'target'
    {where}
    GROUP BY 1, 2
    ORDER BY events DESC, 1, 2
    LIMIT %(limit)s
"""
ACTOR_SUMMARIES = """
    SELECT id, name, kind, country FROM actors WHERE id = ANY(%(ids)s)
"""
# The sums of the deaths of events (e): with their count, those with an estimate.
FATALITY_SUMS = """,
    sum(e.fatalities_low)::bigint AS fatalities_low,
    sum(e.fatalities_best)::bigint AS fatalities_best,
    sum(e.fatalities_high)::bigint AS fatalities_high,
    count(e.fatalities_low) AS fatalities_events
"""
ESTIMATES = ("low", "best", "high")
# A timeline has at most this many periods, empty ones included.
MAX_BUCKETS = 10_000
INTERVAL_DAYS = {"day": 1, "week": 7, "month": 28, "year": 365}
# Columns a timeline may be split by, by parameter value.
SPLIT_COLUMNS = {"event_type": "e.event_type", "certainty": "e.certainty", "mode": "e.mode"}


def next_period(period, interval):
    """The first day of the period after `period`."""
    if interval == "day":
        return date.fromordinal(period.toordinal() + 1)
    if interval == "week":
        return date.fromordinal(period.toordinal() + 7)
    if interval == "month":
        return date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return date(period.year + 1, 1, 1)


def actor_filter(args):
    """The actor filter of `args` when it is their only filter besides the dates, else None.

    Sums of deaths need the events themselves, which the actors' participations do
    not hold: with `fatalities`, the timeline is counted from the events.
    """
    if args.get("split") or args.get("fatalities"):
        return None
    return events.lone_participant_filter(args)


def fatalities(rows):
    """The sums of deaths of `rows` (of FATALITY_SUMS): low, best, high, and of how many
    events; a sum with no estimate in it is null."""
    sums = {
        key: sum(row[f"fatalities_{key}"] or 0 for row in rows)
        if any(row[f"fatalities_{key}"] is not None for row in rows)
        else None
        for key in ESTIMATES
    }
    return {**sums, "events": sum(row["fatalities_events"] for row in rows)}


def timeline(conn, args):
    """Count the events `args` select per period, with every empty period in between.

    Background and scenes are left out unless asked (events.left_out).
    """
    args = events.for_counting(args)
    split = args.get("split")
    actor = actor_filter(args)
    if actor:
        dated = bool(args.get("date_from") or args.get("date_to"))
        left = events.left_out(args)
        query = sql.SQL(PARTICIPANTS_TIMELINE).format(
            interval=sql.Literal(args["interval"]),
            participants=sql.SQL(events.participants_clause(actor, dated, left)),
        )
        params = {
            actor: args[actor],
            "date_from": args.get("date_from"),
            "date_to": args.get("date_to"),
            "left_out": left,
        }
    else:
        where = events.RECORD.conditions(events.RECORD.searched(conn, args))
        query = sql.SQL(TIMELINE).format(
            interval=sql.Literal(args["interval"]),
            split=sql.SQL(SPLIT_COLUMNS[split]) if split else sql.SQL("NULL::text"),
            sums=sql.SQL(FATALITY_SUMS if args.get("fatalities") else ""),
            where=where.where(),
        )
        params = where.params
    counts = {}
    rows_of = {}
    plan_with_values(conn)
    for row in conn.execute(query, params):
        bucket = counts.setdefault(row["period"], {})
        # A split value may be null (an event without a mode): its key is "none".
        bucket[row["split"] or "none"] = row["n"]
        rows_of.setdefault(row["period"], []).append(row)
    buckets = []
    if counts:
        period, last = min(counts), max(counts)
        days = (last - period).days
        if days / INTERVAL_DAYS[args["interval"]] > MAX_BUCKETS:
            raise InvalidInput(
                {
                    "interval": [
                        Message(
                            "too_many_periods",
                            f"Too many periods (over {MAX_BUCKETS}): choose a longer interval"
                            " or narrow date_from/date_to.",
                        )
                    ]
                }
            )
        while period <= last:
            by = counts.get(period, {})
            bucket = {"period": period, "count": sum(by.values())}
            if split:
                bucket["by"] = by
            if args.get("fatalities"):
                bucket["fatalities"] = fatalities(rows_of.get(period, []))
            buckets.append(bucket)
            period = next_period(period, args["interval"])
    answer = {
        "interval": args["interval"],
        "split": split,
        "total": sum(bucket["count"] for bucket in buckets),
        "buckets": buckets,
    }
    if args.get("fatalities"):
        answer["fatalities"] = fatalities([row for rows in rows_of.values() for row in rows])
    return answer


def interactions(conn, args):
    """The busiest initiator→target pairs among the events `args` select, leaving out
    background and scenes unless asked (events.left_out)."""
    args = events.for_counting(args)
    where = events.RECORD.conditions(events.RECORD.searched(conn, args))
    plan_with_values(conn)
    rows = conn.execute(
        sql.SQL(INTERACTIONS).format(where=where.where(), sums=sql.SQL(FATALITY_SUMS)),
        {**where.params, "limit": args["limit"]},
    ).fetchall()
    ids = list({row["initiator_id"] for row in rows} | {row["target_id"] for row in rows})
    actors = {row["id"]: row for row in conn.execute(ACTOR_SUMMARIES, {"ids": ids})}
    return {
        "pairs": [
            {
                "initiator": actors[row["initiator_id"]],
                "target": actors[row["target_id"]],
                "events": row["events"],
                "fatalities": fatalities([row]),
            }
            for row in rows
        ]
    }
