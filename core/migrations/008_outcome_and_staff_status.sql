-- How a completed referral ended, from a fixed list, with an optional note
-- (encrypted: it may name the client's circumstances).
ALTER TABLE referrals ADD COLUMN outcome text
    CHECK (outcome IN ('help-given', 'client-declined', 'no-longer-needed', 'could-not-contact',
                       'not-eligible', 'referred-elsewhere', 'other'));
ALTER TABLE referrals ADD COLUMN outcome_note_enc bytea;

