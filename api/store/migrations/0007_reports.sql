-- Reports: an event or a statement is reported by one or more sources. A
-- report holds what one source says of it (for an event: dates, place,
-- fatalities and injuries as low/best/high with a civilian share, certainty);
-- its quotes are the citations of that source, which stay where they are.
-- An event's own figures are derived from its reports (schemas/reports.py says
-- the rule) unless set by hand, and it counts its sources.

-- An estimate is ordered (low <= best <= high), says nothing without its low,
-- and its civilian share lies within it: at least civilians_low of the dead
-- were civilians, so at least that many died; at most civilians_high did.
-- A null bound is not checked (high null: the source gives no upper bound).
CREATE FUNCTION eventdata_estimate_ordered(
    low integer, best integer, high integer,
    civilians_low integer, civilians_best integer, civilians_high integer
) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT
    (low IS NOT NULL OR num_nonnulls(best, high, civilians_low, civilians_best, civilians_high) = 0)
    AND (civilians_low IS NOT NULL OR num_nonnulls(civilians_best, civilians_high) = 0)
    AND coalesce(low <= best, true) AND coalesce(best <= high, true) AND coalesce(low <= high, true)
    AND coalesce(civilians_low <= civilians_best, true)
    AND coalesce(civilians_best <= civilians_high, true)
    AND coalesce(civilians_low <= civilians_high, true)
    AND coalesce(civilians_low <= low, true) AND coalesce(civilians_high <= high, true) $$;

-- Each ADD COLUMN with a constant default is a change of the catalogue only,
-- whatever the size of the table; the checks read the table once.
ALTER TABLE events
    ADD COLUMN fatalities_best integer,
    ADD COLUMN fatalities_civilians_low integer,
    ADD COLUMN fatalities_civilians_best integer,
    ADD COLUMN fatalities_civilians_high integer,
    ADD COLUMN injuries_best integer,
    ADD COLUMN injuries_civilians_low integer,
    ADD COLUMN injuries_civilians_best integer,
    ADD COLUMN injuries_civilians_high integer,
    ADD COLUMN figures_set_by_hand boolean NOT NULL DEFAULT false,
    -- Most events have one source: only the others are updated below.
    ADD COLUMN source_count integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT events_fatalities_estimate CHECK (eventdata_estimate_ordered(
        fatalities_low, fatalities_best, fatalities_high,
        fatalities_civilians_low, fatalities_civilians_best, fatalities_civilians_high)),
    ADD CONSTRAINT events_injuries_estimate CHECK (eventdata_estimate_ordered(
        injuries_low, injuries_best, injuries_high,
        injuries_civilians_low, injuries_civilians_best, injuries_civilians_high)),
    ADD CONSTRAINT events_source_count_not_negative CHECK (source_count >= 0);
ALTER TABLE events ALTER COLUMN source_count SET DEFAULT 0;

-- The table is filled first, then given its keys and indexes: one pass each,
-- rather than a lookup per row (a third of the time at 100,000 events).
CREATE TABLE reports (
    id bigint GENERATED ALWAYS AS IDENTITY,
    event_id uuid,
    statement_id uuid,
    position smallint NOT NULL,
    source_id uuid NOT NULL,
    start_date date,
    end_date date,
    date_precision text,
    location_id uuid,
    certainty text,
    fatalities_low integer,
    fatalities_best integer,
    fatalities_high integer,
    fatalities_civilians_low integer,
    fatalities_civilians_best integer,
    fatalities_civilians_high integer,
    injuries_low integer,
    injuries_best integer,
    injuries_high integer,
    injuries_civilians_low integer,
    injuries_civilians_best integer,
    injuries_civilians_high integer,
    CONSTRAINT reports_one_owner CHECK (num_nonnulls(event_id, statement_id) = 1),
    CONSTRAINT reports_dates_ordered CHECK (end_date >= start_date),
    CONSTRAINT reports_fatalities_estimate CHECK (eventdata_estimate_ordered(
        fatalities_low, fatalities_best, fatalities_high,
        fatalities_civilians_low, fatalities_civilians_best, fatalities_civilians_high)),
    CONSTRAINT reports_injuries_estimate CHECK (eventdata_estimate_ordered(
        injuries_low, injuries_best, injuries_high,
        injuries_civilians_low, injuries_civilians_best, injuries_civilians_high)),
    -- A statement's report is its source and quotes: what was said has no toll.
    CONSTRAINT reports_statement_without_figures CHECK (statement_id IS NULL OR num_nonnulls(
        start_date, end_date, date_precision, location_id, certainty,
        fatalities_low, injuries_low) = 0)
);

-- Today's citations become reports: one per (record, source), in the order
-- its source was first quoted, each quoting what its source's citations quote.
-- The citations themselves stay as they are (their positions keep the flat
-- order `citations` is served in), now each tied to its report.
INSERT INTO reports (event_id, statement_id, position, source_id)
SELECT event_id, statement_id,
    row_number() OVER (PARTITION BY event_id, statement_id ORDER BY min(position)) - 1,
    source_id
FROM citations
GROUP BY event_id, statement_id, source_id;

ALTER TABLE reports
    ADD PRIMARY KEY (id),
    ADD CONSTRAINT reports_event_id_fkey FOREIGN KEY (event_id)
        REFERENCES events (id) ON DELETE CASCADE,
    ADD CONSTRAINT reports_statement_id_fkey FOREIGN KEY (statement_id)
        REFERENCES statements (id) ON DELETE CASCADE,
    ADD CONSTRAINT reports_source_id_fkey FOREIGN KEY (source_id) REFERENCES sources (id),
    ADD CONSTRAINT reports_location_id_fkey FOREIGN KEY (location_id) REFERENCES locations (id),
    -- One report per source and record: what a source says of it, in one place.
    ADD CONSTRAINT reports_event_source_key UNIQUE (event_id, source_id),
    ADD CONSTRAINT reports_statement_source_key UNIQUE (statement_id, source_id);
-- The source_id filter of /v1/events, and what a source's change touches.
CREATE INDEX reports_source_event_idx ON reports (source_id, event_id);
CREATE INDEX reports_location_id_idx ON reports (location_id) WHERE location_id IS NOT NULL;

-- A citation is a quote of its record's report from its source. ON UPDATE
-- CASCADE: a report moved to another event (a merge) takes its quotes along.
ALTER TABLE citations
    ADD CONSTRAINT citations_event_report_fkey FOREIGN KEY (event_id, source_id)
        REFERENCES reports (event_id, source_id) ON DELETE CASCADE ON UPDATE CASCADE,
    ADD CONSTRAINT citations_statement_report_fkey FOREIGN KEY (statement_id, source_id)
        REFERENCES reports (statement_id, source_id) ON DELETE CASCADE ON UPDATE CASCADE;

-- Events whose figures are known were coded by hand: they keep them. The
-- others derive theirs from their reports (none yet). Only the rows that
-- differ from the defaults are written.
UPDATE events e SET
    figures_set_by_hand = e.fatalities_low IS NOT NULL OR e.injuries_low IS NOT NULL,
    source_count = counted.sources
FROM (
    SELECT ev.id, coalesce(r.sources, 0) AS sources
    FROM events ev LEFT JOIN (
        SELECT event_id, count(*)::integer AS sources FROM reports
        WHERE event_id IS NOT NULL GROUP BY event_id
    ) r ON r.event_id = ev.id
    WHERE coalesce(r.sources, 0) <> 1
        OR ev.fatalities_low IS NOT NULL OR ev.injuries_low IS NOT NULL
) counted
WHERE e.id = counted.id;

-- min_sources: the events with several sources in the default order, newest
-- first; where they are few, a page is read from them alone.
CREATE INDEX events_source_count_idx ON events (start_date DESC, id) WHERE source_count > 1;
-- vacuum afterwards: events, reports, citations
