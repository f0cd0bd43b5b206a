package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CarriedOn is a referral made from another: the new leg of a redirect,
// Onward's re-route after a rejection, or the client referred on by the
// agency holding the first. It is what the first referral's page says
// happened next, so whoever sent a client on learns whether help arrived
// without asking.
type CarriedOn struct {
	Reference string
	// Agency is the name of the agency it went to, "" while it waits in
	// triage.
	Agency string
	Status Status
	// At is when it was made.
	At time.Time
}

// sqlCarriedOn reads the referrals made from one ($1), oldest first, with
// the name of the agency each went to (referrals_parent_idx serves it).
var sqlCarriedOn = `
SELECT ` + referralColumnsR + `, coalesce(a.name, '') AS agency_name
FROM referrals r LEFT JOIN agencies a ON a.id = r.to_agency_id
WHERE r.parent_id = $1
ORDER BY r.id`

// CarriedOnFrom lists the referrals made from referral id that viewer may
// see (Actor.MaySee), oldest first. Another agency's re-route of a client
// it never held is left out, as the timeline leaves out its reference.
func (e *Engine) CarriedOnFrom(ctx context.Context, id ReferralID, viewer Actor) ([]CarriedOn, error) {
	rows, _ := e.pool.Query(ctx, sqlCarriedOn, id)
	type row struct {
		Referral
		AgencyName string `db:"agency_name"`
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, fmt.Errorf("referrals made from referral %d: %w", id, err)
	}
	var out []CarriedOn
	for _, r := range rs {
		if !viewer.MaySee(r.Referral) {
			continue
		}
		out = append(out, CarriedOn{Reference: r.Reference, Agency: r.AgencyName, Status: r.Status, At: r.CreatedAt})
	}
	return out, nil
}
