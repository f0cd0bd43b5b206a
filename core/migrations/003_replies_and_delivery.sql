-- Replies Onward is waiting for from a client's phone (the contact check
-- "Reply 1 yes, 2 no", the 1–5 feedback score), client feedback scores,
-- where each referral's Slack cards are, and delivery receipts.

CREATE TABLE sms_awaiting (
    phone_hash   bytea PRIMARY KEY,
    referral_id  bigint NOT NULL REFERENCES referrals(id),
    kind         text NOT NULL CHECK (kind IN ('contact_check', 'feedback')),
    expires_at   timestamptz NOT NULL
);

ALTER TABLE referrals ADD COLUMN feedback_score int CHECK (feedback_score BETWEEN 1 AND 5);
ALTER TABLE referrals ADD COLUMN feedback_at timestamptz;

-- One card per referral per channel kind ("agency", "triage"); the worker
-- posts it once and updates it in place afterwards.
CREATE TABLE slack_cards (
    referral_id   bigint NOT NULL REFERENCES referrals(id),
    channel_kind  text NOT NULL CHECK (channel_kind IN ('agency', 'triage')),
    channel       text NOT NULL,
    ts            text NOT NULL,
    agency_id     bigint REFERENCES agencies(id),
    posted_at     timestamptz NOT NULL,
    PRIMARY KEY (referral_id, channel_kind)
);

ALTER TABLE outbox ADD COLUMN delivery_status text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_error text NOT NULL DEFAULT '';
CREATE INDEX outbox_provider_idx ON outbox (provider_id) WHERE provider_id <> '';
