-- Reports read rollups, not referrals: at a million referrals a report
-- that scanned referrals on every view would take seconds. A background
-- refresher (core.Reports.Refresh) recomputes only the days whose referrals
-- changed since its watermark, so nothing here touches the referral write
-- path: no triggers, no shared counters to lock.
--
-- report_daily has one row per created day (in the network's time zone)
-- and combination of the dimensions reports filter and group by. Every
-- referral is counted once under need '' (all referrals) and once under
-- each of its needs, so a need filter reads only its own rows and the
-- unfiltered view reads only the '' rows. from_agency is who sent this leg:
-- the agency a redirected or rerouted referral came from, else the
-- referring agency (0 for self-referrals and partner systems).
-- Histograms count times in log-spaced buckets of minutes (bounds in
-- core/report_histogram.go); percentiles are read from them.
-- report_monthly holds the same rows summed by month, so a report over
-- years reads months for the whole months and days only at the edges.
CREATE TABLE report_daily (
    day          date NOT NULL,
    need         text NOT NULL,
    to_agency    bigint NOT NULL,
    from_agency  bigint NOT NULL,
    source       text NOT NULL,
    leaflet      text NOT NULL,
    crisis       boolean NOT NULL,
    n            int NOT NULL DEFAULT 0,
    n_new        int NOT NULL DEFAULT 0,
    st_requested     int NOT NULL DEFAULT 0,
    st_accepted      int NOT NULL DEFAULT 0,
    st_in_progress   int NOT NULL DEFAULT 0,
    st_on_hold       int NOT NULL DEFAULT 0,
    st_completed     int NOT NULL DEFAULT 0,
    st_rejected      int NOT NULL DEFAULT 0,
    st_failed        int NOT NULL DEFAULT 0,
    st_cancelled     int NOT NULL DEFAULT 0,
    rs_not_eligible     int NOT NULL DEFAULT 0,
    rs_no_capacity      int NOT NULL DEFAULT 0,
    rs_duplicate        int NOT NULL DEFAULT 0,
    rs_inappropriate    int NOT NULL DEFAULT 0,
    rs_client_declined  int NOT NULL DEFAULT 0,
    rs_redirected       int NOT NULL DEFAULT 0,
    rs_other            int NOT NULL DEFAULT 0,
    acked      int NOT NULL DEFAULT 0,
    contacted  int NOT NULL DEFAULT 0,
    due        int NOT NULL DEFAULT 0,
    ontime     int NOT NULL DEFAULT 0,
    late       int NOT NULL DEFAULT 0,
    missed     int NOT NULL DEFAULT 0,
    triaged    int NOT NULL DEFAULT 0,
    assigned   int NOT NULL DEFAULT 0,
    fb1 int NOT NULL DEFAULT 0,
    fb2 int NOT NULL DEFAULT 0,
    fb3 int NOT NULL DEFAULT 0,
    fb4 int NOT NULL DEFAULT 0,
    fb5 int NOT NULL DEFAULT 0,
    ack_00 int NOT NULL DEFAULT 0,
    ack_01 int NOT NULL DEFAULT 0,
    ack_02 int NOT NULL DEFAULT 0,
    ack_03 int NOT NULL DEFAULT 0,
    ack_04 int NOT NULL DEFAULT 0,
    ack_05 int NOT NULL DEFAULT 0,
    ack_06 int NOT NULL DEFAULT 0,
    ack_07 int NOT NULL DEFAULT 0,
    ack_08 int NOT NULL DEFAULT 0,
    ack_09 int NOT NULL DEFAULT 0,
    ack_10 int NOT NULL DEFAULT 0,
    ack_11 int NOT NULL DEFAULT 0,
    ack_12 int NOT NULL DEFAULT 0,
    ack_13 int NOT NULL DEFAULT 0,
    ack_14 int NOT NULL DEFAULT 0,
    ack_15 int NOT NULL DEFAULT 0,
    ack_16 int NOT NULL DEFAULT 0,
    ack_17 int NOT NULL DEFAULT 0,
    ack_18 int NOT NULL DEFAULT 0,
    ack_19 int NOT NULL DEFAULT 0,
    ack_20 int NOT NULL DEFAULT 0,
    ack_21 int NOT NULL DEFAULT 0,
    ack_22 int NOT NULL DEFAULT 0,
    ack_23 int NOT NULL DEFAULT 0,
    con_00 int NOT NULL DEFAULT 0,
    con_01 int NOT NULL DEFAULT 0,
    con_02 int NOT NULL DEFAULT 0,
    con_03 int NOT NULL DEFAULT 0,
    con_04 int NOT NULL DEFAULT 0,
    con_05 int NOT NULL DEFAULT 0,
    con_06 int NOT NULL DEFAULT 0,
    con_07 int NOT NULL DEFAULT 0,
    con_08 int NOT NULL DEFAULT 0,
    con_09 int NOT NULL DEFAULT 0,
    con_10 int NOT NULL DEFAULT 0,
    con_11 int NOT NULL DEFAULT 0,
    con_12 int NOT NULL DEFAULT 0,
    con_13 int NOT NULL DEFAULT 0,
    con_14 int NOT NULL DEFAULT 0,
    con_15 int NOT NULL DEFAULT 0,
    con_16 int NOT NULL DEFAULT 0,
    con_17 int NOT NULL DEFAULT 0,
    con_18 int NOT NULL DEFAULT 0,
    con_19 int NOT NULL DEFAULT 0,
    con_20 int NOT NULL DEFAULT 0,
    con_21 int NOT NULL DEFAULT 0,
    con_22 int NOT NULL DEFAULT 0,
    con_23 int NOT NULL DEFAULT 0,
    tri_00 int NOT NULL DEFAULT 0,
    tri_01 int NOT NULL DEFAULT 0,
    tri_02 int NOT NULL DEFAULT 0,
    tri_03 int NOT NULL DEFAULT 0,
    tri_04 int NOT NULL DEFAULT 0,
    tri_05 int NOT NULL DEFAULT 0,
    tri_06 int NOT NULL DEFAULT 0,
    tri_07 int NOT NULL DEFAULT 0,
    tri_08 int NOT NULL DEFAULT 0,
    tri_09 int NOT NULL DEFAULT 0,
    tri_10 int NOT NULL DEFAULT 0,
    tri_11 int NOT NULL DEFAULT 0,
    tri_12 int NOT NULL DEFAULT 0,
    tri_13 int NOT NULL DEFAULT 0,
    tri_14 int NOT NULL DEFAULT 0,
    tri_15 int NOT NULL DEFAULT 0,
    tri_16 int NOT NULL DEFAULT 0,
    tri_17 int NOT NULL DEFAULT 0,
    tri_18 int NOT NULL DEFAULT 0,
    tri_19 int NOT NULL DEFAULT 0,
    tri_20 int NOT NULL DEFAULT 0,
    tri_21 int NOT NULL DEFAULT 0,
    tri_22 int NOT NULL DEFAULT 0,
    tri_23 int NOT NULL DEFAULT 0
);
CREATE INDEX report_daily_need_idx ON report_daily (need, day);
CREATE INDEX report_daily_to_idx ON report_daily (need, to_agency, day);
CREATE INDEX report_daily_from_idx ON report_daily (need, from_agency, day);
CREATE INDEX report_daily_day_idx ON report_daily (day);

CREATE TABLE report_monthly (LIKE report_daily INCLUDING DEFAULTS);
CREATE INDEX report_monthly_need_idx ON report_monthly (need, day);
CREATE INDEX report_monthly_to_idx ON report_monthly (need, to_agency, day);
CREATE INDEX report_monthly_from_idx ON report_monthly (need, from_agency, day);
CREATE INDEX report_monthly_day_idx ON report_monthly (day);

-- Demand by postcode district, kept apart so the district does not
-- multiply the rows of every other report.
CREATE TABLE report_district (
    day          date NOT NULL,
    need         text NOT NULL,
    to_agency    bigint NOT NULL,
    from_agency  bigint NOT NULL,
    district     text NOT NULL,
    n            int NOT NULL DEFAULT 0,
    n_new        int NOT NULL DEFAULT 0
);
CREATE INDEX report_district_need_idx ON report_district (need, day);
CREATE INDEX report_district_to_idx ON report_district (need, to_agency, day);
CREATE INDEX report_district_from_idx ON report_district (need, from_agency, day);
CREATE INDEX report_district_day_idx ON report_district (day);

CREATE TABLE report_district_monthly (LIKE report_district INCLUDING DEFAULTS);
CREATE INDEX report_district_monthly_need_idx ON report_district_monthly (need, day);
CREATE INDEX report_district_monthly_to_idx ON report_district_monthly (need, to_agency, day);
CREATE INDEX report_district_monthly_from_idx ON report_district_monthly (need, from_agency, day);
CREATE INDEX report_district_monthly_day_idx ON report_district_monthly (day);

-- Where the refresher got to. A NULL watermark means "rebuild everything"
-- (a fresh database, a bulk load, a changed time zone).
CREATE TABLE report_refresh (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    watermark     timestamptz,
    timezone      text NOT NULL DEFAULT '',
    refreshed_at  timestamptz
);
INSERT INTO report_refresh DEFAULT VALUES;

-- The refresher finds changed referrals by status_at (indexed in 005) and
-- by when a client's feedback score arrived.
CREATE INDEX referrals_feedback_at_idx ON referrals (feedback_at) WHERE feedback_at IS NOT NULL;
-- Referrals waiting for acknowledgement past their deadline are counted
-- live (that figure grows with the clock, not with a change): a small
-- partial index keeps the count cheap.
CREATE INDEX referrals_unacked_idx ON referrals (ack_due_at)
    WHERE acknowledged_at IS NULL AND closed_at IS NULL AND ack_due_at IS NOT NULL;
