package openreferral

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// A town searched by name is every postcode district it spans, as the
// public directory searches it: Kirkcaldy is KY1 and KY2, so the food
// bank, which serves KY2 only, is found, and each location is measured
// from the nearer of the two. A full postcode or a district stays one
// place.
func TestTownSpansItsDistricts(t *testing.T) {
	f := newFeed(t, Config{})
	ctx := context.Background()
	ss, err := f.env.Engine.Services(ctx, f.env.Net.FoodBank)
	if err != nil || len(ss) != 1 {
		t.Fatal(ss, err)
	}
	s := ss[0]
	if err := f.env.Engine.UpdateService(ctx, s.ID, core.NewService{AgencyID: s.AgencyID, Name: s.Name, Description: s.Description,
		Needs: s.Needs, PostcodeDistricts: []string{"KY2"}, Languages: s.Languages}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	// KY2's postcodes lie about 1.2 km east of the food bank's hall (KY5
	// 8XX); KY1's about 9 km east of it, beside the CAB.
	f.addPostcodes(testPostcodes + "KY2 5AA,KY2 5AA,,S12000047,56.1400,-3.2900\n")

	type sal struct {
		TotalItems int `json:"total_items"`
		Contents   []struct {
			Distance *float64
			Service  struct{ Name string }
		}
	}
	search := func(query string) (names []string, dists map[string]*float64, total int) {
		t.Helper()
		var p sal
		b := f.getJSON("/openreferral/service_at_locations?"+query, &p)
		validate(t, "service_at_locations", b)
		dists = map[string]*float64{}
		for _, c := range p.Contents {
			names = append(names, c.Service.Name)
			dists[c.Service.Name] = c.Distance
		}
		return names, dists, p.TotalItems
	}
	km := func(d *float64) string {
		if d == nil {
			return "none"
		}
		return fmt.Sprintf("%.1f km", *d/1000)
	}

	// The town: the food bank is found, nearest first from either district.
	names, dists, total := search("postcode=Kirkcaldy")
	if want := []string{"Debt and money advice", "Emergency food parcels", "Welfare rights", "Housing options"}; !slices.Equal(names, want) || total != 4 {
		t.Fatalf("postcode=Kirkcaldy: %q (total %d), want %q", names, total, want)
	}
	// The food bank is measured from KY2 (about 1.2 km), not from KY1.
	if d := dists["Emergency food parcels"]; d == nil || *d < 1000 || *d > 1500 {
		t.Errorf("food bank from Kirkcaldy: %s, want about 1.2 km (from KY2)", km(d))
	}
	if d := dists["Debt and money advice"]; d == nil || *d > 300 {
		t.Errorf("CAB from Kirkcaldy: %s, want under 300 m (from KY1)", km(d))
	}
	// Its name in any case and spelling, a page at a time.
	if names, _, total := search("postcode=KIRKCALDY.&per_page=1&page=2"); !slices.Equal(names, []string{"Emergency food parcels"}) || total != 4 {
		t.Errorf("page 2 of Kirkcaldy: %q (total %d)", names, total)
	}
	// Within 2 km of either district.
	if names, _, _ := search("postcode=Kirkcaldy&proximity=2000"); !slices.Equal(names, []string{"Debt and money advice", "Emergency food parcels"}) {
		t.Errorf("within 2 km of Kirkcaldy: %q", names)
	}

	// A full postcode and a district are one place, as before: the food
	// bank does not serve KY1.
	for _, q := range []string{"postcode=KY1+1AB", "postcode=KY1"} {
		if names, _, _ := search(q); slices.Contains(names, "Emergency food parcels") || len(names) != 3 {
			t.Errorf("%s: %q, want the three services covering KY1", q, names)
		}
	}
	if names, dists, _ := search("postcode=KY2"); len(names) != 4 {
		t.Errorf("postcode=KY2: %q, want the four services covering KY2", names)
	} else if d := dists["Emergency food parcels"]; d == nil || *d < 1000 || *d > 1500 {
		t.Errorf("food bank from KY2: %s, want about 1.2 km", km(d))
	}
}

// The point the network file gives a district is where the feed measures
// from, for the district and for a town built from it.
func TestNetworkDistrictPointMeasures(t *testing.T) {
	f := newFeed(t, Config{})
	ctx := context.Background()
	f.addPostcodes(testPostcodes)
	// The network file puts KY1 at the food bank's hall in Lochgelly,
	// about 9.5 km from the middle of KY1's postcodes.
	if err := f.env.Engine.SetDistrictPoint(ctx, f.env.Pool, core.DistrictPoint{District: "KY1", Lat: 56.1400, Lon: -3.3100}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"postcode=KY1&proximity=500", "postcode=Kirkcaldy&proximity=500"} {
		if got := f.names("/openreferral/service_at_locations?" + q); !slices.Equal(got, []string{"Emergency food parcels"}) {
			t.Errorf("%s = %q, want the food bank at the network file's point", q, got)
		}
	}
	// A full postcode the postcode file knows keeps its own point.
	if got := f.names("/openreferral/service_at_locations?postcode=KY1+1AB&proximity=1000"); !slices.Equal(got, []string{"Debt and money advice"}) {
		t.Errorf("within 1 km of KY1 1AB = %q", got)
	}
}
