package report_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// hoursOrDays finds a figure measured in hours or days.
var hoursOrDays = regexp.MustCompile(`(?i)\b(hours|days)\b`)

// TestTimesSayCalendarOrWorkingHours reproduces review R1's finding 13:
// "Median hours to acknowledge 12.0" stood beside "Within 8 working
// hours" with nothing saying the 12 were calendar hours. Every column,
// measure, series and unit of the times reports that counts hours or
// days says which — calendar or working — and the National Standards
// pack's targets say working hours beside medians in calendar hours.
func TestTimesSayCalendarOrWorkingHours(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	says := func(where, name, text string) {
		t.Helper()
		if hoursOrDays.MatchString(text) && !strings.Contains(text, "calendar") && !strings.Contains(text, "working") {
			t.Errorf("%s: %s %q does not say calendar or working hours", name, where, text)
		}
	}
	for _, name := range []string{"response-times", "crisis", "national-standards"} {
		pack := f
		if name == "national-standards" {
			pack.Agency = env.Net.CAB
		}
		r, err := rp.Run(ctx, name, pack, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Columns {
			says("column", name, c)
		}
		for _, s := range r.Series {
			says("series", name, s.Name)
		}
		says("unit", name, r.Unit)
		says("description", name, r.Description)
		for _, row := range r.Rows {
			for _, c := range row {
				if c.Value == nil {
					says("cell", name, c.Text)
				}
			}
		}
		calendar := 0
		for _, row := range r.Rows {
			if strings.Contains(row[0].Text+" "+row[1].Text, "calendar hours") {
				calendar++
			}
		}
		if name == "national-standards" {
			if calendar != 2 {
				t.Errorf("the pack has %d measures in calendar hours, want 2 (acknowledge, contact)", calendar)
			}
			for _, row := range r.Rows {
				if measure := row[1].Text; strings.Contains(measure, "calendar hours") && !strings.Contains(row[3].Text, "working hours") {
					t.Errorf("the pack's %q says %q beside it, not that the targets are in working hours", measure, row[3].Text)
				}
			}
		}
		if !strings.Contains(strings.Join(r.Notes, " "), "calendar hours") {
			t.Errorf("%s: no note says the hours are calendar hours: %q", name, r.Notes)
		}
	}
}
