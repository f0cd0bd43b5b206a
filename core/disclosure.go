package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DataProtection is the network's data protection settings.
type DataProtection struct {
	// ReferrerDetailsDays: how many days after a referral closes the
	// referring agency may still see the client's details on it.
	ReferrerDetailsDays int `db:"referrer_details_days"`
	// RetentionMonths: months after a client's last referral closed before
	// the worker erases their details; 0 keeps them until erased by hand.
	RetentionMonths int `db:"retention_months"`
	// WithdrawKeyword is the word a client texts to withdraw consent.
	WithdrawKeyword string `db:"withdraw_keyword"`
}

const sqlSelectDataProtection = `SELECT referrer_details_days, retention_months, withdraw_keyword FROM network_settings`

// DataProtection returns the network's data protection settings (cached
// for a few seconds, like the network settings: every inbound text checks
// the withdraw keyword).
func (e *Engine) DataProtection(ctx context.Context) (DataProtection, error) {
	c := &e.cache
	return cachedOr(&c.mu, &c.gen, func() (DataProtection, bool) {
		if c.dataProtection == nil || time.Since(c.dataProtectionAt) >= cacheTTL {
			return DataProtection{}, false
		}
		return *c.dataProtection, true
	}, func() (DataProtection, error) {
		rows, _ := e.pool.Query(ctx, sqlSelectDataProtection)
		d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DataProtection])
		if errors.Is(err, pgx.ErrNoRows) {
			return DataProtection{}, ErrNoNetwork
		}
		if err != nil {
			return DataProtection{}, fmt.Errorf("read data protection settings: %w", err)
		}
		return d, nil
	}, func(d DataProtection) {
		c.dataProtection, c.dataProtectionAt = &d, time.Now()
	})
}

// EventDataProtectionChanged records a change to the network's data
// protection settings, with each changed setting's old and new value.
const EventDataProtectionChanged EventKind = "network.data-protection-changed"

// DataProtectionChange is a change to the data protection settings: the
// settings wanted, who changes them, and what a word already means to
// the channels clients text (Clashes).
type DataProtectionChange struct {
	DataProtection
	By Actor
	// Clashes says what a word already means to a client texting Onward,
	// in any language it reads ("the STOP keyword", "a yes or no
	// answer in Polish"), or "" when nothing. The words live with the
	// conversation (intake), which core does not import, so the caller
	// passes the check in; a new withdraw keyword is refused without it.
	Clashes func(word string) string
}

const (
	sqlLockDataProtection = `SELECT referrer_details_days, retention_months, withdraw_keyword FROM network_settings FOR UPDATE`
	sqlSetDataProtection  = `UPDATE network_settings SET referrer_details_days = $1, retention_months = $2,
	withdraw_keyword = upper($3), updated_at = $4`
)

// SetDataProtection changes the network's data protection settings. A new
// withdraw keyword must be one word that means nothing else to a client
// texting Onward (not a yes or no answer, STOP, START, HELP or another
// keyword in any language read, nor a language's name): else every
// client's YES, or their STOP, would withdraw their consent. Every change
// is audited with the old and new value of each setting changed; a
// change to nothing writes nothing.
func (e *Engine) SetDataProtection(ctx context.Context, ch DataProtectionChange) error {
	d := ch.DataProtection
	d.WithdrawKeyword = strings.ToUpper(strings.TrimSpace(d.WithdrawKeyword))
	var fields []FieldError
	if d.ReferrerDetailsDays < 0 {
		fields = append(fields, FieldError{Field: "referrer details days", Message: "referrer details days: give 0 or more"})
	}
	if d.RetentionMonths < 0 {
		fields = append(fields, FieldError{Field: "retention months", Message: "retention months: give 0 (keep) or more"})
	}
	if !keywordPattern(d.WithdrawKeyword) {
		fields = append(fields, FieldError{Field: "withdraw keyword", Message: "withdraw keyword: one word of 3 to 20 letters A to Z"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	changed := false
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, sqlLockDataProtection)
		old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DataProtection])
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoNetwork
		}
		if err != nil {
			return fmt.Errorf("read data protection settings: %w", err)
		}
		data := map[string]any{}
		if old.ReferrerDetailsDays != d.ReferrerDetailsDays {
			data["referrer_details_days"] = map[string]any{"old": old.ReferrerDetailsDays, "new": d.ReferrerDetailsDays}
		}
		if old.RetentionMonths != d.RetentionMonths {
			data["retention_months"] = map[string]any{"old": old.RetentionMonths, "new": d.RetentionMonths}
		}
		if !strings.EqualFold(old.WithdrawKeyword, d.WithdrawKeyword) {
			if ch.Clashes == nil {
				return errors.New("set the withdraw keyword: no list of the words clients text to check it against")
			}
			if what := ch.Clashes(d.WithdrawKeyword); what != "" {
				return &ValidationError{Fields: []FieldError{{Field: "withdraw keyword", Message: fmt.Sprintf(
					"withdraw keyword: %s is already %s, so a client sending it would withdraw their consent instead: choose another word", d.WithdrawKeyword, what)}}}
			}
			data["withdraw_keyword"] = map[string]any{"old": strings.ToUpper(old.WithdrawKeyword), "new": d.WithdrawKeyword}
		}
		if len(data) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, sqlSetDataProtection, d.ReferrerDetailsDays, d.RetentionMonths, d.WithdrawKeyword, e.clock.Now()); err != nil {
			return fmt.Errorf("set data protection settings: %w", err)
		}
		changed = true
		return e.appendEvent(ctx, tx, newEvent{kind: EventDataProtectionChanged, actor: ch.By, data: data})
	})
	if changed && err == nil {
		e.forgetCache()
	}
	return err
}

func keywordPattern(s string) bool {
	if len(s) < 3 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// DisclosureFacts are what the disclosure rule needs besides the actor and
// the referral.
type DisclosureFacts struct {
	Now                 time.Time
	ConsentWithdrawn    bool // the consent the referral was made under was withdrawn
	ConsentCovers       bool // the consent covers the agency the referral is with
	Erased              bool // the client's details were erased
	ReferrerDetailsDays int  // DataProtection.ReferrerDetailsDays
}

// Withheld reports whether the client's details go to nobody any more,
// whoever asks, and why: they withdrew the consent the referral was made
// under, or were erased. Their details, completion note and crisis
// reasons, a refer-on from the referral and undoing its completion all
// stop here (their own subject access export aside).
func (f DisclosureFacts) Withheld() (bool, string) {
	switch {
	case f.Erased:
		return true, "the client's details were erased"
	case f.ConsentWithdrawn:
		return true, "the client withdrew consent to share their details"
	}
	return false, ""
}

// MayDisclose reports whether the actor may see the client's details on
// this referral, and if not, why, in plain words. It is the one rule every
// channel (Slack, staff web, partner API, exports) asks:
//
//   - nobody, once the client withdrew consent or was erased;
//   - staff of the agency holding the referral while it is open (and the
//     client's consent covers that agency);
//   - coordinators while it waits in triage (they hold it then);
//   - staff of the referring agency while it is open and for
//     ReferrerDetailsDays after it closed.
//
// Seeing a referral at all is MaySee; this rule is narrower.
func (a Actor) MayDisclose(r Referral, f DisclosureFacts) (bool, string) {
	switch {
	case a.Kind == ActorSystem:
		return true, ""
	case !a.MaySee(r):
		return false, "only staff of the agencies on this referral, or a coordinator, can see it"
	}
	if withheld, why := f.Withheld(); withheld {
		return false, why
	}
	holds := r.ToAgencyID != nil && *r.ToAgencyID == a.AgencyID
	referred := r.FromAgencyID != nil && *r.FromAgencyID == a.AgencyID
	if r.Status.Open() {
		switch {
		case holds && f.ConsentCovers:
			return true, ""
		case r.InTriage() && a.Coordinates():
			return true, ""
		case referred:
			return true, ""
		case holds:
			return false, "the client's consent does not cover sharing their details with this agency"
		}
		return false, "only the agency holding this referral can see the client's details"
	}
	if referred && r.ClosedAt != nil && f.Now.Before(r.ClosedAt.AddDate(0, 0, f.ReferrerDetailsDays)) {
		return true, ""
	}
	return false, "this referral is closed: the client's details are no longer shared"
}

const sqlDisclosureFacts = `
SELECT k.withdrawn_at IS NOT NULL, k.scope = 'network' OR coalesce(r.to_agency_id = ANY (k.agency_ids), false),
       c.erased_at IS NOT NULL, n.referrer_details_days
FROM referrals r
JOIN consents k ON k.id = r.consent_id
JOIN clients c ON c.id = r.client_id
CROSS JOIN network_settings n
WHERE r.id = $1`

func (e *Engine) disclosureFacts(ctx context.Context, r Referral) (DisclosureFacts, error) {
	return e.disclosureFactsIn(ctx, e.pool, r)
}

// disclosureFactsIn is disclosureFacts read through db (a transaction).
func (e *Engine) disclosureFactsIn(ctx context.Context, db DB, r Referral) (DisclosureFacts, error) {
	f := DisclosureFacts{Now: e.clock.Now()}
	err := db.QueryRow(ctx, sqlDisclosureFacts, r.ID).Scan(&f.ConsentWithdrawn, &f.ConsentCovers, &f.Erased, &f.ReferrerDetailsDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, ErrNoNetwork
	}
	if err != nil {
		return f, fmt.Errorf("disclosure rule for referral %d: %w", r.ID, err)
	}
	return f, nil
}

// Disclosure is what the disclosure rule says of a referral to one
// viewer: whether they may see the client's details (May, and Why not),
// and whether the details go to nobody at all now (Withheld: consent
// withdrawn or the client erased).
type Disclosure struct {
	May      bool
	Why      string
	Withheld bool
}

// Disclosure answers the disclosure rule for r and by from one read of its
// facts, without disclosing anything or recording anything: for a page
// deciding what to offer.
func (e *Engine) Disclosure(ctx context.Context, r Referral, by Actor) (Disclosure, error) {
	f, err := e.disclosureFacts(ctx, r)
	if err != nil {
		return Disclosure{}, err
	}
	d := Disclosure{}
	d.May, d.Why = by.MayDisclose(r, f)
	d.Withheld, _ = f.Withheld()
	return d, nil
}

// MayDiscloseClient reports whether the actor may see the client's details
// on the referral, without disclosing them or recording anything: for
// deciding whether to offer a "View details" button.
func (e *Engine) MayDiscloseClient(ctx context.Context, r Referral, by Actor) (bool, string, error) {
	d, err := e.Disclosure(ctx, r, by)
	return d.May, d.Why, err
}

// DiscloseClient returns the client's details as given with a referral to
// someone allowed to see them (MayDisclose), and records the disclosure in
// the audit log, with the channel it went through (via: "slack", "web",
// "api", "fhir", "cli"). A refusal is recorded too. The details are those
// given with this referral, never ones given later to another agency,
// less a phone number that has passed to someone else since
// (Client.PhonePassedOn). A partner system is asked the same rule as the
// staff it stands in for (Partner.Actor): its agency's, or a
// coordinator's when network-wide.
func (e *Engine) DiscloseClient(ctx context.Context, id ReferralID, by Actor, via string) (Client, Referral, error) {
	r, err := e.Referral(ctx, id)
	if err != nil {
		return Client{}, Referral{}, err
	}
	d, err := e.Disclosure(ctx, r, by)
	if err != nil {
		return Client{}, r, err
	}
	if !d.May {
		_ = e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: r.ID, actor: by,
			data: eventData("action", "view-details", "via", via, "agency_id", int64(by.AgencyID), "why", d.Why)})
		return Client{}, r, &DisclosureRefusedError{Why: d.Why, Withheld: d.Withheld}
	}
	c, err := e.referralClient(ctx, r)
	if err != nil {
		return Client{}, r, err
	}
	if c.PhonePassedOn {
		// Staff would ring or text a stranger: they are shown that the
		// number passed on instead of it.
		c.Phone = ""
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventDisclosed, referral: r.ID, client: r.ClientID, actor: by,
		data: eventData("via", via, "agency_id", int64(by.AgencyID))}); err != nil {
		return Client{}, r, err
	}
	return c, r, nil
}

// DiscloseClientByReference is DiscloseClient for a referral named by its
// reference, as partner systems name them. A referral the actor may not
// see at all (MaySee) is ErrNotFound, as VisibleReferral answers a read,
// so its existence is not given away; the attempt is audited as a refused
// view-details through via.
func (e *Engine) DiscloseClientByReference(ctx context.Context, ref string, by Actor, via string) (Client, Referral, error) {
	r, err := e.ReferralByReference(ctx, ref)
	if err != nil {
		return Client{}, Referral{}, err
	}
	if !by.MaySee(r) {
		e.RecordAccessDenied(ctx, r.ID, by, "view-details", via)
		return Client{}, Referral{}, fmt.Errorf("referral %s: %w", ref, ErrNotFound)
	}
	return e.DiscloseClient(ctx, r.ID, by, via)
}

// DisclosureRefusedError is DiscloseClient's refusal: why, in the rule's
// words (MayDisclose), and whether the details now go to nobody at all
// (Withheld: the client withdrew consent or was erased), so an edge can
// tell "not yours to see" from "gone for everyone". It is a
// ForbiddenError to anyone who asks for one.
type DisclosureRefusedError struct {
	Why      string
	Withheld bool
}

func (e *DisclosureRefusedError) Error() string { return "not allowed: " + e.Why }

// Unwrap makes the refusal a ForbiddenError to errors.As.
func (e *DisclosureRefusedError) Unwrap() error { return &ForbiddenError{Why: e.Why} }

// RecordAccessDenied audits an attempt to reach a referral the actor may
// not see (MaySee said no), from any channel. It never fails the caller:
// the refusal stands whether or not the record is written.
func (e *Engine) RecordAccessDenied(ctx context.Context, id ReferralID, by Actor, action, via string) {
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: id, actor: by,
		data: eventData("action", action, "via", via, "agency_id", int64(by.AgencyID))}); err != nil {
		e.log.Warn("record refused access", "referral", int64(id), "err", err)
	}
}
