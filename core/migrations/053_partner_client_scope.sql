-- A partner system may be granted the client scope: reading the details of
-- clients referred to its agency (GET /api/v1/referrals/{reference}/client),
-- under the same disclosure rule staff are asked (core.Actor.MayDisclose).
-- Disclosing personal data to a machine is granted on purpose: no existing
-- partner system gains it.
ALTER TABLE partners DROP CONSTRAINT partners_scopes_check;
ALTER TABLE partners ADD CONSTRAINT partners_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'refer', 'act', 'client']);
