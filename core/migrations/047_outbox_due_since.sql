-- When an undelivered row first became due, kept while it waits for a
-- retry, for a mail server that cannot be reached, or for a lease to end
-- (core/outbox_admin.go, sqlOutboxGauges): such a row's available_at is
-- pushed forward and its attempts may be put back to 0, so neither says
-- how long it has been late. NULL while the row has not been claimed yet,
-- or was put back for a new time (quiet hours, a paused webhook
-- subscription, a held text, a retried dead letter). Rows already
-- retrying count from when they were queued, as the gauge counted them.
ALTER TABLE outbox ADD COLUMN due_since timestamptz;

UPDATE outbox SET due_since = created_at
WHERE sent_at IS NULL AND dead_at IS NULL AND (attempts > 0 OR leased);
