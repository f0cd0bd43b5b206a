package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestInboxListsReferralsHeldByRetiredAgencies: once an agency has left
// the network keeping a referral it accepted, a coordinator's inbox lists
// it, counted, with the Redirect… that moves it on; an adviser's inbox
// has no such section.
func TestInboxListsReferralsHeldByRetiredAgencies(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	res, err := tb.Engine.SelfRefer(ctx, coretest.SelfReferral("inbox-left"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	co := tb.signedIn(tb.Net.Coordinator)
	if _, body := co.get("/staff/"); strings.Contains(body, "Held by agencies that have left") {
		t.Fatal("the section shows before any agency left")
	}
	if err := tb.Engine.RetireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	_, body := co.get("/staff/")
	section := within(body, `id="left-h"`, "</section>")
	if !strings.Contains(section, "Held by agencies that have left the network (1)") {
		t.Fatalf("the coordinator's inbox lacks the count of referrals held by agencies that left:\n%s", body)
	}
	ref := res.Referral.Reference
	if !strings.Contains(section, `href="/staff/referrals/`+ref+`#redirect"`) {
		t.Errorf("the section does not offer Redirect… for %s:\n%s", ref, section)
	}
	welfare := tb.signedIn(tb.Net.WelfareAdviser)
	if _, body := welfare.get("/staff/"); strings.Contains(body, "Held by agencies that have left") {
		t.Error("an adviser's inbox shows the coordinators' section")
	}
}
