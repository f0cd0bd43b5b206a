-- Two indexes on referrals were the leading columns of others, so every
-- new referral and every change of status (status_at changes with each)
-- wrote them for nothing:
--   referrals_status_at_idx (status_at) leads referrals_status_at_id_idx
--   (status_at, id), which serves every search by last change;
--   referrals_to_agency_idx (to_agency_id, status) leads
--   referrals_to_closed_idx (to_agency_id, status, status_at DESC).
-- Dropping them leaves every query its index and saves two of seventeen
-- index writes on the busiest table.
DROP INDEX referrals_status_at_idx;
DROP INDEX referrals_to_agency_idx;
