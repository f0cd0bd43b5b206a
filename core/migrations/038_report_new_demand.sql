-- Demand reports count a referral an agency makes with "Refer this client on" as new demand
-- (core/report/new_demand.go). The next refresh rebuilds every rollup with the new rule.
UPDATE report_refresh SET watermark = NULL;
