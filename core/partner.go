package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PartnerID identifies a partner system.
type PartnerID int64

// ActorPartner is a partner system (a casework system, an NHS service)
// acting through the partner API or FHIR for its agency, or for the
// network when it is a coordinators' system.
const ActorPartner ActorKind = "partner"

// PartnerScope is what a partner system may do.
type PartnerScope string

// Partner scopes.
const (
	ScopeRead  PartnerScope = "read"  // read referrals, the directory and suggestions
	ScopeRefer PartnerScope = "refer" // create referrals on a client's behalf
	ScopeAct   PartnerScope = "act"   // accept, reject, mark contacted, complete, cancel
)

// PartnerScopes lists every scope.
var PartnerScopes = []PartnerScope{ScopeRead, ScopeRefer, ScopeAct}

// Partner is a partner system's credentials and what they allow. The
// client secret itself is never kept: only its SHA-256.
type Partner struct {
	ID            PartnerID      `db:"id"`
	ClientID      string         `db:"client_id"`
	Name          string         `db:"name"`
	AgencyID      *AgencyID      `db:"agency_id"` // nil: the whole network
	Scopes        []PartnerScope `db:"scopes"`
	RatePerMinute int            `db:"rate_per_minute"`
	CreatedAt     time.Time      `db:"created_at"`
	RevokedAt     *time.Time     `db:"revoked_at"`
	// SecretGeneration counts the system's secrets: 0 for the first, one
	// more at each RotatePartnerSecret. A token issued under another is
	// refused.
	SecretGeneration int `db:"secret_generation"`
}

// Has reports whether the partner holds the scope.
func (p Partner) Has(s PartnerScope) bool { return slices.Contains(p.Scopes, s) }

// Actor is the partner acting: as staff of its agency, or, for a
// network-wide partner, as a coordinator.
func (p Partner) Actor() Actor {
	a := Actor{Kind: ActorPartner, PartnerID: p.ID, Role: RoleAdviser, Name: p.Name}
	if p.AgencyID == nil {
		a.Role = RoleCoordinator
	} else {
		a.AgencyID = *p.AgencyID
	}
	return a
}

// actsForAgency reports whether the actor acts as a member of an agency
// (staff, or a partner system standing in for its staff).
func (a Actor) actsForAgency() bool { return a.Kind == ActorStaff || a.Kind == ActorPartner }

// eventActorID is the actor_id the event log records: the staff id, or the
// partner's id for a partner.
func (a Actor) eventActorID() *int64 {
	switch {
	case a.Kind == ActorPartner && a.PartnerID != 0:
		id := int64(a.PartnerID)
		return &id
	case a.Kind == ActorStaff && a.StaffID != 0:
		id := int64(a.StaffID)
		return &id
	}
	return nil
}

// Partner events.
const (
	EventPartnerAdded         EventKind = "partner.added"
	EventPartnerRevoked       EventKind = "partner.revoked"
	EventPartnerSecretRotated EventKind = "partner.secret-rotated"
	EventWebhookResumed       EventKind = "partner.webhook-resumed"
)

// mayChangePartners refuses a change to partner systems (connecting one,
// revoking it, giving it a new secret, resuming its paused webhooks) by
// anyone but a coordinator or an admin, or Onward itself and the command
// line (a system actor): such a change decides who may receive clients'
// details. A partner system changes none (it may resume its own webhooks
// only, ResumeSubscription), nor does the client.
func mayChangePartners(by Actor) error {
	if by.Kind == ActorSystem || by.Kind == ActorStaff && by.Coordinates() {
		return nil
	}
	return &ForbiddenError{Why: "only coordinators and admins can change partner systems"}
}

// NewPartner is a partner system to register.
type NewPartner struct {
	Name          string         `validate:"required,max=200,notcontrol" label:"name"`
	AgencyID      AgencyID       // 0: the whole network (a coordinators' system)
	Scopes        []PartnerScope `validate:"required,min=1,dive,oneof=read refer act client" label:"scopes"`
	RatePerMinute int            `validate:"omitempty,min=1,max=100000" label:"rate per minute"`
}

// PartnerCredentials are what a partner is given once: its client id and
// secret. Onward keeps only the secret's hash.
type PartnerCredentials struct {
	Partner Partner
	Secret  string
}

const partnerColumns = `id, client_id, name, agency_id, scopes, rate_per_minute, created_at, revoked_at, secret_generation`

const sqlInsertPartner = `
INSERT INTO partners (client_id, secret_sha256, name, agency_id, scopes, rate_per_minute, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING ` + partnerColumns

// AddPartner registers a partner system and returns its credentials; the
// secret is shown to the caller once and never again. Audited. An agency
// that does not exist, or has left the network (AgencyInNetwork), is
// refused as a ValidationError on "agency": a partner for it would act
// for an agency nobody watches. Only a coordinator or admin, or the
// system, may add one (mayChangePartners).
func (e *Engine) AddPartner(ctx context.Context, in NewPartner, by Actor) (PartnerCredentials, error) {
	if err := mayChangePartners(by); err != nil {
		return PartnerCredentials{}, err
	}
	if err := validate(in); err != nil {
		return PartnerCredentials{}, err
	}
	if in.RatePerMinute == 0 {
		in.RatePerMinute = 600
	}
	if in.AgencyID != 0 {
		if _, err := e.AgencyInNetwork(ctx, in.AgencyID, "agency"); err != nil {
			return PartnerCredentials{}, err
		}
	}
	clientID, secret, err := newPartnerSecret()
	if err != nil {
		return PartnerCredentials{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	scopes := make([]string, 0, len(in.Scopes))
	for _, s := range PartnerScopes { // stored in one order
		if slices.Contains(in.Scopes, s) {
			scopes = append(scopes, string(s))
		}
	}
	var p Partner
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, sqlInsertPartner, clientID, sum[:], strings.TrimSpace(in.Name), nullID(in.AgencyID),
			scopes, in.RatePerMinute, by.staffID(), e.clock.Now())
		var err error
		p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Partner])
		if err != nil {
			return fmt.Errorf("insert partner: %w", err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventPartnerAdded, agency: in.AgencyID, actor: by,
			data: eventData("partner_id", int64(p.ID), "client_id", clientID, "scopes", scopes)})
	})
	if err != nil {
		return PartnerCredentials{}, fmt.Errorf("add partner: %w", err)
	}
	return PartnerCredentials{Partner: p, Secret: secret}, nil
}

// newPartnerSecret makes a client id and a 256-bit secret.
func newPartnerSecret() (clientID, secret string, err error) {
	b := make([]byte, 44)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("partner secret: %w", err)
	}
	return "onw_" + hex.EncodeToString(b[:12]), "onwsec_" + base64.RawURLEncoding.EncodeToString(b[12:]), nil
}

// Partners lists every partner system, revoked ones included.
func (e *Engine) Partners(ctx context.Context) ([]Partner, error) {
	rows, _ := e.pool.Query(ctx, `SELECT `+partnerColumns+` FROM partners ORDER BY id`)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[Partner])
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return ps, nil
}

// ErrBadCredentials means a client id and secret do not match a partner
// that is still allowed in (unknown, wrong secret, or revoked: the caller
// is not told which).
var ErrBadCredentials = errors.New("the client id or secret is wrong, or the credentials were revoked")

// AuthenticatePartner checks a partner's client id and secret:
// ErrBadCredentials unless they match a partner not revoked; a
// *PartnerAgencyLeftError (an ErrBadCredentials too) for the right
// secret of a partner whose agency has left the network, which is told
// so, as knowing the secret it may know why (partnerStanding.refusal).
func (e *Engine) AuthenticatePartner(ctx context.Context, clientID, secret string) (Partner, error) {
	rows, _ := e.pool.Query(ctx, sqlPartnerStanding+`client_id = $1`, clientID)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[partnerStanding])
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Partner{}, fmt.Errorf("authenticate partner: %w", err)
	}
	given := sha256.Sum256([]byte(secret))
	if s.ID == 0 || subtle.ConstantTimeCompare(given[:], s.SecretSHA256) != 1 {
		return Partner{}, ErrBadCredentials
	}
	switch err := s.refusal(); {
	case errors.Is(err, ErrPartnerRevoked):
		return Partner{}, ErrBadCredentials
	case err != nil:
		return Partner{}, err
	}
	return s.Partner, nil
}

// RevokePartner stops a partner's credentials at once: tokens already
// given out stop working too. Audited. Only a coordinator or admin, or
// the system, may (mayChangePartners).
func (e *Engine) RevokePartner(ctx context.Context, id PartnerID, by Actor) error {
	if err := mayChangePartners(by); err != nil {
		return err
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency *AgencyID
		err := tx.QueryRow(ctx, `UPDATE partners SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING agency_id`,
			id, e.clock.Now()).Scan(&agency)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("revoke partner %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("revoke partner %d: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventPartnerRevoked, agency: derefAgency(agency), actor: by,
			data: eventData("partner_id", int64(id))})
	})
}

// RotatePartnerSecret gives a partner system a new secret in place of its
// current one (leaked, or due for a change), keeping everything else it
// has: its client id, scopes, webhook subscriptions and the Patient ids
// it knows. The old secret stops working at once, and so do tokens got
// with it (Partner.SecretGeneration). The secret is returned once and
// only its hash is kept. Audited. Only a coordinator or admin, or the
// system, may (mayChangePartners).
func (e *Engine) RotatePartnerSecret(ctx context.Context, id PartnerID, by Actor) (PartnerCredentials, error) {
	if err := mayChangePartners(by); err != nil {
		return PartnerCredentials{}, err
	}
	_, secret, err := newPartnerSecret()
	if err != nil {
		return PartnerCredentials{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	var p Partner
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE partners SET secret_sha256 = $2, secret_generation = secret_generation + 1
			WHERE id = $1 AND revoked_at IS NULL RETURNING `+partnerColumns, id, sum[:])
		var err error
		p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Partner])
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("rotate the secret of partner %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("rotate the secret of partner %d: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventPartnerSecretRotated, agency: derefAgency(p.AgencyID), actor: by,
			data: eventData("partner_id", int64(id), "generation", p.SecretGeneration)})
	})
	if err != nil {
		return PartnerCredentials{}, err
	}
	return PartnerCredentials{Partner: p, Secret: secret}, nil
}

// PartnerCall is one call a partner system made, for the audit.
type PartnerCall struct {
	Partner PartnerID
	Method  string
	Path    string
	Status  int
	At      time.Time
}

// RecordPartnerCalls audits calls partners made, many at once (the API
// batches them so the audit costs its callers no round trip each).
func (e *Engine) RecordPartnerCalls(ctx context.Context, calls []PartnerCall) error {
	if len(calls) == 0 {
		return nil
	}
	_, err := e.pool.CopyFrom(ctx, pgx.Identifier{"partner_calls"}, []string{"partner_id", "method", "path", "status", "at"},
		pgx.CopyFromSlice(len(calls), func(i int) ([]any, error) {
			c := calls[i]
			return []any{c.Partner, c.Method, c.Path, c.Status, c.At}, nil
		}))
	if err != nil {
		return fmt.Errorf("audit %d partner calls: %w", len(calls), err)
	}
	return nil
}

// PartnerConsent is the evidence a partner system gives that the client
// agreed to share their details: the wording they were shown, who may see
// the details, and who witnessed the agreement; and when and how the
// client agreed and who recorded it at the partner, which a partner
// integrated before they were asked for may leave out
// (ConsentParticulars).
type PartnerConsent struct {
	WordingVersion string       `validate:"required,max=40" label:"consent.wording_version"`
	Scope          ConsentScope `validate:"required,oneof=network agencies" label:"consent.scope"`
	Agencies       []AgencyID   // for ScopeAgencies
	WitnessedBy    string       `validate:"notblank,max=120,notcontrol" label:"consent.witnessed_by"`
	// GivenAt is when the client agreed: not in the future (beyond a few
	// minutes' difference of clocks), nor more than
	// MaxPartnerConsentAge ago. nil: not said.
	GivenAt *time.Time
	// How is how the client agreed, one of PartnerConsentHows; "": not
	// said.
	How ConsentHow
	// RecordedBy is who recorded the consent at the partner, a name or a
	// role; "": not said.
	RecordedBy string `validate:"max=120,notcontrol" label:"consent.recorded_by"`
}

// PartnerReferral is a partner system referring a client to an agency on
// the client's behalf.
type PartnerReferral struct {
	// IdempotencyKey is the partner's own key (at most 200 characters, as
	// the API takes it) behind its prefix, "api:<partner id>:".
	IdempotencyKey string         `validate:"required,max=240" label:"idempotency key"`
	By             Actor          `validate:"-"`
	CaseID         string         `validate:"max=100,notcontrol" label:"case_id"`
	Client         ClientDetails  `label:"client"`
	Needs          []Need         `validate:"required,min=1,max=11,dive,need" label:"needs"`
	ToAgency       AgencyID       `validate:"required" label:"to_agency"`
	Crisis         bool           `label:"crisis"`
	Consent        PartnerConsent `label:"consent"`
}

// CheckPartnerReferral is what PartnerRefer refuses in a referral before
// it reads or writes anything, every problem at once (a
// *ValidationError), or nil: for an interface that must report its own
// problems with a request (an agency it cannot name) beside core's.
func (e *Engine) CheckPartnerReferral(in PartnerReferral) error {
	_, err := checkPartnerReferral(in, e.clock.Now())
	return err
}

func checkPartnerReferral(in PartnerReferral, now time.Time) (normalisedClient, error) {
	client, cerr := normaliseClient(in.Client)
	verr := mergeValidation(validate(in), cerr)
	if in.By.Kind != ActorPartner || in.By.PartnerID == 0 {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "by", Message: "a partner referral must be made by a partner system"}}})
	}
	if in.Consent.Scope == ScopeAgencies && len(in.Consent.Agencies) == 0 {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "consent.agencies", Message: "name the agencies the client agreed may see their details"}}})
	}
	if fields := checkPartnerConsent(in.Consent, now); len(fields) > 0 {
		verr = mergeValidation(verr, &ValidationError{Fields: fields})
	}
	verr = mergeValidation(verr, checkContact(in.Client))
	return client, verr
}

// PartnerRefer records a partner system's referral, through the same path
// as an adviser's (referToAgency), with the partner's consent evidence and
// its own case id, in one transaction. A case id the partner has a
// referral open for is refused with a *CaseOpenError naming it.
func (e *Engine) PartnerRefer(ctx context.Context, in PartnerReferral) (Referral, error) {
	client, verr := checkPartnerReferral(in, e.clock.Now())
	if verr != nil {
		return Referral{}, verr
	}
	if in.By.AgencyID != 0 && in.ToAgency == in.By.AgencyID {
		return Referral{}, &ValidationError{Fields: []FieldError{{Field: "to_agency", Message: "choose another agency: this is a referral between partners"}}}
	}
	evidence, particulars := partnerEvidence(in.By.PartnerID), partnerParticulars(in.Consent)
	return e.referToAgency(ctx, agencyReferral{key: in.IdempotencyKey, by: in.By, client: client, needs: in.Needs,
		toAgency: in.ToAgency, crisis: in.Crisis, source: SourceAPI, wording: in.Consent.WordingVersion,
		consent: func(Agency) ConsentInput {
			c := ConsentInput{Channel: ChannelAPI, Scope: in.Consent.Scope,
				Evidence: evidence, Particulars: particulars}
			if c.Scope == ScopeAgencies {
				c.Agencies = in.Consent.Agencies
			}
			return c
		},
		claim: newCaseClaim(in.By.PartnerID, in.CaseID),
		also: func(b *pgx.Batch, r Referral) {
			b.Queue(`INSERT INTO partner_referrals (referral_id, partner_id, case_id) VALUES ($1, $2, $3)`,
				r.ID, in.By.PartnerID, strings.TrimSpace(in.CaseID))
		}})
}

// VisibleReferral returns a referral the actor may see (Actor.MaySee). A
// referral they may not see is reported as not found, so its existence is
// not disclosed; the refusal is audited.
func (e *Engine) VisibleReferral(ctx context.Context, ref string, by Actor) (Referral, error) {
	r, err := e.ReferralByReference(ctx, ref)
	if err != nil {
		return Referral{}, err
	}
	if !by.MaySee(r) {
		e.RecordAccessDenied(ctx, r.ID, by, "read", "")
		return Referral{}, fmt.Errorf("referral %s: %w", ref, ErrNotFound)
	}
	return r, nil
}

// ReferralPage is a filter and cursor for listing referrals by last
// change, oldest change first, so a partner can follow everything that
// moved since it last looked; or newest change first, to show what moved
// most lately.
type ReferralPage struct {
	Status       []Status
	Agency       AgencyID  // receiving agency; 0 = any
	FromAgency   AgencyID  // referring agency; 0 = any
	Needs        []Need    // any of these needs; empty = any
	UpdatedSince time.Time // zero = from the start
	// UpdatedBefore bounds the last change from above, exclusive; zero =
	// no bound (FHIR's _lastUpdated=lt…, eq…).
	UpdatedBefore time.Time
	Patient       ClientID // 0 = any
	ID            []string // references; empty = any
	After         Cursor   // where the previous page ended
	Limit         int      // default 50, at most 200
	// Newest lists the newest change first. A cursor is for the order it
	// was given out in.
	Newest bool
}

// Cursor is where a page of referrals ended: the last one's change time
// and id. ID 0 means the walk has ended (the last page).
type Cursor struct {
	At time.Time
	ID ReferralID
	// Resume is where a follower of the changes (updated_since, oldest
	// first) starts its next walk so that it misses none: see
	// FollowSettle. Set from the walk's first page and carried through
	// its cursors; zero in the newest-first order.
	Resume time.Time
}

// FollowSettle bounds how long a change takes from the time it is
// stamped with (a referral's status_at, read from the clock as the change
// is made) to its commit, when other readers first see it. Changes made
// at the same time commit in any order, so a follower that resumed from
// the newest change it had seen could miss one stamped a moment earlier
// and committed a moment later. A walk's Resume is therefore never later
// than FollowSettle before its first page: a follower resuming there sees
// every change, the last FollowSettle's of them perhaps twice (each
// carries its version, so a second sight is easy to tell).
const FollowSettle = 30 * time.Second

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	if c.Resume.IsZero() {
		return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.At.UnixMicro(), c.ID))
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d.%d", c.At.UnixMicro(), c.ID, c.Resume.UnixMicro()))
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var micros, id, resume int64
	if err == nil {
		// A cursor given out before walks carried their resume point has
		// two numbers.
		if _, err = fmt.Sscanf(string(b), "%d.%d.%d", &micros, &id, &resume); err != nil {
			resume = 0
			_, err = fmt.Sscanf(string(b), "%d.%d", &micros, &id)
		}
	}
	if err != nil || id <= 0 || resume < 0 {
		return Cursor{}, &ValidationError{Fields: []FieldError{{Field: "cursor", Message: "the cursor is not one Onward gave out; start again without it"}}}
	}
	c := Cursor{At: time.UnixMicro(micros).UTC(), ID: ReferralID(id)}
	if resume > 0 {
		c.Resume = time.UnixMicro(resume).UTC()
	}
	return c, nil
}

// sqlReferralFilter is the WHERE clause of both orders of a page of
// referrals; the order adds its cursor ($5, $6) and its ORDER BY.
const sqlReferralFilter = sqlSelectReferral + `
    ($1::bigint = 0 OR to_agency_id = $1 OR from_agency_id = $1)
AND (cardinality($2::text[]) = 0 OR status = ANY($2))
AND ($3::bigint = 0 OR to_agency_id = $3)
AND ($4::timestamptz IS NULL OR status_at >= $4)
AND ($7::bigint = 0 OR client_id = $7)
AND (cardinality($8::text[]) = 0 OR reference = ANY($8))
AND ($10::bigint = 0 OR from_agency_id = $10)
AND (cardinality($11::text[]) = 0 OR needs && $11)
AND ($12::timestamptz IS NULL OR status_at < $12)`

const (
	sqlReferralPage = sqlReferralFilter + `
AND ($5::bigint = 0 OR (status_at, id) > ($6::timestamptz, $5))
ORDER BY status_at, id
LIMIT $9`
	sqlReferralPageNewest = sqlReferralFilter + `
AND ($5::bigint = 0 OR (status_at, id) < ($6::timestamptz, $5))
ORDER BY status_at DESC, id DESC
LIMIT $9`
)

// ListVisibleReferrals lists the referrals the actor may see, by last
// change, and the cursor for the next page (ID 0 when this is the last).
// Oldest first, the cursor's Resume is where the next walk starts to see
// every change since this one (FollowSettle), on the last page too.
func (e *Engine) ListVisibleReferrals(ctx context.Context, by Actor, f ReferralPage) ([]Referral, Cursor, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	var scope AgencyID
	if !by.Coordinates() {
		if !by.actsForAgency() || by.AgencyID == 0 {
			return nil, Cursor{}, &ForbiddenError{Why: "only staff or partner systems of an agency can list referrals"}
		}
		scope = by.AgencyID
	}
	var since, before *time.Time
	if !f.UpdatedSince.IsZero() {
		since = &f.UpdatedSince
	}
	if !f.UpdatedBefore.IsZero() {
		before = &f.UpdatedBefore
	}
	statuses := make([]string, len(f.Status))
	for i, s := range f.Status {
		statuses[i] = string(s)
	}
	ids := f.ID
	if ids == nil {
		ids = []string{}
	}
	needs := make([]string, len(f.Needs))
	for i, n := range f.Needs {
		needs[i] = string(n)
	}
	sql := sqlReferralPage
	if f.Newest {
		sql = sqlReferralPageNewest
	}
	rows, _ := e.pool.Query(ctx, sql, scope, statuses, f.Agency, since, f.After.ID, f.After.At,
		f.Patient, ids, f.Limit+1, f.FromAgency, needs, before)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Referral])
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("list referrals: %w", err)
	}
	// The page ends where the query's rows end, before MaySee: a row it
	// took out must not end the paging early.
	var next Cursor
	if !f.Newest {
		next.Resume = f.After.Resume
		if next.Resume.IsZero() {
			// The walk's first page: nothing stamped before this can
			// still be committing.
			next.Resume = e.clock.Now().Add(-FollowSettle).UTC().Truncate(time.Microsecond)
			if next.Resume.Before(f.UpdatedSince) {
				next.Resume = f.UpdatedSince
			}
		}
	}
	if len(rs) > f.Limit {
		rs = rs[:f.Limit]
		last := rs[len(rs)-1]
		next.At, next.ID = last.StatusAt, last.ID
	}
	// The SQL scope and MaySee say the same; MaySee stays the one rule.
	rs = slices.DeleteFunc(rs, func(r Referral) bool { return !by.MaySee(r) })
	return rs, next, nil
}

// partnerChangedBy names the partner system whose action set the
// referral's current status, if a partner did.
func partnerChangedBy(ctx context.Context, db DB, r Referral) (string, bool) {
	var name string
	err := db.QueryRow(ctx, `SELECT p.name FROM events e JOIN partners p ON p.id = e.actor_id
		WHERE e.referral_id = $1 AND e.actor_kind = 'partner' AND e.to_status = $2 AND e.created_at = $3
		ORDER BY e.id DESC LIMIT 1`, r.ID, string(r.Status), r.StatusAt).Scan(&name)
	if err != nil {
		return "", false
	}
	return name + " (partner system)", true
}
