package report

import (
	"slices"
	"strings"
	"testing"
)

// TestSeasonYearsBounded: dates over more years with referrals than a
// chart can hold show the latest maxSeasonYears of them and say which
// were left out; years with none are left out and said to be.
func TestSeasonYearsBounded(t *testing.T) {
	t.Parallel()
	counts := map[[2]int]int64{}
	for y := 2001; y <= 2026; y += 2 {
		counts[[2]int{y, 1}] = 3
	}
	years, notes := seasonYears(2000, 2099, 2026, counts, func(int) periods { return periods{1, 12} })
	var got []int
	for _, y := range years {
		got = append(got, y.year)
	}
	if want := []int{2007, 2009, 2011, 2013, 2015, 2017, 2019, 2021, 2023, 2025}; !slices.Equal(got, want) {
		t.Errorf("years %v, want %v", got, want)
	}
	all := strings.Join(notes, " ")
	if !strings.Contains(all, "13 years with new referrals; the latest 10 are shown. Narrow the dates to see 2001 to 2005.") ||
		!strings.Contains(all, "no new referrals are left out") {
		t.Errorf("notes %q", notes)
	}
	// No referral at all: the dates' year that has begun, not 2099.
	years, _ = seasonYears(2000, 2099, 2026, map[[2]int]int64{}, func(int) periods { return periods{1, 12} })
	if len(years) != 1 || years[0].year != 2026 {
		t.Errorf("with no referrals: %+v, want 2026 alone", years)
	}
}
