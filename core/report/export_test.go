package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestExportsParseBack writes every report as CSV and JSON and reads them
// back: the same columns and cells, suppressed counts as "<5", numbers as
// numbers.
func TestExportsParseBack(t *testing.T) {
	env, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Agency: env.Net.CAB}
	suppressedSeen := 0
	for _, spec := range report.List() {
		r, err := rp.Run(ctx, spec.Name, f, report.Viewer{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.Write(&b, "csv"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("%s: CSV does not parse: %v", spec.Name, err)
		}
		if strings.Join(recs[0], "|") != strings.Join(r.Columns, "|") || len(recs) != len(r.Rows)+1 {
			t.Fatalf("%s: CSV has header %q and %d rows, want %q and %d", spec.Name, recs[0], len(recs)-1, r.Columns, len(r.Rows))
		}
		for i, row := range r.Rows {
			for j, c := range row {
				if recs[i+1][j] != c.Text {
					t.Errorf("%s: CSV row %d col %d = %q, want %q", spec.Name, i, j, recs[i+1][j], c.Text)
				}
				if c.Suppressed {
					suppressedSeen++
				}
			}
		}

		b.Reset()
		if err := r.Write(&b, "json"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), `\u003c`) {
			t.Errorf("%s: JSON escapes <5", spec.Name)
		}
		var back struct {
			Report     string          `json:"report"`
			From       string          `json:"from"`
			Agency     string          `json:"agency"`
			Suppressed bool            `json:"suppressed"`
			Columns    []string        `json:"columns"`
			Rows       [][]report.Cell `json:"rows"`
			Series     []report.Series `json:"series"`
		}
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("%s: JSON does not parse: %v", spec.Name, err)
		}
		if back.Report != spec.Name || back.From != "2025-01-01" || back.Agency != "kirkcaldy-cab" || !back.Suppressed || len(back.Rows) != len(r.Rows) {
			t.Fatalf("%s: JSON header %+v", spec.Name, back)
		}
		for i, row := range r.Rows {
			for j, c := range row {
				g := back.Rows[i][j]
				switch {
				case c.Value != nil:
					if g.Value == nil || *g.Value != *c.Value {
						t.Errorf("%s: JSON row %d col %d = %+v, want the number %v", spec.Name, i, j, g, *c.Value)
					}
				case g.Text != c.Text || g.Suppressed != c.Suppressed:
					t.Errorf("%s: JSON row %d col %d = %+v, want %+v", spec.Name, i, j, g, c)
				}
			}
		}
		if len(back.Series) != len(r.Series) {
			t.Errorf("%s: JSON has %d series, want %d", spec.Name, len(back.Series), len(r.Series))
		}
	}
	if suppressedSeen == 0 {
		t.Error("no suppressed cell was exported: the test data lost its small numbers")
	}
	if err := (report.Report{}).Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("an unknown format should be refused")
	}
}
