-- A webhook subscription pauses when its deliveries have failed, none
-- delivered, for as long as the retry schedule spans
-- (core.WebhookRetrySchedule: hours, as Standard Webhooks advises), not
-- after a count of failures: a receiver down for a few minutes during a
-- deploy must not need a person to resume it. failing_since is when the
-- current run of failures began; a delivery (2xx) or a resume clears it.
-- A subscription failing when this runs starts its run now.
ALTER TABLE webhook_subscriptions ADD COLUMN failing_since timestamptz;
UPDATE webhook_subscriptions SET failing_since = now() WHERE failures > 0 AND paused_at IS NULL;
