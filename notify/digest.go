package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onward-network/onward/core"
)

// KindDigest is the outbox kind of an agency's daily digest (payload
// AgencyID). Kinds are plain strings in the database; this one belongs to
// notify, which both writes and delivers it.
const KindDigest core.OutboxKind = "digest"

// ScheduleDigests queues today's digest for every agency with a Slack
// channel, once the network-local time passes the digest time on a working
// day. The dedupe key digest:<agency>:<date> makes it safe to call from
// every worker every minute: each agency gets one digest a day.
func (w *Worker) ScheduleDigests(ctx context.Context) (int, error) {
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := w.now()
	local := now.In(cal.Location)
	y, m, d := local.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, cal.Location)
	if !cal.IsWorkingDay(now) || local.Sub(midnight) < w.digestAt {
		return 0, nil
	}
	date := local.Format(time.DateOnly)
	w.mu.Lock()
	done := w.digestDate == date
	w.mu.Unlock()
	if done {
		return 0, nil
	}
	agencies, err := w.engine.Agencies(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range agencies {
		if w.mail != nil {
			// Staff who chose the digest get it by email (core.DigestRecipients).
			if err := w.outbox.Enqueue(ctx, core.OutboxEmail, 0, core.OutboxPayload{AgencyID: a.ID, Email: core.EmailDigest},
				fmt.Sprintf("mail:digest:%d:%s", a.ID, date), now); err != nil {
				return n, err
			}
		}
		if a.SlackChannelID == "" {
			continue
		}
		if err := w.outbox.Enqueue(ctx, KindDigest, 0, core.OutboxPayload{AgencyID: a.ID},
			fmt.Sprintf("digest:%d:%s", a.ID, date), now); err != nil {
			return n, err
		}
		n++
	}
	w.mu.Lock()
	w.digestDate = date
	w.mu.Unlock()
	return n, nil
}

// maybeScheduleDigests runs ScheduleDigests at most once a minute.
func (w *Worker) maybeScheduleDigests(ctx context.Context) {
	if w.noDigest {
		return
	}
	now := w.now()
	w.mu.Lock()
	due := now.Sub(w.digestCheck) >= time.Minute
	if due {
		w.digestCheck = now
	}
	w.mu.Unlock()
	if !due {
		return
	}
	_, err := w.ScheduleDigests(ctx)
	switch {
	case err == nil || ctx.Err() != nil:
	case errors.Is(err, core.ErrNoNetwork):
		w.log.Debug("no digests yet", "err", err)
	default:
		if _, down := w.DatabaseTrouble(); down {
			w.log.Debug("schedule digests", "err", err) // the outage is logged once, by the claims
			return
		}
		w.log.Warn("schedule digests", "err", err)
	}
}

// DigestCounts is one agency's day in numbers (core.AgencyDay).
type DigestCounts = core.AgencyDay

// digest posts an agency's daily digest to its channel.
func (w *Worker) digest(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	a, err := w.agency(ctx, r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return outcome{}, err
	}
	c, err := w.digestCounts(ctx, a)
	if err != nil {
		return outcome{}, err
	}
	text, err := w.render("notify_digest.txt", map[string]any{"Agency": a.Name,
		"Date": w.now().In(cal.Location).Format("Monday 2 January"), "New": c.New, "Pending": c.Pending,
		"Overdue": c.Overdue, "NotContacted": c.NotContacted, "OnHold": c.OnHold, "AtCapacity": a.AtCapacity})
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, a.SlackChannelID, text, nil)
}

// digestCounts counts an agency's referrals now, those that reached it
// in the last day as new.
func (w *Worker) digestCounts(ctx context.Context, a core.Agency) (DigestCounts, error) {
	now := w.now()
	return w.engine.AgencyDayCounts(ctx, a.ID, now, now.Add(-24*time.Hour))
}
