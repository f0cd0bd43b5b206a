-- The inbox reads its first page straight from one index: the agency's
-- open referrals in the inbox's order (crisis first, then the soonest
-- acknowledgement due, which puts the overdue first, then the oldest),
-- with the columns its filters ask about, so neither a page nor its count
-- visits the table. The order's due expression is the one in
-- core/inbox.go's orderInbox; the two must stay the same.
DROP INDEX referrals_inbox_idx;
CREATE INDEX referrals_inbox_idx ON referrals
    (to_agency_id, crisis DESC, (CASE WHEN status = 'requested' THEN ack_due_at END) ASC NULLS LAST, created_at, id)
    INCLUDE (status, ack_due_at, needs, from_agency_id)
    WHERE closed_at IS NULL;
