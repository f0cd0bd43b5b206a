package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// TestWebhookReceiversFollowTheSettings: the partner API and the worker
// share one rule for where webhooks may go, set from the deployment's
// settings: a developer's setup takes a receiver on this machine over
// plain http, production takes public https receivers and those in the
// networks the operator lists, and a bad entry stops the start, named.

// testAuditKey is a production deployment's audit key, for the tests.
var testAuditKey = config.NewKey()

func TestWebhookReceiversFollowTheSettings(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkton casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		settings map[string]string
		taken    map[string]bool
	}{
		{"dev", map[string]string{"ONWARD_ENV": "dev"}, map[string]bool{
			"http://127.0.0.1:8080/hooks": true, "https://10.20.3.4/hooks": true, "https://casework.example/hooks": true}},
		{"production", map[string]string{"ONWARD_ENV": "production", "ONWARD_AUDIT_KEY": testAuditKey}, map[string]bool{
			"http://127.0.0.1:8080/hooks": false, "https://10.20.3.4/hooks": false, "https://casework.example/hooks": true}},
		{"production with the council's network", map[string]string{"ONWARD_ENV": "production", "ONWARD_AUDIT_KEY": testAuditKey,
			"ONWARD_WEBHOOK_PRIVATE_NETWORKS": "10.20.0.0/16, 192.168.7.9"}, map[string]bool{
			"http://127.0.0.1:8080/hooks": false, "https://10.20.3.4/hooks": true, "https://192.168.7.9/hooks": true,
			"https://192.168.7.10/hooks": false, "http://10.20.3.4/hooks": false, "https://casework.example/hooks": true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.Load(func(k string) string { return c.settings[k] })
			if err != nil {
				t.Fatal(err)
			}
			if err := configureEngine(env.Engine, cfg); err != nil {
				t.Fatal(err)
			}
			for u, want := range c.taken {
				s, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, u)
				var ve *core.ValidationError
				if want && err != nil || !want && !errors.As(err, &ve) {
					t.Errorf("Subscribe(%q) = %v, want taken %v", u, err, want)
				}
				if err == nil { // one subscription per address: the next case takes it again
					if err := env.Engine.Unsubscribe(ctx, creds.Partner.ID, s.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}

	cfg, err := config.Load(func(k string) string {
		return map[string]string{"ONWARD_ENV": "dev", "ONWARD_WEBHOOK_PRIVATE_NETWORKS": "10.20.0.0/16, casework.internal"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `ONWARD_WEBHOOK_PRIVATE_NETWORKS: "casework.internal"`) {
		t.Fatalf("Validate = %v, want the bad entry of ONWARD_WEBHOOK_PRIVATE_NETWORKS named", err)
	}
	if err := configureEngine(env.Engine, cfg); err == nil {
		t.Fatal("an engine was configured with a network that is not one")
	}
}
