package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A client whose referral was made with consent for one agency alone
// cannot be redirected anywhere else until they agree to more. This file
// records that agreement: a member of staff acting on the referral asks
// the client, reads them the network's consent wording, and records the
// new consent with its evidence. The consent the referral was made under
// stays as it was, in the client's record; the referral (and whatever is
// carried on from it later) goes on under the new one. Nothing else of
// the client's is widened.

// ConsentHow is how a client gave their consent to a member of staff.
type ConsentHow string

// The ways a client can agree, through a member of staff.
const (
	ConsentInPerson  ConsentHow = "in-person"
	ConsentByPhone   ConsentHow = "phone"
	ConsentInWriting ConsentHow = "writing"
	// ConsentOnline: on a partner's own web page or portal. Staff take
	// consent in person, by phone or in writing, so only a partner
	// system says it (PartnerConsentHows).
	ConsentOnline ConsentHow = "online"
)

// ConsentHows are the ways a client can agree, in the order every channel
// offers them.
func ConsentHows() []Choice {
	return []Choice{
		{string(ConsentInPerson), "In person"},
		{string(ConsentByPhone), "By phone"},
		{string(ConsentInWriting), "In writing"},
	}
}

// PartnerConsentHows are the ways a partner system may say a client
// agreed (consent.method in the partner API; a Consent's category in
// FHIR): the ways staff record, and online.
func PartnerConsentHows() []Choice {
	return append(ConsentHows(), Choice{string(ConsentOnline), "Online"})
}

// Label is the way the client agreed, as a timeline tells it ("by phone").
func (h ConsentHow) Label() string {
	switch h {
	case ConsentInPerson:
		return "in person"
	case ConsentByPhone:
		return "by phone"
	case ConsentInWriting:
		return "in writing"
	case ConsentOnline:
		return "online"
	}
	return string(h)
}

// consentGivenSlack is how far after the clock a member of staff may say
// the client agreed: their own watch and the server's may disagree by a
// minute or two, but not by an afternoon.
const consentGivenSlack = 5 * time.Minute

// WiderConsent is a client's agreement to share their details with more
// agencies than the consent a referral of theirs was made under, taken by
// the member of staff acting on it.
type WiderConsent struct {
	Referral ReferralID
	// By is the member of staff who asked the client and read them the
	// wording: the witness the consent is recorded with.
	By Actor
	// Scope is what the client agreed to now: the whole network
	// (ScopeNetwork), or the agencies listed in Agencies as well as those
	// the consent covers already (ScopeAgencies). There is no default:
	// the member of staff chooses, so nothing is widened that they did
	// not name.
	Scope    ConsentScope
	Agencies []AgencyID
	How      ConsentHow
	// GivenAt is when the client agreed.
	GivenAt time.Time
	// WordingVersion is the version of the network's consent wording the
	// member of staff was shown to read to the client; Confirmed says they
	// did and the client agreed.
	WordingVersion string
	Confirmed      bool
	// Via is the channel it was recorded through ("web"), for the audit log.
	Via string
}

// ConsentChange is a wider consent as a referral's timeline tells it.
type ConsentChange struct {
	Network bool     // the client agreed to share with every agency of the network
	Added   []string // else the agencies added, by name; empty when the viewer may not read them
	How     ConsentHow
	GivenAt time.Time
}

// consentChangeOf reads a wider consent's event for a timeline; full says
// whether the viewer may read which agencies (the holder and referrer of
// the referral may; an agency later in the chain reads only that the
// client agreed to more).
func consentChangeOf(data map[string]any, full bool) *ConsentChange {
	str := func(k string) string { s, _ := data[k].(string); return s }
	c := &ConsentChange{Network: ConsentScope(str("scope")) == ScopeNetwork, How: ConsentHow(str("how"))}
	c.GivenAt, _ = time.Parse(time.RFC3339, str("given_at"))
	if !full || c.Network {
		return c
	}
	if names, ok := data["added_agencies"].([]any); ok {
		for _, n := range names {
			if s, ok := n.(string); ok {
				c.Added = append(c.Added, s)
			}
		}
	}
	return c
}

// WiderConsentRefusal is why by may not record a wider consent on r as it
// stands, or nil when they may. Those who may are those who could send
// the referral elsewhere and speak to the client about it: staff of the
// agency holding it while it may be redirected, and a coordinator while
// it waits in triage or while the agency holding it has left the network.
// A consent already covering the whole network, or withdrawn, leaves
// nothing to record. Pages ask it before offering the form.
func (e *Engine) WiderConsentRefusal(ctx context.Context, r Referral, by Actor) error {
	return e.widerConsentRefusal(ctx, e.pool, r, by)
}

func (e *Engine) widerConsentRefusal(ctx context.Context, db DB, r Referral, by Actor) error {
	if by.Kind != ActorStaff || by.StaffID == 0 {
		return &ForbiddenError{Why: "only a member of staff can record a client's consent"}
	}
	c, err := getConsent(ctx, db, r.ConsentID)
	if err != nil {
		return err
	}
	if c.WithdrawnAt != nil {
		// Said first: nothing more is shared, whatever else holds.
		return ErrConsentWithdrawn
	}
	holds := r.ToAgencyID != nil && *r.ToAgencyID == by.AgencyID
	switch {
	case r.InTriage():
		if !by.Coordinates() {
			return &ForbiddenError{Why: "only a coordinator can record new consent on a referral in triage"}
		}
	case holds || by.Coordinates():
		// The agency holding it, while it may redirect it; a coordinator
		// only where they are the one to move it on: its agency left.
		retired, err := holderRetired(ctx, db, r, ActionRedirect)
		if err != nil {
			return err
		}
		left, err := r.checkAllowedHeld(ActionRedirect, retired)
		if err != nil {
			return &TransitionError{Action: ActionRedirect, Status: r.Status,
				Why: "new consent is recorded to redirect a referral, which can only be done before it is accepted; to send the client to another agency now, refer them on"}
		}
		if !holds && !left {
			return &ForbiddenError{Why: "only the agency holding this referral can record the client's new consent: it is the one speaking to them"}
		}
	default:
		return &ForbiddenError{Why: "only the agency holding this referral can record the client's new consent"}
	}
	if c.Scope == ScopeNetwork {
		return &ValidationError{Fields: []FieldError{{Field: "scope",
			Message: "the client's consent already covers every agency of the network: there is nothing more to record"}}}
	}
	return nil
}

const (
	// sqlLockClientConsent serialises a wider consent with a withdrawal of
	// the client's consent (withdrawConsent takes the same lock first), so
	// a withdrawal never leaves behind a consent recorded while it ran.
	sqlLockClientConsent  = `SELECT erased_at IS NOT NULL FROM clients WHERE id = $1 FOR UPDATE`
	sqlInsertWiderConsent = `
INSERT INTO consents (client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at, language)
VALUES ($1, $2, $3, $4, $5, 'staff', $6, $7, $8, $9)
RETURNING ` + consentColumns
	// The referral goes on under the new consent. Its version is left as
	// it is: what anyone may do with the referral has not changed, only
	// where it may be sent, so a colleague's open page stays good.
	sqlReferralConsent = `UPDATE referrals SET consent_id = $2 WHERE id = $1`
)

// RecordWiderConsent records that the client of a referral agreed to share
// their details more widely (WiderConsent), as a new consent with its
// evidence: channel staff, the member of staff as witness, how and when
// the client agreed, the wording version read to them (the network's
// current one, in English, as the staff pages show it). The referral goes
// on under it; the consent it replaces, and the client's other referrals,
// are unchanged. The event, on the referral's timeline and in the
// client's audit log, says what was added. It returns the new consent.
func (e *Engine) RecordWiderConsent(ctx context.Context, in WiderConsent) (Consent, error) {
	r, err := e.Referral(ctx, in.Referral)
	if err != nil {
		return Consent{}, err
	}
	current, err := e.CurrentConsentWording(ctx)
	if err != nil {
		return Consent{}, err
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return Consent{}, err
	}
	var out Consent
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		var erased bool
		if err := tx.QueryRow(ctx, sqlLockClientConsent, r.ClientID).Scan(&erased); err != nil {
			return fmt.Errorf("lock client %d: %w", r.ClientID, err)
		}
		if erased {
			return ErrConsentWithdrawn
		}
		// Read again under the lock: it may have moved on since.
		r, err := getReferral(ctx, tx, "id = $1 FOR UPDATE", in.Referral)
		if err != nil {
			return fmt.Errorf("referral %d: %w", in.Referral, err)
		}
		if err := e.widerConsentRefusal(ctx, tx, r, in.By); err != nil {
			return err
		}
		old, err := getConsent(ctx, tx, r.ConsentID)
		if err != nil {
			return err
		}
		added, names, fields, err := e.checkWiderConsent(ctx, tx, in, old, current, cal.Location, now)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
		agencies := []AgencyID{}
		if in.Scope == ScopeAgencies {
			agencies = append(slices.Clone(old.AgencyIDs), added...)
		}
		hash, language, err := e.wordingHash(ctx, tx, current.Version, "en")
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, sqlInsertWiderConsent, r.ClientID, in.Scope, agencies, current.Version, hash,
			fmt.Sprintf("staff:%d:%s", in.By.StaffID, in.How), in.By.StaffID, in.GivenAt, language)
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Consent]); err != nil {
			return fmt.Errorf("record wider consent for %s: %w", r.Reference, err)
		}
		if _, err := tx.Exec(ctx, sqlReferralConsent, r.ID, out.ID); err != nil {
			return fmt.Errorf("record wider consent for %s: %w", r.Reference, err)
		}
		data := eventData("consent_id", int64(out.ID), "replaces_consent_id", int64(old.ID), "channel", string(ChannelStaff),
			"wording_version", out.WordingVersion, "scope", string(in.Scope), "how", string(in.How),
			"given_at", in.GivenAt.UTC().Format(time.RFC3339), "witness_staff_id", int64(in.By.StaffID), "via", in.Via)
		if in.Scope == ScopeAgencies {
			ids := make([]int64, len(added))
			for i, a := range added {
				ids[i] = int64(a)
			}
			data["added_agency_ids"], data["added_agencies"] = ids, names
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventConsentGiven, referral: r.ID, client: r.ClientID, actor: in.By, data: data})
	})
	var forbidden *ForbiddenError
	if errors.As(err, &forbidden) {
		// Refused, as Act's refusals are, in the audit log.
		e.RecordAccessDenied(ctx, r.ID, in.By, "record-consent", in.Via)
	}
	if err != nil {
		var invalid *ValidationError
		var transition *TransitionError
		if errors.As(err, &invalid) || errors.As(err, &forbidden) || errors.As(err, &transition) || errors.Is(err, ErrConsentWithdrawn) {
			return Consent{}, err
		}
		return Consent{}, fmt.Errorf("record wider consent for %s: %w", r.Reference, err)
	}
	return out, nil
}

// checkWiderConsent names every problem with what the member of staff
// said the client agreed to, and returns the agencies it adds to old
// (ScopeAgencies), with their names.
func (e *Engine) checkWiderConsent(ctx context.Context, db DB, in WiderConsent, old Consent, current ConsentWording,
	loc *time.Location, now time.Time) ([]AgencyID, []string, []FieldError, error) {
	var fields []FieldError
	var added []AgencyID
	var names []string
	switch in.Scope {
	case ScopeNetwork:
	case ScopeAgencies:
		var covered []string
		for _, id := range in.Agencies {
			if slices.Contains(added, id) {
				continue
			}
			a, err := getAgency(ctx, db, "id = $1", id)
			if errors.Is(err, ErrNotFound) {
				fields = append(fields, FieldError{Field: "agencies", Message: "choose agencies from the list"})
				continue
			} else if err != nil {
				return nil, nil, nil, fmt.Errorf("agency %d: %w", id, err)
			}
			if err := a.refuseRetired("agencies", loc); err != nil {
				var invalid *ValidationError
				errors.As(err, &invalid)
				fields = append(fields, invalid.Fields...)
				continue
			}
			if old.Covers(a.ID) {
				covered = append(covered, a.Name)
				continue
			}
			added, names = append(added, a.ID), append(names, a.Name)
		}
		if len(added) == 0 && len(fields) == 0 {
			msg := "tick the agencies the client agreed may see their details"
			if len(covered) > 0 {
				msg = "the client's consent already covers " + strings.Join(covered, " and ") + ": tick an agency it does not cover"
			}
			fields = append(fields, FieldError{Field: "agencies", Message: msg})
		}
	default:
		fields = append(fields, FieldError{Field: "scope", Message: "choose who the client agreed may see their details: the agencies you name, or any agency of the network"})
	}
	if !slices.ContainsFunc(ConsentHows(), func(c Choice) bool { return c.Code == string(in.How) }) {
		fields = append(fields, FieldError{Field: "how", Message: "say how the client agreed: in person, by phone or in writing"})
	}
	switch {
	case in.GivenAt.IsZero():
		fields = append(fields, FieldError{Field: "given_at", Message: "say when the client agreed, like 5 December 2026 at 14:30"})
	case in.GivenAt.After(now.Add(consentGivenSlack)):
		fields = append(fields, FieldError{Field: "given_at", Message: "when the client agreed cannot be in the future"})
	case in.GivenAt.Before(old.GivenAt):
		fields = append(fields, FieldError{Field: "given_at", Message: fmt.Sprintf(
			"the client's consent to this referral was given at %s: their new consent comes after it", old.GivenAt.In(loc).Format("15:04 on 2 January 2006"))})
	}
	if in.WordingVersion != current.Version {
		// The words read to the client are the ones recorded: a page
		// shown before the wording changed read them the old words.
		fields = append(fields, FieldError{Field: "wording", Message: "the network's consent wording changed while this page was open: read the new wording below to the client, and confirm again"})
	}
	if !in.Confirmed {
		fields = append(fields, FieldError{Field: "confirm", Message: "confirm you read the consent wording to the client and they agreed"})
	}
	return added, names, fields, nil
}
