-- Texts that cost what they should: every SMS Onward sends, counted per
-- month (in the network's time zone), language and encoding, with the
-- segments each is billed as. Counts only — no phone, no body — so the
-- table holds nothing personal and is kept for good.
CREATE TABLE sms_segments (
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]+)*$'),
    encoding  text NOT NULL CHECK (encoding IN ('GSM-7', 'UCS-2')),
    texts     bigint NOT NULL CHECK (texts >= 0),
    segments  bigint NOT NULL CHECK (segments >= 0),
    PRIMARY KEY (month, language, encoding)
);
