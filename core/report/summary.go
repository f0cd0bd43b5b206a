package report

import (
	"context"
	"fmt"
	"time"

	"github.com/onward-network/onward/core"
)

// Summary is a short account of one agency's referrals over a
// period, for `/onward stats` in Slack: what it received, how quickly it
// answered, what became of them. It is for the agency's own staff, so
// nothing is suppressed. Referrals count by the day they were made.
type Summary struct {
	Agency   core.Agency
	From, To time.Time // days, inclusive

	Received     int64 // referral legs sent to the agency
	Acknowledged int64
	Contacted    int64
	Completed    int64
	Rejected     int64
	Open         int64 // requested, accepted, in progress or on hold now

	// Median hours to acknowledge and to contact the client, from when the
	// referral reached the agency; ok false when there was none.
	MedianAckHours     float64
	HasMedianAck       bool
	MedianContactHours float64
	HasMedianContact   bool
	DeadlineBreaches   int64 // acknowledged late, closed unacknowledged, or waiting past the deadline now
	FeedbackResponses  int64
	FeedbackMean       float64 // 1–5; meaningful when FeedbackResponses > 0
	// ReferralsMadeByThem counts the referrals the agency made itself
	// (see referrer.go): not its redirects, which are among Rejected, nor
	// the legs Onward re-routed after it turned a client down.
	ReferralsMadeByThem int64
}

// sqlAgencySummary sums the counts of one agency ($%[1]d) over the rollup
// rows of the subquery %[2]s.
const sqlAgencySummary = `
SELECT coalesce(sum(n) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(acked) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(contacted) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(st_completed) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(st_rejected) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(st_requested + st_accepted + st_in_progress + st_on_hold) FILTER (WHERE to_agency = $%[1]d), 0)::bigint,
    coalesce(sum(n) FILTER (WHERE from_agency = $%[1]d AND leg_kind = '` + string(legMade) + `'), 0)::bigint
FROM %[2]s f`

// Summary summarises an agency's referrals made from..to (days in the
// network's time zone, inclusive) from the report rollups.
func (rp *Reports) Summary(ctx context.Context, a core.Agency, from, to time.Time) (Summary, error) {
	f := Filter{From: from, To: to, Agency: a.ID}
	if err := validateFilter(f); err != nil {
		return Summary{}, err
	}
	var s Summary
	err := rp.readers.Read(ctx, func(db core.DB) error {
		var err error
		s, err = rp.summary(ctx, db, a, f)
		return err
	})
	return s, err
}

func (rp *Reports) summary(ctx context.Context, db core.DB, a core.Agency, f Filter) (Summary, error) {
	q, err := rp.newQuery(ctx, db, f, Viewer{Agency: a.ID})
	if err != nil {
		return Summary{}, fmt.Errorf("summary of agency %d: %w", a.ID, err)
	}
	s := Summary{Agency: a, From: q.f.From, To: q.f.To}
	sub, args := q.facts(mainRollup, "to_agency, from_agency, leg_kind, n, acked, contacted, st_completed, st_rejected, st_requested, st_accepted, st_in_progress, st_on_hold",
		q.f.From, q.f.To)
	sql := fmt.Sprintf(sqlAgencySummary, len(args)+1, sub)
	err = db.QueryRow(ctx, sql, append(args, int64(a.ID))...).
		Scan(&s.Received, &s.Acknowledged, &s.Contacted, &s.Completed, &s.Rejected, &s.Open, &s.ReferralsMadeByThem)
	if err != nil {
		return Summary{}, fmt.Errorf("summary of agency %d: %w", a.ID, err)
	}
	times, _, _, err := q.timesByAgency(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("summary of agency %d: %w", a.ID, err)
	}
	if t := times[a.ID]; t != nil {
		s.MedianAckHours, s.HasMedianAck = t.ack.p50/60, t.ack.n > 0
		s.MedianContactHours, s.HasMedianContact = t.con.p50/60, t.con.n > 0
	}
	breaches, err := q.breachesByAgency(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("summary of agency %d: %w", a.ID, err)
	}
	if b := breaches[a.ID]; b != nil {
		s.DeadlineBreaches = b.breaches()
	}
	scores, err := q.feedbackScores(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("summary of agency %d: %w", a.ID, err)
	}
	if sc := scores[a.ID]; sc != nil {
		s.FeedbackResponses, s.FeedbackMean = scoreStats(*sc)
	}
	return s, nil
}
