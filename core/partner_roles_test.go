package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestPartnerChangesAreForCoordinators: core itself refuses a change to
// partner systems — connecting one, revoking it, giving it a new secret,
// resuming its paused webhooks — by an adviser, and by a partner system
// (a network-wide one acts as a coordinator elsewhere), saying who may,
// and changes nothing; so does not rest on the staff web or the command
// line checking first. A coordinator and the system may; a partner
// system may resume its own paused webhooks and no other's.
func TestPartnerChangesAreForCoordinators(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	env.Engine.UseWebhookReceivers(core.LocalReceivers)
	co := env.Net.Coordinator.Actor()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkton casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, co)
	if err != nil {
		t.Fatal(err)
	}
	network, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Network dashboard",
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:9/hook")
	if err != nil {
		t.Fatal(err)
	}
	pause := func() { t.Helper(); coretest.PauseSubscription(t, env.Engine, sub.ID) }
	paused := func() bool {
		t.Helper()
		ss, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
		if err != nil || len(ss) != 1 {
			t.Fatalf("subscriptions: %v, %v", ss, err)
		}
		return ss[0].PausedAt != nil
	}
	partnerEvents := func() int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind LIKE 'partner.%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pause()
	before := partnerEvents()

	changes := []struct {
		what string
		do   func(core.Actor) error
	}{
		{"add", func(by core.Actor) error {
			_, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Another casework", AgencyID: env.Net.CAB,
				Scopes: []core.PartnerScope{core.ScopeRead}}, by)
			return err
		}},
		{"revoke", func(by core.Actor) error { return env.Engine.RevokePartner(ctx, creds.Partner.ID, by) }},
		{"rotate the secret", func(by core.Actor) error {
			_, err := env.Engine.RotatePartnerSecret(ctx, creds.Partner.ID, by)
			return err
		}},
		{"resume webhooks", func(by core.Actor) error { return env.Engine.ResumeSubscription(ctx, sub.ID, by) }},
	}
	for _, who := range []struct {
		name string
		by   core.Actor
	}{
		{"an adviser", env.Net.Adviser.Actor()},
		{"a network-wide partner system", network.Partner.Actor()},
		{"the client", core.ClientActor},
	} {
		for _, c := range changes {
			if c.what == "resume webhooks" && who.by.Kind == core.ActorPartner {
				continue // a partner's own webhooks only: below
			}
			err := c.do(who.by)
			var forbidden *core.ForbiddenError
			if !errors.As(err, &forbidden) || !strings.Contains(err.Error(), "only coordinators and admins can change partner systems") {
				t.Errorf("%s may %s: %v; want it refused saying only coordinators and admins can change partner systems", who.name, c.what, err)
			}
		}
	}
	if n := partnerEvents(); n != before {
		t.Errorf("%d partner events after the refusals, want %d: nothing changed", n, before)
	}
	if !paused() {
		t.Error("a refused resume resumed the webhooks")
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, creds.Partner.ClientID, creds.Secret); err != nil {
		t.Errorf("after refused revokes and rotations the partner's secret: %v", err)
	}

	// A partner system resumes its own webhooks, never another's.
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, network.Partner.Actor()); !errors.Is(err, core.ErrNotFound) || !paused() {
		t.Errorf("another partner system resuming the webhooks: %v (paused %v); want not found, and still paused", err, paused())
	}
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, creds.Partner.Actor()); err != nil || paused() {
		t.Errorf("the partner system resuming its own webhooks: %v (paused %v)", err, paused())
	}
	// A coordinator may do all of it, each recorded with who did it.
	pause()
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, co); err != nil || paused() {
		t.Errorf("a coordinator resuming the webhooks: %v (paused %v)", err, paused())
	}
	var by int64
	if err := env.Pool.QueryRow(ctx, `SELECT actor_id FROM events WHERE kind = $1 ORDER BY id DESC LIMIT 1`,
		string(core.EventWebhookResumed)).Scan(&by); err != nil || by != int64(env.Net.Coordinator.ID) {
		t.Errorf("the resume's event names actor %d (%v), want the coordinator %d", by, err, env.Net.Coordinator.ID)
	}
	if _, err := env.Engine.RotatePartnerSecret(ctx, creds.Partner.ID, co); err != nil {
		t.Errorf("a coordinator rotating the secret: %v", err)
	}
	if err := env.Engine.RevokePartner(ctx, creds.Partner.ID, co); err != nil {
		t.Errorf("a coordinator revoking: %v", err)
	}
}
