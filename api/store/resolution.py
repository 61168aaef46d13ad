"""Entity resolution for actors and places: the names a write would repeat, and ranked matches.

A name is compared by its key (migration 0010, eventdata_name_key): lower-cased,
unaccented, without punctuation or spacing, so "Azeri forces" is "AZERI-FORCES".
A write whose name or alias has the key of another record's name or alias is
refused (409, NamesTaken) unless the client means a new record; /match ranks
the records a name may mean, exact keys first, then by trigram similarity,
with the countries the name mentions counted (api/store/countries.py).
"""

from psycopg import sql

from api.store.countries import countries_named
from api.store.errors import NamesTaken

# The records a 409 lists, at most.
TAKEN_LIMIT = 20
# The keys of the names being written that no record of this id has yet: a PUT
# or PATCH that keeps its names is never refused for them.
NEW_KEYS = """
    SELECT ARRAY(
        SELECT unnest(coalesce(eventdata_name_keys(%(name)s, %(aliases)s::text[]), '{{}}'))
        EXCEPT
        SELECT unnest(coalesce(
            (SELECT eventdata_name_keys(t.name, t.aliases) FROM {table} t WHERE t.id = %(id)s),
            '{{}}'))
        ORDER BY 1
    ) AS keys
"""
# Two writers of the same new name queue here, so the second sees the first's
# record; the keys are locked in order, so that two writers never wait on each other.
LOCK_KEYS = """
    SELECT pg_advisory_xact_lock(hashtextextended({kind} || ':' || k, 0))
    FROM unnest(%(keys)s::text[]) k ORDER BY k
"""
TAKEN = """
    SELECT t.id, t.name, matched.name AS matched_name
    FROM {table} t
    CROSS JOIN LATERAL (
        SELECT n AS name FROM unnest(ARRAY[t.name] || t.aliases) WITH ORDINALITY names (n, position)
        WHERE eventdata_name_key(n) = ANY(%(keys)s::text[]) ORDER BY position LIMIT 1
    ) matched
    WHERE eventdata_name_keys(t.name, t.aliases) && %(keys)s::text[]
        AND t.id IS DISTINCT FROM %(id)s
    ORDER BY t.name, t.id
    LIMIT %(limit)s
"""


def refuse_taken_names(conn, record, data, record_id=None):
    """Raise NamesTaken when a name or alias of `data`, new to the record `record_id`
    (None for a new record), is a name or alias of another record of its kind."""
    table = sql.Identifier(record.table)
    params = {"name": data["name"], "aliases": data.get("aliases") or [], "id": record_id}
    keys = conn.execute(sql.SQL(NEW_KEYS).format(table=table), params).fetchone()["keys"]
    if not keys:
        return
    conn.execute(sql.SQL(LOCK_KEYS).format(kind=sql.Literal(record.kind)), {"keys": keys})
    rows = conn.execute(
        sql.SQL(TAKEN).format(table=table), {**params, "keys": keys, "limit": TAKEN_LIMIT}
    ).fetchall()
    if rows:
        raise NamesTaken(record.kind, record.table, [dict(row) for row in rows])


# /match: the candidates are the records whose keys hold the name's (few: no
# LIMIT, which made the planner hope a scan of the table would meet them
# soon), and the nearest by trigram distance (the GiST indexes of migration
# 0010 order them), overall and among the countries named: at most POOL each,
# whatever the number of records.
POOL = 20
# How much a candidate of a country the name mentions gains of what it lacks
# to a score of 1, and the share of its score kept by one of another country.
SAME_COUNTRY_GAIN = 0.3
OTHER_COUNTRY_KEEP = 0.5
MATCH = """
    WITH candidates AS (
        (SELECT t.id FROM {table} t
         WHERE eventdata_name_keys(t.name, t.aliases) && ARRAY[eventdata_name_key(%(name)s)]
             AND {filters})
        UNION
        (SELECT t.id FROM {table} t WHERE {filters}
         ORDER BY t.search_names <-> lower(eventdata_unaccent(%(name)s)) LIMIT %(pool)s)
        {of_countries}
    )
    SELECT t.id, t.name, t.kind, t.country, t.parent_id, best.name AS matched_name,
        best.exact, round(scored.score::numeric, 3)::float AS score
    FROM candidates c
    JOIN {table} t ON t.id = c.id
    CROSS JOIN LATERAL (
        SELECT n AS name, eventdata_name_key(n) = eventdata_name_key(%(name)s) AS exact,
            similarity(lower(eventdata_unaccent(n)), lower(eventdata_unaccent(%(name)s)))
                AS closeness
        FROM unnest(ARRAY[t.name] || t.aliases) WITH ORDINALITY names (n, position)
        ORDER BY exact DESC, closeness DESC, position LIMIT 1
    ) best
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN best.exact THEN 1.0
            WHEN cardinality(%(countries)s::text[]) = 0 OR t.country IS NULL THEN best.closeness
            WHEN t.country = ANY(%(countries)s::text[])
                THEN best.closeness + (1 - best.closeness) * %(same_gain)s
            ELSE best.closeness * %(other_keep)s
        END AS score
    ) scored
    WHERE scored.score >= %(min_score)s
    ORDER BY scored.score DESC, t.name, t.id
    LIMIT %(limit)s
"""
# The nearest among the records of one country the name mentions (at most
# MAX_COUNTRIES of them), each from the index on (country, search_names).
OF_COUNTRY = """
        UNION
        (SELECT t.id FROM {table} t WHERE t.country = {code} AND {filters}
         ORDER BY t.search_names <-> lower(eventdata_unaccent(%(name)s)) LIMIT %(pool)s)
"""
MAX_COUNTRIES = 4
FILTERS = sql.SQL(
    "(%(kind)s::text IS NULL OR t.kind = %(kind)s)"
    " AND (%(parent_id)s::uuid IS NULL OR t.parent_id = %(parent_id)s)"
)


def match(conn, record, args):
    """The records of `record`'s kind that `args["name"]` may mean, best first, and the
    countries it was read to name: ({"countries": [...]}, [candidate rows])."""
    countries = countries_named(args["name"])
    if args.get("country") and args["country"] not in countries:
        countries.append(args["country"])
    table = sql.Identifier(record.table)
    of_countries = sql.SQL("").join(
        sql.SQL(OF_COUNTRY).format(
            table=table, code=sql.Placeholder(f"country_{index}"), filters=FILTERS
        )
        for index in range(min(len(countries), MAX_COUNTRIES))
    )
    query = sql.SQL(MATCH).format(table=table, filters=FILTERS, of_countries=of_countries)
    rows = conn.execute(
        query,
        {
            "name": args["name"],
            "kind": args.get("kind"),
            "parent_id": args.get("parent_id"),
            "countries": countries,
            **{f"country_{index}": code for index, code in enumerate(countries)},
            "pool": POOL,
            "same_gain": SAME_COUNTRY_GAIN,
            "other_keep": OTHER_COUNTRY_KEEP,
            "min_score": args["min_score"],
            "limit": args["limit"],
        },
    ).fetchall()
    return countries, rows
