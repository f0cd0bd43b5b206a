package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventClientFound records that a member of staff found a client by phone
// or reference to refer them on.
const EventClientFound EventKind = "client.found"

// FoundClient is what an agency may see of a client it found by their
// phone number or a reference they gave: enough to know it is them.
type FoundClient struct {
	ID       ClientID
	Name     string
	District string
	Town     string
}

// sqlClientVisible is true when the agency may find the client: a
// consent of theirs that is not withdrawn names it, or it holds or made
// one of their referrals. A consent to share across the whole network
// is not enough on its own: any member of any agency could then find
// anyone by trying phone numbers, and learn who they are and where.
const sqlClientVisible = `
SELECT EXISTS (SELECT 1 FROM consents k WHERE k.client_id = $1 AND k.withdrawn_at IS NULL
                 AND $2 = ANY(k.agency_ids))
    OR EXISTS (SELECT 1 FROM referrals r JOIN consents k ON k.id = r.consent_id
               WHERE r.client_id = $1 AND k.withdrawn_at IS NULL AND (r.to_agency_id = $2 OR r.from_agency_id = $2))`

// clientVisible reports whether the actor may see the client's details.
func (e *Engine) clientVisible(ctx context.Context, db DB, client ClientID, by Actor) (bool, error) {
	if by.Kind != ActorStaff {
		return false, nil
	}
	var ok bool
	if err := db.QueryRow(ctx, sqlClientVisible, client, by.AgencyID).Scan(&ok); err != nil {
		return false, fmt.Errorf("may agency %d see client %d: %w", by.AgencyID, client, err)
	}
	return ok, nil
}

// FindClient finds a client by their phone number or by a reference they
// were given, for a member of staff about to refer them on. A client the
// staff member's agency has no part with (sqlClientVisible: their
// consent names it, or it made or holds one of their referrals) is
// ErrNotFound, exactly as one who does not exist: the answer never tells
// that they do. A
// client found is recorded in their audit chain.
func (e *Engine) FindClient(ctx context.Context, by Actor, phone, reference string) (FoundClient, error) {
	var id ClientID
	switch {
	case strings.TrimSpace(phone) != "":
		p, err := ParsePhone(phone)
		if err != nil {
			return FoundClient{}, &ValidationError{Fields: []FieldError{{Field: "find_phone", Message: "Enter a phone number, like 07700 900123"}}}
		}
		if id, err = e.ClientByPhone(ctx, p); err != nil {
			return FoundClient{}, fmt.Errorf("find client: %w", err)
		}
	case strings.TrimSpace(reference) != "":
		ref, ok := NormaliseReference(reference)
		if !ok {
			return FoundClient{}, &ValidationError{Fields: []FieldError{{Field: "find_reference", Message: "Enter a reference like " + ReferenceExample}}}
		}
		r, err := e.ReferralByReference(ctx, ref)
		if err != nil {
			return FoundClient{}, fmt.Errorf("find client: %w", err)
		}
		id = r.ClientID
	default:
		return FoundClient{}, &ValidationError{Fields: []FieldError{{Field: "find_phone", Message: "Enter the client's phone number or a reference they were given"}}}
	}
	ok, err := e.clientVisible(ctx, e.pool, id, by)
	if err != nil {
		return FoundClient{}, err
	}
	if !ok {
		return FoundClient{}, fmt.Errorf("find client: %w", ErrNotFound)
	}
	c, err := e.ClientDetailsFor(ctx, id)
	if err != nil {
		return FoundClient{}, err
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventClientFound, client: id, actor: by,
		data: eventData("agency_id", int64(by.AgencyID))}); err != nil {
		return FoundClient{}, err
	}
	return FoundClient{ID: id, Name: c.Name, District: c.District, Town: c.Town}, nil
}

// MayReferOnBy reports whether the member of staff by may refer the
// client of r on from it, as StaffRefer will ask: they may see the
// client's details on r now (MayDisclose, which no one may once the
// client withdrew consent or was erased: a refer-on would copy them).
// Staff pages should ask it before offering "Refer this client on".
func (e *Engine) MayReferOnBy(ctx context.Context, r Referral, by Actor) (bool, error) {
	f, err := e.disclosureFacts(ctx, r)
	if err != nil {
		return false, err
	}
	// MayDisclose already says no once the details are withheld.
	ok, _ := by.MayDisclose(r, f)
	return ok, nil
}

// Why a refer-on from a referral whose client's details the member of
// staff may no longer see is refused.
const whyNoReferOn = "you can no longer see this client's details, so you can't refer them on from this referral. " +
	"Ask the client to agree again and make a new referral"

// errNoParent answers a refer-on from a referral that does not exist, or
// that the member of staff may not see: the same words for both, so the
// answer never tells that a reference exists.
func errNoParent() error {
	return &ValidationError{Fields: []FieldError{{Field: "parent", Message: "The referral to refer on from does not exist"}}}
}

// existingClient fills a staff referral's client details from the client
// it names (or the client of the referral it refers on from), after
// checking the member of staff may see them; it returns that client, or 0
// for a new one.
//
// Referring on from a referral copies its client's details to a new
// agency and back to the referrer, so it asks the rule of "View details"
// (MayDisclose): the holding agency while it is open, the referrer for a
// while after it closes, coordinators while it waits in triage. A
// referral the member of staff may not see at all is answered as one
// that does not exist. Either refusal is recorded, and nothing else is
// written.
func (e *Engine) existingClient(ctx context.Context, in *StaffReferral) (ClientID, error) {
	id := in.ExistingClient
	if in.Parent != 0 {
		p, err := e.Referral(ctx, in.Parent)
		if errors.Is(err, ErrNotFound) {
			return 0, errNoParent()
		} else if err != nil {
			return 0, err
		}
		if !in.By.MaySee(p) {
			e.refusedReferOn(ctx, p, in.By, "only staff of the agencies on this referral, or a coordinator, can see it")
			return 0, errNoParent()
		}
		if id != 0 && id != p.ClientID {
			return 0, &ValidationError{Fields: []FieldError{{Field: "parent", Message: "The client found is not the client of that referral"}}}
		}
		f, err := e.disclosureFacts(ctx, p)
		if err != nil {
			return 0, err
		}
		if withheld, why := f.Withheld(); withheld {
			e.refusedReferOn(ctx, p, in.By, why)
			return 0, fmt.Errorf("refer on from %s: %w", p.Reference, ErrConsentWithdrawn)
		}
		if ok, why := in.By.MayDisclose(p, f); !ok {
			e.refusedReferOn(ctx, p, in.By, why)
			return 0, &ForbiddenError{Why: whyNoReferOn}
		}
		id = p.ClientID
	}
	if id == 0 {
		return 0, nil
	}
	ok, err := e.clientVisible(ctx, e.pool, id, in.By)
	if err != nil {
		return 0, err
	}
	if !ok && in.Parent == 0 {
		// A client the member of staff may not find (or none at all), the
		// same words for both: never "that referral no longer exists".
		return 0, &ValidationError{Fields: []FieldError{{Field: "client",
			Message: "The client chosen is not one you can refer: find them again by their phone number or a reference"}}}
	}
	c, err := e.ClientDetailsFor(ctx, id)
	if err != nil {
		return 0, err
	}
	// A contact time or language stored before they were checked is left
	// out rather than refused: the member of staff could not correct it.
	contact, _ := contactTime(c.ContactTime)
	code, _, err := clientLanguage(c.Language)
	if err != nil {
		return 0, err
	}
	interpreting, _ := InterpreterLanguageCode(c.InterpreterLanguage)
	notes := in.Client.Notes
	in.Client = ClientDetails{Name: c.Name, Phone: string(c.Phone), Email: c.Email, Postcode: string(c.Postcode),
		District: c.District, Town: c.Town, PreferredContact: c.PreferredContact, ContactTime: contact,
		Language: code, Interpreter: c.Interpreter, InterpreterLanguage: interpreting, Notes: notes}
	return id, nil
}

// refusedReferOn records a refused refer-on in the audit log, as
// DiscloseClient records a refused "View details". It never fails the
// caller: the refusal stands whether or not the record is written.
func (e *Engine) refusedReferOn(ctx context.Context, p Referral, by Actor, why string) {
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: p.ID, actor: by,
		data: eventData("action", "refer-on", "agency_id", int64(by.AgencyID), "why", why)}); err != nil {
		e.log.Warn("audit refused refer-on", "referral", int64(p.ID), "err", err)
	}
}

// sqlInsertExistingClientReferral records the consent and the referral of
// a client Onward already has, in one statement.
var sqlInsertExistingClientReferral = `
WITH k AS (
    INSERT INTO consents (client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at, language,
        agreed_at, how, recorded_by_enc, evidence_enc)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $23, $25, $26, $27, $28)
    RETURNING id, client_id
)
INSERT INTO referrals (reference, parent_id, client_id, consent_id, source, leaflet_code, from_agency_id, from_staff_id,
    to_agency_id, needs, postcode_district, crisis, triaged, status, notes_enc, status_at, idempotency_key, created_at,
    ack_due_at, details_enc, crisis_enc, simd_decile, ward_code)
SELECT $10, $11, k.client_id, k.id, $12, '', $13, $14, $15, $16, $17, $18, false, 'requested', $19, $9,
    nullif($20, ''), $9, $21, $22, $24, ` + sqlPostcodeArea("$29") + `
FROM k
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING ` + referralColumns

// insertExistingClientReferral records a referral of a client Onward
// already has: the details as confirmed by the referrer and the notes are
// sealed with the referral under the client's own key.
func (e *Engine) insertExistingClientReferral(ctx context.Context, tx pgx.Tx, client ClientID, details normalisedClient, notes string,
	consent ConsentInput, n newReferral, now time.Time) (Referral, error) {
	hash, wordingLang, err := e.wordingHash(ctx, tx, consent.WordingVersion, consent.Language)
	if err != nil {
		return Referral{}, err
	}
	k, err := e.clientKeyOf(ctx, tx, client)
	if err != nil {
		return Referral{}, err
	}
	detailsEnc, err := sealGiven(k, details, notes, &n)
	if err != nil {
		return Referral{}, err
	}
	agencies := consent.Agencies
	if agencies == nil {
		agencies = []AgencyID{}
	}
	p, err := sealParticulars(k, consent.Particulars)
	if err != nil {
		return Referral{}, err
	}
	rows, _ := tx.Query(ctx, sqlInsertExistingClientReferral, client, consent.Scope, agencies, consent.WordingVersion, hash,
		consent.Channel, consent.Evidence, nullID(consent.StaffID), now,
		e.ids.Reference(), nullID(n.parent), n.source, nullID(n.fromAgency), nullID(n.fromStaff), nullID(n.toAgency),
		NeedStrings(n.needs), n.district, n.crisis, n.notesEnc, n.idempotency, n.ackDue, detailsEnc, wordingLang, n.crisisEnc,
		p.agreedAt, p.how, p.recordedByEnc, p.evidenceEnc, string(details.postcode))
	return collectNewReferral(rows, "record consent and referral")
}
