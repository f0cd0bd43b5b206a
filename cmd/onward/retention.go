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
			runRetentionDaily(ctx, a.engine, a.log)
			return nil
		},
	})
}

// runRetentionDaily applies the network's retention setting a minute after
// the worker starts and then once a day: clients whose last referral
// closed longer ago than the setting are erased, each erasure audited.
// At start it says once when no retention period is set.
func runRetentionDaily(ctx context.Context, eng *core.Engine, log *slog.Logger) {
	noteNoRetention(ctx, eng, log)
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = 24 * time.Hour
		res, err := eng.ApplyRetention(ctx, core.SystemActor, false)
		if err != nil {
			log.Error("retention", "err", err)
			continue
		}
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
