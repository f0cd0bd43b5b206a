package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// sqlInsertClientReferral writes a client (reused by phone hash), their
// consent and the referral in one statement: three dependent inserts in
// one round trip instead of three. A replayed idempotency key inserts no
// referral and returns no row; the caller then rolls the transaction back
// so the client and consent writes vanish with it.
const sqlInsertClientReferral = `
WITH c AS (` + sqlUpsertClient + `),
k AS (
    INSERT INTO consents (client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at, language)
    SELECT c.id, $13, $14, $15, $16, $17, $18, $19, $12, $34 FROM c
    RETURNING id, client_id
)
INSERT INTO referrals (reference, client_id, consent_id, source, leaflet_code, from_agency_id, from_staff_id,
    to_agency_id, needs, postcode_district, crisis, triaged, status, notes_enc, status_at, idempotency_key, created_at,
    ack_due_at)
SELECT $20, k.client_id, k.id, $21, coalesce((SELECT code FROM leaflets WHERE code = lower($22)), ''), $23, $24,
    $25, $26, $27, $28, $29, 'requested', $30, $12, nullif($31, ''), $12, $32
FROM k
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING ` + referralColumns

// insertClientReferral records a new referral with its client and the
// consent it is made under. The referral fields come from n; n.client and
// n.consent are filled in by the statement.
func (e *Engine) insertClientReferral(ctx context.Context, tx pgx.Tx, client normalisedClient, consent ConsentInput, n newReferral, now time.Time) (Referral, error) {
	enc, err := e.encryptClient(client)
	if err != nil {
		return Referral{}, err
	}
	hash, wordingLang, err := e.wordingHash(ctx, tx, consent.WordingVersion, consent.Language)
	if err != nil {
		return Referral{}, err
	}
	scope := consent.Scope
	if scope == "" {
		scope = ScopeNetwork
	}
	agencies := consent.Agencies
	if agencies == nil {
		agencies = []AgencyID{}
	}
	rows, _ := tx.Query(ctx, sqlInsertClientReferral,
		enc.phoneHash, enc.name, enc.phone, enc.email, enc.postcode, enc.notes, client.district, client.Town,
		client.PreferredContact, client.ContactTime, client.Language, now,
		scope, agencies, consent.WordingVersion, hash, consent.Channel, consent.Evidence, nullID(consent.StaffID),
		e.ids.Reference(), n.source, n.leaflet, nullID(n.fromAgency), nullID(n.fromStaff), nullID(n.toAgency),
		NeedStrings(n.needs), n.district, n.crisis, n.triaged, n.notesEnc, n.idempotency, n.ackDue,
		client.Interpreter, wordingLang)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Referral])
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, pgx.ErrNoRows):
		return Referral{}, errReplayed
	case isUniqueViolation(err, "referrals_reference_key"):
		return Referral{}, errReferenceTaken
	default:
		return Referral{}, fmt.Errorf("record client, consent and referral: %w", err)
	}
}
