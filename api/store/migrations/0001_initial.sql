-- The five kinds of record, their links, and the tokens that may write them.
-- Vocabularies are checked by the schemas (and listed in the OpenAPI document);
-- the database keeps the invariants that must hold whoever writes.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE sources (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    url text CONSTRAINT sources_url_key UNIQUE,
    publisher text,
    published_on date,
    language text,
    body text NOT NULL,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE actors (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    country char(3),
    parent_id uuid CONSTRAINT actors_parent_id_fkey REFERENCES actors (id),
    title text,
    aliases text[] NOT NULL DEFAULT '{}',
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT actors_parent_not_self CHECK (parent_id <> id)
);
CREATE INDEX actors_parent_id_idx ON actors (parent_id);

CREATE TABLE locations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    country char(3),
    parent_id uuid CONSTRAINT locations_parent_id_fkey REFERENCES locations (id),
    aliases text[] NOT NULL DEFAULT '{}',
    latitude double precision,
    longitude double precision,
    geo_precision text,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT locations_parent_not_self CHECK (parent_id <> id),
    CONSTRAINT locations_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT locations_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    CONSTRAINT locations_longitude_range CHECK (longitude BETWEEN -180 AND 180)
);
CREATE INDEX locations_parent_id_idx ON locations (parent_id);

CREATE TABLE events (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    summary text,
    event_type text NOT NULL,
    mode text,
    start_date date NOT NULL,
    end_date date NOT NULL,
    date_precision text NOT NULL,
    location_id uuid CONSTRAINT events_location_id_fkey REFERENCES locations (id),
    certainty text NOT NULL,
    fatalities_low integer,
    fatalities_high integer,
    injuries_low integer,
    injuries_high integer,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_dates_ordered CHECK (end_date >= start_date),
    CONSTRAINT events_fatalities_ordered CHECK (fatalities_high >= fatalities_low),
    CONSTRAINT events_injuries_ordered CHECK (injuries_high >= injuries_low)
);
CREATE INDEX events_location_id_idx ON events (location_id);
CREATE INDEX events_start_date_idx ON events (start_date DESC, id);

CREATE TABLE event_participants (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position smallint NOT NULL,
    actor_id uuid NOT NULL CONSTRAINT event_participants_actor_id_fkey REFERENCES actors (id),
    role text NOT NULL,
    PRIMARY KEY (event_id, position),
    CONSTRAINT event_participants_once UNIQUE (event_id, actor_id, role)
);
CREATE INDEX event_participants_actor_id_idx ON event_participants (actor_id);

CREATE TABLE statements (
    id uuid PRIMARY KEY,
    speaker_id uuid NOT NULL CONSTRAINT statements_speaker_id_fkey REFERENCES actors (id),
    text text NOT NULL,
    is_direct_quote boolean NOT NULL,
    statement_type text NOT NULL,
    stated_on date,
    date_precision text,
    medium text,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX statements_speaker_id_idx ON statements (speaker_id);
CREATE INDEX statements_stated_on_idx ON statements (stated_on DESC, id);

CREATE TABLE statement_addressees (
    statement_id uuid NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position smallint NOT NULL,
    actor_id uuid NOT NULL CONSTRAINT statement_addressees_actor_id_fkey REFERENCES actors (id),
    PRIMARY KEY (statement_id, position),
    CONSTRAINT statement_addressees_once UNIQUE (statement_id, actor_id)
);
CREATE INDEX statement_addressees_actor_id_idx ON statement_addressees (actor_id);

CREATE TABLE statement_events (
    statement_id uuid NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    position smallint NOT NULL,
    event_id uuid NOT NULL CONSTRAINT statement_events_event_id_fkey REFERENCES events (id),
    stance text NOT NULL,
    PRIMARY KEY (statement_id, position),
    CONSTRAINT statement_events_once UNIQUE (statement_id, event_id)
);
CREATE INDEX statement_events_event_id_idx ON statement_events (event_id);

-- A citation belongs to exactly one event or one statement; its offsets are
-- computed by the server from the quote and the source's body.
CREATE TABLE citations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid REFERENCES events (id) ON DELETE CASCADE,
    statement_id uuid REFERENCES statements (id) ON DELETE CASCADE,
    position smallint NOT NULL,
    source_id uuid NOT NULL CONSTRAINT citations_source_id_fkey REFERENCES sources (id),
    quote text NOT NULL,
    start_offset integer NOT NULL,
    end_offset integer NOT NULL,
    CONSTRAINT citations_one_owner CHECK (num_nonnulls(event_id, statement_id) = 1),
    CONSTRAINT citations_offsets_ordered CHECK (0 <= start_offset AND start_offset < end_offset)
);
CREATE INDEX citations_event_id_idx ON citations (event_id, position) WHERE event_id IS NOT NULL;
CREATE INDEX citations_statement_id_idx ON citations (statement_id, position)
    WHERE statement_id IS NOT NULL;
CREATE INDEX citations_source_id_idx ON citations (source_id);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    token_hash text NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
-- A name may be reused once the token that had it is revoked.
CREATE UNIQUE INDEX api_tokens_active_name_key ON api_tokens (name) WHERE revoked_at IS NULL;
