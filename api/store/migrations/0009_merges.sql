-- Duplicates merged: a record folded into another (an event merged into the
-- one it duplicates) is deleted, and its deletion says which record it went
-- into, so that its id answers 308 to that record and a copy of the data can
-- follow it. The revisions a merge writes say which records it joined.

ALTER TABLE deletions ADD COLUMN merged_into uuid;
-- A record's deletions, latest first: where a merged id now lives.
CREATE INDEX deletions_record_idx ON deletions (kind, record_id, id DESC);

-- On each revision a merge writes (of the record kept, of each record merged
-- into it, of each statement whose links moved): {"into": id, "merged": [ids]}.
ALTER TABLE revisions ADD COLUMN merge json;
