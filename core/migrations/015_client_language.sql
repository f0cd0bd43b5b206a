-- Every client in their own language: whether they asked for an
-- interpreter, the language each consent was given in, and the network's
-- consent wording in each language, versioned and hashed like the English.
ALTER TABLE clients ADD COLUMN interpreter boolean NOT NULL DEFAULT false;

ALTER TABLE consents ADD COLUMN language text NOT NULL DEFAULT 'en';

CREATE TABLE consent_wording_translations (
    version     text NOT NULL REFERENCES consent_wordings(version),
    language    text NOT NULL CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]+)*$' AND language <> 'en'),
    body        text NOT NULL CHECK (body <> ''),
    sha256      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (version, language)
);
