package main

import (
	"context"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// reportRefreshEvery is how often serve brings the report rollups up to
// date; each refresh recounts only the days whose referrals changed.
const reportRefreshEvery = 30 * time.Second

func init() {
	registerMount(mount{name: "reports", job: func(ctx context.Context, a *app) error {
		return report.New(a.pool, core.SystemClock{}).RunRefresher(ctx, reportRefreshEvery, a.log)
	}})
}
