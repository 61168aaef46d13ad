"""Name search for actors and locations: alias-aware, accent-insensitive, typo-tolerant.

Both tables keep search_names (name and aliases, lower-cased, unaccented; a
generated column of migration 0002) under a trigram GIN index.
"""

from psycopg import sql

# Name search (q): over search_names, the name and aliases lower-cased and
# unaccented, normalised the same way here. A substring (LIKE, wildcards in q
# escaped) serves autocomplete; word similarity (<%) tolerates a typo. The
# trigram GIN index on search_names answers both.
NORMALISED_Q = "lower(eventdata_unaccent(%(q)s))"
LIKE_ESCAPED_Q = (
    "replace(replace(replace(" + NORMALISED_Q + r", '\', '\\'), '%%', '\%%'), '_', '\_')"
)
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


def name_match(alias):
    """The condition q puts on the table `alias`: its names contain q, or nearly."""
    names = f"{alias}.search_names"
    return (
        f"{names} LIKE '%%' || {LIKE_ESCAPED_Q} || '%%'"
        f" OR (char_length({NORMALISED_Q}) >= {FUZZY_MIN_LENGTH} AND {NORMALISED_Q} <%% {names})"
    )


def name_rank(alias):
    """How well q matches the names of `alias`, best highest.

    Names that begin with q come first (autocomplete); then word similarity
    (how well q matches some part of the names) plus similarity (how well it
    matches them whole). Word similarity alone lets its extent run across
    words, so 'azerbaidjan' would rank 'Defense Ministry of Azerbaijan'
    (names 'defense ministry of azerbaijan azerbaijani mod': 0.75) above
    'Azerbaijan' (0.64); the whole-name term puts the closer record first
    ('Azerbaijan' before 'Azeri Press Agency' for 'aze', 'Ilham Aliyev'
    before 'Mehriban Aliyeva' for 'aliev'). Ties go by id.
    """
    names = f"{alias}.search_names"
    return sql.SQL(
        f"(2 * ({names} LIKE {LIKE_ESCAPED_Q} || '%%')::int"
        f" + word_similarity({NORMALISED_Q}, {names})"
        f" + similarity({NORMALISED_Q}, {names}))::real"
    )


def tolerate_typos(conn):
    """Let <% match at WORD_SIMILARITY_THRESHOLD for the rest of this transaction."""
    conn.execute(
        "SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true)",
        {"threshold": WORD_SIMILARITY_THRESHOLD},
    )
