package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// newReferral is a referral row to insert.
type newReferral struct {
	parent     ReferralID
	client     ClientID
	consent    ConsentID
	source     Source
	leaflet    string
	fromAgency AgencyID
	fromStaff  StaffID
	toAgency   AgencyID // 0 = triage
	needs      []Need
	district   string
	crisis     bool
	triaged    bool
	notesEnc   []byte
	detailsEnc []byte // the client's details as given, carried on from a parent
	// crisisReasons say why it is a crisis; sealGiven seals them into
	// crisisEnc under the client's key.
	crisisReasons []string
	crisisEnc     []byte
	idempotency   string
	ackDue        *time.Time // set when it goes straight to an agency
}

// sqlInsertReferral inserts a referral carried on from a parent
// (referOn): it keeps the parent's area facts (SIMD decile and ward), as
// it keeps its district.
const sqlInsertReferral = `
INSERT INTO referrals (reference, parent_id, client_id, consent_id, source, leaflet_code, from_agency_id,
    from_staff_id, to_agency_id, needs, postcode_district, crisis, triaged, status, notes_enc, status_at,
    idempotency_key, created_at, ack_due_at, details_enc, simd_decile, ward_code)
VALUES ($1, $2, $3, $4, $5, coalesce((SELECT code FROM leaflets WHERE code = lower($6)), ''), $7, $8, $9, $10,
    $11, $12, $13, 'requested', $14, $15, nullif($16, ''), $15, $17, $18,
    (SELECT simd_decile FROM referrals WHERE id = $2), (SELECT ward_code FROM referrals WHERE id = $2))
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING ` + referralColumns

// errReplayed means a referral with the same idempotency key exists.
var errReplayed = errors.New("replayed idempotency key")

// errReferenceTaken means the random reference collided with an existing
// one (about one in 10^10); the whole transaction is retried.
var errReferenceTaken = errors.New("referral reference already taken")

func (e *Engine) insertReferral(ctx context.Context, tx pgx.Tx, n newReferral, now time.Time) (Referral, error) {
	rows, _ := tx.Query(ctx, sqlInsertReferral, e.ids.Reference(), nullID(n.parent), n.client, n.consent, n.source,
		n.leaflet, nullID(n.fromAgency), nullID(n.fromStaff), nullID(n.toAgency), NeedStrings(n.needs), n.district,
		n.crisis, n.triaged, n.notesEnc, now, n.idempotency, n.ackDue, n.detailsEnc)
	return collectNewReferral(rows, "insert referral")
}

// collectNewReferral reads the referral an insert returned. No row means
// its idempotency key was seen before (errReplayed); a reference already
// taken is errReferenceTaken, for withRetry; what names the statement in
// any other error.
func collectNewReferral(rows pgx.Rows, what string) (Referral, error) {
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Referral])
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, pgx.ErrNoRows):
		return Referral{}, errReplayed
	case isUniqueViolation(err, "referrals_reference_key"):
		return Referral{}, errReferenceTaken
	default:
		return Referral{}, fmt.Errorf("%s: %w", what, err)
	}
}

// withRetry runs a referral's pipelined transaction (see pipeTx), and
// runs it again when it lost only to a reference collision.
func (e *Engine) withRetry(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := inPipelinedTx(ctx, e.pool, fn)
		if !errors.Is(err, errReferenceTaken) || attempt == 4 {
			return err
		}
	}
}

// queueCreated queues the created event and the outbox rows of a new
// referral: its card where it lands, reminders (the coordinators' emails
// for one waiting in triage: queueTriageMail), and crisis alert.
func (e *Engine) queueCreated(b *pgx.Batch, r Referral, to *Agency, by Actor, cal Calendar, now time.Time, data map[string]any) {
	data["version"] = r.Version
	if r.ParentID != nil {
		data["parent_id"] = int64(*r.ParentID)
	}
	// The referral was inserted in this transaction: its stream is new.
	e.queueFirstEvent(b, newEvent{kind: EventCreated, referral: r.ID, client: r.ClientID, agency: derefAgency(r.ToAgencyID),
		actor: by, to: r.Status, data: data}, now)
	e.queueWebhooks(b, r, WebhookReferralCreated, r.ToAgencyID, now)
	if to != nil {
		e.queueRouted(b, r, *to, cal, now)
	} else {
		e.outbox.queue(b, cardMsg(r, "triage"), now)
		e.queueTriageMail(b, r, cal, now)
	}
	if r.Crisis {
		e.outbox.queue(b, outboxMsg{kind: OutboxCrisisAlert, referral: r.ID, payload: OutboxPayload{ReferralID: r.ID},
			dedupe: fmt.Sprintf("crisis:%d", r.ID)}, now)
		if r.CallsCoordinators() {
			e.outbox.queue(b, emailMsg(EmailCrisis, r, 0, fmt.Sprintf("crisis:%d", r.ID), now), now)
		}
	}
}

// CallsCoordinators reports whether a crisis referral calls the
// coordinators to pick it up now: while it waits in triage, where only a
// coordinator can move it, or, when the client referred themselves and no
// adviser has spoken to them, while it waits for its agency to
// acknowledge it. A crisis referral an adviser (or a partner's system)
// sent straight to an agency has nothing for a coordinator to pick up:
// the agency is emailed at once and on the crisis clock, and the
// coordinators hear by the escalation if it is not acknowledged in time.
// The coordinators' crisis email, which cannot be turned off, goes when
// this holds as the referral is made, so it must mean "act now"; the
// triage channel's crisis alert (notify) asks it again when it is sent.
func (r Referral) CallsCoordinators() bool {
	if !r.Crisis || r.Status != StatusRequested || r.AcknowledgedAt != nil {
		return false
	}
	return r.ToAgencyID == nil || r.SelfReferral()
}

// ackDue is when an agency should acknowledge a referral reaching it now
// (Calendar.AckDue: the crisis clock for a crisis).
func ackDue(cal Calendar, now time.Time, a Agency, crisis bool) *time.Time {
	due := cal.AckDue(now, a, crisis)
	return &due
}

// referOn creates the child referral that carries a client on from a
// rejected or redirected one: to the target agency, or to triage when
// target is nil.
func (e *Engine) referOn(ctx context.Context, tx pgx.Tx, parent Referral, target *Agency, crisis bool, by Actor, cal Calendar, now time.Time) (Referral, error) {
	n := newReferral{parent: parent.ID, client: parent.ClientID, consent: parent.ConsentID, source: parent.Source,
		leaflet: parent.LeafletCode, needs: parent.Needs, district: parent.PostcodeDistrict,
		crisis: parent.Crisis || crisis, notesEnc: parent.NotesEnc, detailsEnc: parent.DetailsEnc}
	if parent.FromAgencyID != nil {
		n.fromAgency = *parent.FromAgencyID
	}
	if parent.FromStaffID != nil {
		n.fromStaff = *parent.FromStaffID
	}
	if target != nil {
		n.toAgency = target.ID
		n.ackDue = ackDue(cal, now, *target, n.crisis)
	} else {
		n.triaged = true
	}
	child, err := e.insertReferral(ctx, tx, n, now)
	if err != nil {
		return Referral{}, err
	}
	b := &pgx.Batch{}
	e.queueCreated(b, child, target, by, cal, now, eventData("source", string(child.Source), "from_parent", parent.Reference))
	if parent.SelfReferral() || parent.Source == SourceStaff {
		template := SMSRedirected
		if parent.Status == StatusRejected && *parent.Reason != ReasonRedirected {
			template = SMSRerouted
		}
		e.outbox.queue(b, smsMsg(child, template, time.Time{}), now)
	}
	if err := sendBatch(ctx, tx, b); err != nil {
		return Referral{}, fmt.Errorf("record onward referral: %w", err)
	}
	return child, nil
}

// rerouteSelfReferral sends a rejected self-referral on: to the next clear
// suggestion when the network routes automatically (matched as the first
// routing was, the client's language included), else to triage.
func (e *Engine) rerouteSelfReferral(ctx context.Context, tx pgx.Tx, rejected Referral, by Actor, set snapshot, now time.Time) (Referral, error) {
	cal := set.cal
	var target *Agency
	if cal.AutoRoute {
		tried, err := triedAgencies(ctx, tx, rejected)
		if err != nil {
			return Referral{}, err
		}
		var language string
		var interpreter bool
		if err := tx.QueryRow(ctx, sqlClientLanguage, rejected.ClientID).Scan(&language, &interpreter); err != nil {
			return Referral{}, fmt.Errorf("language of the client of referral %d: %w", rejected.ID, err)
		}
		m, err := e.suggest(ctx, tx, MatchQuery{Needs: rejected.Needs, District: rejected.PostcodeDistrict, Language: language,
			SelfReferral: true, Exclude: tried}, set.districts)
		if err != nil {
			return Referral{}, err
		}
		if !rejected.Crisis && m.Clear(rejected.Needs) {
			if err := e.checkConsent(ctx, tx, rejected.ConsentID, m.Suggestions[0].Agency); err == nil {
				target = &m.Suggestions[0].Agency
			}
		}
	}
	return e.referOn(ctx, tx, rejected, target, false, by, cal, now)
}

const sqlTriedAgencies = `
WITH RECURSIVE chain AS (
    SELECT id, parent_id, to_agency_id FROM referrals WHERE id = $1
    UNION ALL
    SELECT r.id, r.parent_id, r.to_agency_id FROM referrals r JOIN chain c ON r.id = c.parent_id
)
SELECT DISTINCT to_agency_id FROM chain WHERE to_agency_id IS NOT NULL`

// triedAgencies lists the agencies a referral chain has already been to,
// so rerouting never sends a client back where they were turned away.
func triedAgencies(ctx context.Context, db DB, r Referral) ([]AgencyID, error) {
	rows, _ := db.Query(ctx, sqlTriedAgencies, r.ID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[AgencyID])
	if err != nil {
		return nil, fmt.Errorf("agencies tried for referral %d: %w", r.ID, err)
	}
	return ids, nil
}
