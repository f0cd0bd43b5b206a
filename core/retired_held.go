package core

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// HeldByRetired is the coordinators' list of open referrals held by
// agencies that have left the network (RetireAgency): their staff can no
// longer act, so each waits for a coordinator to redirect the client to
// another agency or cancel it. No agency's inbox lists them any more, so
// the coordinators' does.
type HeldByRetired struct {
	Referrals []Referral // the first Limit, the crisis first, then the longest held
	Total     int
	// Agencies is how many agencies that have left hold them.
	Agencies int
}

// sqlHeldByRetired reads the open referrals of retired agencies, with how many there are and how many agencies
// hold them beside each row.
var sqlHeldByRetired = `
WITH held AS (
    SELECT r.id, r.to_agency_id FROM referrals r JOIN agencies a ON a.id = r.to_agency_id
    WHERE a.retired_at IS NOT NULL AND r.closed_at IS NULL
)
SELECT ` + referralColumnsR + `,
    (SELECT count(*) FROM held) AS total, (SELECT count(DISTINCT to_agency_id) FROM held) AS agencies
FROM referrals r WHERE r.id IN (SELECT id FROM held)
ORDER BY r.crisis DESC, r.created_at, r.id
LIMIT $1`

// ReferralsHeldByRetired lists, for a coordinator (by), the open
// referrals held by agencies that have left the network: at most limit of
// them (at least 1), with how many there are. Anyone else is refused.
func (e *Engine) ReferralsHeldByRetired(ctx context.Context, by Actor, limit int) (HeldByRetired, error) {
	if !by.Coordinates() {
		return HeldByRetired{}, &ForbiddenError{Why: "only a coordinator moves on the referrals of agencies that have left the network"}
	}
	limit = max(limit, 1)
	rows, _ := e.pool.Query(ctx, sqlHeldByRetired, limit)
	type row struct {
		Referral
		Total    int `db:"total"`
		Agencies int `db:"agencies"`
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return HeldByRetired{}, fmt.Errorf("referrals held by agencies that left the network: %w", err)
	}
	var out HeldByRetired
	for _, r := range got {
		out.Referrals = append(out.Referrals, r.Referral)
		out.Total, out.Agencies = r.Total, r.Agencies
	}
	return out, nil
}
