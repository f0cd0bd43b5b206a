package core_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestSuggestExplainsChoicesAndExclusions(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	m, err := env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt, core.NeedBenefits}, District: "KY1", SelfReferral: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Suggestions) != 2 || m.Suggestions[0].Agency.ID != env.Net.CAB || m.Suggestions[1].Agency.ID != env.Net.Welfare {
		t.Fatalf("suggestions = %+v", m.Suggestions)
	}
	if !m.Clear([]core.Need{core.NeedDebt, core.NeedBenefits}) {
		t.Error("district-level CAB should be a clear match over council-wide welfare rights")
	}
	if why := strings.Join(m.Suggestions[0].Reasons.Strings(), ", "); why != "offers debt, offers benefits and welfare rights, serves KY1" {
		t.Errorf("reasons = %q", why)
	}
	if why := strings.Join(m.Suggestions[1].Reasons.Strings(), ", "); !strings.Contains(why, "serves Fife") {
		t.Errorf("council-wide reasons = %q", why)
	}

	// At capacity and outside the area are excluded, with reasons.
	if err := env.Engine.SetCapacity(ctx, env.Net.CAB, true, "waiting list until March", env.Net.Adviser.Actor()); err != nil {
		t.Fatal(err)
	}
	m, err = env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt, core.NeedFood}, District: "KY16", SelfReferral: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Suggestions) != 1 || m.Suggestions[0].Agency.ID != env.Net.Welfare {
		t.Errorf("suggestions = %+v, want welfare rights only", m.Suggestions)
	}
	reasons := map[core.AgencyID]string{}
	for _, x := range m.Excluded {
		reasons[x.Agency.ID] = strings.Join(x.Reasons.Strings(), "; ")
	}
	if r := reasons[env.Net.CAB]; !strings.Contains(r, "at capacity") || !strings.Contains(r, "does not serve KY16") {
		t.Errorf("CAB exclusion = %q", r)
	}
	if r := reasons[env.Net.FoodBank]; r != "does not serve KY16" {
		t.Errorf("food bank exclusion = %q", r)
	}
	if m.Clear([]core.Need{core.NeedDebt, core.NeedFood}) {
		t.Error("no agency covers both needs: not a clear match")
	}

	// Housing takes agency referrals only.
	m, _ = env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedHousing}, District: "KY1", SelfReferral: true})
	if len(m.Suggestions) != 0 || len(m.Excluded) != 1 || !slices.Contains(m.Excluded[0].Reasons.Strings(), "takes referrals from agencies only") {
		t.Errorf("housing self-referral match = %+v", m)
	}
	// A capacity change is an audited event.
	var n int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind = 'agency.capacity-changed' AND agency_id = $1", env.Net.CAB).Scan(&n)
	if n != 1 {
		t.Errorf("capacity events = %d", n)
	}
}

func TestDistrictForTownIsDeterministic(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	for i := 0; i < 20; i++ {
		d, ok, err := env.Engine.DistrictForTown(context.Background(), "  kirkcaldy ")
		if err != nil || !ok || d.District != "KY1" {
			t.Fatalf("DistrictForTown(kirkcaldy) = %+v, %v, %v; want KY1 every time", d, ok, err)
		}
	}
	if _, ok, _ := env.Engine.DistrictForTown(context.Background(), "Atlantis"); ok {
		t.Error("an unknown town matched a district")
	}
}

// TestSuggestLeavesTheAskingAgencyOut: the agency asking where to send a
// referral (an adviser referring on, or redirecting) is neither suggested
// nor listed as left out, while an agency the referral was already with
// is listed, saying so.
func TestSuggestLeavesTheAskingAgencyOut(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	m, err := env.Engine.Suggest(t.Context(), core.MatchQuery{Needs: []core.Need{core.NeedDebt, core.NeedBenefits}, District: "KY1",
		Asking: env.Net.CAB, Exclude: []core.AgencyID{env.Net.Welfare}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Suggestions {
		if s.Agency.ID == env.Net.CAB || s.Agency.ID == env.Net.Welfare {
			t.Errorf("%s was suggested", s.Agency.Name)
		}
	}
	var listed []string
	for _, x := range m.Excluded {
		listed = append(listed, x.Agency.Name+": "+strings.Join(x.Reasons.Strings(), "; "))
		if x.Agency.ID == env.Net.CAB {
			t.Errorf("the asking agency was listed as left out: %s", strings.Join(x.Reasons.Strings(), "; "))
		}
	}
	if !slices.ContainsFunc(m.Excluded, func(x core.Exclusion) bool {
		return x.Agency.ID == env.Net.Welfare && slices.Contains(x.Reasons.Strings(), "already tried for this client")
	}) {
		t.Errorf("the agency already tried is not listed as such: %q", listed)
	}
}
