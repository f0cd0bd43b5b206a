-- What a referral waits on, and when it is due (core/due.go): one rule for
-- the inbox, the referral page, the Slack card and the reminders.
--
-- follow_up_due_at is when an accepted referral's client should have been
-- contacted, or when a referral on the waiting list should be looked at
-- again: counted in working days by the engine's calendar (bank holidays
-- included) at the moment of the change, and the moment its reminder is
-- queued for, so the reminder and the inbox never disagree. Working days
-- cannot be counted in SQL without a second copy of the calendar, which
-- is why the time is stored, as ack_due_at is.
--
-- due_at is the one rule, written once here: waiting, unacknowledged, for
-- the agency's answer: ack_due_at; accepted and the client not contacted:
-- follow_up_due_at; on the waiting list: follow_up_due_at; otherwise
-- nothing is due. Overdue is due_at before now.
ALTER TABLE referrals ADD COLUMN follow_up_due_at timestamptz;

-- Referrals accepted or on the waiting list before this change: their due
-- time is their pending reminder's, when it has one, else the working
-- days approximated in calendar days (5 working days a week).
UPDATE referrals r SET follow_up_due_at = coalesce(
    (SELECT max(o.available_at) FROM outbox o
     WHERE o.referral_id = r.id AND o.kind = 'reminder.contact'
       AND coalesce(o.payload->>'level', '') = CASE WHEN r.status = 'on-hold' THEN 'waiting-list' ELSE '' END),
    r.status_at + CASE WHEN r.status = 'on-hold' THEN interval '14 days' ELSE interval '7 days' END)
WHERE r.status IN ('accepted', 'on-hold') AND r.closed_at IS NULL;

ALTER TABLE referrals ADD COLUMN due_at timestamptz GENERATED ALWAYS AS (
    CASE
        WHEN status = 'requested' AND acknowledged_at IS NULL THEN ack_due_at
        WHEN status = 'accepted' AND contacted_at IS NULL THEN follow_up_due_at
        WHEN status = 'on-hold' THEN follow_up_due_at
    END) STORED;

-- The inbox reads its first page straight from this index, in its order:
-- crisis first, then the soonest due (which puts the overdue first), then
-- the oldest (core/inbox.go, orderInboxInner).
DROP INDEX referrals_inbox_idx;
CREATE INDEX referrals_inbox_idx ON referrals
    (to_agency_id, crisis DESC, due_at ASC NULLS LAST, created_at, id)
    INCLUDE (status, needs, from_agency_id)
    WHERE closed_at IS NULL;
