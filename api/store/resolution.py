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
from api.store.database import local_settings
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
# soon); the most alike of those whose names hold the name, or nearly (word
# similarity at MATCH_WORD_SIMILARITY, from the trigram GIN index of 0002);
# and the nearest among the records of each country the name mentions (the
# GiST index on (country, search_names) orders them): as many from each as
# the answer may hold, and at least POOL. The
# nearest of all names by a GiST walk read more of its index as names grew
# (docs/PERFORMANCE.md, "Lookups at a million events").
POOL = 10
# A name whose words differ by a letter or two from some of a record's
# ('Azerbaija' ~ 'Azerbaijan' 0.8, 'Armenia Defense Ministry' ~ 'Defense
# Ministry of Azerbaijan' 0.68) is near; one that shares a common phrase and
# not its last word ('Armed Forces of Pakistan' ~ '... of Peru') is not. At
# pg_trgm's default, 0.6, the eighty 'Armed Forces of' of the bench data were
# all near one another, and ranking them cost 2 ms of each request.
MATCH_WORD_SIMILARITY = "0.65"
# Set for the one statement, like naming in search (api/store/search.py): the
# planner costs <% as it costs =, and would compute every row's similarity. Its
# plan is made once per connection, without the name: planned with it, each
# request spent longer planning (1-3 ms) than running (under 1 ms), and at a
# million events the planner often chose to plan it again each time.
MATCHING = {
    "pg_trgm.word_similarity_threshold": MATCH_WORD_SIMILARITY,
    "enable_seqscan": "off",
    "plan_cache_mode": "force_generic_plan",
}
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
        (SELECT t.id FROM {table} t
         WHERE lower(eventdata_unaccent(%(name)s)) <%% t.search_names AND {filters}
         ORDER BY similarity(lower(eventdata_unaccent(%(name)s)), t.search_names) DESC, t.id
         LIMIT %(pool)s)
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
# The arguments that narrow the candidates, each written into the statement
# only when given: a plan made for "kind IS NULL OR kind = ..." expected one
# row of each arm and sorted a country's hundreds of records by hand.
FILTERS = {"kind": "t.kind = %(kind)s", "parent_id": "t.parent_id = %(parent_id)s"}


def match(conn, record, args):
    """The records of `record`'s kind that `args["name"]` may mean, best first, and the
    countries it was read to name: ({"countries": [...]}, [candidate rows])."""
    countries = countries_named(args["name"])
    if args.get("country") and args["country"] not in countries:
        countries.append(args["country"])
    table = sql.Identifier(record.table)
    filters = sql.SQL(
        " AND ".join(["true", *(FILTERS[name] for name in FILTERS if args.get(name) is not None)])
    )
    # The codes are written into the statement (they are ISO 3166 codes, from
    # countries_named or a validated argument): a plan made for any country
    # sorted all of that country's records rather than walk the GiST index.
    of_countries = sql.SQL("").join(
        sql.SQL(OF_COUNTRY).format(table=table, code=sql.Literal(code), filters=filters)
        for code in countries[:MAX_COUNTRIES]
    )
    query = sql.SQL(MATCH).format(table=table, filters=filters, of_countries=of_countries)
    with local_settings(conn, MATCHING):
        rows = conn.execute(
            query,
            {
                "name": args["name"],
                "kind": args.get("kind"),
                "parent_id": args.get("parent_id"),
                "countries": countries,
                "pool": max(args["limit"], POOL),
                "same_gain": SAME_COUNTRY_GAIN,
                "other_keep": OTHER_COUNTRY_KEEP,
                "min_score": args["min_score"],
                "limit": args["limit"],
            },
        ).fetchall()
    return countries, rows
