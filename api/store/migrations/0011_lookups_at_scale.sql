-- Two lookups that grew with the data (docs/PERFORMANCE.md, "Lookups at a
-- million events").
--
-- /match finds the names near the one asked for through the trigram GIN index
-- of 0002 (word similarity), no longer by walking a GiST index nearest first,
-- which read more of the index the more names there were. The GiST indexes
-- led by the country stay, for the nearest among the records of a country the
-- name mentions; they now hold only the records that have a country, so that
-- the planner no longer takes them for the search over every name.
DROP INDEX actors_search_names_gist_idx;
DROP INDEX locations_search_names_gist_idx;

DROP INDEX actors_country_search_names_gist_idx;
CREATE INDEX actors_country_search_names_gist_idx ON actors
    USING gist (country, search_names gist_trgm_ops (siglen = 256)) WHERE country IS NOT NULL;
DROP INDEX locations_country_search_names_gist_idx;
CREATE INDEX locations_country_search_names_gist_idx ON locations
    USING gist (country, search_names gist_trgm_ops (siglen = 256)) WHERE country IS NOT NULL;

-- min_sources counts its matches exactly up to a thousand (api/store/query.py,
-- count): from this index alone, where it read events one by one until it had
-- met a thousand (0.15 ms against 4-8 ms at a million events).
CREATE INDEX events_source_count_only_idx ON events (source_count) WHERE source_count > 1;
