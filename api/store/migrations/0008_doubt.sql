-- Doubt a machine can read: a statement's doubtful attribution, an event
-- reported as background or as a photo's scene, and an event's certainty that
-- follows the statements about it.

-- A statement's attribution: 'clear' as the source gives it, or 'doubtful'
-- with the reason in attribution_note (schemas/vocabularies.py).
ALTER TABLE statements
    ADD COLUMN attribution text NOT NULL DEFAULT 'clear',
    ADD COLUMN attribution_note text,
    ADD CONSTRAINT statements_attribution_note_doubtful
        CHECK (attribution_note IS NULL OR attribution <> 'clear');
-- The few doubtful statements, in the default order of statements.
CREATE INDEX statements_doubtful_idx ON statements
    ((coalesce(stated_on, '-infinity'::date)) DESC, id DESC) WHERE attribution <> 'clear';

-- An event's certainty follows the statements about it: a statement that
-- denies it makes a reported or alleged event disputed, unless its certainty
-- was set by hand. The rule is written once, here; the column `certainty` is
-- computed from what the event's writer gave (coded_certainty), whether they
-- set it by hand, and whether a statement denies it (denied_by_statement,
-- kept by the writes of statements: api/resources/events/store.py).
CREATE FUNCTION eventdata_certainty(coded text, set_by_hand boolean, denied boolean)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN NOT set_by_hand AND denied AND coded IN ('reported', 'alleged')
                      THEN 'disputed' ELSE coded END $$;

ALTER TABLE events RENAME COLUMN certainty TO coded_certainty;
DROP INDEX events_certainty_idx;
ALTER TABLE events
    -- 'event' (an ordinary reported event), 'background' (history told for
    -- context) or 'scene' (what a photo shows, where it was taken).
    ADD COLUMN reported_as text NOT NULL DEFAULT 'event',
    ADD COLUMN certainty_set_by_hand boolean NOT NULL DEFAULT false,
    ADD COLUMN denied_by_statement boolean NOT NULL DEFAULT false;

-- Until now every certainty was set by hand. An event a statement denies,
-- whose certainty the rule would change, keeps it and says it was set by hand:
-- a migration writes no revision, so it changes nothing a client can see but
-- the new fields.
UPDATE events SET denied_by_statement = true,
    certainty_set_by_hand = coded_certainty IN ('reported', 'alleged')
WHERE id IN (SELECT event_id FROM statement_events WHERE stance = 'denies');

-- Adding a stored generated column rewrites the table (and its indexes), which
-- leaves its visibility map empty (api/store/database.py, VACUUM_AFTERWARDS).
-- vacuum afterwards: events
ALTER TABLE events ADD COLUMN certainty text NOT NULL
    GENERATED ALWAYS AS (eventdata_certainty(coded_certainty, certainty_set_by_hand,
                                             denied_by_statement)) STORED;
CREATE INDEX events_certainty_idx ON events (certainty);

-- Maps and statistics leave background and scenes out unless asked
-- (api/resources/events/store.py, left_out): they are few, so a partial index
-- finds them, for the reported_as filter of lists and for leaving them out of
-- what is counted from the participants alone.
CREATE INDEX events_set_apart_idx ON events (reported_as, start_date DESC, id)
    WHERE reported_as <> 'event';
