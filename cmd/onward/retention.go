package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/onward-network/onward/core"
)

func init() {
	// serve's in-process worker applies retention as `onward worker`
	// does: a deployment with no separate worker erases on time too.
	registerMount(mount{
		name: "retention",
		job: func(ctx context.Context, a *app) error {
			runRetention(ctx, a.engine, a.log, retentionDaily)
			return nil
		},
	})
}

// retentionTimes is when retention runs: first a while after the worker
// starts, then every day; a run that fails (PostgreSQL down at the
// moment) is tried again after retryFirst, doubling up to retryMax,
// rather than a day later.
type retentionTimes struct {
	first, every, retryFirst, retryMax time.Duration
}

// retentionDaily is the worker's schedule: a minute after it starts,
// then once a day, and a failed run again in 2 minutes, then 4, 8, …,
// every hour at most, until one works.
var retentionDaily = retentionTimes{first: time.Minute, every: 24 * time.Hour, retryFirst: 2 * time.Minute, retryMax: time.Hour}

// runRetention applies the network's retention setting on the schedule
// at: clients whose last referral closed longer ago than the setting are
// erased, each erasure audited. At start it says once when no retention
// period is set; a failed run says that retention was skipped and when
// it will be tried again.
func runRetention(ctx context.Context, eng *core.Engine, log *slog.Logger, at retentionTimes) {
	noteNoRetention(ctx, eng, log)
	wait, retry := at.first, at.retryFirst
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		res, err := eng.ApplyRetention(ctx, core.SystemActor, false)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			wait, retry = retry, min(2*retry, at.retryMax)
			log.Error("retention skipped: it will be tried again",
				"in", wait.String(), "at", time.Now().Add(wait).UTC().Format(time.DateTime+" UTC"), "err", err)
			continue
		}
		wait, retry = at.every, at.retryFirst
		if res.Months > 0 {
			// Referrals open past the period keep their clients: the count
			// says so here, the list is on the data protection page.
			log.Info("retention applied", "months", res.Months, "erased", len(res.Clients), "kept_open", len(res.KeptOpen))
		}
	}
}

// noteNoRetention says, once at start, that the network has no retention
// period (0, the default): clients' details are then kept until someone
// erases them, which is the network's choice to make knowingly.
func noteNoRetention(ctx context.Context, eng *core.Engine, log *slog.Logger) {
	dp, err := eng.DataProtection(ctx)
	if err != nil || dp.RetentionMonths > 0 {
		return // an error is the daily run's to report
	}
	log.Info("no retention period is set: clients' details are kept until erased by hand; " +
		"set one with `onward client settings --by EMAIL --retention-months N`")
}
