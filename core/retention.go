package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RetentionDue lists the clients whose details the network's retention
// setting says must go: not erased, no open referral, and their last
// referral closed more than RetentionMonths ago. Nothing is due when the
// setting is 0.
const sqlRetentionDue = `
SELECT c.id FROM clients c
WHERE c.erased_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.client_id = c.id AND r.closed_at IS NULL)
  AND coalesce((SELECT max(r.closed_at) FROM referrals r WHERE r.client_id = c.id), c.updated_at) < $1
ORDER BY c.id
LIMIT $2`

// sqlPruneWebTextCounts drops the web form's text counts of days before
// $1 (a day before today in any zone).
const sqlPruneWebTextCounts = `DELETE FROM web_text_counts WHERE day < $1`

// RetentionResult is what a retention run did (or, in a dry run, would do).
type RetentionResult struct {
	Months  int
	Cutoff  time.Time
	Clients []ClientID
	DryRun  bool
	// KeptOpen are the referrals open longer than the period, whose
	// clients retention leaves alone (RetentionKeptOpenAdvice).
	KeptOpen []OpenPastRetention
}

// RetentionKeptOpenAdvice says, wherever the referrals open longer than
// the retention period are listed, why their clients are kept and what
// to do about it.
const RetentionKeptOpenAdvice = "Kept because the referral is still open: retention erases a client's details only " +
	"once every referral of theirs is closed. If the work is over, ask the agency holding it to complete it " +
	"(or close it as could not contact), or cancel it (the holding or referring agency, or a coordinator, can): " +
	"retention then erases the client when their period is over."

// OpenPastRetention is a referral still open (requested, accepted,
// in progress or on hold) that was made longer ago than the retention
// period, named without its client's details: by reference, status,
// the agency holding it ("" while in triage) and its age.
type OpenPastRetention struct {
	Reference string    `db:"reference"`
	Status    Status    `db:"status"`
	Agency    string    `db:"agency"`
	CreatedAt time.Time `db:"created_at"`
	Days      int       `db:"-"` // since it was made
}

// sqlOpenPastRetention lists the open referrals made before $1, of
// clients not erased, oldest first.
const sqlOpenPastRetention = `
SELECT r.reference, r.status, coalesce(a.name, '') AS agency, r.created_at
FROM referrals r
JOIN clients c ON c.id = r.client_id
LEFT JOIN agencies a ON a.id = r.to_agency_id
WHERE r.closed_at IS NULL AND r.created_at < $1 AND c.erased_at IS NULL
ORDER BY r.created_at, r.id`

// openPastRetention lists the referrals open since before cutoff.
func (e *Engine) openPastRetention(ctx context.Context, cutoff time.Time) ([]OpenPastRetention, error) {
	rows, _ := e.pool.Query(ctx, sqlOpenPastRetention, cutoff)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[OpenPastRetention])
	if err != nil {
		return nil, fmt.Errorf("referrals open past the retention period: %w", err)
	}
	now := e.clock.Now()
	for i := range list {
		list[i].Days = int(now.Sub(list[i].CreatedAt) / (24 * time.Hour))
	}
	return list, nil
}

// RetentionKeptOpen is the network's retention period and the referrals
// open longer than it (none when no period is set), as the staff web's
// data protection page shows them; retention runs list the same
// (RetentionResult.KeptOpen).
func (e *Engine) RetentionKeptOpen(ctx context.Context) (RetentionResult, error) {
	dp, err := e.DataProtection(ctx)
	if err != nil {
		return RetentionResult{}, err
	}
	res := RetentionResult{Months: dp.RetentionMonths, DryRun: true}
	if dp.RetentionMonths == 0 {
		return res, nil
	}
	res.Cutoff = e.clock.Now().AddDate(0, -dp.RetentionMonths, 0)
	res.KeptOpen, err = e.openPastRetention(ctx, res.Cutoff)
	return res, err
}

// ApplyRetention erases the details of every client due under the
// network's retention setting, each as its own audited erasure with the
// reason ErasureRetention, by by: Onward itself (SystemActor) for the
// worker's daily run, recorded as through the retention schedule, or the
// coordinator or admin who ran it by hand (`onward client retention
// --by`), recorded as through the command line. Anyone else is refused.
// With dryRun it only lists them. Either way it lists the referrals open
// longer than the period (KeptOpen), which it never touches: their
// clients are kept until someone closes them.
//
// Its erasures leave the copies outside PostgreSQL to their own expiry
// (OnErase is not called): Redis keeps a phone's texts for days at most,
// and a client is due only months after their last referral closed, so
// whatever Redis holds of their phone is from texts sent since (a new
// request, theirs to finish), not the details retention is for; and
// looking costs Redis a sweep of its keys for each client.
func (e *Engine) ApplyRetention(ctx context.Context, by Actor, dryRun bool) (RetentionResult, error) {
	via := viaRetention
	switch {
	case by.Kind == ActorStaff && by.Coordinates():
		via = "cli"
	case by.Kind != ActorSystem:
		return RetentionResult{}, &ForbiddenError{Why: "only a coordinator can erase clients' details under the retention period"}
	}
	dp, err := e.DataProtection(ctx)
	if err != nil {
		return RetentionResult{}, err
	}
	res := RetentionResult{Months: dp.RetentionMonths, DryRun: dryRun}
	if !dryRun {
		// A phone's count of texts the web form caused serves only its
		// day's cap: older days' go, with the phone hashes they keep.
		yesterday := e.clock.Now().AddDate(0, 0, -1).Format(time.DateOnly)
		if _, err := e.pool.Exec(ctx, sqlPruneWebTextCounts, yesterday); err != nil {
			return res, fmt.Errorf("retention: prune the web form's text counts: %w", err)
		}
	}
	if dp.RetentionMonths == 0 {
		return res, nil
	}
	res.Cutoff = e.clock.Now().AddDate(0, -dp.RetentionMonths, 0)
	if res.KeptOpen, err = e.openPastRetention(ctx, res.Cutoff); err != nil {
		return res, err
	}
	rows, _ := e.pool.Query(ctx, sqlRetentionDue, res.Cutoff, 10000)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[ClientID])
	if err != nil {
		return res, fmt.Errorf("clients due for erasure: %w", err)
	}
	if dryRun {
		res.Clients = ids
		return res, nil
	}
	for _, id := range ids {
		// The reason is the code every channel gives (ErasureRetention);
		// the period in force is in the settings' own audit
		// (EventDataProtectionChanged).
		err := e.eraseClient(ctx, id, by, ErasureRetention, via, false)
		if errors.Is(err, ErrErased) {
			continue // another worker got there first
		}
		if err != nil {
			return res, fmt.Errorf("retention: %w", err)
		}
		res.Clients = append(res.Clients, id)
	}
	return res, nil
}
