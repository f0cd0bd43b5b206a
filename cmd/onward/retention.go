package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/onward-network/onward/core"
)

// runRetentionDaily applies the network's retention setting a minute after
// the worker starts and then once a day: clients whose last referral
// closed longer ago than the setting are erased, each erasure audited.
func runRetentionDaily(ctx context.Context, eng *core.Engine, log *slog.Logger) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = 24 * time.Hour
		res, err := eng.ApplyRetention(ctx, false)
		if err != nil {
			log.Error("retention", "err", err)
			continue
		}
		if res.Months > 0 {
			log.Info("retention applied", "months", res.Months, "erased", len(res.Clients))
		}
	}
}
