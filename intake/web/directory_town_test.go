package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A town spanning two postcode districts (Kirkcaldy: KY1 and KY2) finds
// a service in each, measures each from the nearer district's middle,
// and keeps the town in the link.
func TestDirectoryTownSpansDistricts(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	if _, err := e.env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\nKY2 5AB,56.2000,-3.3000\n")); err != nil {
		t.Fatal(err)
	}
	// The food bank serves KY1 only, 1.1 km north of its middle; the
	// citizens advice serves KY2 only, 1.2 km east of KY2's middle (16 km
	// from KY1's).
	for _, c := range []struct {
		agency   core.AgencyID
		district string
		at       [2]float64
	}{
		{e.env.Net.FoodBank, "KY1", [2]float64{56.11, -3.10}},
		{e.env.Net.CAB, "KY2", [2]float64{56.20, -3.28}},
	} {
		svc := e.serviceOf(c.agency)
		if err := e.env.Engine.UpdateService(ctx, svc.ID, core.NewService{AgencyID: c.agency, Name: svc.Name, Needs: []core.Need{core.NeedFood},
			PostcodeDistricts: []string{c.district}, Languages: svc.Languages}, e.env.Net.Coordinator.Actor()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.env.Pool.Exec(ctx, `UPDATE locations SET latitude = $2, longitude = $3 WHERE agency_id = $1 AND main`, c.agency, c.at[0], c.at[1]); err != nil {
			t.Fatal(err)
		}
	}
	p := e.browser().postRaw("/directory", url.Values{"need": {"food"}, "area": {"kirkcaldy"}})
	if p.Status != http.StatusOK || p.Path != "/directory?area=Kirkcaldy&need=food" {
		t.Fatalf("search by town: %d at %s", p.Status, p.Path)
	}
	results := between(p.Body, `id="results"`, "</main>")
	food, cab := strings.Index(results, "Kingdom Food Bank"), strings.Index(results, "Kirkton Citizens Advice")
	if food < 0 || cab < 0 || food > cab {
		t.Errorf("want the food bank (KY1, 1.1 km) then the citizens advice (KY2, 1.2 km):\n%s", results)
	}
	for _, want := range []string{"near Kirkcaldy (KY1/KY2): 2", "1.1 km away", "1.2 km away", "from the middle of KY1/KY2"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("results lack %q:\n%s", want, results)
		}
	}
	if strings.Contains(p.Body, "cannot help with this right now") {
		t.Errorf("a service of the town is left out:\n%s", results)
	}
	// A district alone is still that district.
	p = e.browser().get("/directory?need=food&area=KY2")
	if r := between(p.Body, `id="results"`, "cannot help with this right now"); strings.Contains(r, "Kingdom Food Bank") || !strings.Contains(p.Body, "near Kirkcaldy (KY2): 1") {
		t.Errorf("KY2 alone:\n%s", r)
	}
}
