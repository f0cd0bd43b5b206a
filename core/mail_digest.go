package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DigestUpdate is one referral a member of staff made that moved on
// during the digest's day: by reference, never by client.
type DigestUpdate struct {
	Reference string  `db:"reference"`
	Status    Status  `db:"status"`
	Reason    *Reason `db:"reason"`
}

const sqlDigestUpdates = `
SELECT reference, status, reason FROM referrals
WHERE from_staff_id = $1 AND status <> 'requested' AND status_at >= $2
ORDER BY status_at, id LIMIT 50`

// DigestUpdates lists the referrals a member of staff made whose status
// changed since since: what the referral-update emails would have said,
// gathered for their daily digest.
func (e *Engine) DigestUpdates(ctx context.Context, staff StaffID, since time.Time) ([]DigestUpdate, error) {
	rows, _ := e.pool.Query(ctx, sqlDigestUpdates, staff, since)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DigestUpdate])
	if err != nil {
		return nil, fmt.Errorf("referral updates for the digest of staff %d: %w", staff, err)
	}
	return list, nil
}

const sqlCountWaitingPastTarget = `
SELECT count(*) FROM referrals
WHERE status = 'requested' AND acknowledged_at IS NULL AND to_agency_id IS NOT NULL AND ack_due_at < $1`

// WaitingPastTarget counts the network's referrals waiting past their
// acknowledgement target at now: the coordinators' escalations, gathered
// for their daily digest.
func (e *Engine) WaitingPastTarget(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := e.pool.QueryRow(ctx, sqlCountWaitingPastTarget, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("count referrals past their target: %w", err)
	}
	return n, nil
}

const sqlCountDeadSince = `SELECT count(*) FROM outbox WHERE dead_at >= $1`

// DeadLettersSince counts deliveries that failed for good since since:
// the coordinators' dead-letter alerts, gathered for their daily digest.
func (e *Engine) DeadLettersSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	if err := e.pool.QueryRow(ctx, sqlCountDeadSince, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	return n, nil
}

// AgencyDay is one agency's referrals in numbers, for its daily digest
// (in Slack and by email).
type AgencyDay struct {
	New          int // reached the agency since the day began: made for it, redirected or assigned to it
	Pending      int // waiting for the agency to accept or turn down
	Overdue      int // of those, past their acknowledgement time, by the inbox's rule (sqlOverdue)
	NotContacted int // accepted, the client not yet contacted
	OnHold       int // on the agency's waiting list
}

// sqlReachedAgency is when a referral reached the agency holding it: when
// it was made (for it, or by a redirect to it), or assigned to it from
// triage.
const sqlReachedAgency = "coalesce(r.assigned_at, r.created_at)"

// sqlAgencyDay counts agency $2's referrals at $1 for AgencyDay, those
// reaching it since $3.
const sqlAgencyDay = `
SELECT count(*) FILTER (WHERE ` + sqlReachedAgency + ` >= $3),
       count(*) FILTER (WHERE r.status = 'requested'),
       count(*) FILTER (WHERE ` + sqlOverdue + `),
       count(*) FILTER (WHERE r.status = 'accepted' AND r.contacted_at IS NULL),
       count(*) FILTER (WHERE r.status = 'on-hold')
FROM referrals r
WHERE r.to_agency_id = $2 AND (r.closed_at IS NULL OR ` + sqlReachedAgency + ` >= $3)`

// AgencyDayCounts counts an agency's referrals at now, those that reached
// it since since as new.
func (e *Engine) AgencyDayCounts(ctx context.Context, agency AgencyID, now, since time.Time) (AgencyDay, error) {
	var d AgencyDay
	if err := e.pool.QueryRow(ctx, sqlAgencyDay, now, agency, since).Scan(&d.New, &d.Pending, &d.Overdue, &d.NotContacted, &d.OnHold); err != nil {
		return AgencyDay{}, fmt.Errorf("count the referrals of agency %d: %w", agency, err)
	}
	return d, nil
}

// DigestNewReferral is a referral that reached an agency since its last
// digest, by reference and what it is about, never by client, and where
// it stands now.
type DigestNewReferral struct {
	Reference string  `db:"reference"`
	Needs     []Need  `db:"needs"`
	District  string  `db:"postcode_district"`
	Crisis    bool    `db:"crisis"`
	Status    Status  `db:"status"`
	Reason    *Reason `db:"reason"`
}

const sqlDigestNewReferrals = `
SELECT r.reference, r.needs, r.postcode_district, r.crisis, r.status, r.reason FROM referrals r
WHERE r.to_agency_id = $1 AND ` + sqlReachedAgency + ` >= $2 ORDER BY ` + sqlReachedAgency + `, r.id LIMIT 50`

// DigestNewReferrals lists the referrals that reached an agency since
// since (at most 50), for its digest.
func (e *Engine) DigestNewReferrals(ctx context.Context, agency AgencyID, since time.Time) ([]DigestNewReferral, error) {
	rows, _ := e.pool.Query(ctx, sqlDigestNewReferrals, agency, since)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DigestNewReferral])
	if err != nil {
		return nil, fmt.Errorf("new referrals of agency %d for the digest: %w", agency, err)
	}
	return list, nil
}
