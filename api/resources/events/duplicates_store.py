"""Same event in PostgreSQL: the candidates that may duplicate an event, and a merge.

A candidate has the event's type, dates that overlap it (or a day apart), and
shares a place (the same, one containing the other, or one nearby) or an
actor with it: each of these is found from an index (events by location and
date, participants by actor and dates, locations by point), so the cost
depends on the event's neighbourhood, not on the number of events.

A merge keeps one event and folds others into it, in one transaction:
participants and reports join the kept event's (one report per source),
statements about the others come to be about it, fields it lacks are taken
from them, their notes (and summaries that differ) are added to its notes,
and the figures are derived again. The others are then deleted, their deletions
marked with the event kept; every record written gets a revision saying so.
"""

import json
from datetime import timedelta

from psycopg import sql

from api.resources.actors import store as actors
from api.resources.events import store as events
from api.resources.locations import store as locations
from api.resources.statements import store as statements
from api.store import geo, merges, render, revisions
from api.store.errors import Conflict
from api.store.query import Page, proven_total
from api.store.references import Problems
from schemas.codes import Message
from schemas.events import EventSchema
from schemas.forms import sent_input
from schemas.reports import FIGURES, derive
from schemas.vocabularies import PLOVER_MODES

# Dates of one event told by different sources are often a day apart.
SLACK_DAYS = 1
# The most candidates ranked: past this, the nearest in time.
MAX_CANDIDATES = 1000
# Weights of the score (schemas/duplicates.py says them to clients).
WEIGHTS = {"dates": 0.25, "place": 0.3, "actors": 0.35, "mode": 0.1}
# How much of the place's weight each relation of places earns; nearby earns up
# to its share, less the farther apart the two are.
PLACE_SCORES = {"same_location": 1.0, "location_contains": 2 / 3, "location_within": 2 / 3}
NEARBY_SHARE = 0.8

TARGET = """
    SELECT e.id, e.event_type, e.mode, e.start_date, e.end_date, e.location_id,
        l.latitude, l.longitude,
        ARRAY(SELECT DISTINCT p.actor_id FROM event_participants p WHERE p.event_id = e.id)
            AS actor_ids
    FROM events e LEFT JOIN locations l ON l.id = e.location_id
    WHERE e.id = %(id)s
"""
# Each place related to the event's: the place itself, those containing it,
# those inside it, those near it; with the relation that counts most.
PLACES = """
    WITH RECURSIVE containing (id) AS (
        SELECT parent_id FROM locations WHERE id = %(location_id)s AND parent_id IS NOT NULL
        UNION
        SELECT l.parent_id FROM locations l JOIN containing c ON l.id = c.id
        WHERE l.parent_id IS NOT NULL
    ),
    -- Each level from the parent's index: OFFSET 0 keeps the planner from joining
    -- every location by hash, a scan of all of them at each level.
    within (id) AS (
        SELECT id FROM locations WHERE parent_id = %(location_id)s
        UNION
        SELECT child.id FROM within w
        CROSS JOIN LATERAL (SELECT l.id FROM locations l WHERE l.parent_id = w.id OFFSET 0) child
    ),
    related (id, relation, rank) AS (
        SELECT %(location_id)s::uuid, 'same_location', 1 WHERE %(location_id)s::uuid IS NOT NULL
        UNION ALL SELECT id, 'location_contains', 2 FROM containing
        UNION ALL SELECT id, 'location_within', 2 FROM within
        UNION ALL SELECT l.id, 'nearby', 3 FROM locations l WHERE {nearby}
    )
    SELECT DISTINCT ON (id) id, relation FROM related ORDER BY id, rank
"""
# The candidates: events of the type, in the dates, at those places or with
# those actors; and what each shares with the event.
CANDIDATES = """
    WITH candidate AS (
        SELECT e.id FROM events e
        WHERE e.location_id = ANY(%(places)s) AND e.event_type = %(event_type)s
            AND daterange(e.start_date, e.end_date, '[]')
                && daterange(%(since)s::date, %(until)s::date, '[]')
            AND e.start_date <= %(until)s AND e.end_date >= %(since)s
        UNION
        SELECT p.event_id FROM event_participants p
        WHERE p.actor_id = ANY(%(actor_ids)s)
            AND daterange(p.start_date, p.end_date, '[]')
                && daterange(%(since)s::date, %(until)s::date, '[]')
            AND p.start_date <= %(until)s AND p.end_date >= %(since)s
    )
    SELECT e.id, e.mode, e.start_date, e.end_date, e.location_id, l.latitude, l.longitude,
        ARRAY(SELECT DISTINCT p.actor_id FROM event_participants p WHERE p.event_id = e.id)
            AS actor_ids
    FROM candidate c
    JOIN events e ON e.id = c.id
    LEFT JOIN locations l ON l.id = e.location_id
    WHERE e.id <> %(id)s AND e.event_type = %(event_type)s
    ORDER BY abs(e.start_date - %(start_date)s::date), e.id
    LIMIT %(max_candidates)s
"""
SUMMARY = render.json_object(
    [
        *render.columns("e", ("id", "title", "event_type", "mode", "start_date", "end_date")),
        ("certainty", "e.certainty"),
        (
            "location",
            render.nested_object(
                locations.summary_members("l"), "locations l WHERE l.id = e.location_id"
            ),
        ),
    ]
)
SUMMARIES = f"SELECT e.id, {SUMMARY} AS json FROM events e WHERE e.id = ANY(%(ids)s)"
ACTORS = "SELECT a.id, {} AS json FROM actors a WHERE a.id = ANY(%(ids)s)".format(
    render.json_object(actors.summary_members("a"))
)


def similar(conn, event_id, args):
    """One page of the events that may duplicate `event_id`, best first; None when there
    is no such event. Each item is the JSON text of a SimilarEventSchema."""
    target = conn.execute(TARGET, {"id": event_id}).fetchone()
    if target is None:
        return None
    radius = args["radius_km"]
    since = target["start_date"] - timedelta(days=SLACK_DAYS)
    until = target["end_date"] + timedelta(days=SLACK_DAYS)
    relations = {}
    if target["location_id"] is not None:
        if target["latitude"] is not None:
            nearby, params = geo.within_radius("l", target["latitude"], target["longitude"], radius)
        else:
            nearby, params = sql.SQL("false"), {}
        query = sql.SQL(PLACES).format(nearby=nearby)
        rows = conn.execute(query, {"location_id": target["location_id"], **params})
        relations = {row["id"]: row["relation"] for row in rows}
    candidates = conn.execute(
        CANDIDATES,
        {
            "id": event_id,
            "event_type": target["event_type"],
            "places": list(relations),
            "actor_ids": target["actor_ids"],
            "since": since,
            "until": until,
            "start_date": target["start_date"],
            "max_candidates": MAX_CANDIDATES,
        },
    ).fetchall()
    ranked = sorted(
        (rank(target, candidate, relations, radius) for candidate in candidates),
        key=lambda item: (-item["score"], item["days_apart"], str(item["id"])),
    )
    page_size, page = args["page_size"], args.get("page", 1)
    offset = (page - 1) * page_size
    shown = ranked[offset : offset + page_size]
    summaries = _json_by_id(conn, SUMMARIES, [item["id"] for item in shown])
    actors = _json_by_id(conn, ACTORS, [a for item in shown for a in item["shared"]])
    items = [
        {
            "json": "{"
            + ",".join(
                [
                    f'"event":{summaries[item["id"]]}',
                    f'"score":{json.dumps(item["score"])}',
                    f'"reasons":{json.dumps(item["reasons"], ensure_ascii=False)}',
                    f'"distance_km":{json.dumps(item["distance_km"])}',
                    '"shared_participants":'
                    + render.array(actors[a] for a in sorted(item["shared"], key=str)),
                ]
            )
            + "}"
        }
        for item in shown
    ]
    more = len(ranked) > offset + page_size
    return Page(
        items,
        page_size,
        total=proven_total(len(ranked), offset, len(shown), more),
        page=page,
        more=more,
    )


def _json_by_id(conn, query, ids):
    if not ids:
        return {}
    return {row["id"]: row["json"] for row in conn.execute(query, {"ids": list(set(ids))})}


def rank(target, candidate, relations, radius):
    """The score of `candidate` as a duplicate of `target`, and the reasons for it."""
    reasons = [
        {"code": "same_type", "message": f"Both are {target['event_type']}."},
    ]
    overlap = (
        candidate["start_date"] <= target["end_date"]
        and candidate["end_date"] >= target["start_date"]
    )
    days_apart = (
        0
        if overlap
        else min(
            abs((candidate["start_date"] - target["end_date"]).days),
            abs((target["start_date"] - candidate["end_date"]).days),
        )
    )
    if overlap:
        dates = 1.0
        reasons.append({"code": "dates_overlap", "message": "Their dates overlap."})
    else:
        dates = 0.5
        reasons.append(
            {"code": "dates_near", "message": f"Their dates are {days_apart} day apart."}
        )
    distance = None
    if target["latitude"] is not None and candidate["latitude"] is not None:
        distance = round(
            geo.great_circle_km(
                target["latitude"],
                target["longitude"],
                candidate["latitude"],
                candidate["longitude"],
            ),
            1,
        )
    relation = relations.get(candidate["location_id"])
    place = 0.0
    if relation == "nearby" and distance is not None:
        place = NEARBY_SHARE * max(0.0, 1 - distance / radius)
        reasons.append({"code": "nearby", "message": f"Locations {distance} km apart."})
    elif relation is not None:
        place = PLACE_SCORES[relation]
        reasons.append({"code": relation, "message": PLACE_MESSAGES[relation]})
    shared = set(target["actor_ids"]) & set(candidate["actor_ids"])
    everyone = set(target["actor_ids"]) | set(candidate["actor_ids"])
    actors = len(shared) / len(everyone) if everyone else 0.0
    if shared:
        count = len(shared)
        reasons.append(
            {
                "code": "shared_participants",
                "message": f"{count} actor{'s' if count != 1 else ''} of"
                f" {len(everyone)} take{'s' if count == 1 else ''} part in both.",
            }
        )
    mode = 1.0 if target["mode"] is not None and candidate["mode"] == target["mode"] else 0.0
    if mode:
        reasons.append({"code": "same_mode", "message": f"Both are {target['mode']}."})
    score = (
        WEIGHTS["dates"] * dates
        + WEIGHTS["place"] * place
        + WEIGHTS["actors"] * actors
        + WEIGHTS["mode"] * mode
    )
    return {
        "id": candidate["id"],
        "score": round(score, 3),
        "reasons": reasons,
        "distance_km": distance,
        "shared": shared,
        "days_apart": days_apart,
    }


PLACE_MESSAGES = {
    "same_location": "The same location.",
    "location_contains": "The candidate's location contains the event's.",
    "location_within": "The candidate's location is inside the event's.",
}


# -- merge ---------------------------------------------------------------------------------

# Statements about any of the events, locked in id order. A statement's writer
# locks the statement, then (by its foreign keys) its events: a merge takes
# them in the same order, so the two do not wait for each other in a circle.
LOCK_STATEMENTS = """
    SELECT s.id FROM statements s
    WHERE s.id IN (SELECT se.statement_id FROM statement_events se WHERE se.event_id = ANY(%(ids)s))
    ORDER BY s.id FOR UPDATE OF s
"""
# The events, locked in id order: two merges that share events queue, never deadlock.
LOCK_EVENTS = "SELECT id FROM events WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE"
LINKS = """
    SELECT statement_id, event_id, stance FROM statement_events
    WHERE statement_id = ANY(%(statements)s) ORDER BY statement_id, position
"""


class SurvivorGone(Exception):
    """The event to keep is not there (deleted, merged, or never was)."""


def merge(conn, survivor_id, request, author, check_current):
    """Fold the events `request["merge"]` into `survivor_id`; return its JSON text.

    `check_current(json_text)` checks the kept event's If-Match once it is
    locked. Raises SurvivorGone, InvalidInput (422) or Conflict (409).
    """
    merged_ids = request["merge"]
    problems = Problems()
    for index, merged_id in enumerate(merged_ids):
        if merged_id == survivor_id:
            problems.add(
                f"merge.{index}",
                Message("same_record", "This is the event kept: it cannot be merged into itself."),
            )
    problems.raise_any()
    ids = [survivor_id, *merged_ids]
    conn.execute(LOCK_STATEMENTS, {"ids": ids})
    locked = {row["id"] for row in conn.execute(LOCK_EVENTS, {"ids": ids})}
    if survivor_id not in locked:
        raise SurvivorGone(survivor_id)
    survivor = events.RECORD.fetch_json(conn, survivor_id)
    check_current(survivor)
    refuse_missing(conn, merged_ids, locked)
    # Statements that came to be about these events while this merge waited for them.
    about = [row["id"] for row in conn.execute(LOCK_STATEMENTS, {"ids": ids})]
    links = conn.execute(LINKS, {"statements": about}).fetchall()
    stances = chosen_stances(survivor_id, set(ids), links, request["stances"])

    others = [events.RECORD.fetch(conn, merged_id) for merged_id in merged_ids]
    kept = combined(json.loads(survivor), others)
    events.write(conn, kept, record_id=survivor_id, author=author)
    moved = move_links(conn, survivor_id, set(ids), links, stances)
    # The denials of the events merged now deny the one kept (migration 0008).
    events.follow_statements(conn, [survivor_id], author)
    body = events.RECORD.revise(conn, survivor_id, "merge", author)
    for merged_id in merged_ids:
        events.RECORD.delete(conn, merged_id, author, operation="merge")
    revisions.note_merge(conn, "event", ids, survivor_id, merged_ids)
    merges.mark(conn, "event", merged_ids, survivor_id)
    if moved:
        conn.execute(
            "UPDATE statements SET updated_at = now() WHERE id = ANY(%(ids)s)", {"ids": moved}
        )
        statements.RECORD.revise_many(conn, moved, ["merge"] * len(moved), author)
        revisions.note_merge(conn, "statement", moved, survivor_id, merged_ids)
    return body


def refuse_missing(conn, merged_ids, locked):
    """422 for ids no event ever had; 409 for events deleted or merged already."""
    unknown, gone = Problems(), Problems()
    for index, merged_id in enumerate(merged_ids):
        if merged_id in locked:
            continue
        path = f"merge.{index}"
        found = merges.deletion(conn, "event", merged_id)
        if found is None:
            unknown.add(path, Message("not_found", f"No event has the id {merged_id}."))
        elif found[0] is not None:
            into = merges.merged_into(conn, events.RECORD, merged_id)
            gone.add(path, Message("merged", f"Already merged into the event {into}."))
        else:
            gone.add(path, Message("deleted", "This event was deleted: restore it first."))
    unknown.raise_any()
    if gone.errors:
        raise Conflict(
            "Events deleted or merged already cannot be merged: "
            + ", ".join(sorted(gone.errors))
            + ".",
            gone.errors,
        )


def chosen_stances(survivor_id, ids, links, choices):
    """The stance each statement about the events keeps towards the event kept.

    One stance towards them all stays; refers_to gives way to any other; a
    choice in the request settles the rest, else the merge answers 409.
    """
    choice = {item["statement_id"]: item["stance"] for item in choices}
    towards = {}
    for link in links:
        if link["event_id"] in ids:
            towards.setdefault(link["statement_id"], {})[link["event_id"]] = link["stance"]
    problems = Problems()
    for index, item in enumerate(choices):
        if item["statement_id"] not in towards:
            problems.add(
                f"stances.{index}.statement_id",
                Message("not_linked", "This statement is about none of the events merged."),
            )
    problems.raise_any()
    stances, conflicts = {}, []
    for statement_id, by_event in towards.items():
        told = set(by_event.values())
        if len(told) > 1:
            told.discard("refers_to")
        if statement_id in choice:
            stances[statement_id] = choice[statement_id]
        elif len(told) == 1:
            stances[statement_id] = told.pop()
        else:
            conflicts.append(
                {
                    "statement_id": str(statement_id),
                    "stances": [
                        {"event_id": str(event_id), "stance": stance}
                        for event_id, stance in by_event.items()
                    ],
                }
            )
    if conflicts:
        raise Conflict(
            f"{len(conflicts)} statement{'s' if len(conflicts) != 1 else ''} take different"
            " stances towards the events merged: say in stances which each keeps.",
            {
                "stances": [
                    Message(
                        "stance_conflict",
                        f"The statement {c['statement_id']} "
                        + ", ".join(f"{s['stance']} {s['event_id']}" for s in c["stances"])
                        + ".",
                    )
                    for c in conflicts
                ]
            },
            conflicts=conflicts,
        )
    return stances


def move_links(conn, survivor_id, ids, links, stances):
    """Make the statements about any of `ids` about the event kept instead, each once,
    with its stance; return the ids of the statements changed."""
    by_statement = {}
    for link in links:
        by_statement.setdefault(link["statement_id"], []).append(link)
    changed, rows = [], []
    for statement_id, its_links in by_statement.items():
        if statement_id not in stances:
            continue
        new, seen = [], set()
        for link in its_links:
            if link["event_id"] in ids:
                about = (survivor_id, stances[statement_id])
            else:
                about = (link["event_id"], link["stance"])
            if about[0] not in seen:
                seen.add(about[0])
                new.append(about)
        if new == [(link["event_id"], link["stance"]) for link in its_links]:
            continue
        changed.append(statement_id)
        rows.extend(
            {"statement_id": statement_id, "position": position, "event_id": e, "stance": s}
            for position, (e, s) in enumerate(new)
        )
    if changed:
        conn.execute(
            "DELETE FROM statement_events WHERE statement_id = ANY(%(ids)s)", {"ids": changed}
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO statement_events (statement_id, position, event_id, stance)"
                " VALUES (%(statement_id)s, %(position)s, %(event_id)s, %(stance)s)",
                rows,
            )
    return changed


def combined(survivor, others):
    """The event kept, as its schema loads it, with what the events merged bring.

    Participants join its own, each once; so do reports, one per source: a
    source that reports both events keeps one report, with the quotes of both
    and, where the kept event's report is silent, what the other's says. A
    field the event lacks (summary, mode, location) is taken from the first
    that has one. The figures are derived again from the reports (FIGURES_RULE),
    unless any of the events had them set by hand: then they stay set by hand,
    derived by the same rule from the events' own figures. The others' notes,
    and their summaries where they differ, are added to its notes, each under
    the event it came from, so that no words are lost.
    """
    schema = EventSchema()
    kept = sent_input(schema, survivor)
    records = [kept, *(sent_input(schema, other) for other in others)]
    participants = {}
    for record in records:
        for participant in record["participants"]:
            participants.setdefault((participant["actor_id"], participant["role"]), participant)
    kept["participants"] = list(participants.values())
    kept["reports"] = joined_reports(record["reports"] for record in records)
    # The reports say it all: the flat list of their quotes follows from them.
    kept.pop("citations", None)
    modes = PLOVER_MODES[kept["event_type"]]
    for other in others:
        for name in ("summary", "location_id"):
            if kept[name] is None:
                kept[name] = other[name]
        if kept["mode"] is None and other["mode"] in modes:
            kept["mode"] = other["mode"]
    by_hand = any(record["figures_set_by_hand"] for record in records)
    kept["figures_set_by_hand"] = by_hand
    for name in FIGURES:
        kept[name] = derive([record[name] for record in records]) if by_hand else None
    notes = [kept["notes"]] if kept["notes"] else []
    for other in others:
        told = []
        if other["summary"] and other["summary"] != kept["summary"]:
            told.append(f"Its summary: {other['summary']}")
        if other["notes"] and other["notes"] not in "\n\n".join(notes):
            told.append(other["notes"])
        if told:
            notes.append(
                "\n".join([f"Merged from the event {other['id']} ({other['title']}):", *told])
            )
    kept["notes"] = "\n\n".join(notes) or None
    return schema.load(kept)


def joined_reports(reports_of_each):
    """One report per source from the reports of several events, the first event's first:
    each source's quotes once, and what the first report says, its silences filled
    from the next."""
    joined = {}
    for reports in reports_of_each:
        for report in reports:
            into = joined.get(report["source_id"])
            if into is None:
                joined[report["source_id"]] = {**report, "quotes": list(report["quotes"])}
                continue
            quoted = {quote["quote"] for quote in into["quotes"]}
            into["quotes"] += [q for q in report["quotes"] if q["quote"] not in quoted]
            for name, value in report.items():
                if into.get(name) is None:
                    into[name] = value
    return list(joined.values())


def survivor_gone(conn, event_id):
    """What the event to keep is, when it is not there: (merged_into, deleted)."""
    return merges.merged_into(conn, events.RECORD, event_id), merges.deletion(
        conn, "event", event_id
    ) is not None
