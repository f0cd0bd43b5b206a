-- Partner systems (casework systems, NHS services) that use the partner
-- API and FHIR endpoints for one agency, or for the whole network when
-- agency_id is NULL. The client secret is kept only as a SHA-256 hash.
CREATE TABLE partners (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        text NOT NULL UNIQUE CHECK (client_id ~ '^onw_[a-z0-9]{16,64}$'),
    secret_sha256    bytea NOT NULL,
    name             text NOT NULL CHECK (name <> ''),
    agency_id        bigint REFERENCES agencies(id),
    scopes           text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'refer', 'act']),
    rate_per_minute  int NOT NULL DEFAULT 600 CHECK (rate_per_minute > 0),
    created_by       bigint REFERENCES staff(id),
    created_at       timestamptz NOT NULL,
    revoked_at       timestamptz
);

-- The partner's own case id for a referral it made, so it can find the
-- referral again without keeping Onward's reference.
CREATE TABLE partner_referrals (
    referral_id  bigint PRIMARY KEY REFERENCES referrals(id),
    partner_id   bigint NOT NULL REFERENCES partners(id),
    case_id      text NOT NULL DEFAULT ''
);
CREATE INDEX partner_referrals_case_idx ON partner_referrals (partner_id, case_id) WHERE case_id <> '';

-- Webhook subscriptions: referral events delivered to a partner's URL,
-- signed per Standard Webhooks with a whsec_ secret (stored encrypted: it
-- must be read back to sign). A subscription that keeps failing is paused.
CREATE TABLE webhook_subscriptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id       bigint NOT NULL REFERENCES partners(id),
    url              text NOT NULL CHECK (url ~ '^https?://'),
    secret_enc       bytea NOT NULL,
    failures         int NOT NULL DEFAULT 0,
    paused_at        timestamptz,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    deleted_at       timestamptz
);
CREATE INDEX webhook_subscriptions_partner_idx ON webhook_subscriptions (partner_id) WHERE deleted_at IS NULL;

-- Every call a partner makes, for the audit of who read what.
CREATE TABLE partner_calls (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  bigint NOT NULL REFERENCES partners(id),
    method      text NOT NULL,
    path        text NOT NULL,
    status      int NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX partner_calls_partner_idx ON partner_calls (partner_id, at);

-- Partners act in the event log under their own kind; actor_id then holds
-- the partner's id.
ALTER TABLE events DROP CONSTRAINT events_actor_kind_check;
ALTER TABLE events ADD CONSTRAINT events_actor_kind_check CHECK (actor_kind IN ('staff', 'client', 'system', 'partner'));

-- Listing by last change, for partners' "updated since" and cursors.
CREATE INDEX referrals_status_at_id_idx ON referrals (status_at, id);
