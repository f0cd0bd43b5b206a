package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestCheckPeriod: one rule for every report's dates, naming the field
// and the days Onward reports on — a date typed as 0001-01-01 or
// 9999-12-31 is told the limit, never to "give both" dates.
func TestCheckPeriod(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		from, to     string
		field, words string
	}{
		{"2025-04-01", "2026-03-31", "", ""},
		{"2000-01-01", "2099-12-31", "", ""},
		{"0001-01-01", "9999-12-31", "from", "the start date must be 2000-01-01 or later (Onward reports on days from 2000-01-01 to 2099-12-31)"},
		{"1999-12-31", "2026-01-01", "from", "the start date must be 2000-01-01 or later"},
		{"2026-01-01", "9999-12-31", "to", "the end date must be 2099-12-31 or earlier (Onward reports on days from 2000-01-01 to 2099-12-31)"},
		{"2100-01-01", "2100-01-02", "from", "the start date must be 2099-12-31 or earlier"},
		{"2026-03-01", "2026-02-01", "to", "the end date must not be before the start date"},
	} {
		field, msg := report.CheckPeriod(d(tc.from), d(tc.to))
		if field != tc.field || !strings.HasPrefix(msg, tc.words) || strings.Contains(msg, "give both") {
			t.Errorf("%s to %s: %s %q, want %s %q", tc.from, tc.to, field, msg, tc.field, tc.words)
		}
	}
	if field, _ := report.CheckPeriod(time.Time{}, d("2026-01-01")); field != "from" {
		t.Errorf("no start date: field %q, want from", field)
	}
}
