-- Each participant carries its event's dates, so that one index answers "the
-- events of these actors in this date range" (the actor filters of
-- /v1/events and /v1/stats) from the actor's events in that range alone,
-- rather than from every event the actor ever took part in. Triggers keep the
-- copies equal to the event's dates, whoever writes.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- NULL only for a row whose event does not exist, which its foreign key refuses.
ALTER TABLE event_participants ADD COLUMN start_date date, ADD COLUMN end_date date;

-- Rows already there get their dates by one rewrite of the table, which also
-- rebuilds its indexes compact (17 s for 2 million participants; an UPDATE took
-- 77 s and left a dead copy of every row in the table and its indexes until the
-- next vacuum). A rewrite leaves the visibility map empty: until a VACUUM of
-- event_participants, its index-only scans read the table too, so the
-- migration asks for one (api/database.py, VACUUM_AFTERWARDS). The actor index
-- is dropped first, to be built once, below, with the dates.
-- vacuum afterwards: event_participants
DROP INDEX event_participants_actor_role_idx;
CREATE FUNCTION eventdata_event_start_date(event_id uuid) RETURNS date
    LANGUAGE sql STABLE AS $$ SELECT start_date FROM events WHERE id = event_id $$;
CREATE FUNCTION eventdata_event_end_date(event_id uuid) RETURNS date
    LANGUAGE sql STABLE AS $$ SELECT end_date FROM events WHERE id = event_id $$;
ALTER TABLE event_participants
    ALTER COLUMN start_date TYPE date USING eventdata_event_start_date(event_id),
    ALTER COLUMN end_date TYPE date USING eventdata_event_end_date(event_id);
DROP FUNCTION eventdata_event_start_date(uuid), eventdata_event_end_date(uuid);

-- An actor's events in a date range (GiST: the range overlap, by actor).
CREATE INDEX event_participants_actor_dates_idx ON event_participants
    USING gist (actor_id, daterange(start_date, end_date, '[]'));
-- An actor's events in a role, as before; with the dates included, an actor's
-- timeline is counted from this index alone (api/stats.py).
CREATE INDEX event_participants_actor_role_idx ON event_participants (actor_id, role, event_id)
    INCLUDE (start_date, end_date);

-- A participant's dates are its event's, read when the row is written.
-- FOR SHARE: a transaction changing the event's dates waits for this one to
-- commit, and then sees this row to update it (or this one waits for it, and
-- reads the new dates); in READ COMMITTED, as the API's transactions are.
CREATE FUNCTION eventdata_participant_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.start_date, e.end_date INTO NEW.start_date, NEW.end_date
        FROM events e WHERE e.id = NEW.event_id FOR SHARE;
    RETURN NEW;
END $$;

CREATE TRIGGER event_participants_dates
    BEFORE INSERT OR UPDATE OF event_id, start_date, end_date ON event_participants
    FOR EACH ROW EXECUTE FUNCTION eventdata_participant_dates();

CREATE FUNCTION eventdata_event_dates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_participants SET start_date = NEW.start_date, end_date = NEW.end_date
        WHERE event_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER events_dates_changed AFTER UPDATE OF start_date, end_date ON events
    FOR EACH ROW
    WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION eventdata_event_dates_changed();

-- The planner's estimates for the new index's expression.
ANALYZE event_participants;
