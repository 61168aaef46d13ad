"""Actors: states, governments, forces, organisations and people."""

import uuid

from flask import url_for
from flask.views import MethodView

from api import render
from api.database import get_db
from api.http import Blueprint, created_at, not_found
from api.query import Conditions, list_records
from api.records import (
    Problems,
    check_parent,
    exists,
    merge_patch,
    refuse_if_referenced,
    summary,
    touch_embedders,
)
from api.search import name_match, name_rank, tolerate_typos
from schemas.actors import ActorPatchSchema, ActorQueryArgsSchema, ActorSchema

blp = Blueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description="States, governments, forces, ministries, organisations and people.",
)

COLUMNS = """
    a.id, a.name, a.kind, a.country, a.parent_id,
        (SELECT json_build_object('id', p.id, 'name', p.name, 'kind', p.kind,
                'country', p.country)
            FROM actors p WHERE p.id = a.parent_id) AS parent,
        a.title, a.aliases, a.description, a.created_at, a.updated_at
"""
SELECT_ACTORS = "SELECT " + COLUMNS + " FROM actors a"
# What other records embed of an actor (besides its id).
SUMMARY_FIELDS = ("name", "kind", "country")
# The same, as the JSON text the API sends (api/render.py), for lists: a name
# search answers every keystroke.
JSON_MEMBERS = [
    *render.record_members("a"),
    ("name", "a.name"),
    ("kind", "a.kind"),
    ("country", "a.country"),
    ("parent_id", "a.parent_id"),
    (
        "parent",
        render.nested_object(
            render.columns("p", ("id", *SUMMARY_FIELDS)),
            "actors p WHERE p.id = a.parent_id",
        ),
    ),
    ("title", "a.title"),
    ("aliases", "a.aliases"),
    ("description", "a.description"),
]
# What a list selects besides the JSON: the values its keyset cursors are made of.
SORT_COLUMNS = "a.id, a.name, a.created_at, a.updated_at"
REFERRERS = """
    (SELECT 'actor' AS kind, id FROM actors WHERE parent_id = %(id)s)
    UNION
    (SELECT 'event', event_id FROM event_participants WHERE actor_id = %(id)s)
    UNION
    (SELECT 'statement', id FROM statements WHERE speaker_id = %(id)s)
    UNION
    (SELECT 'statement', statement_id FROM statement_addressees WHERE actor_id = %(id)s)
    ORDER BY kind, id LIMIT 100
"""
WRITE_ACTOR = """
    INSERT INTO actors (id, name, kind, country, parent_id, title, aliases, description)
    VALUES (%(id)s, %(name)s, %(kind)s, %(country)s, %(parent_id)s, %(title)s, %(aliases)s,
        %(description)s)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
        country = EXCLUDED.country, parent_id = EXCLUDED.parent_id, title = EXCLUDED.title,
        aliases = EXCLUDED.aliases, description = EXCLUDED.description, updated_at = now()
"""

FIELDS = ("name", "kind", "country", "parent_id", "title", "description")
# The records that embed an actor's summary.
EMBEDDED_IN = (
    "UPDATE events SET updated_at = now()"
    " WHERE id IN (SELECT event_id FROM event_participants WHERE actor_id = %(id)s)",
    "UPDATE statements SET updated_at = now() WHERE speaker_id = %(id)s"
    " OR id IN (SELECT statement_id FROM statement_addressees WHERE actor_id = %(id)s)",
    "UPDATE actors SET updated_at = now() WHERE parent_id = %(id)s",
)


def fetch(conn, actor_id, *, lock=False):
    if lock and not exists(conn, "actors", actor_id, lock=True):
        return None
    return conn.execute(SELECT_ACTORS + " WHERE a.id = %(id)s", {"id": actor_id}).fetchone()


# Filters that are one condition on one parameter of the same name.
SIMPLE_FILTERS = {
    "kind": "a.kind = ANY(%(kind)s)",
    "country": "a.country = ANY(%(country)s)",
    "parent_id": "a.parent_id = ANY(%(parent_id)s)",
    "q": name_match("a"),
    "updated_since": "a.updated_at >= %(updated_since)s",
}


def conditions(args, where=None):
    """The SQL conditions for the filters in `args` (an ActorQueryArgsSchema load)."""
    where = where or Conditions()
    for name, clause in SIMPLE_FILTERS.items():
        if name in args:
            where.add(clause, **{name: args[name]})
    return where


RANK = name_rank("a")


def list_actors(conn, args, where=None, *, rendered=False):
    """One page of the actors `args` select (plus any `where` conditions).

    `rendered`: each actor as the JSON text the API sends (its `json`).
    """
    if "q" in args:
        tolerate_typos(conn)
    columns = COLUMNS
    if rendered:
        columns = render.list_columns(SORT_COLUMNS, JSON_MEMBERS, args.get("fields_"))
    return list_records(
        conn,
        columns=columns,
        rendered=rendered,
        source="actors a",
        conditions=conditions(args, where),
        args=args,
        schema_cls=ActorQueryArgsSchema,
        alias="a",
        rank=RANK,
    )


def write(conn, actor, *, actor_id=None):
    """Create the actor, or replace it when `actor_id` exists; return it as stored."""
    problems = Problems()
    check_parent(conn, problems, "actors", actor_id, actor.get("parent_id"), "actor")
    problems.raise_any()
    before = summary(conn, "actors", SUMMARY_FIELDS, actor_id)
    actor_id = actor_id or uuid.uuid4()
    conn.execute(
        WRITE_ACTOR,
        {
            "id": actor_id,
            **{name: actor.get(name) for name in FIELDS},
            "aliases": actor.get("aliases") or [],
        },
    )
    touch_embedders(conn, before, actor, EMBEDDED_IN, actor_id)
    return fetch(conn, actor_id)


def delete(conn, actor_id):
    refuse_if_referenced(conn, "actor", REFERRERS, actor_id)
    conn.execute("DELETE FROM actors WHERE id = %(id)s", {"id": actor_id})


@blp.route("")
class Actors(MethodView):
    @blp.etag
    @blp.arguments(ActorQueryArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, ActorSchema(many=True))
    @blp.listing()
    def get(self, args):
        """List actors by name."""
        with get_db().transaction() as conn:
            return blp.json_page(list_actors(conn, args, rendered=True))

    @blp.etag
    @blp.arguments(ActorSchema)
    @blp.response(201, ActorSchema)
    @blp.errors(422)
    def post(self, actor):
        """Create an actor."""
        with get_db().transaction() as conn:
            created = write(conn, actor)
        created_at(url_for("actors.ActorById", actor_id=created["id"]))
        return created


@blp.route("/<uuid:actor_id>")
class ActorById(MethodView):
    @blp.etag
    @blp.response(200, ActorSchema)
    @blp.errors(404)
    def get(self, actor_id):
        """Get an actor."""
        with get_db().single_statement() as conn:
            return fetch(conn, actor_id) or not_found("actor", actor_id)

    @blp.etag
    @blp.arguments(ActorSchema)
    @blp.response(200, ActorSchema)
    @blp.errors(404, 412, 422)
    def put(self, actor, actor_id):
        """Replace an actor."""
        with get_db().transaction() as conn:
            current = fetch(conn, actor_id, lock=True) or not_found("actor", actor_id)
            blp.check_etag(current, ActorSchema)
            return write(conn, actor, actor_id=actor_id)

    @blp.etag
    @blp.arguments(ActorPatchSchema(partial=True))
    @blp.response(200, ActorSchema)
    @blp.errors(404, 412, 422)
    def patch(self, changes, actor_id):
        """Change some fields of an actor."""
        with get_db().transaction() as conn:
            current = fetch(conn, actor_id, lock=True) or not_found("actor", actor_id)
            blp.check_etag(current, ActorSchema)
            return write(conn, merge_patch(ActorSchema(), current, changes), actor_id=actor_id)

    @blp.etag
    @blp.response(204)
    @blp.errors(404, 409, 412)
    def delete(self, actor_id):
        """Delete an actor that nothing refers to."""
        with get_db().transaction() as conn:
            current = fetch(conn, actor_id, lock=True) or not_found("actor", actor_id)
            blp.check_etag(current, ActorSchema)
            delete(conn, actor_id)
