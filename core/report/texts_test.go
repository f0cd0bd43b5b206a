package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// The texts report shows, per month and language, the texts sent, those
// in UCS-2, their segments, segments per text and the estimated cost at
// the configured price; months outside the dates are left out; a total
// sums them; counts from 1 to 4 are hidden from anyone but exact viewers;
// an agency or need filter shows nothing, as texts are the network's.
func TestTextsReportSegmentsAndCostPerMonthAndLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `UPDATE network_settings SET timezone = 'Europe/London'`); err != nil {
		t.Fatal(err)
	}
	st := env.Engine.SentTexts()
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
	consent := strings.Repeat("a", 400)     // 3 GSM-7 segments
	polish := strings.Repeat("ł", 100)      // 2 UCS-2 segments
	arabic := strings.Repeat("ع", 69) + "1" // 1 UCS-2 segment
	for i := 0; i < 6; i++ {
		st.Count(at(10, 3), "en", consent, "Thanks") // 6 × (3 + 1) segments
		st.Count(at(11, 3), "pl", polish)            // 6 × 2
	}
	st.Count(at(11, 4), "ar", arabic, arabic) // 2 texts: small
	st.Count(at(8, 4), "en", "outside the dates")
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rp := report.New(env.Pool, env.Clock).WithSMSSegmentCost(0.05)
	f := report.Filter{From: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}

	texts := func(r report.Report) [][]string {
		var out [][]string
		for _, row := range r.Rows {
			var cells []string
			for _, c := range row {
				cells = append(cells, c.Text)
			}
			out = append(out, cells)
		}
		return out
	}
	exact, err := rp.Run(ctx, "texts", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Oct 2026", "English", "12", "0", "24", "2.00", "1.20"},
		{"Nov 2026", "Arabic", "2", "2", "2", "1.00", "0.10"},
		{"Nov 2026", "Polish", "6", "6", "12", "2.00", "0.60"},
		{"Total", "", "20", "8", "38", "1.90", "1.90"},
	}
	if got := texts(exact); !equalRows(got, want) {
		t.Errorf("exact rows:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(strings.Join(exact.Notes, " "), "£0.0500 a segment") {
		t.Errorf("notes do not give the price: %q", exact.Notes)
	}

	shared, err := rp.Run(ctx, "texts", f, report.Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(shared)[1]; !equalRows([][]string{got}, [][]string{{"Nov 2026", "Arabic", "<5", "<5", "<5", report.TooFewText, report.TooFewText}}) {
		t.Errorf("shared Arabic row = %q", got)
	}

	f.Agency = env.Net.CAB
	byAgency, err := rp.Run(ctx, "texts", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(byAgency.Rows) != 0 || !strings.Contains(strings.Join(byAgency.Notes, " "), "whole network") {
		t.Errorf("agency filter: rows %q, notes %q", texts(byAgency), byAgency.Notes)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return false
		}
	}
	return true
}
