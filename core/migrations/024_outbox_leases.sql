-- A claim cut short by a crash does not use up a delivery attempt
-- (issue 18, faults with deadlines).
--
-- leased is true from a worker's claim until it records an outcome (sent,
-- retry later, deferred, held, dead). A row claimed again while it is
-- still true was left by a worker that died or lost its lease: that claim
-- is not counted as an attempt, but in cut_short, so a row that takes its
-- worker down every time is still dead-lettered in the end.
ALTER TABLE outbox
    ADD COLUMN leased boolean NOT NULL DEFAULT false,
    ADD COLUMN cut_short int NOT NULL DEFAULT 0;
