-- Hash chain for the event log. The canonical text of an event is built in
-- SQL so that appending and verifying hash exactly the same bytes.

ALTER TABLE referrals ADD COLUMN triaged boolean NOT NULL DEFAULT false;

CREATE FUNCTION event_hash(prev bytea, stream text, seq int, kind text,
        referral_id bigint, agency_id bigint, client_id bigint,
        actor_kind text, actor_id bigint, from_status text, to_status text,
        data jsonb, created_at timestamptz)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || convert_to(concat_ws(E'\x1f',
        stream, seq::text, kind,
        coalesce(referral_id::text, ''), coalesce(agency_id::text, ''), coalesce(client_id::text, ''),
        actor_kind, coalesce(actor_id::text, ''), from_status, to_status, data::text,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
$$;

-- append_event adds an event at the end of its stream. The advisory lock
-- serialises appends to one stream only, so unrelated referrals never wait
-- for each other.
CREATE FUNCTION append_event(p_stream text, p_kind text,
        p_referral_id bigint, p_agency_id bigint, p_client_id bigint,
        p_actor_kind text, p_actor_id bigint, p_from text, p_to text,
        p_data jsonb, p_created_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_prev bytea := '\x'::bytea;
    v_seq int := 0;
    v_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('onward.events:' || p_stream, 0));
    SELECT hash, stream_seq INTO v_prev, v_seq FROM events
        WHERE stream = p_stream ORDER BY stream_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        v_prev := '\x'::bytea;
        v_seq := 0;
    END IF;
    v_seq := v_seq + 1;
    INSERT INTO events (stream, stream_seq, kind, referral_id, agency_id, client_id,
            actor_kind, actor_id, from_status, to_status, data, created_at, prev_hash, hash)
    VALUES (p_stream, v_seq, p_kind, p_referral_id, p_agency_id, p_client_id,
            p_actor_kind, p_actor_id, p_from, p_to, p_data, p_created_at, v_prev,
            event_hash(v_prev, p_stream, v_seq, p_kind, p_referral_id, p_agency_id, p_client_id,
                p_actor_kind, p_actor_id, p_from, p_to, p_data, p_created_at))
    RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;
