-- Entity resolution: an actor's or a place's names compared as people read them,
-- so that a write can refuse a name another record already has (409) and
-- /match can find it (api/store/resolution.py).

-- A name's key: lower-cased, unaccented, without punctuation or spacing, so
-- that "Azeri forces", "AZERI-FORCES" and "Azéri  forces" are one name.
CREATE FUNCTION eventdata_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(lower(public.eventdata_unaccent(name)), '[^[:alnum:]]+', '', 'g') $$;

-- The keys of a record's name and aliases.
CREATE FUNCTION eventdata_name_keys(name text, aliases text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT array_agg(DISTINCT public.eventdata_name_key(n))
        FROM unnest(ARRAY[name] || coalesce(aliases, ARRAY[]::text[])) n
        WHERE public.eventdata_name_key(n) <> ''
    $$;

-- Indexes are built with search_path set to pg_catalog: the functions they
-- call name the schema of the functions they call in turn.

-- Exact matches (&&: the keys of a name being written meet a record's keys).
CREATE INDEX actors_name_keys_idx ON actors USING gin (eventdata_name_keys(name, aliases));
CREATE INDEX locations_name_keys_idx ON locations
    USING gin (eventdata_name_keys(name, aliases));

-- Near matches, best first: GiST answers ORDER BY search_names <-> q LIMIT n
-- from the index (the GIN index of 0002 finds matches but cannot order them).
-- Its signatures are 256 bytes, not 12: names and aliases hold dozens of
-- trigrams, which saturate a short signature, and the nearest were then found
-- by reading most of the index (docs/PERFORMANCE.md, "Resolving names").
-- Among the records of one country (a name that mentions it), the country
-- leads the index (btree_gist): the nearest of a country were otherwise found
-- by reading all of its records.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX actors_search_names_gist_idx ON actors
    USING gist (search_names gist_trgm_ops (siglen = 256));
CREATE INDEX locations_search_names_gist_idx ON locations
    USING gist (search_names gist_trgm_ops (siglen = 256));
CREATE INDEX actors_country_search_names_gist_idx ON actors
    USING gist (country, search_names gist_trgm_ops (siglen = 256));
CREATE INDEX locations_country_search_names_gist_idx ON locations
    USING gist (country, search_names gist_trgm_ops (siglen = 256));
