package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// The National Standards pack's contact figure: clients contacted within
// the wait the network allows an agency — core's AgencyContactDays
// working days (fewer for a crisis), the wait after which the network
// asks the client whether anyone has been in touch — counted here from
// the referral reaching the agency, on the network's own working
// calendar (core.Calendar.AddWorkingDays), so figure and target are in
// the same working days.
//
// It is out of the referrals whose contact is decided, as the
// acknowledgement figure beside it is out of those acknowledged or past
// their deadline: the client was contacted (in time or late), the agency
// could not contact them, or the wait ran out with the referral still
// waiting for contact (open, or closed later without contact). Referrals
// turned down, redirected or cancelled were never to be contacted and are
// left out; one still inside its wait has neither met nor missed it.

// sqlContactLegs lists the legs made in [$1, $2) that reached agency $3
// (0: any agency), asking for need $4 (”: any), as the rollups last
// counted them: when each reached the agency, when its client was
// contacted, when it closed, its status and whether it is a crisis.
var sqlContactLegs = `
SELECT coalesce(r.assigned_at, r.created_at), r.contacted_at, r.closed_at, r.status, r.crisis
FROM referrals r
WHERE r.created_at >= $1 AND r.created_at < $2 AND r.to_agency_id IS NOT NULL
  AND ($3::bigint = 0 OR r.to_agency_id = $3) AND ($4::text = '' OR $4 = ANY(r.needs)) AND ` + sqlRolledUp

// contactWithin counts, over the legs sent to agency (0: any), how many
// had their client contacted within the network's wait, and how many had
// their contact decided (see above).
func (q *reportQuery) contactWithin(ctx context.Context, cal core.Calendar, agency core.AgencyID) (within, decided int64, err error) {
	lo, hi := q.span()
	rows, _ := q.db.Query(ctx, sqlContactLegs, lo, hi, int64(agency), string(q.f.Need))
	var reached time.Time
	var contacted, closed *time.Time
	var status core.Status
	var crisis bool
	_, err = pgx.ForEachRow(rows, []any{&reached, &contacted, &closed, &status, &crisis}, func() error {
		due := cal.AddWorkingDays(reached, cal.AgencyContactDays(crisis))
		switch {
		case contacted != nil:
			decided++
			if !contacted.After(due) {
				within++
			}
		case status == core.StatusFailed:
			decided++
		case status == core.StatusRejected || status == core.StatusCancelled:
		case closed != nil && closed.After(due), closed == nil && q.now.After(due):
			decided++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count clients contacted within the wait: %w", err)
	}
	return within, decided, nil
}

// reportCalendar is the network's working calendar, or, before the
// network is set up, one with no working days in the report's time zone
// (whose waits are then calendar days, at core's default lengths).
func (q *reportQuery) reportCalendar(ctx context.Context) (core.Calendar, error) {
	cal, err := core.ReadCalendar(ctx, q.db)
	if errors.Is(err, core.ErrNoNetwork) {
		return core.Calendar{Location: q.loc}, nil
	}
	return cal, err
}
