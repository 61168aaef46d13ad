-- The responses to POSTs sent with an Idempotency-Key, replayed when the same
-- client retries with the same key (see api/idempotency.py). A row older than
-- 24 hours is expired: ignored, overwritten, and swept by later writes.
CREATE TABLE idempotency_keys (
    token_name text NOT NULL,
    key text NOT NULL,
    -- sha256 of the method, the path and the body as canonical JSON.
    request_hash bytea NOT NULL,
    status smallint NOT NULL,
    -- The headers to replay: Location, ETag, Content-Type.
    headers jsonb NOT NULL DEFAULT '{}',
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_name, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
