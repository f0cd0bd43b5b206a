-- When a referral's acknowledgement is due (the agency's target in working
-- hours from when it reached the agency) and when a coordinator assigned a
-- triage referral: stored as they happen, so reports on deadline breaches
-- and triage times never recompute working calendars.
ALTER TABLE referrals ADD COLUMN ack_due_at timestamptz;
ALTER TABLE referrals ADD COLUMN assigned_at timestamptz;
CREATE INDEX referrals_status_at_idx ON referrals (status_at);
