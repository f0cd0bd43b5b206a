package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// A data protection review: `onward client`, `onward keys rotate` and
// `onward staff deactivate` made their engines without the deployment's
// audit key, so in production their events were chained with dev's
// stand-in and `onward audit verify` found the log broken for good (and
// `client settings` ran with no key at all). Every command's events now
// chain with ONWARD_AUDIT_KEY, and outside dev a command refuses to run
// without it.
func TestEveryCommandChainsWithTheDeploymentsAuditKey(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(coretest.TestKey))
	t.Setenv("ONWARD_ENV", "production")
	t.Setenv("ONWARD_AUDIT_KEY", "")
	by := env.Net.Coordinator.Email
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("audit-key-commands"))
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Referral.Reference
	commands := []struct {
		name string
		run  func() error
	}{
		{"client settings", func() error {
			return runClient(ctx, []string{"settings", "--by", by, "--referrer-days", "31"}, io.Discard, io.Discard)
		}},
		{"client export", func() error {
			return runClient(ctx, []string{"export", ref, "--by", by, "--request-via", "letter", "--request-date", "2026-01-05",
				"--request-ref", "SAR-1"}, io.Discard, io.Discard)
		}},
		{"keys rotate", func() error { return runKeys(ctx, []string{"rotate"}, io.Discard, io.Discard) }},
		{"staff deactivate", func() error {
			return dispatchErr(ctx, "staff", "deactivate", env.Net.Adviser.Email)
		}},
	}
	for _, c := range commands {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), "ONWARD_AUDIT_KEY is not set") {
			t.Errorf("onward %s in production without ONWARD_AUDIT_KEY: %v, want it refused naming the setting", c.name, err)
		}
	}

	key := config.NewKey()
	t.Setenv("ONWARD_AUDIT_KEY", key)
	// The seeded network's events were chained with the stand-in key; a
	// deployment's log is chained with its own from the start.
	mustExecCmd(t, env.Pool, "ALTER TABLE events DISABLE TRIGGER events_no_update")
	mustExecCmd(t, env.Pool, "DELETE FROM events")
	mustExecCmd(t, env.Pool, "ALTER TABLE events ENABLE TRIGGER events_no_update")
	for _, c := range commands {
		if err := c.run(); err != nil {
			t.Fatalf("onward %s with the audit key: %v", c.name, err)
		}
	}
	if n := coretest.CountRows(t, env.Pool, "events"); n < 3 {
		t.Fatalf("the commands wrote %d events, want one each at least", n)
	}
	var out bytes.Buffer
	if err := runAudit(ctx, []string{"verify"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "audit log whole") {
		t.Errorf("audit verify after the commands = %v:\n%s", err, out.String())
	}
}

// dispatchErr runs an onward command as main does and returns its error
// output as an error when it fails.
func dispatchErr(ctx context.Context, args ...string) error {
	var stderr bytes.Buffer
	if code := dispatch(ctx, args, io.Discard, &stderr); code != 0 {
		return &cmdFailed{stderr.String()}
	}
	return nil
}

type cmdFailed struct{ said string }

func (e *cmdFailed) Error() string { return e.said }
