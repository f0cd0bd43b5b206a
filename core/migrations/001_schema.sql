-- Onward schema: the referral engine's system of record.
-- Personal data (client name, phone, email, full postcode, free-text notes)
-- is only ever stored as AES-256-GCM ciphertext (bytea *_enc columns).

CREATE TABLE network_settings (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    name                text NOT NULL,
    phone               text NOT NULL DEFAULT '',
    opening_hours       text NOT NULL DEFAULT '',
    crisis_lines        text NOT NULL DEFAULT '',
    directory_url       text NOT NULL DEFAULT '',
    data_sharing_url    text NOT NULL DEFAULT '',
    timezone            text NOT NULL DEFAULT 'Europe/London',
    working_days        int[] NOT NULL DEFAULT '{1,2,3,4,5}',
    working_start       time NOT NULL DEFAULT '09:00',
    working_end         time NOT NULL DEFAULT '17:00',
    quiet_start         time NOT NULL DEFAULT '21:00',
    quiet_end           time NOT NULL DEFAULT '08:00',
    auto_route          boolean NOT NULL DEFAULT false,
    contact_check_days  int NOT NULL DEFAULT 3 CHECK (contact_check_days > 0),
    contact_nudge_days  int NOT NULL DEFAULT 5 CHECK (contact_nudge_days > 0),
    consent_version     text NOT NULL DEFAULT '',
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bank_holidays (
    day   date PRIMARY KEY,
    name  text NOT NULL
);

-- The exact words a client agreed to, kept for ever: a consent record points
-- at a version and carries the SHA-256 of its text.
CREATE TABLE consent_wordings (
    version     text PRIMARY KEY CHECK (version <> ''),
    body        text NOT NULL CHECK (body <> ''),
    sha256      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Postcode districts of the network's area, with their council area and
-- main town: used when a client knows their town but not their postcode.
CREATE TABLE postcode_districts (
    district      text PRIMARY KEY,
    council_area  text NOT NULL,
    town          text NOT NULL
);

CREATE TABLE agencies (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                    text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name                    text NOT NULL CHECK (name <> ''),
    description             text NOT NULL DEFAULT '',
    phone                   text NOT NULL DEFAULT '',
    email                   text NOT NULL DEFAULT '',
    website                 text NOT NULL DEFAULT '',
    address                 text NOT NULL DEFAULT '',
    slack_channel_id        text NOT NULL DEFAULT '',
    at_capacity             boolean NOT NULL DEFAULT false,
    capacity_note           text NOT NULL DEFAULT '',
    ack_target_hours        int NOT NULL DEFAULT 16 CHECK (ack_target_hours > 0),
    accepts_self_referrals  boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- Directory services, shaped after Open Referral HSDS `service` with its
-- service_area and language tables folded into arrays.
CREATE TABLE services (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id           bigint NOT NULL REFERENCES agencies(id),
    name                text NOT NULL CHECK (name <> ''),
    description         text NOT NULL DEFAULT '',
    needs               text[] NOT NULL CHECK (cardinality(needs) > 0 AND needs <@ ARRAY['debt','benefits','income-maximisation','housing','employability','health','education','food','fuel','family','other']),
    eligibility         text NOT NULL DEFAULT '',
    postcode_districts  text[] NOT NULL DEFAULT '{}',
    council_areas       text[] NOT NULL DEFAULT '{}',
    languages           text[] NOT NULL DEFAULT '{en}',
    opening_hours       text NOT NULL DEFAULT '',
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_agency_idx ON services (agency_id);
CREATE INDEX services_needs_idx ON services USING gin (needs);

CREATE TABLE staff (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id      bigint NOT NULL REFERENCES agencies(id),
    name           text NOT NULL CHECK (name <> ''),
    role           text NOT NULL CHECK (role IN ('adviser', 'coordinator', 'admin')),
    email          text NOT NULL CHECK (email <> ''),
    slack_user_id  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);
CREATE UNIQUE INDEX staff_email_idx ON staff (lower(email));
CREATE UNIQUE INDEX staff_slack_idx ON staff (slack_user_id) WHERE slack_user_id IS NOT NULL;

CREATE TABLE clients (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_hash         bytea UNIQUE,
    name_enc           bytea NOT NULL,
    phone_enc          bytea,
    email_enc          bytea,
    postcode_enc       bytea,
    notes_enc          bytea,
    postcode_district  text NOT NULL DEFAULT '',
    town               text NOT NULL DEFAULT '',
    preferred_contact  text NOT NULL DEFAULT '' CHECK (preferred_contact IN ('', 'text', 'call', 'email')),
    contact_time       text NOT NULL DEFAULT '',
    language           text NOT NULL DEFAULT 'en',
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

-- Messaging opt-out (STOP/START) is not data-sharing consent: it is kept
-- against the phone hash alone, for people who may never become clients.
CREATE TABLE sms_optouts (
    phone_hash    bytea PRIMARY KEY,
    opted_out_at  timestamptz NOT NULL,
    source        text NOT NULL
);

CREATE TABLE consents (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        bigint NOT NULL REFERENCES clients(id),
    scope            text NOT NULL CHECK (scope IN ('network', 'agencies')),
    agency_ids       bigint[] NOT NULL DEFAULT '{}',
    wording_version  text NOT NULL REFERENCES consent_wordings(version),
    wording_sha256   bytea NOT NULL,
    channel          text NOT NULL CHECK (channel IN ('sms', 'web', 'staff', 'api')),
    evidence         text NOT NULL CHECK (evidence <> ''),
    staff_id         bigint REFERENCES staff(id),
    given_at         timestamptz NOT NULL,
    withdrawn_at     timestamptz,
    CHECK (scope = 'network' OR cardinality(agency_ids) > 0)
);
CREATE INDEX consents_client_idx ON consents (client_id);

CREATE TABLE leaflets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9]{3,16}$'),
    campaign    text NOT NULL CHECK (campaign <> ''),
    area        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE referrals (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference           text NOT NULL UNIQUE,
    parent_id           bigint REFERENCES referrals(id),
    client_id           bigint NOT NULL REFERENCES clients(id),
    consent_id          bigint NOT NULL REFERENCES consents(id),
    source              text NOT NULL CHECK (source IN ('sms', 'web', 'staff', 'api')),
    leaflet_code        text NOT NULL DEFAULT '',
    from_agency_id      bigint REFERENCES agencies(id),
    from_staff_id       bigint REFERENCES staff(id),
    to_agency_id        bigint REFERENCES agencies(id),
    needs               text[] NOT NULL CHECK (cardinality(needs) > 0),
    postcode_district   text NOT NULL DEFAULT '',
    crisis              boolean NOT NULL DEFAULT false,
    status              text NOT NULL CHECK (status IN ('requested', 'accepted', 'rejected', 'in-progress', 'on-hold', 'completed', 'failed', 'cancelled')),
    held_from           text,
    reason              text CHECK (reason IN ('not-eligible', 'no-capacity', 'duplicate', 'inappropriate', 'client-declined', 'redirected', 'other')),
    feedback            text NOT NULL DEFAULT '',
    notes_enc           bytea,
    triage_claimed_by   bigint REFERENCES staff(id),
    status_by           bigint REFERENCES staff(id),
    status_at           timestamptz NOT NULL,
    version             int NOT NULL DEFAULT 1,
    idempotency_key     text UNIQUE,
    created_at          timestamptz NOT NULL,
    acknowledged_at     timestamptz,
    contacted_at        timestamptz,
    closed_at           timestamptz
);
CREATE INDEX referrals_to_agency_idx ON referrals (to_agency_id, status);
CREATE INDEX referrals_client_idx ON referrals (client_id);
CREATE INDEX referrals_triage_idx ON referrals (created_at) WHERE to_agency_id IS NULL AND status = 'requested';
CREATE INDEX referrals_open_idx ON referrals (status, created_at) WHERE closed_at IS NULL;
CREATE INDEX referrals_created_idx ON referrals (created_at);

-- The audit log. Append-only: a trigger refuses UPDATE and DELETE. Events
-- form hash chains, one per stream ("referral:42", "agency:7", "client:9"):
-- hash = SHA-256(previous hash in the stream || canonical event bytes).
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream       text NOT NULL,
    stream_seq   int NOT NULL,
    kind         text NOT NULL,
    referral_id  bigint REFERENCES referrals(id),
    agency_id    bigint REFERENCES agencies(id),
    client_id    bigint REFERENCES clients(id),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('staff', 'client', 'system')),
    actor_id     bigint REFERENCES staff(id),
    from_status  text NOT NULL DEFAULT '',
    to_status    text NOT NULL DEFAULT '',
    data         jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL,
    UNIQUE (stream, stream_seq)
);
CREATE INDEX events_referral_idx ON events (referral_id) WHERE referral_id IS NOT NULL;
CREATE INDEX events_kind_idx ON events (kind, created_at);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- The transactional outbox: every message that leaves Onward is a row here,
-- written in the same transaction as the change that caused it. dedupe_key
-- makes each cause produce exactly one row.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    referral_id   bigint REFERENCES referrals(id),
    payload       jsonb NOT NULL DEFAULT '{}',
    dedupe_key    text NOT NULL UNIQUE,
    available_at  timestamptz NOT NULL,
    attempts      int NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    provider_id   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    sent_at       timestamptz,
    dead_at       timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (available_at, id) WHERE sent_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_referral_idx ON outbox (referral_id, id) WHERE referral_id IS NOT NULL;
