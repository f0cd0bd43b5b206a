package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A town spread over two postcode districts (Kirkcaldy: KY1 and KY2) is
// both of them, each at the middle of its postcodes; a postcode or a
// district is one.
func TestDistrictPlaces(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\nKY1 2AB,56.1200,-3.1400\nKY2 5AB,56.2000,-3.3000\n")); err != nil {
		t.Fatal(err)
	}
	show := func(ps []core.Place) string {
		var out []string
		for _, p := range ps {
			s := p.District + " " + p.Town
			if p.Lat != nil && p.Lon != nil {
				s += fmt.Sprintf(" %.2f,%.2f", *p.Lat, *p.Lon)
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ text, want string }{
		{"kirkcaldy", "KY1 Kirkcaldy 56.11,-3.12; KY2 Kirkcaldy 56.20,-3.30"},
		{"KY1 2AB", "KY1 Kirkcaldy 56.11,-3.12"}, // the district's middle, not the postcode's own point
		{"ky2", "KY2 Kirkcaldy 56.20,-3.30"},
		{"St Andrews", "KY16 St Andrews"}, // no postcodes on the map there
	} {
		ps, err := env.Engine.DistrictPlaces(ctx, c.text)
		if err != nil || show(ps) != c.want {
			t.Errorf("DistrictPlaces(%q) = %s (%v), want %s", c.text, show(ps), err, c.want)
		}
	}
	if _, err := env.Engine.DistrictPlaces(ctx, "Narnia"); !errors.Is(err, core.ErrDistrict) {
		t.Errorf("DistrictPlaces(Narnia): %v, want ErrDistrict", err)
	}
	// Place keeps its one district, and a postcode's own point.
	if p, err := env.Engine.Place(ctx, "KY1 2AB"); err != nil || p.District != "KY1" || p.Lat == nil || *p.Lat != 56.12 {
		t.Errorf("Place(KY1 2AB) = %+v, %v", p, err)
	}
	if p, err := env.Engine.Place(ctx, "Kirkcaldy"); err != nil || p.District != "KY1" {
		t.Errorf("Place(Kirkcaldy) = %+v, %v", p, err)
	}
}

// Matching a town's districts suggests a service in any of them; one
// serving none is left out as not serving the town's districts.
func TestSuggestInDistricts(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	serve := func(a core.AgencyID, needs []core.Need, districts ...string) {
		t.Helper()
		svc := serviceOf(t, env, a)
		if err := env.Engine.UpdateService(ctx, svc.ID, core.NewService{AgencyID: a, Name: svc.Name, Needs: needs,
			PostcodeDistricts: districts, Languages: svc.Languages}, env.Net.Coordinator.Actor()); err != nil {
			t.Fatal(err)
		}
	}
	food := []core.Need{core.NeedFood}
	serve(env.Net.FoodBank, food, "KY1")
	serve(env.Net.CAB, food, "KY2")
	serve(env.Net.Welfare, food, "KY16")
	m, err := env.Engine.SuggestInDistricts(ctx, core.MatchQuery{Needs: food}, []string{"KY1", "KY2"})
	if err != nil {
		t.Fatal(err)
	}
	var suggested []string
	for _, s := range m.Suggestions {
		suggested = append(suggested, s.Agency.Name+" ("+strings.Join(s.Reasons.Strings(), ", ")+")")
	}
	if want := []string{"Kingdom Food Bank (offers food, serves KY1)", "Kirkton Citizens Advice (offers food, serves KY2)"}; !slices.Equal(suggested, want) {
		t.Errorf("suggested %q, want %q", suggested, want)
	}
	var left []string
	for _, x := range m.Excluded {
		left = append(left, x.Agency.Name+" ("+strings.Join(x.Reasons.Strings(), ", ")+")")
	}
	if want := []string{"Kingdom Council Welfare Rights (does not serve KY1/KY2)"}; !slices.Equal(left, want) {
		t.Errorf("left out %q, want %q", left, want)
	}
	// One district is Suggest's answer.
	one, err := env.Engine.SuggestInDistricts(ctx, core.MatchQuery{Needs: food}, []string{"KY1"})
	if err != nil || len(one.Suggestions) != 1 || one.Suggestions[0].Agency.ID != env.Net.FoodBank {
		t.Errorf("KY1 alone: %+v, %v", one.Suggestions, err)
	}
}
