package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/bot/fhir"
)

func init() {
	registerMount(mount{
		name: "partner",
		routes: func(a *app, mux *http.ServeMux) error {
			p, err := api.New(api.Options{Engine: a.engine, Redis: a.rdb, Log: a.log.With("part", "partner-api"),
				TokenSecret: api.TokenSecret(a.cfg.SessionSecret), KeyPrefix: "onward:"})
			if err != nil {
				return err
			}
			p.Routes(mux)
			fhir.New(a.engine, p, a.log.With("part", "fhir"), a.cfg.PublicURL).Routes(mux)
			return nil
		},
		devInfo: func(ctx context.Context, a *app) []string {
			base := strings.TrimRight(a.cfg.PublicURL, "/")
			return []string{fmt.Sprintf("partners:   %s/api/v1/openapi.json and %s/fhir/metadata (`onward partner add` makes credentials)", base, base)}
		},
	})
}
