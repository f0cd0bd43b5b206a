package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/onward-network/onward/intake/openreferral"
)

// The directory's open Open Referral UK feed.
func init() {
	registerMount(mount{
		name: "openreferral",
		routes: func(a *app, mux *http.ServeMux) error {
			proxies, err := a.cfg.Proxies()
			if err != nil {
				return err
			}
			api, err := openreferral.New(openreferral.Config{Engine: a.engine, Redis: a.rdb, KeyPrefix: "onward:",
				Log: a.log.With("part", "openreferral"), Base: a.cfg.OpenReferralPath, PublicURL: a.cfg.PublicURL,
				RatePerMinute: a.cfg.OpenReferralRatePerMinute, TrustedProxies: proxies,
				CachedAnswers: a.cfg.OpenReferralCachedAnswers})
			if err != nil {
				return err
			}
			api.Routes(mux)
			return nil
		},
		devInfo: func(_ context.Context, a *app) []string {
			return []string{fmt.Sprintf("open referral: %s%s/", strings.TrimRight(a.cfg.PublicURL, "/"), a.cfg.OpenReferralPath)}
		},
	})
}
