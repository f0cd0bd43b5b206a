-- The reports grouped by receiving agency (response times, deadline
-- breaches, feedback, satisfaction and the National Standards pack) read
-- report_agency: report_daily's counters for times, deadlines and
-- feedback summed over source, leaflet and crisis, which those reports
-- never group by. Without those three dimensions a month is one row per
-- need and pair of agencies, several times fewer rows than
-- report_monthly's, so five years of them sum in a few milliseconds.
-- Kept by the same refresher, from report_daily (as report_weekly is);
-- filled here from the rollups already built, so no rebuild is needed.
CREATE TABLE report_agency (
    day          date NOT NULL,
    need         text NOT NULL,
    to_agency    bigint NOT NULL,
    from_agency  bigint NOT NULL,
    n int NOT NULL DEFAULT 0,
    acked int NOT NULL DEFAULT 0,
    contacted int NOT NULL DEFAULT 0,
    due int NOT NULL DEFAULT 0,
    ontime int NOT NULL DEFAULT 0,
    late int NOT NULL DEFAULT 0,
    missed int NOT NULL DEFAULT 0,
    fb1 int NOT NULL DEFAULT 0,
    fb2 int NOT NULL DEFAULT 0,
    fb3 int NOT NULL DEFAULT 0,
    fb4 int NOT NULL DEFAULT 0,
    fb5 int NOT NULL DEFAULT 0,
    rec_yes int NOT NULL DEFAULT 0,
    rec_no int NOT NULL DEFAULT 0,
    comments int NOT NULL DEFAULT 0,
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
    con_23 int NOT NULL DEFAULT 0
);
CREATE INDEX report_agency_need_idx ON report_agency (need, day);
CREATE INDEX report_agency_to_idx ON report_agency (need, to_agency, day);
CREATE INDEX report_agency_from_idx ON report_agency (need, from_agency, day);
CREATE INDEX report_agency_day_idx ON report_agency (day);

CREATE TABLE report_agency_monthly (LIKE report_agency INCLUDING DEFAULTS);
CREATE INDEX report_agency_monthly_need_idx ON report_agency_monthly (need, day);
CREATE INDEX report_agency_monthly_to_idx ON report_agency_monthly (need, to_agency, day);
CREATE INDEX report_agency_monthly_from_idx ON report_agency_monthly (need, from_agency, day);
CREATE INDEX report_agency_monthly_day_idx ON report_agency_monthly (day);

INSERT INTO report_agency (day, need, to_agency, from_agency, n, acked, contacted, due, ontime, late, missed, fb1, fb2, fb3, fb4, fb5, rec_yes, rec_no, comments, ack_00, ack_01, ack_02, ack_03, ack_04, ack_05, ack_06, ack_07, ack_08, ack_09, ack_10, ack_11, ack_12, ack_13, ack_14, ack_15, ack_16, ack_17, ack_18, ack_19, ack_20, ack_21, ack_22, ack_23, con_00, con_01, con_02, con_03, con_04, con_05, con_06, con_07, con_08, con_09, con_10, con_11, con_12, con_13, con_14, con_15, con_16, con_17, con_18, con_19, con_20, con_21, con_22, con_23)
SELECT day, need, to_agency, from_agency, sum(n)::int, sum(acked)::int, sum(contacted)::int, sum(due)::int, sum(ontime)::int, sum(late)::int, sum(missed)::int, sum(fb1)::int, sum(fb2)::int, sum(fb3)::int, sum(fb4)::int, sum(fb5)::int, sum(rec_yes)::int, sum(rec_no)::int, sum(comments)::int, sum(ack_00)::int, sum(ack_01)::int, sum(ack_02)::int, sum(ack_03)::int, sum(ack_04)::int, sum(ack_05)::int, sum(ack_06)::int, sum(ack_07)::int, sum(ack_08)::int, sum(ack_09)::int, sum(ack_10)::int, sum(ack_11)::int, sum(ack_12)::int, sum(ack_13)::int, sum(ack_14)::int, sum(ack_15)::int, sum(ack_16)::int, sum(ack_17)::int, sum(ack_18)::int, sum(ack_19)::int, sum(ack_20)::int, sum(ack_21)::int, sum(ack_22)::int, sum(ack_23)::int, sum(con_00)::int, sum(con_01)::int, sum(con_02)::int, sum(con_03)::int, sum(con_04)::int, sum(con_05)::int, sum(con_06)::int, sum(con_07)::int, sum(con_08)::int, sum(con_09)::int, sum(con_10)::int, sum(con_11)::int, sum(con_12)::int, sum(con_13)::int, sum(con_14)::int, sum(con_15)::int, sum(con_16)::int, sum(con_17)::int, sum(con_18)::int, sum(con_19)::int, sum(con_20)::int, sum(con_21)::int, sum(con_22)::int, sum(con_23)::int
FROM report_daily GROUP BY 1, 2, 3, 4;
INSERT INTO report_agency_monthly (day, need, to_agency, from_agency, n, acked, contacted, due, ontime, late, missed, fb1, fb2, fb3, fb4, fb5, rec_yes, rec_no, comments, ack_00, ack_01, ack_02, ack_03, ack_04, ack_05, ack_06, ack_07, ack_08, ack_09, ack_10, ack_11, ack_12, ack_13, ack_14, ack_15, ack_16, ack_17, ack_18, ack_19, ack_20, ack_21, ack_22, ack_23, con_00, con_01, con_02, con_03, con_04, con_05, con_06, con_07, con_08, con_09, con_10, con_11, con_12, con_13, con_14, con_15, con_16, con_17, con_18, con_19, con_20, con_21, con_22, con_23)
SELECT day, need, to_agency, from_agency, sum(n)::int, sum(acked)::int, sum(contacted)::int, sum(due)::int, sum(ontime)::int, sum(late)::int, sum(missed)::int, sum(fb1)::int, sum(fb2)::int, sum(fb3)::int, sum(fb4)::int, sum(fb5)::int, sum(rec_yes)::int, sum(rec_no)::int, sum(comments)::int, sum(ack_00)::int, sum(ack_01)::int, sum(ack_02)::int, sum(ack_03)::int, sum(ack_04)::int, sum(ack_05)::int, sum(ack_06)::int, sum(ack_07)::int, sum(ack_08)::int, sum(ack_09)::int, sum(ack_10)::int, sum(ack_11)::int, sum(ack_12)::int, sum(ack_13)::int, sum(ack_14)::int, sum(ack_15)::int, sum(ack_16)::int, sum(ack_17)::int, sum(ack_18)::int, sum(ack_19)::int, sum(ack_20)::int, sum(ack_21)::int, sum(ack_22)::int, sum(ack_23)::int, sum(con_00)::int, sum(con_01)::int, sum(con_02)::int, sum(con_03)::int, sum(con_04)::int, sum(con_05)::int, sum(con_06)::int, sum(con_07)::int, sum(con_08)::int, sum(con_09)::int, sum(con_10)::int, sum(con_11)::int, sum(con_12)::int, sum(con_13)::int, sum(con_14)::int, sum(con_15)::int, sum(con_16)::int, sum(con_17)::int, sum(con_18)::int, sum(con_19)::int, sum(con_20)::int, sum(con_21)::int, sum(con_22)::int, sum(con_23)::int
FROM report_monthly GROUP BY 1, 2, 3, 4;
ANALYZE report_agency;
ANALYZE report_agency_monthly;

-- Referrals still waiting for acknowledgement past their deadline are
-- counted live (the figure grows with the clock, not with a change). The
-- index of migration 006 found them by deadline and then read each one's
-- row for its day, agency and needs: at ten million referrals, tens of
-- thousands of scattered reads. This one is ordered by the day the
-- report filters on and carries what the count reads, so the count is an
-- index-only scan of the report's days.
DROP INDEX referrals_unacked_idx;
CREATE INDEX referrals_waiting_idx ON referrals (created_at)
    INCLUDE (ack_due_at, to_agency_id, from_agency_id, parent_id, needs)
    WHERE acknowledged_at IS NULL AND closed_at IS NULL AND ack_due_at IS NOT NULL;
