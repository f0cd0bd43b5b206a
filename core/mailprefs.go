package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MailMode is how a member of staff wants one kind of email.
type MailMode string

// Mail modes.
const (
	MailNow    MailMode = "now"
	MailDigest MailMode = "digest"
	MailOff    MailMode = "off"
)

// MailPrefKinds are the kinds a member of staff may choose for (those
// Optional); the others (crisis alerts, cancellations of referrals their
// agency holds, sign-in links, invitations) always go at once.
var MailPrefKinds = []EmailKind{EmailNewReferral, EmailAckReminder, EmailContactReminder, EmailReferralUpdate,
	EmailEscalation, EmailDeadLetter, EmailAlert}

const sqlMailPrefs = `SELECT kind, mode FROM staff_mail_prefs WHERE staff_id = $1`

// MailPrefs returns a member of staff's choice for every kind they may
// choose for (MailNow where they have not chosen).
func (e *Engine) MailPrefs(ctx context.Context, staff StaffID) (map[EmailKind]MailMode, error) {
	out := map[EmailKind]MailMode{}
	for _, k := range MailPrefKinds {
		out[k] = MailNow
	}
	rows, _ := e.pool.Query(ctx, sqlMailPrefs, staff)
	var kind, mode string
	_, err := pgx.ForEachRow(rows, []any{&kind, &mode}, func() error {
		if _, ok := out[EmailKind(kind)]; ok {
			out[EmailKind(kind)] = MailMode(mode)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mail preferences of staff %d: %w", staff, err)
	}
	return out, nil
}

const sqlSetMailPref = `
INSERT INTO staff_mail_prefs (staff_id, kind, mode) VALUES ($1, $2, $3)
ON CONFLICT (staff_id, kind) DO UPDATE SET mode = EXCLUDED.mode`

// SetMailPrefs records a member of staff's choices. A kind that cannot be
// chosen for, or a mode that is not now, digest or off, is refused by
// name and nothing is written; so is turning new referrals' emails off
// when nobody at the agency would be told of one then (keepHearing).
func (e *Engine) SetMailPrefs(ctx context.Context, staff StaffID, prefs map[EmailKind]MailMode) error {
	return e.setMailPrefs(ctx, staff, prefs, true)
}

// UnsubscribeOneClick turns one kind of email off for a member of staff
// from a mail program's one-click unsubscribe (RFC 8058). It is
// keepHearing's one exception: the standard has the mail program's POST
// unsubscribe without asking, and nobody would see a refusal, so even the
// last person at an agency to get new referrals' emails is unsubscribed,
// and notify emails the agency's new referrals to the coordinators from
// then on, saying why.
func (e *Engine) UnsubscribeOneClick(ctx context.Context, staff StaffID, kind EmailKind) error {
	return e.setMailPrefs(ctx, staff, map[EmailKind]MailMode{kind: MailOff}, false)
}

const sqlStaffAgency = `SELECT agency_id FROM staff WHERE id = $1 AND deleted_at IS NULL`

func (e *Engine) setMailPrefs(ctx context.Context, staff StaffID, prefs map[EmailKind]MailMode, guard bool) error {
	var fields []FieldError
	for k, m := range prefs {
		if !slices.Contains(MailPrefKinds, k) {
			fields = append(fields, FieldError{Field: string(k), Message: "this email cannot be turned off or gathered into the digest"})
		} else if m != MailNow && m != MailDigest && m != MailOff {
			fields = append(fields, FieldError{Field: string(k), Message: "choose at once, in the daily digest, or not at all"})
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		write := func() error {
			for k, m := range prefs {
				if _, err := tx.Exec(ctx, sqlSetMailPref, staff, string(k), string(m)); err != nil {
					return fmt.Errorf("set mail preference of staff %d: %w", staff, err)
				}
			}
			return nil
		}
		if _, ok := prefs[EmailNewReferral]; !ok || !guard {
			return write()
		}
		var agency AgencyID
		err := tx.QueryRow(ctx, sqlStaffAgency, staff).Scan(&agency)
		if errors.Is(err, pgx.ErrNoRows) {
			return write() // not on the staff any more: their choice tells nobody anything
		}
		if err != nil {
			return fmt.Errorf("agency of staff %d: %w", staff, err)
		}
		return e.keepHearing(ctx, tx, agency, string(EmailNewReferral), "turning off your emails about new referrals", write)
	})
}

// sqlDigestRecipients are an agency's staff who chose the daily digest
// for at least one kind, whose agency sends staff email (always, or while
// Slack does not reach it: $2), as sqlStaffRecipients.
const sqlDigestRecipients = `
SELECT s.id, s.agency_id, s.name, s.email FROM staff s
JOIN agencies a ON a.id = s.agency_id
WHERE s.deleted_at IS NULL AND s.agency_id = $1
  AND (a.email_staff = 'always' OR (a.email_staff = 'without-slack' AND (NOT $2::boolean OR a.slack_channel_id = '')))
  AND EXISTS (SELECT 1 FROM staff_mail_prefs p WHERE p.staff_id = s.id AND p.mode = 'digest')
ORDER BY s.id`

// DigestRecipients are an agency's staff who chose the daily digest for
// at least one kind and whom the agency's staff email setting lets Onward
// email; slack says whether Onward is connected to Slack.
func (e *Engine) DigestRecipients(ctx context.Context, agency AgencyID, slack bool) ([]EmailRecipient, error) {
	rows, _ := e.pool.Query(ctx, sqlDigestRecipients, agency, slack)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EmailRecipient, error) {
		var r EmailRecipient
		err := row.Scan(&r.StaffID, &r.AgencyID, &r.Name, &r.Address)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("digest recipients of agency %d: %w", agency, err)
	}
	return list, nil
}

// UnsubscribeToken is the token of a one-click unsubscribe link: it names
// the member of staff and the kind, and is signed with secret
// (ONWARD_SESSION_SECRET) so nobody else can turn someone's email off.
func UnsubscribeToken(secret []byte, staff StaffID, kind EmailKind) string {
	body := strconv.FormatInt(int64(staff), 10) + "." + string(kind)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("onward-unsubscribe:" + body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ParseUnsubscribeToken checks a token made by UnsubscribeToken.
func ParseUnsubscribeToken(secret []byte, tok string) (StaffID, EmailKind, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(tok) > 200 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	kind := EmailKind(parts[1])
	want := UnsubscribeToken(secret, StaffID(id), kind)
	if !hmac.Equal([]byte(want), []byte(tok)) || !slices.Contains(MailPrefKinds, kind) {
		return 0, "", false
	}
	return StaffID(id), kind, true
}
