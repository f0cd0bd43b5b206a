package core

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// EmailKind names one kind of email Onward sends to staff. It picks the
// template (templates/email/<kind>.txt and .html), the audience, and is the
// key of each member of staff's preference for that kind.
type EmailKind string

// Email kinds.
const (
	// EmailNewReferral tells an agency a referral arrived for it.
	EmailNewReferral EmailKind = "new-referral"
	// EmailCrisis calls the coordinators to a crisis self-referral waiting
	// in triage. It cannot be turned off.
	EmailCrisis EmailKind = "crisis"
	// EmailAckReminder reminds an agency of a referral not acknowledged in time.
	EmailAckReminder EmailKind = "ack-reminder"
	// EmailContactReminder reminds an agency that accepted a referral and
	// has not marked the client contacted in time: the email twin of the
	// Slack contact nudge, for agencies Slack does not reach.
	EmailContactReminder EmailKind = "contact-reminder"
	// EmailEscalation tells the coordinators a referral is twice its target.
	EmailEscalation EmailKind = "escalation"
	// EmailReferralUpdate tells the referring adviser their referral was
	// turned down, redirected, accepted or closed.
	EmailReferralUpdate EmailKind = "referral-update"
	// EmailReferralCancelled tells the agency holding a referral that
	// someone else (the client withdrawing consent or erased, the referrer,
	// a coordinator, Onward) cancelled it, and that the client's details
	// are no longer shared with it. It cannot be turned off: it is how an
	// agency off Slack learns to stop work it may no longer do.
	EmailReferralCancelled EmailKind = "referral-cancelled"
	// EmailClientCrisis tells the agency holding a referral that its
	// client texted words of self-harm or danger after the referral was
	// made (RecordCrisisAfterEnd). It cannot be turned off: it is how an
	// agency off Slack learns that a client it is working with may be in
	// danger today.
	EmailClientCrisis EmailKind = "client-crisis"
	// EmailDeadLetter tells the coordinators a delivery failed for good.
	EmailDeadLetter EmailKind = "dead-letter"
	// EmailAlert tells the coordinators what their triage channel is told
	// of: a referral waiting in triage (queueTriageMail), a client says
	// nobody contacted them, an agency left keeping open referrals, a
	// partner's webhook deliveries paused, a client's texts held back.
	EmailAlert EmailKind = "alert"
	// EmailDigest is a member of staff's daily digest of their agency's day.
	EmailDigest EmailKind = "digest"
	// EmailSignIn carries a single-use sign-in link to the staff web.
	EmailSignIn EmailKind = "sign-in"
	// EmailInvitation invites a new member of staff, with a sign-in link.
	EmailInvitation EmailKind = "staff-invitation"
)

// EmailKinds lists every kind; the worker loads each one's templates
// (templates/email/<kind>.tmpl). The settings page lists only those a
// member of staff may choose for (MailPrefKinds).
var EmailKinds = []EmailKind{EmailNewReferral, EmailAckReminder, EmailContactReminder, EmailReferralUpdate,
	EmailReferralCancelled, EmailClientCrisis, EmailCrisis, EmailEscalation, EmailDeadLetter, EmailAlert, EmailDigest, EmailSignIn, EmailInvitation}

// Optional reports whether a member of staff may turn the kind off.
// Crisis alerts (the coordinators' and an agency's of its client's crisis
// text), cancellations of referrals an agency holds, sign-in links and
// invitations always go; the digest is how the others are gathered.
func (k EmailKind) Optional() bool {
	switch k {
	case EmailCrisis, EmailClientCrisis, EmailReferralCancelled, EmailSignIn, EmailInvitation, EmailDigest:
		return false
	}
	return true
}

// ChoiceApplies reports whether a member of staff's choice for the kind
// (at once, in the digest, or off) decides if and when one of its emails
// reaches them, and so whether it carries List-Unsubscribe. An email
// about a crisis referral (crisis) goes at once to everyone it is for,
// whatever they chose, as the crisis alerts do: an unsubscribe link on it
// could not stop it.
func (k EmailKind) ChoiceApplies(crisis bool) bool { return k.Optional() && !crisis }

// ForCoordinators reports whether the kind goes to the network's
// coordinators rather than to one agency.
func (k EmailKind) ForCoordinators() bool {
	return k == EmailCrisis || k == EmailEscalation || k == EmailDeadLetter || k == EmailAlert
}

// Outbox kinds for email. A cause (OutboxEmail) is written in the
// transaction of the change, like every other row; the worker expands it,
// in one transaction, into one OutboxEmailSend row per recipient address,
// each unique by cause and address, so an address never gets two emails
// for one cause. Email rows carry no referral_id column (the referral is
// in the payload): a mail server that is down must not hold back a
// referral's Slack cards and texts, nor they its emails.
const (
	OutboxEmail     OutboxKind = "email.notify"
	OutboxEmailSend OutboxKind = "email.send"
)

// emailMsg is the cause row of an email kind about a referral, for the
// staff of agency (or the coordinators). dedupe names the cause.
func emailMsg(kind EmailKind, r Referral, agency AgencyID, dedupe string, available time.Time) outboxMsg {
	return outboxMsg{kind: OutboxEmail,
		payload:   OutboxPayload{ReferralID: r.ID, Version: r.Version, AgencyID: agency, Email: kind},
		dedupe:    "mail:" + dedupe,
		available: available}
}

// EmailRecipient is one address an email goes to: a member of staff's own
// (StaffID set) or an agency's shared address.
type EmailRecipient struct {
	StaffID  StaffID
	AgencyID AgencyID
	Name     string
	Address  string
}

// Key is the recipient's part of a send row's dedupe key: a hash of the
// address in lower case, so the key carries no address and one address is
// one key however it is written.
func (r EmailRecipient) Key() string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(r.Address))))
	return hex.EncodeToString(h[:8])
}

// sqlStaffRecipients are the staff an email kind reaches: of one agency
// ($1 > 0) or the coordinators ($1 = 0); whose agency sends staff email
// (always, or while Slack does not reach it: $3); who have not chosen
// otherwise for the kind ($2), except for crisis alerts and anything about
// a crisis referral ($5), which always go.
const sqlStaffRecipients = `
SELECT s.id, s.agency_id, s.name, s.email FROM staff s
JOIN agencies a ON a.id = s.agency_id
LEFT JOIN staff_mail_prefs p ON p.staff_id = s.id AND p.kind = $2
WHERE s.deleted_at IS NULL
  AND (($1::bigint > 0 AND s.agency_id = $1) OR ($1::bigint = 0 AND s.role IN ('coordinator', 'admin')))
  AND (a.email_staff = 'always' OR (a.email_staff = 'without-slack' AND (NOT $3::boolean OR ($1::bigint > 0 AND a.slack_channel_id = ''))))
  AND ($2 = 'crisis' OR $5::boolean OR coalesce(p.mode, 'now') = $4)
ORDER BY s.id`

// EmailRecipients says who gets an email of kind about agency (ignored for
// coordinator kinds) at once, or (digest true) in their daily digest.
// slack says whether Onward is connected to Slack and the audience's
// channel is set: staff of agencies set to email "without-slack" get email
// only when it is not. The agency's shared address gets every agency kind
// at once. Addresses are unique, in lower case.
//
// A referral update goes to the adviser who made the referral (referrer),
// or, when they have left or chosen otherwise, to nobody but the agency's
// shared address. An email about a crisis referral (crisis) goes at once
// to everyone it is for, whatever they chose: as the crisis alerts do, it
// cannot wait for a digest or be turned off.
func (e *Engine) EmailRecipients(ctx context.Context, kind EmailKind, agency AgencyID, referrer StaffID, crisis, slack, digest bool) ([]EmailRecipient, error) {
	if kind.ForCoordinators() {
		agency = 0
	}
	mode := "now"
	if digest {
		mode = "digest"
	}
	rows, _ := e.pool.Query(ctx, sqlStaffRecipients, agency, string(kind), slack, mode, !kind.ChoiceApplies(crisis) && !digest)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EmailRecipient, error) {
		var r EmailRecipient
		err := row.Scan(&r.StaffID, &r.AgencyID, &r.Name, &r.Address)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("recipients of %s email: %w", kind, err)
	}
	if kind == EmailReferralUpdate {
		keep := list[:0]
		for _, r := range list {
			if r.StaffID == referrer {
				keep = append(keep, r)
			}
		}
		list = keep
	}
	if agency != 0 && !digest {
		a, err := getAgency(ctx, e.pool, "id = $1", agency)
		if err != nil {
			return nil, fmt.Errorf("recipients of %s email: agency %d: %w", kind, agency, err)
		}
		if a.NotifyEmail != "" {
			list = append(list, EmailRecipient{AgencyID: a.ID, Name: a.Name, Address: a.NotifyEmail})
		}
	}
	seen := map[string]bool{}
	out := list[:0]
	for _, r := range list {
		if k := r.Key(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// QueueEmailSends writes one send row per recipient of a claimed email
// cause, in the transaction that marks the cause sent (Outbox.MarkSent's
// inTx): either every recipient's row exists or none does and the cause
// is retried. Each row is unique by cause and address.
func (o *Outbox) QueueEmailSends(ctx context.Context, tx pgx.Tx, c OutboxClaim, to []EmailRecipient, now time.Time) error {
	rows := make([]OutboxRow, len(to))
	for i, r := range to {
		p := c.Payload
		p.StaffID, p.AgencyID = r.StaffID, r.AgencyID
		rows[i] = OutboxRow{Kind: OutboxEmailSend, Payload: p, Dedupe: c.DedupeKey + ":" + r.Key(), Available: now}
	}
	return o.EnqueueAllTx(ctx, tx, rows)
}

// queueLinkEmail writes one sign-in or invitation email to a member of
// staff. The link is a credential: it is stored encrypted, and only the
// worker reads it, to send it. It is bound to the member of staff it is
// for, so it cannot be moved into an email row to someone else.
func (e *Engine) queueLinkEmail(ctx context.Context, db DB, kind EmailKind, staff StaffID, link, dedupe string) error {
	enc, err := e.crypt.Seal("outbox", "link", staff, link)
	if err != nil {
		return fmt.Errorf("encrypt %s link: %w", kind, err)
	}
	return e.outbox.insert(ctx, db, OutboxEmailSend, 0,
		OutboxPayload{Email: kind, StaffID: staff, Text: base64.StdEncoding.EncodeToString(enc)}, dedupe, time.Time{})
}

// QueueSignInEmail sends a member of staff a sign-in link by email. jti is
// the link's own id (single-use), which makes the row unique.
func (e *Engine) QueueSignInEmail(ctx context.Context, staff StaffID, link, jti string) error {
	if err := e.queueLinkEmail(ctx, e.pool, EmailSignIn, staff, link, "signin:"+jti); err != nil {
		return err
	}
	e.wakeWorkers()
	return nil
}

// QueueStaffInvitation invites a member of staff by email, with a sign-in
// link, in the caller's transaction (call it where the staff are added, and
// Engine.WakeWorkers after the commit). jti is the link's own id.
func (e *Engine) QueueStaffInvitation(ctx context.Context, tx pgx.Tx, staff StaffID, link, jti string) error {
	return e.queueLinkEmail(ctx, tx, EmailInvitation, staff, link, "invite:"+jti)
}

// EmailLink reads the sign-in link of a sign-in or invitation row.
func (e *Engine) EmailLink(p OutboxPayload) (string, error) {
	enc, err := base64.StdEncoding.DecodeString(p.Text)
	if err != nil {
		return "", fmt.Errorf("read sign-in link: %w", err)
	}
	return e.crypt.Open("outbox", "link", p.StaffID, "outbox.link", enc)
}
