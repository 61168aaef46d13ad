-- What querying needs: search columns and their indexes, geographic and date
-- indexes, and a record of deletions for clients that mirror the data.

-- unaccent() is only STABLE (its dictionary could change); indexes need an
-- IMMUTABLE wrapper, which is safe as long as the dictionary stays as shipped.
CREATE FUNCTION eventdata_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- The text a name search matches: name and aliases, lower-cased, unaccented.
CREATE FUNCTION eventdata_search_names(name text, aliases text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(eventdata_unaccent(name || ' ' || array_to_string(aliases, ' '))) $$;

ALTER TABLE actors ADD COLUMN search_names text
    GENERATED ALWAYS AS (eventdata_search_names(name, aliases)) STORED;
CREATE INDEX actors_search_names_trgm_idx ON actors USING gin (search_names gin_trgm_ops);
CREATE INDEX actors_kind_idx ON actors (kind);
CREATE INDEX actors_country_idx ON actors (country);
CREATE INDEX actors_updated_at_idx ON actors (updated_at, id);

ALTER TABLE locations ADD COLUMN search_names text
    GENERATED ALWAYS AS (eventdata_search_names(name, aliases)) STORED;
CREATE INDEX locations_search_names_trgm_idx ON locations
    USING gin (search_names gin_trgm_ops);
CREATE INDEX locations_kind_idx ON locations (kind);
CREATE INDEX locations_country_idx ON locations (country);
CREATE INDEX locations_updated_at_idx ON locations (updated_at, id);
-- Bounding boxes and radius searches: points as (longitude, latitude).
CREATE INDEX locations_point_idx ON locations USING gist (point(longitude, latitude))
    WHERE latitude IS NOT NULL;

-- Full-text search over an event's title, summary and cited quotes, kept up to
-- date by the write that changes any of them.
ALTER TABLE events ADD COLUMN search tsvector;
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_dates_idx ON events USING gist (daterange(start_date, end_date, '[]'));
CREATE INDEX events_end_date_idx ON events (end_date DESC, id);
-- Events at a set of places, newest first: location, bbox and radius filters.
CREATE INDEX events_location_start_idx ON events (location_id, start_date DESC, id);
CREATE INDEX events_event_type_idx ON events (event_type, start_date DESC, id);
CREATE INDEX events_certainty_idx ON events (certainty);
CREATE INDEX events_fatalities_idx ON events (fatalities_low) WHERE fatalities_low IS NOT NULL;
CREATE INDEX events_created_at_idx ON events (created_at, id);
CREATE INDEX events_updated_at_idx ON events (updated_at, id);
DROP INDEX event_participants_actor_id_idx;
CREATE INDEX event_participants_actor_role_idx ON event_participants (actor_id, role, event_id);
CREATE INDEX citations_source_event_idx ON citations (source_id, event_id);

ALTER TABLE statements ADD COLUMN search tsvector;
CREATE INDEX statements_search_idx ON statements USING gin (search);
CREATE INDEX statements_statement_type_idx ON statements (statement_type);
-- The default order of statements: latest first, undated last.
CREATE INDEX statements_stated_on_order_idx ON statements
    ((coalesce(stated_on, '-infinity'::date)) DESC, id DESC);
CREATE INDEX statements_updated_at_idx ON statements (updated_at, id);
CREATE INDEX statements_created_at_idx ON statements (created_at, id);
CREATE INDEX sources_updated_at_idx ON sources (updated_at, id);
-- Full-text search over a source's title and the start of its body: a
-- tsvector holds at most 1 MB, which a million characters of text can pass.
ALTER TABLE sources ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', left(body, 100000)), 'B')) STORED;
CREATE INDEX sources_search_idx ON sources USING gin (search);

-- Every deletion, so a client that mirrors the data learns what disappeared.
CREATE TABLE deletions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    record_id uuid NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deletions_deleted_at_idx ON deletions (deleted_at, id);

CREATE FUNCTION eventdata_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The moment of the delete itself, not the start of its transaction: a delete
    -- that waited for a lock must not look older than the update it waited for.
    INSERT INTO deletions (kind, record_id, deleted_at)
        VALUES (TG_ARGV[0], OLD.id, clock_timestamp());
    RETURN OLD;
END $$;

CREATE TRIGGER sources_deleted AFTER DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION eventdata_record_deletion('source');
CREATE TRIGGER actors_deleted AFTER DELETE ON actors
    FOR EACH ROW EXECUTE FUNCTION eventdata_record_deletion('actor');
CREATE TRIGGER locations_deleted AFTER DELETE ON locations
    FOR EACH ROW EXECUTE FUNCTION eventdata_record_deletion('location');
CREATE TRIGGER events_deleted AFTER DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION eventdata_record_deletion('event');
CREATE TRIGGER statements_deleted AFTER DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION eventdata_record_deletion('statement');

-- The documents full-text search matches: title or text first, then summary,
-- then the words quoted from sources.
CREATE FUNCTION eventdata_event_search(title text, summary text, quotes text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
              || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
              -- A tsvector holds at most 1 MB: the start of the quotes is enough.
              || setweight(to_tsvector('english', left(coalesce(quotes, ''), 100000)), 'C') $$;

-- Records written before this migration get their search documents now.
UPDATE events e SET search = eventdata_event_search(e.title, e.summary,
    (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
     WHERE c.event_id = e.id));
UPDATE statements s SET search = eventdata_event_search(s.text, s.medium,
    (SELECT string_agg(c.quote, ' ' ORDER BY c.position) FROM citations c
     WHERE c.statement_id = s.id));
