package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRerouteFollowsTheClientsLanguage: in a network that routes
// automatically, a Polish client's self-referral goes to the service that
// helps in Polish, and when that agency turns it down Onward sends it on
// to the next service that helps in Polish, matched as the first routing
// was, not to a nearer one that lists no Polish.
func TestRerouteFollowsTheClientsLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	if err := env.Engine.SetNetwork(ctx, env.Pool, core.NetworkSettings{
		Name: "Kingdom Advice Network", Phone: "0800 000 0000", OpeningHours: "Monday to Friday, 9am to 5pm",
		CrisisLines: "Samaritans 116 123, NHS 24 111", DirectoryURL: "http://localhost:8080/directory",
		DataSharingURL: "http://localhost:8080/data-sharing", AutoRoute: true,
	}); err != nil {
		t.Fatal(err)
	}
	polish := func(a core.AgencyID, name string, districts, councils []string) {
		t.Helper()
		if _, err := env.Engine.AddService(ctx, env.Pool, core.NewService{AgencyID: a, Name: name, Needs: []core.Need{core.NeedDebt},
			PostcodeDistricts: districts, CouncilAreas: councils, Languages: []string{"en", "pl"}}); err != nil {
			t.Fatal(err)
		}
	}
	polish(n.Welfare, "Porady w Kirkcaldy", []string{"KY1"}, nil)
	polish(n.FoodBank, "Porady w Fife", nil, []string{"Fife"})

	in := coretest.SelfReferral("reroute-polish")
	in.Client.Language = "pl"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Agency == nil || res.Agency.ID != n.Welfare {
		t.Fatalf("the self-referral should go to welfare rights' Polish service, went to %+v", res.Agency)
	}
	out, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionReject,
		Actor: n.WelfareAdviser.Actor(), Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Child == nil || out.Child.ToAgencyID == nil {
		t.Fatalf("the rejected self-referral should be sent on to an agency, got %+v", out.Child)
	}
	if got := *out.Child.ToAgencyID; got != n.FoodBank {
		t.Errorf("re-routed to agency %d, want the food bank's Polish service (%d), not Kirkton Citizens Advice (%d), which lists no Polish",
			got, n.FoodBank, n.CAB)
	}
}
