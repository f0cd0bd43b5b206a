package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// sqlInsertConsentReferral writes the consent and the referral in one
// statement. A replayed idempotency key inserts no referral and returns no
// row; the caller then rolls the transaction back so the client and consent
// writes vanish with it.
var sqlInsertConsentReferral = `
WITH k AS (
    INSERT INTO consents (client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at, language,
        agreed_at, how, recorded_by_enc, evidence_enc)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $24, $26, $27, $28, $29)
    RETURNING id, client_id
)
INSERT INTO referrals (reference, client_id, consent_id, source, leaflet_code, from_agency_id, from_staff_id,
    to_agency_id, needs, postcode_district, crisis, triaged, status, notes_enc, status_at, idempotency_key, created_at,
    ack_due_at, details_enc, crisis_enc, simd_decile, ward_code)
SELECT $10, k.client_id, k.id, $11, coalesce((SELECT code FROM leaflets WHERE code = lower($12)), ''), $13, $14,
    $15, $16, $17, $18, $19, 'requested', $20, $9, nullif($21, ''), $9, $22, $23, $25,
    ` + sqlPostcodeArea("$30") + `
FROM k
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING ` + referralColumns

// referralDetails are the client's details as given with one referral,
// stored sealed under the client's key (referrals.details_enc).
type referralDetails struct {
	Name             string `json:"name,omitempty"`
	Phone            string `json:"phone,omitempty"`
	Email            string `json:"email,omitempty"`
	Postcode         string `json:"postcode,omitempty"`
	District         string `json:"district,omitempty"`
	Town             string `json:"town,omitempty"`
	PreferredContact string `json:"preferred_contact,omitempty"`
	ContactTime      string `json:"contact_time,omitempty"`
	Language         string `json:"language,omitempty"`
}

// Referral-level personal fields are bound to the client (a referral
// carried on to another agency keeps its parent's sealed notes and details).
func sealReferralField(k clientKey, column, v string) ([]byte, error) {
	return k.seal("referrals", column, k.client, v)
}

func openReferralField(k clientKey, column, legacy string, ct []byte) (string, error) {
	return k.open("referrals", column, k.client, legacy, ct)
}

// sealGiven seals the client's details as given with one referral, and
// its notes (into n), under the client's key.
func sealGiven(k clientKey, c normalisedClient, notes string, n *newReferral) ([]byte, error) {
	given, err := json.Marshal(referralDetails{Name: c.Name, Phone: string(c.phone), Email: c.Email,
		Postcode: string(c.postcode), District: c.district, Town: c.Town,
		PreferredContact: c.PreferredContact, ContactTime: c.ContactTime, Language: c.Language})
	if err != nil {
		return nil, fmt.Errorf("referral details: %w", err)
	}
	detailsEnc, err := sealReferralField(k, "details_enc", string(given))
	if err != nil {
		return nil, err
	}
	if n.notesEnc, err = sealReferralField(k, "notes_enc", notes); err != nil {
		return nil, err
	}
	if len(n.crisisReasons) > 0 {
		reasons, err := json.Marshal(n.crisisReasons)
		if err != nil {
			return nil, fmt.Errorf("crisis reasons: %w", err)
		}
		if n.crisisEnc, err = sealReferralField(k, "crisis_enc", string(reasons)); err != nil {
			return nil, err
		}
	}
	return detailsEnc, nil
}

// CrisisReasons opens why a referral is a crisis, as recorded when it was
// made (nil when none were given). An erased client's reasons are gone
// with their key: nil, not an error, so the referral's story can still be
// told.
func (e *Engine) CrisisReasons(ctx context.Context, r Referral) ([]string, error) {
	if len(r.CrisisEnc) == 0 {
		return nil, nil
	}
	k, err := e.clientKeyOf(ctx, e.pool, r.ClientID)
	if err != nil {
		return nil, err
	}
	return openCrisisReasons(k, r)
}

// openCrisisReasons opens r's crisis reasons with its client's key k.
func openCrisisReasons(k clientKey, r Referral) ([]string, error) {
	if len(r.CrisisEnc) == 0 || k.erased {
		return nil, nil
	}
	plain, err := openReferralField(k, "crisis_enc", "referral.crisis", r.CrisisEnc)
	if err != nil {
		return nil, fmt.Errorf("crisis reasons of %s: %w", r.Reference, err)
	}
	var reasons []string
	if err := json.Unmarshal([]byte(plain), &reasons); err != nil {
		return nil, fmt.Errorf("crisis reasons of %s: %w", r.Reference, err)
	}
	return reasons, nil
}

// clientReferral is a new referral whose client is written and whose
// consent and referral rows are still to be inserted: the referral's
// fields are settled in between (a self-referral is routed, and a
// referral between agencies reads its receiving agency, in the round
// trip that writes the client). The client's details and the referral's
// notes are sealed under the client's key.
type clientReferral struct {
	e      *Engine
	client normalisedClient
	writtenClient
	wordingHash []byte
	wordingLang string
	now         time.Time
}

// startClientReferral finds or inserts the client (the rest of their
// details go in b) and looks up the consent wording the client agreed to,
// by version and language ("" for the network's).
func (e *Engine) startClientReferral(ctx context.Context, tx pgx.Tx, b *pgx.Batch, client normalisedClient, proven bool, wording, language string, now time.Time) (clientReferral, error) {
	hash, wordingLang, err := e.wordingHash(ctx, tx, wording, language)
	if err != nil {
		return clientReferral{}, err
	}
	w, err := e.writeClient(ctx, tx, b, client, proven, now)
	if err != nil {
		return clientReferral{}, err
	}
	return clientReferral{e: e, client: client, writtenClient: w, wordingHash: hash, wordingLang: wordingLang, now: now}, nil
}

// insert writes the consent (to the wording started with) and the
// referral n, with notes and the client's details as given sealed under
// the client's key.
func (c clientReferral) insert(ctx context.Context, tx pgx.Tx, consent ConsentInput, notes string, n newReferral) (Referral, error) {
	detailsEnc, err := sealGiven(c.key, c.client, notes, &n)
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
	p, err := sealParticulars(c.key, consent.Particulars)
	if err != nil {
		return Referral{}, err
	}
	rows, _ := tx.Query(ctx, sqlInsertConsentReferral,
		c.id, scope, agencies, consent.WordingVersion, c.wordingHash, consent.Channel, consent.Evidence, nullID(consent.StaffID), c.now,
		c.e.ids.Reference(), n.source, n.leaflet, nullID(n.fromAgency), nullID(n.fromStaff), nullID(n.toAgency),
		NeedStrings(n.needs), n.district, n.crisis, n.triaged, n.notesEnc, n.idempotency, n.ackDue, detailsEnc, c.wordingLang,
		n.crisisEnc, p.agreedAt, p.how, p.recordedByEnc, p.evidenceEnc, string(c.client.postcode))
	return collectNewReferral(rows, "record client, consent and referral")
}

// ReferralNotes decrypts the free-text notes a referral carries. Erased
// clients' notes read as ErrErased.
func (e *Engine) ReferralNotes(ctx context.Context, r Referral) (string, error) {
	if len(r.NotesEnc) == 0 {
		return "", nil
	}
	k, err := e.clientKeyOf(ctx, e.pool, r.ClientID)
	if err != nil {
		return "", err
	}
	return openReferralField(k, "notes_enc", "referral.notes", r.NotesEnc)
}

// sqlClientStandingFields reads what a referral's details take from the
// client's record as it stands: the interpreter need, and whether the
// phone number on record passed to someone else (sqlPhonePassedOnOf).
const sqlClientStandingFields = `SELECT interpreter, interpreter_language, ` + sqlPhonePassedOnOf + `clients.id) FROM clients WHERE id = $1`

// referralClient is the client as given with this referral (or, for a
// referral made before referrals kept their own copy, the client record).
func (e *Engine) referralClient(ctx context.Context, r Referral) (Client, error) {
	k, err := e.clientKeyOf(ctx, e.pool, r.ClientID)
	if err != nil {
		return Client{}, err
	}
	if k.erased {
		return Client{}, fmt.Errorf("referral %s: %w", r.Reference, ErrErased)
	}
	if len(r.DetailsEnc) == 0 {
		return e.ClientDetailsFor(ctx, r.ClientID)
	}
	plain, err := openReferralField(k, "details_enc", "", r.DetailsEnc)
	if err != nil {
		return Client{}, fmt.Errorf("referral %s details: %w", r.Reference, err)
	}
	var d referralDetails
	if err := json.Unmarshal([]byte(plain), &d); err != nil {
		return Client{}, fmt.Errorf("referral %s details: %w", r.Reference, err)
	}
	c := Client{ID: r.ClientID, Name: d.Name, Phone: Phone(d.Phone), Email: d.Email, Postcode: Postcode(d.Postcode),
		District: d.District, Town: d.Town, PreferredContact: d.PreferredContact, ContactTime: d.ContactTime,
		Language: d.Language, CreatedAt: r.CreatedAt}
	// The interpreter need is not personal detail given with the referral
	// but the client's as it stands, as cards show it: from their record.
	// So is whether the number given still reaches them.
	err = e.pool.QueryRow(ctx, sqlClientStandingFields, r.ClientID).Scan(&c.Interpreter, &c.InterpreterLanguage, &c.PhonePassedOn)
	if err != nil {
		return Client{}, fmt.Errorf("referral %s client record: %w", r.Reference, err)
	}
	return c, nil
}
