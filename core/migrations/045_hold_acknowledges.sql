-- Putting a referral on an agency's waiting list acknowledges it, as
-- accepting does (core/transition.go, ActionHold): one held before its
-- deadline is no longer counted as a breach in the reports nor shown as
-- overdue. Referrals held before this change are given the time of their
-- first hold as their acknowledgement, and the next refresh rebuilds every
-- rollup with the new rule.
UPDATE referrals r SET acknowledged_at = h.at
FROM (SELECT referral_id, min(created_at) AS at FROM events
      WHERE to_status = 'on-hold' AND referral_id IS NOT NULL GROUP BY referral_id) h
WHERE h.referral_id = r.id AND r.acknowledged_at IS NULL;

UPDATE report_refresh SET watermark = NULL;
