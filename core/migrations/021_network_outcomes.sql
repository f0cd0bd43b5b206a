-- The outcomes and advice topics a network offers when a referral is
-- completed, as its network file names them (core checks them against
-- the fixed outcome vocabulary). An empty list means the defaults: all
-- seven outcomes, and the default topics.
ALTER TABLE network_settings
    ADD COLUMN outcomes jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN advice_topics jsonb NOT NULL DEFAULT '[]';

-- After the 1–5 score the client is asked for a short comment, then
-- whether they would recommend the service: two more replies to wait for.
ALTER TABLE sms_awaiting DROP CONSTRAINT IF EXISTS sms_awaiting_kind_check;
ALTER TABLE sms_awaiting ADD CONSTRAINT sms_awaiting_kind_check
    CHECK (kind IN ('contact_check', 'feedback', 'feedback_comment', 'feedback_recommend'));
