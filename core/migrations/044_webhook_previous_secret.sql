-- A webhook subscription's signing secret can be replaced in place
-- (POST /api/v1/webhooks/{id}/rotate-secret). The secret it replaces is
-- kept, sealed as the current one is, until previous_secret_until, and
-- deliveries meanwhile carry a signature under each (Standard Webhooks'
-- space-separated signatures), so the partner's receiver can move to the
-- new secret without refusing a delivery.
ALTER TABLE webhook_subscriptions
    ADD COLUMN previous_secret_enc bytea,
    ADD COLUMN previous_secret_until timestamptz;
