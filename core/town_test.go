package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestTownKey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Kirkcaldy", "kirkcaldy"},
		{"  KIRKCALDY ", "kirkcaldy"},
		{"St. Serfs", "st serfs"},
		{"Saint Serfs", "st serfs"},
		{"st-serfs", "st serfs"},
		{"Lochgelly!", "lochgelly"},
		{"Saintfield", "saintfield"}, // only the whole word is folded
		{"...", ""},
	} {
		if got := core.TownKey(c.in); got != c.want {
			t.Errorf("TownKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCompareDistricts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"KY2", "KY11", -1},
		{"KY11", "KY2", 1},
		{"KY1", "KY1", 0},
		{"EH1", "EH1A", -1},
		{"DD1", "KY1", -1},
		{"KY9", "KY10", -1},
	} {
		if got := core.CompareDistricts(c.a, c.b); got != c.want {
			t.Errorf("CompareDistricts(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// A town in several districts is placed in the first in natural order, the
// same every time, and "St"/"Saint" and punctuation do not matter.
func TestDistrictForTown(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for _, d := range []core.District{
		{District: "KY11", CouncilArea: "Fife", Town: "Rosyth"},
		{District: "KY2", CouncilArea: "Fife", Town: "Rosyth"},
		{District: "KY12", CouncilArea: "Fife", Town: "St. Serfs"},
	} {
		if err := env.Engine.AddDistrict(ctx, env.Pool, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ town, want string }{
		{"rosyth", "KY2"},
		{"ROSYTH.", "KY2"},
		{"St Serfs", "KY12"},
		{"saint serfs", "KY12"},
		{"St. Serfs", "KY12"},
		{"St Andrews", "KY16"},
		{"Saint Andrews", "KY16"},
		{"Kirkcaldy", "KY1"},
		{"Atlantis", ""},
		{"", ""},
	} {
		for range 5 {
			d, ok, err := env.Engine.DistrictForTown(ctx, c.town)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (c.want != "") || d.District != c.want {
				t.Fatalf("DistrictForTown(%q) = %q, %v; want %q", c.town, d.District, ok, c.want)
			}
		}
	}
}
