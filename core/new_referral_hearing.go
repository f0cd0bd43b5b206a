package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// An agency that takes referrals hears of a new one on its Slack channel
// (while Onward is on Slack), at its shared address, or at the addresses
// of those of its staff who get new referrals' emails, at once or in the
// daily digest. Every change that could take the last of these away goes
// through one rule, keepHearing, which refuses the change that would:
// a member of staff turning those emails off (SetMailPrefs), the shared
// address removed or staff email set to never (SetAgencyNotifications,
// a network file), the Slack channel removed (SetSlackChannel, a network
// file). Onward would email the network's coordinators instead (notify's
// fallback), but the agency itself would not know of its referrals. The
// exceptions: a mail program's one-click unsubscribe
// (UnsubscribeOneClick), which can show nobody a refusal, and a member of
// staff deactivated (DeactivateStaff) or moved to another agency
// (MoveStaff): taking away the access of someone who has left must
// never wait on a setting, so the coordinators' fallback covers the
// agency until it is told again.

// UseSlack tells the engine whether Onward is connected to Slack, so
// that an agency's channel counts as a way it hears of new referrals.
// An engine not told assumes it is.
func (e *Engine) UseSlack(connected bool) { e.noSlack = !connected }

// sqlHearing reads whether agency $1 takes referrals (it is in the
// network with an active service) and whether it hears of a new one:
// on its channel while Onward is on Slack ($2), at its shared address,
// or by the email of a member of staff other than $4 (0 for none left
// out) who has not turned new referrals' emails ($3) off. lock ($5)
// takes the agency's row for the caller's transaction, so that two
// changes at once are made one after the other and the second sees the
// first: both cannot pass.
const sqlHearing = `
SELECT a.name,
       a.retired_at IS NULL AND EXISTS (SELECT 1 FROM services v WHERE v.agency_id = a.id AND v.active),
       (a.slack_channel_id <> '' AND $2::boolean) OR a.notify_email <> ''
       OR (a.email_staff <> 'never' AND EXISTS (
           SELECT 1 FROM staff o LEFT JOIN staff_mail_prefs p ON p.staff_id = o.id AND p.kind = $3
           WHERE o.agency_id = a.id AND o.id <> $4 AND o.deleted_at IS NULL AND coalesce(p.mode, 'now') <> 'off'))
FROM agencies a WHERE a.id = $1`

// hearing is how an agency hears of new referrals: its name, whether it
// takes referrals, and whether anyone there is told of one.
type hearing struct {
	name         string
	takes, hears bool
}

func (e *Engine) hearing(ctx context.Context, db DB, agency AgencyID, except StaffID, lock bool) (hearing, error) {
	sql := sqlHearing
	if lock {
		sql += " FOR UPDATE"
	}
	var h hearing
	err := db.QueryRow(ctx, sql, agency, !e.noSlack, string(EmailNewReferral), except).Scan(&h.name, &h.takes, &h.hears)
	if errors.Is(err, pgx.ErrNoRows) {
		return hearing{}, fmt.Errorf("how agency %d hears of new referrals: %w", agency, ErrNotFound)
	}
	if err != nil {
		return hearing{}, fmt.Errorf("how agency %d hears of new referrals: %w", agency, err)
	}
	return h, nil
}

// keepHearing makes change inside tx and refuses it, naming field, when
// it left agency, which took referrals and heard of them before, with
// nobody told of a new one. what says the change in words ("removing its
// shared address"), for the refusal. The agency's row stays locked until
// tx ends.
func (e *Engine) keepHearing(ctx context.Context, tx DB, agency AgencyID, field, what string, change func() error) error {
	before, err := e.hearing(ctx, tx, agency, 0, true)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	if !before.takes || !before.hears {
		return nil
	}
	after, err := e.hearing(ctx, tx, agency, 0, false)
	if err != nil || after.hears || !after.takes {
		return err
	}
	return &ValidationError{Fields: []FieldError{{Field: field, Message: fmt.Sprintf(
		"%s would leave nobody at %s told of a new referral: it would have no Slack channel Onward posts to, no shared address, "+
			"and none of its staff getting emails about new referrals. Give it a shared address, or have one of its staff turn those emails on, first",
		what, before.name)}}}
}

// LastToHearOfNewReferrals says whether turning new referrals' emails off
// for a member of staff would leave nobody at their agency told of one
// (keepHearing's rule, asked before the change), and names the agency:
// the settings and unsubscribe pages say so instead of offering it.
func (e *Engine) LastToHearOfNewReferrals(ctx context.Context, staff StaffID) (string, bool, error) {
	var agency AgencyID
	err := e.pool.QueryRow(ctx, `SELECT agency_id FROM staff WHERE id = $1 AND deleted_at IS NULL`, staff).Scan(&agency)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("agency of staff %d: %w", staff, err)
	}
	now, err := e.hearing(ctx, e.pool, agency, 0, false)
	if err != nil || !now.takes || !now.hears {
		return "", false, err
	}
	without, err := e.hearing(ctx, e.pool, agency, staff, false)
	if err != nil || without.hears {
		return "", false, err
	}
	return now.name, true, nil
}
