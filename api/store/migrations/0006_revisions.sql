-- Every write to a record leaves a revision: what the record was after it (for
-- a delete, what it was before), who wrote it, when, and in which request.
-- The write appends it in its own transaction (api/store/record.py, Record.revise),
-- so neither commits without the other.

CREATE TABLE revisions (
    kind text NOT NULL,
    record_id uuid NOT NULL,
    -- 1, 2, 3... per record. A writer holds the record's row lock when it
    -- appends, so the next number is the last one plus one (Record.revise).
    number integer NOT NULL CONSTRAINT revisions_number_positive CHECK (number > 0),
    operation text NOT NULL CONSTRAINT revisions_operation_known
        CHECK (operation IN ('create', 'update', 'delete', 'restore', 'merge')),
    -- The record as the API sent it, text for text: json rather than jsonb keeps
    -- its fields in the order the API writes them, so a revision reads as the
    -- record did, and its ETag is the one the record had.
    state json NOT NULL,
    -- The top-level fields whose value differs from the previous revision's.
    changed text[] NOT NULL DEFAULT '{}',
    -- Who: the token's name, seed:<file> for the seed loader, cli.
    author text NOT NULL,
    request_id text,
    at timestamptz NOT NULL DEFAULT now(),
    -- Also the index of a record's history, newest first (read backwards).
    PRIMARY KEY (kind, record_id, number)
);
-- No foreign key to the records: a deleted record's history stays, to be read
-- and restored.

-- The deletions feed links each deletion to the deleted record's last revision:
-- the one its delete just appended (Record.delete), whose state is the record
-- as it was.
ALTER TABLE deletions ADD COLUMN revision integer;

CREATE OR REPLACE FUNCTION eventdata_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The moment of the delete itself, not the start of its transaction: a delete
    -- that waited for a lock must not look older than the update it waited for.
    INSERT INTO deletions (kind, record_id, deleted_at, revision)
        VALUES (TG_ARGV[0], OLD.id, clock_timestamp(),
                (SELECT max(number) FROM revisions
                 WHERE kind = TG_ARGV[0] AND record_id = OLD.id));
    RETURN OLD;
END $$;
