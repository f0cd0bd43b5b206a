package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetireAgencyHandsBackWaiting: retiring an agency turns back the
// referrals it had not yet accepted, saying why, and a self-referral among
// them goes back to triage; one it accepted stays with it.
func TestRetireAgencyHandsBackWaiting(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	waiting := referralIn(t, env, core.StatusRequested, "retire-waiting")
	accepted := referralIn(t, env, core.StatusAccepted, "retire-accepted")

	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	got, err := env.Engine.Referral(ctx, waiting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonOther ||
		!strings.Contains(got.Feedback, "has left the network") {
		t.Fatalf("waiting referral after retirement: status %s reason %v feedback %q, want rejected as other, saying the agency left",
			got.Status, got.Reason, got.Feedback)
	}
	page, err := env.Engine.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: env.Net.CAB})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rows) != 1 || page.Rows[0].ID != accepted.ID {
		t.Fatalf("retired agency's open referrals %+v, want only the accepted one %s", page.Rows, accepted.Reference)
	}
	var children int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM referrals WHERE parent_id = $1 AND to_agency_id IS NULL AND status = 'requested'`,
		waiting.ID).Scan(&children); err != nil {
		t.Fatal(err)
	}
	if children != 1 {
		t.Fatalf("the turned-back self-referral has %d open referrals in triage after it, want 1", children)
	}
}
