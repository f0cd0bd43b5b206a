-- Data protection: who sees a client's details and for how long, each
-- client's own data key (erasure destroys it), the details a referral was
-- made with, and proof that a person owns a phone number.

ALTER TABLE network_settings
    -- days after a referral closes during which the referring agency may
    -- still see the client's details on it
    ADD COLUMN referrer_details_days int NOT NULL DEFAULT 30 CHECK (referrer_details_days >= 0),
    -- months after a client's last referral closed before their details are
    -- erased by the worker; 0 keeps them until erased by hand
    ADD COLUMN retention_months int NOT NULL DEFAULT 0 CHECK (retention_months >= 0),
    -- the word a client texts to withdraw consent
    ADD COLUMN withdraw_keyword text NOT NULL DEFAULT 'WITHDRAW' CHECK (withdraw_keyword ~ '^[A-Z]{3,20}$');

-- key_wrapped is the client's own AES-256 data key sealed under the master
-- key; every personal field of the client and of their referrals is sealed
-- under it. Erasure sets it to NULL and clears the ciphertexts: every copy,
-- backups included, becomes unreadable. Rows written before this migration
-- have no key of their own (their fields are under the master key) until
-- `onward keys rotate` gives them one.
ALTER TABLE clients
    ADD COLUMN key_wrapped bytea,
    ADD COLUMN phone_proven_at timestamptz,
    ADD COLUMN erased_at timestamptz;
ALTER TABLE clients ALTER COLUMN name_enc DROP NOT NULL;
CREATE INDEX clients_erased_idx ON clients (id) WHERE erased_at IS NULL;

-- The client's details exactly as given with this referral (JSON sealed
-- under the client's key): what the agencies on this referral see, so
-- details given later to another agency never reach them.
ALTER TABLE referrals ADD COLUMN details_enc bytea;

-- One-time codes texted to prove a phone typed on the web form belongs to
-- the person typing it. The code and phone are sealed for the sender; the
-- code's keyed hash is what a typed code is checked against.
CREATE TABLE phone_codes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_hash   bytea NOT NULL,
    session_hash bytea NOT NULL,
    phone_enc    bytea NOT NULL,
    code_enc     bytea,
    code_hash    bytea NOT NULL,
    attempts     int NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    proven_at    timestamptz
);
CREATE INDEX phone_codes_phone_idx ON phone_codes (phone_hash, created_at);
CREATE INDEX phone_codes_session_idx ON phone_codes (session_hash, created_at);
