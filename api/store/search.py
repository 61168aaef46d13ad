"""Search: by name for actors and locations, and in full text through them for the rest.

Actors and locations keep search_names (name and aliases, lower-cased,
unaccented; a generated column of migration 0002) under a trigram GIN index:
their q is alias-aware, accent-insensitive and typo-tolerant. The q of events,
statements and sources is full text (TextSearch), which takes what q names
(Named) as other spellings of it: q=Terter finds what says Tartar, and the
events at Tartar.
"""

import datetime as dt
import re
from dataclasses import dataclass

from psycopg import sql

from api.store.countries import countries_named
from api.store.database import local_settings, plan_with_values


# Name search (q): over search_names, the name and aliases lower-cased and
# unaccented, normalised the same way here. A substring (LIKE, wildcards in q
# escaped) serves autocomplete; word similarity (<%) tolerates a typo. The
# trigram GIN index on search_names answers both.
def _normalised(text):
    """SQL of `text` (SQL) as search_names holds names: lower-cased, unaccented."""
    return f"lower(eventdata_unaccent({text}))"


def _like_escaped(text):
    """SQL of `text` (SQL), normalised, with LIKE's wildcards escaped."""
    return (
        "replace(replace(replace(" + _normalised(text) + r", '\', '\\'), '%%', '\%%'), '_', '\_')"
    )


NORMALISED_Q = _normalised("%(q)s")
LIKE_ESCAPED_Q = _like_escaped("%(q)s")
# Typo tolerance: <% at pg_trgm.word_similarity_threshold, set per transaction,
# for a q of at least FUZZY_MIN_LENGTH characters. Chosen on real names (the
# ISO 3166 country names and the Karabakh war's places and people) and their
# one-letter typos (dropped, doubled, changed or swapped letters):
# - the default, 0.6, misses most of them: 'aliev' ~ 'ilham aliyev' is 0.5,
#   and of all the typos only 21% match; at 0.5, 59%; at 0.4, 78% (among
#   them 'azerbaidjan' 0.64, 'nagorno karabagh' 0.82, 'pashinian' 0.6);
# - but a short q shares its first two letters with many words, and that
#   alone scores about 2/(length + 1): 'tar' ~ 'taveuni' 0.5, 'post' ~
#   'polar station' and 'baku' ~ 'barda' 0.4. Against some 260 names, a q of
#   three letters matched 4 unrelated ones on average (at 0.4 as at 0.5), of
#   four letters 4.6 (0.4 at 0.5); of five letters or more, under one at 0.4.
# So 0.4 from five letters on; a shorter q (autocomplete as one types)
# matches as a substring only.
WORD_SIMILARITY_THRESHOLD = "0.4"
FUZZY_MIN_LENGTH = 5


def _names_contain(names, text):
    """SQL: the names (SQL of a search_names) contain `text` (SQL), or nearly."""
    normalised = _normalised(text)
    return (
        f"{names} LIKE '%%' || {_like_escaped(text)} || '%%'"
        f" OR (char_length({normalised}) >= {FUZZY_MIN_LENGTH} AND {normalised} <%% {names})"
    )


# A q that names countries (Armenia, Armenian, Azeri: api/store/countries.py)
# is about records of those countries: one of another country matches it only
# by containing q, never by being near it, and ranks below those of the named
# countries. "Armenia Defense Ministry" was near enough to "Defense Ministry
# of Azerbaijan" to find it first, and alone.
OF_NAMED_COUNTRY = (
    "(cardinality(%(q_countries)s::text[]) = 0 OR {alias}.country IS NULL"
    " OR {alias}.country = ANY(%(q_countries)s::text[]))"
)
COUNTRY_RANK = (
    " + CASE WHEN cardinality(%(q_countries)s::text[]) = 0 OR {alias}.country IS NULL THEN 0"
    " WHEN {alias}.country = ANY(%(q_countries)s::text[]) THEN 0.5 ELSE -0.5 END"
)


def name_search(alias):
    """The more_conditions of q over the names of `alias` (an actor or a place): its
    names contain q, or nearly, and nearly only for a record of a country q names."""
    names = f"{alias}.search_names"
    normalised = _normalised("%(q)s")
    condition = (
        f"{names} LIKE '%%' || {LIKE_ESCAPED_Q} || '%%'"
        f" OR (char_length({normalised}) >= {FUZZY_MIN_LENGTH} AND {normalised} <%% {names}"
        f" AND {OF_NAMED_COUNTRY.format(alias=alias)})"
    )

    def conditions(args, where):
        if "q" in args:
            where.add(condition, q=args["q"], q_countries=countries_named(args["q"]))

    return conditions


def name_rank(alias, *, countries=False):
    """How well q matches the names of `alias`, best highest.

    Names that begin with q come first (autocomplete); then word similarity
    (how well q matches some part of the names) plus similarity (how well it
    matches them whole). Word similarity alone lets its extent run across
    words, so 'azerbaidjan' would rank 'Defense Ministry of Azerbaijan'
    (names 'defense ministry of azerbaijan azerbaijani mod': 0.75) above
    'Azerbaijan' (0.64); the whole-name term puts the closer record first
    ('Azerbaijan' before 'Azeri Press Agency' for 'aze', 'Ilham Aliyev'
    before 'Mehriban Aliyeva' for 'aliev'). With `countries` (the lists of
    name_search), a record of a country q names gains half a point and one of
    another country loses as much. Ties go by id.
    """
    names = f"{alias}.search_names"
    country = COUNTRY_RANK.format(alias=alias) if countries else ""
    return sql.SQL(
        f"(2 * ({names} LIKE {LIKE_ESCAPED_Q} || '%%')::int"
        f" + word_similarity({NORMALISED_Q}, {names})"
        f" + similarity({NORMALISED_Q}, {names}){country})::real"
    )


def tolerate_typos(conn):
    """Let <% match at WORD_SIMILARITY_THRESHOLD for the rest of this transaction."""
    conn.execute(
        "SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true)",
        {"threshold": WORD_SIMILARITY_THRESHOLD},
    )


# How many actors, and how many locations, a q may name: the best matches.
NAMED_LIMIT = 5


# Naming, for the full text of events, statements and sources, is stricter than
# the name search of actors and locations, which serves autocomplete: each word
# of q is a word of the names, or (from six letters) nearly one by strict word
# similarity. Word similarity lets a word's first letters carry it: on the
# bench data 'shelling' ~ 'Shelkhak' is 0.44 and 'drone' ~ 'Drondnouk' 0.67, so
# common words named made-up people and places and drew in their events.
# Strict word similarity compares whole words: those are 0.29 and 0.33, while
# typos keep their score ('pashinian' ~ 'pashinyan' 0.54, 'azerbaidjan' ~
# 'azerbaijan' 0.64, 'yerevan' ~ 'erevan' 0.5). Three shared first letters
# still give a five-letter word 0.4 ('drone' ~ 'Dronmur'), and a six-letter
# one 0.33: hence six letters (docs/PERFORMANCE.md, "Search through names").
STRICT_WORD_SIMILARITY_THRESHOLD = "0.4"
NAMING_FUZZY_MIN_LENGTH = 6


def _names_hold_word(names, word):
    """SQL: a word of the names (SQL of a search_names) is `word` (SQL of a word of
    letters, digits and underscores: nothing a regular expression reads), or nearly."""
    normalised = _normalised(word)
    return (
        f"{names} ~ ('\\m' || {normalised} || '\\M')"
        f" OR (char_length({normalised}) >= {NAMING_FUZZY_MIN_LENGTH}"
        f" AND {normalised} <<%% {names})"
    )


def _named(alias):
    """The query of the rows of `alias` whose names hold every word of q: found (by the
    trigram index) through its longest word, %(q_word)s, then each of %(q_words)s
    checked. "shelling Tartar" names no place; "Pashinian" and "nikol pashinyan" name
    Nikol Pashinyan."""
    names = f"{alias}.search_names"
    return (
        f"SELECT {alias}.id, {alias}.name, {alias}.aliases FROM {{table}} {alias}"
        f" WHERE ({_names_hold_word(names, '%(q_word)s')})"
        f" AND NOT EXISTS (SELECT 1 FROM unnest(%(q_words)s::text[]) w"
        f" WHERE NOT ({_names_hold_word(names, 'w')}))"
        f" ORDER BY {{rank}} DESC, {alias}.id LIMIT %(limit)s"
    )


@dataclass(frozen=True)
class Named:
    """The actors and locations a q names, by a name or an alias, a typo tolerated.

    A record's text search takes their names and aliases as other spellings
    of q (Tartar is also Terter), and the records tied to them (events at the
    place, statements of the actor) match q too.
    """

    q: str
    actor_ids: tuple = ()
    location_ids: tuple = ()
    # Their names and aliases, as written.
    names: tuple = ()

    @property
    def params(self):
        """The parameters of the conditions and ranks of text search."""
        return {
            "q": self.q,
            "q_names": " or ".join(f'"{name.replace(chr(34), " ")}"' for name in self.names),
            "q_name_list": list(self.names),
            "q_actors": list(self.actor_ids),
            "q_locations": list(self.location_ids),
        }


# Naming runs with the strict threshold and through the trigram index: the
# planner costs <<% as it costs =, and so scanned a table of a few thousand
# rows whole, computing each one's similarity (17 ms for 2,000 actors, against
# 2 ms through the index; docs/PERFORMANCE.md). Both are put back at once.
NAMING = {
    "pg_trgm.strict_word_similarity_threshold": STRICT_WORD_SIMILARITY_THRESHOLD,
    "enable_seqscan": "off",
}


def named(conn, q):
    """The actors and locations `q` names (Named), best first, at most NAMED_LIMIT of each."""
    words = re.findall(r"\w+", q)
    if not words:
        return Named(q)
    # Planned with q: only then can the trigram index answer ~ and <<%.
    plan_with_values(conn)
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("(SELECT {kind} AS kind, * FROM ({named}) {alias})").format(
            kind=sql.Literal(table),
            named=sql.SQL(_named(alias)).format(
                table=sql.Identifier(table), rank=name_rank(alias)
            ),
            alias=sql.Identifier(table),
        )
        for table, alias in (("actors", "a"), ("locations", "l"))
    )
    params = {"q": q, "q_words": words, "q_word": max(words, key=len), "limit": NAMED_LIMIT}
    with local_settings(conn, NAMING):
        rows = conn.execute(query, params).fetchall()
    found = {
        table: [row for row in rows if row["kind"] == table] for table in ("actors", "locations")
    }
    names = dict.fromkeys(
        name
        for row in (*found["actors"], *found["locations"])
        for name in (row["name"], *row["aliases"])
    )
    return Named(
        q,
        tuple(row["id"] for row in found["actors"]),
        tuple(row["id"] for row in found["locations"]),
        tuple(names),
    )


# The records tied to what q names through a table of links (an actor's events)
# are passed by their ids when there are at most this many: the planner can then
# find them by index beside the text's matches (bitmap OR), or check each row
# of a walk by a hash. More (a state's 90,000 events at a million) are dense
# among the recent ones a walk meets first: they stay a subquery, hashed once.
# Either way 50 ms at a million events fell to 5-12 ms (docs/PERFORMANCE.md).
FEW_TIED = 5000


# A relevance pool (api/store/query.py) ranks the RELEVANCE_POOL most recent
# matches, so a record tied to what q names can only be in it if it is among
# the RELEVANCE_POOL most recent of the tied ones. When there are more than
# FEW_TIED, a tie that can find its records by date (`since`) lists those in a
# window back from the newest record (`newest`), widened WIDEN times until it
# holds that many: a state's 92,000 events at a million were hashed whole for
# a pool of a thousand (36 ms of a 97 ms search), where the two months that
# hold its thousand newest take 2 ms (docs/PERFORMANCE.md, "Lookups at a
# million events").
FIRST_WINDOW_DAYS, WIDEN, MAX_WINDOW_DAYS = 32, 4, 366 * 1000


@dataclass(frozen=True)
class Tie:
    """How a record is tied to the actors or places q names (`named`: q_actors, q_locations).

    Its `column` holds their ids (e.location_id), or, with `via`, the ids of the
    records tied to them: `via` selects those, given the named ones (an actor's
    events, from their participations), and `one` says the same of one record.
    `since` selects those of them dated on or after %(since)s, in the order of
    the relevance pool (newest first), and `newest` the newest date there is.
    """

    column: str
    named: str
    via: str | None = None
    one: str | None = None
    since: str | None = None
    newest: str | None = None

    def one_record(self):
        """SQL: this record is tied to what q names."""
        return self.one or f"{self.column} = ANY(%({self.named})s::uuid[])"

    def recent(self, conn, params, wanted):
        """The ids of the tied records that a pool of the `wanted` most recent matches
        can hold, when there are more than FEW_TIED of them all: those since the date
        of the wanted-th newest, or a few more; None when that is more than FEW_TIED."""
        newest = next(iter(conn.execute(self.newest).fetchone().values()))
        days = FIRST_WINDOW_DAYS
        while newest is not None and days < MAX_WINDOW_DAYS:
            rows = conn.execute(
                sql.SQL(self.since + " LIMIT %(few)s"),
                {**params, "since": newest - dt.timedelta(days=days), "few": FEW_TIED + 1},
            ).fetchall()
            ids = list(dict.fromkeys(next(iter(row.values())) for row in rows))
            if len(ids) > FEW_TIED:
                break
            if len(ids) >= wanted:
                return ids
            days *= WIDEN
        return None


@dataclass(frozen=True)
class TextSearch:
    """q over a record's full text (`document`, a tsvector), and through what it names.

    `ties` (Tie) tie a record to the actors and places q names: an event at
    Tartar matches q=Terter though its text says neither. `tie_names` are SQL
    of the names of what q names that a record is tied to, for the words it
    matched.
    """

    document: str
    ties: tuple = ()
    tie_names: tuple = ()

    QUERY = "websearch_to_tsquery('english', %(q)s)"
    # q, or a name of what it names ('' when there are none: an empty query).
    EXPANDED = f"({QUERY} || websearch_to_tsquery('english', %(q_names)s))"

    def tied(self, conn, found, pool=None):
        """The ids of the records tied through links to what q names, by parameter: a
        list when there are at most FEW_TIED, else None (the link's subquery stands).
        With `pool` (the list is a relevance pool of that many), a tie that can find
        its records by date lists those the pool can hold (Tie.recent)."""
        tied = {}
        for index, tie in enumerate(self.ties):
            if tie.via and found.params[tie.named]:
                rows = conn.execute(
                    sql.SQL(tie.via + " LIMIT %(few)s"), {**found.params, "few": FEW_TIED + 1}
                ).fetchall()
                ids = [next(iter(row.values())) for row in rows]
                if len(ids) <= FEW_TIED:
                    tied[f"q_tied_{index}"] = ids
                elif pool and tie.since:
                    tied[f"q_tied_{index}"] = tie.recent(conn, found.params, pool)
                else:
                    tied[f"q_tied_{index}"] = None
        return tied

    def condition(self, found, tied):
        """The condition q puts on a record, given what it names (a Named) and `tied`;
        and its parameters."""
        params = {**found.params, **{name: ids for name, ids in tied.items() if ids}}
        if not found.names:
            # What names nothing is the plain full-text search it always was.
            return sql.SQL(f"{self.document} @@ {self.QUERY}"), params
        arms = [f"{self.document} @@ {self.EXPANDED}"]
        for index, tie in enumerate(self.ties):
            if not found.params[tie.named]:
                continue
            ids = tied.get(f"q_tied_{index}")
            if tie.via is None:
                arms.append(tie.one_record())
            elif ids:
                arms.append(f"{tie.column} = ANY(%(q_tied_{index})s::uuid[])")
            elif ids is None:
                # Too many to list, or not looked up (tied() was not called).
                arms.append(f"{tie.column} IN ({tie.via})")
        return sql.SQL(" OR ".join(f"({arm})" for arm in arms)), params

    @property
    def rank(self):
        """How well a record matches, best highest: its text's rank, and a tenth more
        for each tie to what q names."""
        ties = "".join(f" + 0.1 * coalesce(({tie.one_record()})::int, 0)" for tie in self.ties)
        return sql.SQL(f"(ts_rank_cd({self.document}, {self.EXPANDED}){ties})::real")

    def matched(self):
        """SQL of the words of a search a record matched: q when its text matches q, each
        name of what q names that its text holds, then those of what it is tied to."""
        words = (
            f"CASE WHEN {self.document} @@ {self.QUERY} THEN ARRAY[%(q)s::text]"
            " ELSE ARRAY[]::text[] END"
            f" || ARRAY(SELECT n FROM unnest(%(q_name_list)s::text[]) n"
            f" WHERE {self.document} @@ phraseto_tsquery('english', n))"
        )
        return " || ".join([words, *self.tie_names])


def names_matched(alias):
    """SQL of the names and aliases of actor or location `alias` that hold q, or nearly."""
    return (
        f"ARRAY(SELECT n FROM unnest(ARRAY[{alias}.name] || {alias}.aliases) n"
        f" WHERE {_names_contain(_normalised('n'), '%(q)s')})"
    )
