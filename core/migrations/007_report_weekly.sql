-- New referrals per ISO week, for seasonality by week: a narrow table, so
-- two years of weeks read a few thousand small rows rather than two years
-- of report_daily's wide ones. day is the Monday that starts the week.
-- Kept by the same refresher, from report_daily.
CREATE TABLE report_weekly (
    day          date NOT NULL,
    need         text NOT NULL,
    to_agency    bigint NOT NULL,
    from_agency  bigint NOT NULL,
    n_new        int NOT NULL DEFAULT 0
);
CREATE INDEX report_weekly_need_idx ON report_weekly (need, day);
CREATE INDEX report_weekly_to_idx ON report_weekly (need, to_agency, day);
CREATE INDEX report_weekly_from_idx ON report_weekly (need, from_agency, day);
CREATE INDEX report_weekly_day_idx ON report_weekly (day);

-- Rebuild every rollup, so the new table is filled.
UPDATE report_refresh SET watermark = NULL;
