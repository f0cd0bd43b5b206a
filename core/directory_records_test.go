package core_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func searchNames(t *testing.T, env *coretest.Env, q core.DirectoryQuery) []string {
	t.Helper()
	p, err := env.Engine.DirectoryServices(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.Services {
		names = append(names, s.Name)
	}
	if p.Total != len(names) {
		t.Errorf("search %q: total %d, page of %d", q.Search, p.Total, len(names))
	}
	return names
}

// A search matches a service's words, its name as typed, or its agency's
// name, and follows an agency that is renamed.
func TestDirectorySearchMatchesServiceAndAgencyNames(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for search, want := range map[string][]string{
		"parcels":  {"Emergency food parcels"}, // words of the service
		"ood parc": {"Emergency food parcels"}, // part of its name as typed
		"kirkton":  {"Debt and money advice"},  // its agency's name
		"council":  {"Welfare rights"},         // "Kingdom Council Welfare Rights"
		"advice":   {"Debt and money advice"},  // service words and agency name both
		"options":  {"Housing options"},        // both names
		"50%":      nil,                        // LIKE's wildcards are plain characters
		"debts":    {"Debt and money advice"},  // stemmed words
		"bank":     {"Emergency food parcels"}, // Kingdom Food Bank
		"rights":   {"Welfare rights"},         // the service's own name
		"nothing":  nil,                        // no match
		"":         {"Debt and money advice", "Emergency food parcels", "Housing options", "Welfare rights"},
	} {
		if got := searchNames(t, env, core.DirectoryQuery{Search: search}); !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", search, got, want)
		}
	}

	if err := env.Engine.UpdateAgencyDetails(ctx, env.Net.FoodBank, core.AgencyDetails{Name: "Levenmouth Pantry",
		AckTargetHours: 16, AcceptsSelfReferrals: true}, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, env, core.DirectoryQuery{Search: "levenmouth"}); !slices.Equal(got, []string{"Emergency food parcels"}) {
		t.Errorf("after the rename, search levenmouth = %q", got)
	}
	if got := searchNames(t, env, core.DirectoryQuery{Search: "kingdom food"}); got != nil {
		t.Errorf("after the rename, the old name still finds %q", got)
	}
}

// destination is the point metres away from (lat, lon) on a bearing
// (degrees), on the sphere the directory measures on.
func destination(lat, lon, metres, bearing float64) (float64, float64) {
	const r = 6371008.8
	φ1, λ1, θ, δ := lat*math.Pi/180, lon*math.Pi/180, bearing*math.Pi/180, metres/r
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	return φ2 * 180 / math.Pi, λ2 * 180 / math.Pi
}

// A search within a distance keeps exactly the locations the distance
// keeps: the box tested first drops none near its edges, even far north
// where a degree of longitude is short.
func TestDirectoryProximityKeepsExactlyWhatTheDistanceKeeps(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for _, centre := range [][2]float64{{56.112, -3.162}, {60.155, -1.145}} {
		place := func(a core.AgencyID, metres, bearing float64) {
			lat, lon := destination(centre[0], centre[1], metres, bearing)
			if _, err := env.Pool.Exec(ctx, `UPDATE locations SET latitude = $2, longitude = $3 WHERE agency_id = $1 AND main`, a, lat, lon); err != nil {
				t.Fatal(err)
			}
		}
		place(env.Net.CAB, 4990, 90)      // east, just inside
		place(env.Net.FoodBank, 5010, 90) // east, just outside
		place(env.Net.Welfare, 4995, 45)  // north-east, just inside
		place(env.Net.Housing, 5005, 0)   // north, just outside
		lat, lon := centre[0], centre[1]
		near, err := env.Engine.DirectoryServiceAtLocations(ctx, core.DirectoryQuery{Lat: &lat, Lon: &lon, Proximity: 5000})
		if err != nil {
			t.Fatal(err)
		}
		all, err := env.Engine.DirectoryServiceAtLocations(ctx, core.DirectoryQuery{Lat: &lat, Lon: &lon})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, s := range near.Services {
			got = append(got, s.Name)
		}
		for _, s := range all.Services {
			if d := s.Locations[0].Distance; d != nil && *d <= 5000 {
				want = append(want, s.Name)
			}
		}
		if !slices.Equal(got, want) || !slices.Equal(got, []string{"Debt and money advice", "Welfare rights"}) || near.Total != 2 {
			t.Errorf("at %v within 5 km: %q (total %d), the distances keep %q", centre, got, near.Total, want)
		}
	}
}
