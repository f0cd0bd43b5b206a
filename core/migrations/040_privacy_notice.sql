-- Who the privacy notice (/privacy) names as responsible for a client's
-- details, as UK GDPR Article 13 asks: the data controller (an organisation's
-- name) and how to reach its data protection officer (an email address, a
-- phone, or both), as the network file gives them (core checks the email and
-- phone). Empty when not given: the page then tells clients to ask any agency
-- in the directory, and the import warns.
ALTER TABLE network_settings
    ADD COLUMN data_controller text NOT NULL DEFAULT '',
    ADD COLUMN data_protection_email text NOT NULL DEFAULT '',
    ADD COLUMN data_protection_phone text NOT NULL DEFAULT '';
