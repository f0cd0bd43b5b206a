package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// Summary counts what Seed wrote.
type Summary struct {
	Network   string
	Agencies  int
	Services  int
	Staff     int
	Districts int
	Leaflets  int
	From, To  time.Time // the span of the referral history

	Referrals     int
	ByStatus      map[core.Status]int
	InTriage      int // waiting for a coordinator now
	Events        int
	PendingOutbox int // messages of the last hour's referrals, left for the worker
}

// String is a short report for a terminal.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Demo network %q: %d agencies, %d directory services, %d staff, %d postcode districts, %d leaflets.\n",
		s.Network, s.Agencies, s.Services, s.Staff, s.Districts, s.Leaflets)
	fmt.Fprintf(&b, "History %s to %s: %d referrals —", s.From.Format("2 Jan 2006"), s.To.Format("2 Jan 2006"), s.Referrals)
	sep := " "
	for _, st := range core.Statuses {
		fmt.Fprintf(&b, "%s%d %s", sep, s.ByStatus[st], st)
		sep = ", "
	}
	fmt.Fprintf(&b, "; %d waiting in triage; %d audit events; %d messages left for the worker.", s.InTriage, s.Events, s.PendingOutbox)
	return b.String()
}

const (
	sqlSummaryCounts = `
SELECT (SELECT count(*) FROM agencies), (SELECT count(*) FROM services), (SELECT count(*) FROM staff),
       (SELECT count(*) FROM postcode_districts), (SELECT count(*) FROM leaflets),
       (SELECT count(*) FROM referrals WHERE to_agency_id IS NULL AND status = 'requested'),
       (SELECT count(*) FROM events), (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL)`
	sqlSummaryStatuses = `SELECT status, count(*) FROM referrals GROUP BY status`
)

func summarise(ctx context.Context, pool *pgxpool.Pool, from, to time.Time) (Summary, error) {
	s := Summary{Network: networkName, From: from, To: to, ByStatus: map[core.Status]int{}}
	if err := pool.QueryRow(ctx, sqlSummaryCounts).Scan(&s.Agencies, &s.Services, &s.Staff, &s.Districts, &s.Leaflets,
		&s.InTriage, &s.Events, &s.PendingOutbox); err != nil {
		return s, fmt.Errorf("count the demo network: %w", err)
	}
	rows, err := pool.Query(ctx, sqlSummaryStatuses)
	if err != nil {
		return s, fmt.Errorf("count the demo referrals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st core.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return s, fmt.Errorf("count the demo referrals: %w", err)
		}
		s.ByStatus[st] = n
		s.Referrals += n
	}
	return s, rows.Err()
}
