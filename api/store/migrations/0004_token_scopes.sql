-- What a token may do: read, write (create, change, delete records), admin
-- (manage tokens). Tokens made before scopes existed keep what they could do.
ALTER TABLE api_tokens
    ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}'
        CONSTRAINT api_tokens_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ '{read,write,admin}'::text[]);
