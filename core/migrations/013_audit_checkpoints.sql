-- An audit log that proves itself.
--
-- 1. Chain hashes keyed with ONWARD_AUDIT_KEY. The key never rests in the
--    database: the application passes HMAC-SHA256's two padded keys with
--    each append (and verify), and event_mac computes
--    HMAC(key, prev || canonical event bytes) exactly as Go's crypto/hmac
--    does. Someone who can write to the database but does not hold the key
--    cannot rewrite an event and recompute the chain.
-- 2. Signed checkpoints: each chain's head and length, written on a
--    schedule by the worker and signed with a key derived from the audit
--    key, so deleting a chain's tail or a whole chain is noticed.
-- Events written before this migration keep their unkeyed SHA-256 chain;
-- audit_log_start records where keyed hashing began.

ALTER TABLE events ADD COLUMN keyed boolean NOT NULL DEFAULT false;

CREATE TABLE audit_log_start (
    keyed_from bigint NOT NULL
);
INSERT INTO audit_log_start SELECT coalesce(max(id), 0) + 1 FROM events;

CREATE FUNCTION event_mac(ikey bytea, okey bytea, prev bytea, stream text, seq int, kind text,
        referral_id bigint, agency_id bigint, client_id bigint,
        actor_kind text, actor_id bigint, from_status text, to_status text,
        data jsonb, created_at timestamptz)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(okey || sha256(ikey || prev || convert_to(concat_ws(E'\x1f',
        stream, seq::text, kind,
        coalesce(referral_id::text, ''), coalesce(agency_id::text, ''), coalesce(client_id::text, ''),
        actor_kind, coalesce(actor_id::text, ''), from_status, to_status, data::text,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')))
$$;

DROP FUNCTION append_event(text, text, bigint, bigint, bigint, text, bigint, text, text, jsonb, timestamptz);

-- append_event adds an event at the end of its stream, its hash keyed by
-- the padded audit key the caller passes (p_ikey, p_okey).
CREATE FUNCTION append_event(p_stream text, p_kind text,
        p_referral_id bigint, p_agency_id bigint, p_client_id bigint,
        p_actor_kind text, p_actor_id bigint, p_from text, p_to text,
        p_data jsonb, p_created_at timestamptz, p_ikey bytea, p_okey bytea)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_prev bytea := '\x'::bytea;
    v_seq int := 0;
    v_id bigint;
BEGIN
    IF p_ikey IS NULL OR p_okey IS NULL OR length(p_ikey) <> 64 OR length(p_okey) <> 64 THEN
        RAISE EXCEPTION 'append_event needs the padded audit key';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('onward.events:' || p_stream, 0));
    SELECT hash, stream_seq INTO v_prev, v_seq FROM events
        WHERE stream = p_stream ORDER BY stream_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        v_prev := '\x'::bytea;
        v_seq := 0;
    END IF;
    v_seq := v_seq + 1;
    INSERT INTO events (stream, stream_seq, kind, referral_id, agency_id, client_id,
            actor_kind, actor_id, from_status, to_status, data, created_at, prev_hash, hash, keyed)
    VALUES (p_stream, v_seq, p_kind, p_referral_id, p_agency_id, p_client_id,
            p_actor_kind, p_actor_id, p_from, p_to, p_data, p_created_at, v_prev,
            event_mac(p_ikey, p_okey, v_prev, p_stream, v_seq, p_kind, p_referral_id, p_agency_id, p_client_id,
                p_actor_kind, p_actor_id, p_from, p_to, p_data, p_created_at), true)
    RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;

-- A checkpoint holds the head (last hash) and length of every chain that
-- grew since the checkpoint before it; together they give each chain's
-- newest known head. mac signs the checkpoint and the one before it.
CREATE TABLE audit_checkpoints (
    id             bigint PRIMARY KEY,
    taken_at       timestamptz NOT NULL,
    last_event_id  bigint NOT NULL,
    prev_mac       bytea NOT NULL,
    mac            bytea NOT NULL
);
CREATE TABLE audit_checkpoint_heads (
    checkpoint_id  bigint NOT NULL REFERENCES audit_checkpoints(id),
    stream         text NOT NULL,
    length         int NOT NULL,
    head           bytea NOT NULL,
    PRIMARY KEY (checkpoint_id, stream)
);
CREATE INDEX audit_checkpoint_heads_stream_idx ON audit_checkpoint_heads (stream, checkpoint_id DESC);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
CREATE TRIGGER audit_checkpoint_heads_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER audit_checkpoint_heads_no_truncate BEFORE TRUNCATE ON audit_checkpoint_heads
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- audit_heads_since returns each chain's head among the chains with an
-- event after p_after (0: every chain), and the newest event id. It holds
-- a SHARE lock on events until the caller's transaction ends, so no append
-- still in flight can commit below the id it reports; it runs as the
-- table's owner because the application's role may only read and append.
CREATE FUNCTION audit_heads_since(p_after bigint)
RETURNS TABLE (stream text, length int, head bytea, last_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    LOCK TABLE public.events IN SHARE MODE;
    RETURN QUERY
        WITH grown AS (SELECT DISTINCT e.stream FROM public.events e WHERE e.id > p_after)
        SELECT DISTINCT ON (e.stream) e.stream, e.stream_seq, e.hash,
               (SELECT coalesce(max(x.id), 0) FROM public.events x)
        FROM public.events e JOIN grown g ON g.stream = e.stream
        ORDER BY e.stream, e.stream_seq DESC;
END;
$$;

-- /metrics counts dead letters by kind without reading the whole outbox.
CREATE INDEX outbox_dead_idx ON outbox (kind) WHERE dead_at IS NOT NULL;

-- An agency at capacity may publish the date it expects to take new
-- referrals again; the capacity note itself stays internal.
ALTER TABLE agencies ADD COLUMN capacity_until date;

-- Texts the public web form caused to each number each day (by the
-- number's keyed hash), so the form cannot be used to text one number
-- over and over.
CREATE TABLE web_text_counts (
    phone_hash  bytea NOT NULL,
    day         date NOT NULL,
    n           int NOT NULL,
    PRIMARY KEY (phone_hash, day)
);
