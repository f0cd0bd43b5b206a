package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/cmd/internal/wiring"
)

// partnerAPIs holds the partner API of each app, so shutdown can flush its
// audit of calls.
var partnerAPIs sync.Map // *app → *api.API

func init() {
	registerMount(mount{
		name: "partner",
		routes: func(a *app, mux *http.ServeMux) error {
			rdb, err := wiring.PipelinedRedis(a.rdb)
			if err != nil {
				return err
			}
			p, err := api.New(api.Options{Engine: a.engine, Redis: rdb, Log: a.log.With("part", "partner-api"),
				TokenSecret: api.TokenSecret(a.cfg.SessionSecret), KeyPrefix: "onward:"})
			if err != nil {
				return err
			}
			partnerAPIs.Store(a, p)
			p.Routes(mux)
			fhir.New(a.engine, p, a.log.With("part", "fhir"), a.cfg.PublicURL).Routes(mux)
			return nil
		},
		// Partners' calls still waiting to be audited are written once
		// the requests have drained, whether or not this serve runs a
		// worker.
		drain: func(ctx context.Context, a *app) {
			if p, ok := partnerAPIs.Load(a); ok {
				p.(*api.API).Close()
			}
		},
		devInfo: func(ctx context.Context, a *app) []string {
			base := strings.TrimRight(a.cfg.PublicURL, "/")
			return []string{fmt.Sprintf("partners:   %s/api/v1/openapi.json and %s/fhir/metadata (`onward partner add --by EMAIL` makes credentials)", base, base)}
		},
	})
}
