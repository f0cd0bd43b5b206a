-- How a referral leg came about gets a column of its own in the main
-- rollups: leg_kind is 'made' for a leg its referrer made (a new request
-- for help, or a referral staff made on from an earlier one),
-- 'redirected' for a leg Onward made when an agency redirected its parent,
-- 'rerouted' for one Onward made when an agency turned its parent down
-- (core/report/referrer.go). Before, those two stood in the source column
-- in place of the referral's own source; source now only ever says where
-- the referral came from.
ALTER TABLE report_daily
    ADD COLUMN leg_kind text NOT NULL DEFAULT 'made' CHECK (leg_kind IN ('made', 'redirected', 'rerouted'));
ALTER TABLE report_monthly
    ADD COLUMN leg_kind text NOT NULL DEFAULT 'made' CHECK (leg_kind IN ('made', 'redirected', 'rerouted'));

-- The rows already built keep their figures until the rebuild: the marker
-- moves to leg_kind, which is what the reports now read it from.
UPDATE report_daily SET leg_kind = source WHERE source IN ('redirected', 'rerouted');
UPDATE report_monthly SET leg_kind = source WHERE source IN ('redirected', 'rerouted');

-- No default from here on: a refresher that does not set leg_kind (a
-- binary older than this migration, still running) fails, rather than
-- writing legs of a redirect as made by their referrer.
ALTER TABLE report_daily ALTER COLUMN leg_kind DROP DEFAULT;
ALTER TABLE report_monthly ALTER COLUMN leg_kind DROP DEFAULT;

-- Those rows' source still holds the marker, not where their referrals
-- came from, which only the referrals say: the next refresh rebuilds every
-- rollup with each leg's own source.
UPDATE report_refresh SET watermark = NULL;
