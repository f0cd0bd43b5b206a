package bot

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestChoicesFollowTheClientsLanguage: a Polish client's crisis
// self-referral waits in triage. The coordinator's Assign choices, and an
// adviser's Redirect choices once it is with an agency, put first the
// service that helps in Polish, saying so, as routing a self-referral
// does; an agency that lists no Polish is not suggested, and says why.
func TestChoicesFollowTheClientsLanguage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	if _, err := tb.Engine.AddService(ctx, tb.Pool, core.NewService{AgencyID: tb.Net.FoodBank, Name: "Porady po polsku",
		Needs: []core.Need{core.NeedDebt}, PostcodeDistricts: []string{"KY1"}, Languages: []string{"en", "pl"}}); err != nil {
		t.Fatal(err)
	}
	in := coretest.SelfReferral("polish-crisis")
	in.Client.Language, in.Client.Phone = "pl", "07700 900994"
	in.Crisis, in.CrisisReasons = true, []string{"eksmisja"}
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	if !r.InTriage() {
		t.Fatalf("a crisis self-referral should wait in triage")
	}
	check := func(what string, m core.Match) {
		t.Helper()
		if len(m.Suggestions) == 0 || m.Suggestions[0].Agency.ID != tb.Net.FoodBank {
			t.Fatalf("%s: the service that helps in Polish should come first, got %+v", what, m.Suggestions)
		}
		speaks := false
		for _, why := range m.Suggestions[0].Reasons {
			speaks = speaks || (why.Kind == core.WhySpeaks && why.Language == "pl")
		}
		if !speaks {
			t.Errorf("%s: the first suggestion does not say it helps in Polish: %+v", what, m.Suggestions[0].Reasons)
		}
		for _, s := range m.Suggestions {
			if s.Agency.ID == tb.Net.CAB {
				t.Errorf("%s: Kirkton Citizens Advice lists no Polish but is suggested", what)
			}
		}
	}
	m, err := tb.bot.assignChoices(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	check("assign", m)

	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign, Actor: tb.Net.Coordinator.Actor(),
		ToAgency: tb.Net.Welfare}); err != nil {
		t.Fatal(err)
	}
	r, err = tb.Engine.Referral(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, err = tb.bot.redirectChoices(ctx, r, tb.Net.Adviser.Actor())
	if err != nil {
		t.Fatal(err)
	}
	check("redirect", m)
}
