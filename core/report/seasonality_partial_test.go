package report_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/report"
)

// TestSeasonalityYearsAndPartialPeriods reproduces review R1's finding
// 12: a year the dates touch but with no new referrals in them vanished
// (6–31 Dec 2025 in dates from 2025-12-06 gave no 2025 column), and a
// month or week only partly inside the dates, or not over yet, looked
// whole, so five days of December read as a slump. Every year the dates
// touch is shown, and a partial period names the days counted, in the
// table, the CSV and JSON (a column) and on its chart point.
func TestSeasonalityYearsAndPartialPeriods(t *testing.T) {
	t.Parallel()
	_, rp := seededReports(t) // today is 20 Nov 2026
	ctx := context.Background()
	for _, tc := range []struct {
		report, from, to string
		years            []string
		partial          map[string]string // row → what the Partial column says
	}{
		{"seasonality-monthly", "2025-12-30", "2026-11-20", []string{"2025", "2026"},
			// Dates ending today: today is not over, so its period is
			// "so far" (a funder's review: a week ending today read as
			// whole).
			map[string]string{"Dec": "2025: 30–31 Dec", "Jan": "", "Oct": "", "Nov": "2026: 1–20 Nov so far"}},
		{"seasonality-monthly", "2026-01-01", "2026-11-30", []string{"2026"},
			map[string]string{"Jan": "", "Nov": "2026: 1–20 Nov so far", "Dec": ""}},
		{"seasonality-weekly", "2025-12-06", "2026-11-20", []string{"2025", "2026"},
			map[string]string{"49": "2025: 6–7 Dec", "50": "", "1": "", "47": "2026: 16–20 Nov so far"}},
		{"seasonality-weekly", "2026-11-01", "2026-11-22", []string{"2026"},
			map[string]string{"46": "", "47": "2026: 16–20 Nov so far"}},
	} {
		f := testFilter{from: tc.from, to: tc.to}.filter()
		r, err := rp.Run(ctx, tc.report, f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		name := tc.report + " " + tc.from + " to " + tc.to
		if want := append(append([]string{r.Columns[0]}, tc.years...), "Partial (days counted)"); !slices.Equal(r.Columns, want) {
			t.Errorf("%s: columns %q, want %q", name, r.Columns, want)
			continue
		}
		for row, want := range tc.partial {
			if c, ok := cellAt(r, row, "Partial (days counted)"); !ok || c.Text != want {
				t.Errorf("%s: %s is partial %q, want %q", name, row, c.Text, want)
			}
		}
		if c, _ := cellAt(r, "Dec", "2026"); tc.to == "2026-11-30" && c.Text != "" {
			t.Errorf("%s: December after today shows %q, want no figure", name, c.Text)
		}
		_, recs := writeCSV(t, r)
		if last := recs[0][len(recs[0])-1]; last != "Partial (days counted)" {
			t.Errorf("%s: CSV's last column is %q", name, last)
		}
		// The first year's chart points: partial exactly where the
		// Partial column names that year.
		doc := writeJSON(t, r)
		points := doc["series"].([]any)[0].(map[string]any)["points"].([]any)
		for _, p := range points {
			pt := p.(map[string]any)
			row, ok := tc.partial[pt["label"].(string)]
			if want := strings.HasPrefix(row, tc.years[0]+":"); ok && (pt["partial"] == true) != want {
				t.Errorf("%s: JSON point %v of %s: partial %v, want %v", name, pt["label"], tc.years[0], pt["partial"], want)
			}
		}
	}
}

// A funder's review: dates wholly in a year not begun gave an empty
// column with no word why. The report says the dates have not begun.
func TestSeasonalityOfAYearNotBegunSaysSo(t *testing.T) {
	t.Parallel()
	_, rp := seededReports(t) // today is 20 Nov 2026
	for _, name := range []string{"seasonality-monthly", "seasonality-weekly"} {
		r, err := rp.Run(context.Background(), name, testFilter{from: "2027-01-01", to: "2027-12-31"}.filter(), report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "2027, which has not begun") }) {
			t.Errorf("%s for 2027: notes %q, want one saying 2027 has not begun", name, r.Notes)
		}
	}
}
