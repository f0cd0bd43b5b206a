-- Reports of what changed for the client (issue: outcomes that funders ask
-- for): outcomes, financial gains, advice type and topic, satisfaction and
-- referrals sent back as not eligible or inappropriate. Like every report,
-- they read rollups kept by the refresher, never the referrals table.

-- Satisfaction beyond the 1–5 score: how many would and would not
-- recommend the service, and how many left a comment (the comments
-- themselves stay sealed on the referral).
ALTER TABLE report_daily
    ADD COLUMN rec_yes  int NOT NULL DEFAULT 0,
    ADD COLUMN rec_no   int NOT NULL DEFAULT 0,
    ADD COLUMN comments int NOT NULL DEFAULT 0;
ALTER TABLE report_monthly
    ADD COLUMN rec_yes  int NOT NULL DEFAULT 0,
    ADD COLUMN rec_no   int NOT NULL DEFAULT 0,
    ADD COLUMN comments int NOT NULL DEFAULT 0;

-- report_closure counts the referral legs that have an outcome (or are
-- completed without one, outcome ''), per created day and combination of
-- need, agencies, outcome, advice type and topic ('' when not recorded),
-- with their financial gains summed in pence. Kept apart from
-- report_daily so outcome and topic do not multiply its wide rows.
CREATE TABLE report_closure (
    day           date NOT NULL,
    need          text NOT NULL,
    to_agency     bigint NOT NULL,
    from_agency   bigint NOT NULL,
    outcome       text NOT NULL,
    advice_type   text NOT NULL,
    advice_topic  text NOT NULL,
    n             int NOT NULL DEFAULT 0,
    -- legs with any gain recorded above zero: the clients a gain is "per"
    gained        int NOT NULL DEFAULT 0,
    weekly_pence      bigint NOT NULL DEFAULT 0,
    one_off_pence     bigint NOT NULL DEFAULT 0,
    written_off_pence bigint NOT NULL DEFAULT 0,
    managed_pence     bigint NOT NULL DEFAULT 0
);
CREATE INDEX report_closure_need_idx ON report_closure (need, day);
CREATE INDEX report_closure_to_idx ON report_closure (need, to_agency, day);
CREATE INDEX report_closure_from_idx ON report_closure (need, from_agency, day);
CREATE INDEX report_closure_day_idx ON report_closure (day);

CREATE TABLE report_closure_monthly (LIKE report_closure INCLUDING DEFAULTS);
CREATE INDEX report_closure_monthly_need_idx ON report_closure_monthly (need, day);
CREATE INDEX report_closure_monthly_to_idx ON report_closure_monthly (need, to_agency, day);
CREATE INDEX report_closure_monthly_from_idx ON report_closure_monthly (need, from_agency, day);
CREATE INDEX report_closure_monthly_day_idx ON report_closure_monthly (day);

-- The inappropriate-referrals report lists the feedback of referrals
-- turned down as not eligible or inappropriate: a small partial index, so
-- reading a period's few of them never walks the referrals table.
CREATE INDEX referrals_sent_back_idx ON referrals (created_at)
    WHERE reason IN ('not-eligible', 'inappropriate');

-- Rebuild every rollup, so the new columns and tables are filled.
UPDATE report_refresh SET watermark = NULL;
