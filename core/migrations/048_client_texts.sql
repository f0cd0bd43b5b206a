-- The MessageSids of texts a client sent Onward (core/client_texts.go):
-- the answers of their SMS or WhatsApp conversation, kept with the
-- self-referral the conversation made, and texts Onward later linked to
-- them (a withdrawal, a feedback comment). Twilio keeps every message, its
-- body and both numbers, until the account deletes it; an erasure reads
-- these to delete the texts there (core/erasure_provider.go) and removes
-- the rows in its own transaction. A SID opens nothing without the Twilio
-- account, so it is kept in clear, as outbox.provider_id and
-- consents.evidence are: like them, these rows are removed at erasure
-- (only the append-only audit log, which cannot be, keeps SIDs sealed).
CREATE TABLE client_texts (
    client_id   bigint NOT NULL REFERENCES clients(id),
    message_sid text NOT NULL CHECK (message_sid ~ '^(SM|MM)[0-9a-fA-F]{32}$'),
    kept_at     timestamptz NOT NULL,
    PRIMARY KEY (client_id, message_sid)
);
