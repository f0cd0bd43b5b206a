package bot

import (
	"testing"

	"github.com/onward-network/onward/core/report"
)

// TestChartDescSaysTheUnitOnce: a chart's description names its series
// and unit, and says the unit once when the one series is named for it
// ("Breaches: the number of breaches", not "Breaches, in breaches").
func TestChartDescSaysTheUnitOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		r    report.Report
		want string
	}{
		{report.Report{Title: "Breaches", Unit: "breaches", Series: []report.Series{{Name: "Breaches"}}},
			"Breaches: the number of breaches. The same figures are in the table below."},
		{report.Report{Title: "Seasonality", Unit: "new referrals", Series: []report.Series{{Name: "2025"}, {Name: "2026"}}},
			"Seasonality: 2025 and 2026, in new referrals. The same figures are in the table below."},
	} {
		if got := chartDesc(c.r); got != c.want {
			t.Errorf("chartDesc = %q, want %q", got, c.want)
		}
	}
}
