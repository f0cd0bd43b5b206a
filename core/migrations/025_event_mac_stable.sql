-- event_mac and event_hash read their timestamp through to_char and join
-- their fields with concat_ws, both STABLE; declared IMMUTABLE, they could
-- not be inlined, so append_event planned event_mac's body afresh for
-- every event it wrote (about half the database time of an append).
-- Declared for what they are, PostgreSQL inlines them into the statements
-- that call them and plans them once. Their output is unchanged: every
-- chain written before verifies as it did.
ALTER FUNCTION event_mac(bytea, bytea, bytea, text, int, text, bigint, bigint, bigint,
    text, bigint, text, text, jsonb, timestamptz) STABLE;
ALTER FUNCTION event_hash(bytea, text, int, text, bigint, bigint, bigint,
    text, bigint, text, text, jsonb, timestamptz) STABLE;
