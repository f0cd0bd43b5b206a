-- Reports now count a referral leg as referred by whoever chose to make
-- it: the agency that made it, the agency that redirected it (a row of its
-- own), or nobody for a leg Onward re-routed after an agency turned the
-- client down (core/report/referrer.go). Before, the re-routed and
-- redirected legs counted for the agency that had held the parent. The
-- next refresh rebuilds every rollup with the new rule.
UPDATE report_refresh SET watermark = NULL;
