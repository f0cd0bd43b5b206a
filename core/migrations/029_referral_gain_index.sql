-- The financial gains report counts distinct clients with a gain, which
-- the daily rollups cannot sum (a client helped twice is one client), so
-- it reads the period's completed referrals with a gain. This index holds
-- just those rows, with every column the count reads, so the report
-- reads the index alone however many referrals the network has made:
-- only a referral completed with a gain writes to it.
CREATE INDEX referrals_gain_idx ON referrals (created_at)
    INCLUDE (client_id, to_agency_id, from_agency_id, parent_id, needs,
             gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence)
    WHERE status = 'completed'
      AND greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence) > 0;
