package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestExportsParseBack writes every report as CSV and JSON and reads them
// back: the same cells, numbers as numbers, and in a suppressed report no
// "<5" or "too few to show" in any column, but an empty figure and a
// _suppressed flag column beside each figure column.
func TestExportsParseBack(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Agency: env.Net.CAB}
	suppressedSeen := 0
	for _, spec := range report.List() {
		for _, v := range []report.Viewer{report.ViewerFor(env.Net.Coordinator).Published(), report.ViewerFor(env.Net.Coordinator)} {
			r, err := rp.Run(ctx, spec.Name, f, v)
			if err != nil {
				t.Fatal(err)
			}
			// Where each report column lands in the export, and its flag.
			var cols []string
			at, flagAt := map[int]int{}, map[int]int{}
			for i, c := range r.Columns {
				at[i] = len(cols)
				cols = append(cols, c)
				if v.Publish && i > 0 && !slices.Contains(r.TextColumns, c) {
					flagAt[i] = len(cols)
					cols = append(cols, c+"_suppressed")
				}
			}
			var b bytes.Buffer
			if err := r.Write(&b, "csv"); err != nil {
				t.Fatal(err)
			}
			rd := csv.NewReader(&b)
			rd.FieldsPerRecord = -1
			recs, err := rd.ReadAll()
			if err != nil {
				t.Fatalf("%s: CSV does not parse: %v", spec.Name, err)
			}
			if strings.Join(recs[0], "|") != strings.Join(cols, "|") || len(recs) < len(r.Rows)+1 {
				t.Fatalf("%s: CSV has header %q and %d rows, want %q and %d", spec.Name, recs[0], len(recs)-1, cols, len(r.Rows))
			}
			for i, row := range r.Rows {
				for j, c := range row {
					got := recs[i+1][at[j]]
					switch {
					case c.Suppressed:
						suppressedSeen++
						if got != "" || recs[i+1][flagAt[j]] != "true" {
							t.Errorf("%s: CSV row %d col %q = %q, flag %q; want empty and true", spec.Name, i, r.Columns[j], got, recs[i+1][flagAt[j]])
						}
					case got != c.Text:
						t.Errorf("%s: CSV row %d col %d = %q, want %q", spec.Name, i, j, got, c.Text)
					case flagAt[j] > 0 && recs[i+1][flagAt[j]] != "false":
						t.Errorf("%s: CSV row %d col %q flag %q, want false", spec.Name, i, r.Columns[j], recs[i+1][flagAt[j]])
					}
					if c.Value != nil {
						if _, err := strconv.ParseFloat(got, 64); err != nil {
							t.Errorf("%s: CSV row %d col %q = %q is not a number", spec.Name, i, r.Columns[j], got)
						}
					}
				}
			}
			if strings.Contains(b.String(), report.SuppressedText) || strings.Contains(b.String(), report.TooFewText) {
				t.Errorf("%s: CSV carries a suppression marker as a value", spec.Name)
			}

			b.Reset()
			if err := r.Write(&b, "json"); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Report     string          `json:"report"`
				From       string          `json:"from"`
				Agency     string          `json:"agency"`
				Suppressed bool            `json:"suppressed"`
				Columns    []string        `json:"columns"`
				Rows       [][]any         `json:"rows"`
				Series     []report.Series `json:"series"`
			}
			if err := json.Unmarshal(b.Bytes(), &back); err != nil {
				t.Fatalf("%s: JSON does not parse: %v", spec.Name, err)
			}
			if back.Report != spec.Name || back.From != "2025-01-01" || back.Agency != "kirkton-cab" || back.Suppressed != v.Publish ||
				len(back.Rows) != len(r.Rows) || strings.Join(back.Columns, "|") != strings.Join(cols, "|") {
				t.Fatalf("%s: JSON header %+v", spec.Name, back)
			}
			for i, row := range r.Rows {
				for j, c := range row {
					g := back.Rows[i][at[j]]
					switch {
					case c.Suppressed:
						if g != nil || back.Rows[i][flagAt[j]] != true {
							t.Errorf("%s: JSON row %d col %q = %v flag %v, want null and true", spec.Name, i, r.Columns[j], g, back.Rows[i][flagAt[j]])
						}
					case c.Value != nil:
						if n, ok := g.(float64); !ok || n != *c.Value {
							t.Errorf("%s: JSON row %d col %d = %v, want the number %v", spec.Name, i, j, g, *c.Value)
						}
					case c.Text == "":
						if g != nil {
							t.Errorf("%s: JSON row %d col %d = %v, want null", spec.Name, i, j, g)
						}
					case g != c.Text:
						t.Errorf("%s: JSON row %d col %d = %v, want %q", spec.Name, i, j, g, c.Text)
					}
				}
			}
			if len(back.Series) != len(r.Series) {
				t.Errorf("%s: JSON has %d series, want %d", spec.Name, len(back.Series), len(r.Series))
			}
		}
	}
	if suppressedSeen == 0 {
		t.Error("no suppressed cell was exported: the test data lost its small numbers")
	}
	if err := (report.Report{}).Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("an unknown format should be refused")
	}
}
