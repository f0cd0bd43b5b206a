package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// showPlaces writes places as "KY1 56.11,-3.12; KY2 …" for comparing.
func showPlaces(ps ...core.Place) string {
	var out []string
	for _, p := range ps {
		s := p.District
		if p.Lat != nil && p.Lon != nil {
			s += fmt.Sprintf(" %.2f,%.2f", *p.Lat, *p.Lon)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// The point the network file gives a district is where Place puts the
// district, and a town built from it; a district without one stays at
// the middle of its postcodes, and a full postcode the postcode file
// knows at its own point.
func TestPlaceUsesTheNetworkFilesDistrictPoint(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\nKY1 2AB,56.1200,-3.1400\nKY2 5AB,56.2000,-3.3000\n")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []core.DistrictPoint{
		{District: "KY2", Lat: 56.25, Lon: -3.25},
		{District: "KY16", Lat: 56.34, Lon: -2.80}, // St Andrews: no postcodes on the map
	} {
		if err := env.Engine.SetDistrictPoint(ctx, env.Pool, p); err != nil {
			t.Fatal(err)
		}
	}
	place := func(text string) string {
		t.Helper()
		p, err := env.Engine.Place(ctx, text)
		if err != nil {
			t.Fatalf("Place(%q): %v", text, err)
		}
		return showPlaces(p)
	}
	for _, c := range []struct{ text, want string }{
		{"ky2", "KY2 56.25,-3.25"},         // the network file's point, not the middle (56.20,-3.30)
		{"KY2 9ZZ", "KY2 56.25,-3.25"},     // a postcode the file lacks is at its district's point
		{"St Andrews", "KY16 56.34,-2.80"}, // a town of one district
		{"KY1", "KY1 56.11,-3.12"},         // no point in the network file: the middle
		{"KY1 2AB", "KY1 56.12,-3.14"},     // a known postcode keeps its own point
		{"Kirkcaldy", "KY1 56.11,-3.12"},   // a town is its first district
	} {
		if got := place(c.text); got != c.want {
			t.Errorf("Place(%q) = %s, want %s", c.text, got, c.want)
		}
	}
	ps, err := env.Engine.DistrictPlaces(ctx, "Kirkcaldy")
	if got, want := showPlaces(ps...), "KY1 56.11,-3.12; KY2 56.25,-3.25"; err != nil || got != want {
		t.Errorf("DistrictPlaces(Kirkcaldy) = %s (%v), want %s", got, err, want)
	}
	// The town's first district given a point: Place follows it.
	if err := env.Engine.SetDistrictPoint(ctx, env.Pool, core.DistrictPoint{District: "KY1", Lat: 56.13, Lon: -3.16}); err != nil {
		t.Fatal(err)
	}
	if got, want := place("Kirkcaldy"), "KY1 56.13,-3.16"; got != want {
		t.Errorf("Place(Kirkcaldy) = %s, want %s", got, want)
	}
	// And the demand map reads the same points.
	pts, err := core.DistrictPoints(ctx, env.Pool, []string{"KY1", "KY2"})
	if err != nil || pts["KY1"].Lat != 56.13 || pts["KY2"].Lat != 56.25 {
		t.Errorf("DistrictPoints = %+v, %v", pts, err)
	}
}

// SearchPlaces is one place for a full postcode (at its own point) or a
// district, and every district of a town.
func TestSearchPlaces(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\nKY1 2AB,56.1200,-3.1400\nKY2 5AB,56.2000,-3.3000\n")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, want string }{
		{"kirkcaldy", "KY1 56.11,-3.12; KY2 56.20,-3.30"},
		{"KY1 2AB", "KY1 56.12,-3.14"},
		{"ky2", "KY2 56.20,-3.30"},
		{"St Andrews", "KY16"},
	} {
		ps, err := env.Engine.SearchPlaces(ctx, c.text)
		if got := showPlaces(ps...); err != nil || got != c.want {
			t.Errorf("SearchPlaces(%q) = %s (%v), want %s", c.text, got, err, c.want)
		}
	}
	if _, err := env.Engine.SearchPlaces(ctx, "Narnia"); err == nil {
		t.Error("SearchPlaces(Narnia): no error")
	}
}

// A search from several places keeps a service covering any of them and
// measures each location from the nearest; within a distance, near any
// of them.
func TestDirectorySearchFromSeveralPlaces(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	at := func(a core.AgencyID, lat, lon float64) {
		t.Helper()
		if _, err := env.Pool.Exec(ctx, `UPDATE locations SET latitude = $2, longitude = $3 WHERE agency_id = $1 AND main`, a, lat, lon); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := env.Engine.Services(ctx, env.Net.FoodBank)
	if err != nil || len(ss) != 1 {
		t.Fatal(ss, err)
	}
	s := ss[0]
	if err := env.Engine.UpdateService(ctx, s.ID, core.NewService{AgencyID: s.AgencyID, Name: s.Name, Needs: s.Needs,
		PostcodeDistricts: []string{"KY2"}, Languages: s.Languages}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	// Two places 20 km apart; each service beside one of them.
	aLat, aLon, bLat, bLon := 56.11, -3.16, 56.11, -3.48
	for _, l := range []struct {
		agency           core.AgencyID
		lat, lon, metres float64
	}{
		{env.Net.CAB, aLat, aLon, 400},
		{env.Net.FoodBank, bLat, bLon, 700},
		{env.Net.Welfare, bLat, bLon, 3000},
	} {
		lat, lon := destination(l.lat, l.lon, l.metres, 0)
		at(l.agency, lat, lon)
	}
	ds, err := env.Engine.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	places := []core.Place{
		{District: "KY1", CouncilArea: ds["KY1"].CouncilArea, Lat: &aLat, Lon: &aLon},
		{District: "KY2", CouncilArea: ds["KY2"].CouncilArea, Lat: &bLat, Lon: &bLon},
	}
	search := func(q core.DirectoryQuery) (names []string, dists []string, total int) {
		t.Helper()
		p, err := env.Engine.DirectoryServiceAtLocations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Services {
			names = append(names, s.Name)
			d := "none"
			if s.Locations[0].Distance != nil {
				d = fmt.Sprintf("%.0f", *s.Locations[0].Distance)
			}
			dists = append(dists, d)
		}
		return names, dists, p.Total
	}
	names, dists, total := search(core.DirectoryQuery{Places: places})
	if want := []string{"Debt and money advice", "Emergency food parcels", "Welfare rights", "Housing options"}; !slices.Equal(names, want) || total != 4 {
		t.Errorf("from both: %q (total %d), want %q", names, total, want)
	}
	if want := []string{"400", "700", "3000", "none"}; !slices.Equal(dists, want) {
		t.Errorf("distances from the nearest: %q, want %q", dists, want)
	}
	if names, _, total := search(core.DirectoryQuery{Places: places, Proximity: 1000}); !slices.Equal(names, []string{"Debt and money advice", "Emergency food parcels"}) || total != 2 {
		t.Errorf("within 1 km of either: %q (total %d)", names, total)
	}
	// Past the last page the total still counts what the places keep.
	if names, _, total := search(core.DirectoryQuery{Places: places, Proximity: 1000, Page: 3, PerPage: 1}); names != nil || total != 2 {
		t.Errorf("page 3: %q (total %d), want none of 2", names, total)
	}
	// One of the places alone: the food bank serves only KY2.
	if names, _, _ := search(core.DirectoryQuery{Places: places[:1]}); slices.Contains(names, "Emergency food parcels") || len(names) != 3 {
		t.Errorf("from KY1: %q", names)
	}
}
