-- What changed for the client, recorded when a referral is completed, and
-- what the client said afterwards (issue: outcomes that funders ask for).
--
-- The outcome list becomes the network's own (its network file names the
-- outcomes it offers, from a fixed vocabulary checked in core), so the
-- database no longer pins the seven built-in ids; it keeps their shape.
ALTER TABLE referrals DROP CONSTRAINT IF EXISTS referrals_outcome_check;
ALTER TABLE referrals ADD CONSTRAINT referrals_outcome_check
    CHECK (outcome ~ '^[a-z][a-z0-9-]{0,39}$');

-- Financial gain for money, benefits and debt advice, in pence (whole
-- pounds are what forms take; pence keep sums exact). Each is optional;
-- none may be negative or above £1,000,000.
ALTER TABLE referrals
    ADD COLUMN gain_weekly_income_pence bigint
        CHECK (gain_weekly_income_pence BETWEEN 0 AND 100000000),
    ADD COLUMN gain_one_off_income_pence bigint
        CHECK (gain_one_off_income_pence BETWEEN 0 AND 100000000),
    ADD COLUMN gain_debt_written_off_pence bigint
        CHECK (gain_debt_written_off_pence BETWEEN 0 AND 100000000),
    ADD COLUMN gain_debt_managed_pence bigint
        CHECK (gain_debt_managed_pence BETWEEN 0 AND 100000000),
    -- The Scottish National Standards for Information and Advice
    -- Providers: type I information and signposting, type II casework,
    -- type III advocacy and representation.
    ADD COLUMN advice_type text CHECK (advice_type IN ('type-1', 'type-2', 'type-3')),
    -- The advice topic, from the network's list (core checks it).
    ADD COLUMN advice_topic text CHECK (advice_topic ~ '^[a-z][a-z0-9-]{0,39}$');

-- The client's answers after the 1–5 score: a short comment (sealed under
-- the client's key, like notes: it is their own words) and whether they
-- would recommend the service.
ALTER TABLE referrals
    ADD COLUMN feedback_comment_enc bytea,
    ADD COLUMN feedback_recommend boolean;
