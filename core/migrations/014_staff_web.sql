-- The staff web: the inbox sorts an agency's open referrals by what needs
-- doing, "Referrals we sent" lists an agency's referrals newest first, and
-- both page through them; a referral's chain is followed by parent.
CREATE INDEX referrals_inbox_idx ON referrals (to_agency_id, crisis DESC, ack_due_at, created_at, id) INCLUDE (status) WHERE closed_at IS NULL;
CREATE INDEX referrals_to_closed_idx ON referrals (to_agency_id, status, status_at DESC);
CREATE INDEX referrals_sent_idx ON referrals (from_agency_id, created_at DESC) WHERE from_agency_id IS NOT NULL;
CREATE INDEX referrals_parent_idx ON referrals (parent_id) WHERE parent_id IS NOT NULL;

-- An agency retired from the network keeps its history but is offered
-- for nothing; a service changed by its own agency is flagged for the
-- coordinators until one of them saves it.
ALTER TABLE agencies ADD COLUMN retired_at timestamptz;
ALTER TABLE services ADD COLUMN agency_edited_at timestamptz;
