package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestRetentionErasesClientsLongClosed(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("old"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: old.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(200 * 24 * time.Hour)
	recent := coretest.SelfReferral("recent")
	recent.Client.Phone = "07700 900456"
	if _, err := env.Engine.SelfRefer(ctx, recent); err != nil { // open: never due
		t.Fatal(err)
	}
	if res, err := env.Engine.ApplyRetention(ctx, false); err != nil || len(res.Clients) != 0 {
		t.Fatalf("with no retention set: %+v, %v", res, err)
	}
	dp, _ := env.Engine.DataProtection(ctx)
	dp.RetentionMonths = 6
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	dry, err := env.Engine.ApplyRetention(ctx, true)
	if err != nil || len(dry.Clients) != 1 || dry.Clients[0] != old.Referral.ClientID {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); c.Erased {
		t.Fatal("dry run erased")
	}
	// Retention leaves Redis's copies to their own expiry; an erasure a
	// person asks for removes them.
	var forgot int
	env.Engine.OnErase(func(context.Context, []byte) error { forgot++; return nil })
	res, err := env.Engine.ApplyRetention(ctx, false)
	if err != nil || len(res.Clients) != 1 {
		t.Fatalf("retention = %+v, %v", res, err)
	}
	if forgot != 0 {
		t.Errorf("retention swept Redis for %d clients, want none", forgot)
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); !c.Erased {
		t.Error("client due under retention not erased")
	}
	var audited int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = 'client.erased' AND data->>'why' LIKE 'retention%'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("retention erasures audited: %d, %v", audited, err)
	}
	recentRef, err := env.Engine.ReferralByReference(ctx, "ONW-T00002")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.EraseClient(ctx, recentRef.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked); err != nil || forgot != 1 {
		t.Errorf("an erasure asked for: %v, Redis swept %d times, want once", err, forgot)
	}
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: core.DataProtection{RetentionMonths: -1, WithdrawKeyword: "x"}}); err == nil {
		t.Error("bad settings accepted")
	}
}
