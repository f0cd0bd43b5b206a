-- A partner system's consent says when and how the client agreed and who
-- recorded it at the partner, as a client's own consent by text or on the
-- web records its time, channel and evidence. Each may be left out by a
-- partner integrated before they were asked for: NULL then says the
-- partner did not say.
--
-- agreed_at is when the client agreed, as the partner says (given_at
-- stays when Onward recorded the consent); how is how they agreed, a code
-- of core.PartnerConsentHows; recorded_by_enc is who recorded it at the
-- partner, free text sealed under the client's key.
--
-- evidence_enc is the free text of a partner's evidence (who confirmed the
-- consent with the client, consent.witnessed_by), sealed under the
-- client's key. It was kept in clear in evidence ("partner:7 witnessed by
-- …"). Only the application holds the keys, so the rows already written
-- are sealed by serve and the worker as they start
-- (core.Engine.SealPartnerEvidence), which leaves "partner:<id>" alone in
-- evidence; erasure clears both sealed columns.
ALTER TABLE consents
    ADD COLUMN agreed_at timestamptz,
    ADD COLUMN how text,
    ADD COLUMN recorded_by_enc bytea,
    ADD COLUMN evidence_enc bytea;
