-- The messaging channel each phone last wrote to Onward on ('sms' or
-- 'whatsapp'), so status texts go back the same way, and when it last
-- wrote by WhatsApp: that message opens WhatsApp's 24-hour
-- customer-service window, inside which Onward may answer in its own
-- words; outside it only approved templates may be sent. Keyed by the
-- phone's keyed hash, like sms_optouts: no number in clear. A phone with
-- no row has only ever texted by SMS (or not at all).
CREATE TABLE messaging_channels (
    phone_hash           bytea PRIMARY KEY,
    channel              text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    whatsapp_inbound_at  timestamptz,
    updated_at           timestamptz NOT NULL
);
