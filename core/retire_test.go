package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetireAgencyHandsBackWaiting: retiring an agency turns back the
// referrals it had not yet accepted, saying why, and a self-referral among
// them goes back to triage; one it accepted stays with it.
func TestRetireAgencyHandsBackWaiting(t *testing.T) {
	t.Parallel()
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

// TestReferralToUnknownOrRetiredAgencyWritesNothing: a referral between
// agencies reads its receiving agency in the round trip that writes the
// client, so a refusal must roll that write back: a new client referred
// to an agency that does not exist, or has left the network, leaves no
// client, consent or referral behind.
func TestReferralToUnknownOrRetiredAgencyWritesNothing(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if err := env.Engine.RetireAgency(ctx, env.Net.Housing, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	counts := func() [3]int {
		var c [3]int
		if err := env.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM consents), (SELECT count(*) FROM referrals)`).
			Scan(&c[0], &c[1], &c[2]); err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := counts()
	for _, c := range []struct {
		name string
		to   core.AgencyID
		want string
	}{
		{"unknown", core.AgencyID(999999), "that agency does not exist"},
		{"retired", env.Net.Housing, "has left the network"},
	} {
		_, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "to-" + c.name, By: env.Net.WelfareAdviser.Actor(),
			Client: core.ClientDetails{Name: "Morven Fictional", Phone: "07700 900777", Postcode: "KY1 1AB"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: c.to, ConsentConfirmed: true, WordingVersion: "v1"})
		var verr *core.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s agency: error %v, want a validation error saying %q", c.name, err, c.want)
		}
		if after := counts(); after != before {
			t.Fatalf("%s agency: clients, consents, referrals went from %v to %v, want nothing written", c.name, before, after)
		}
	}
}
