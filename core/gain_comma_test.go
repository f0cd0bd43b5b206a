package core_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestParsePoundsCommas: a comma is read only as a thousands separator in
// its place; "12,50" (pence after a comma) and commas anywhere else are
// refused rather than read as a hundred times the amount (audit B 8).
func TestParsePoundsCommas(t *testing.T) {
	t.Parallel()
	const bad = -1
	for _, tc := range []struct {
		in    string
		pence int64
	}{
		{"1,250", 125000},
		{"1,250.50", 125050},
		{"£1,250.5", 125050},
		{"12,500", 1250000},
		{"123,456", 12345600},
		{"1,000,000", 100000000},
		{"1,000,000.00", 100000000},
		{"-1,250", -125000},
		{"999", 99900},
		{"0.50", 50},
		{"12,50", bad},
		{"12,5", bad},
		{"0,50", bad},
		{"1,5,0,0", bad},
		{"1,2500", bad},
		{"12,50.00", bad},
		{"1,250,50", bad},
		{"1234,567", bad},
		{",250", bad},
		{"1,", bad},
		{"1,,250", bad},
		{",", bad},
		{"1,250,", bad},
		{"1.250,50", bad},
		{"1,250.5,0", bad},
		{"£12,50", bad},
		{"1,000,000,000,000", bad}, // thirteen digits
	} {
		p, err := core.ParsePounds(tc.in)
		switch {
		case tc.pence == bad && err == nil:
			t.Errorf("ParsePounds(%q) = %d, want refused", tc.in, p)
		case tc.pence != bad && (err != nil || p != tc.pence):
			t.Errorf("ParsePounds(%q) = %d, %v; want %d", tc.in, p, err, tc.pence)
		}
	}
}

// TestParseGainDecimalCommaHint: the form's message for pence after a
// comma is the usual one, with the amount as it should be written; other
// mistakes keep the usual message alone.
func TestParseGainDecimalCommaHint(t *testing.T) {
	t.Parallel()
	form := map[string]string{"gain_weekly_income": "12,50", "gain_debt_written_off": "1,5,0,0", "gain_one_off_income": "£1,250.50"}
	g, fields := core.ParseGain(func(k string) string { return form[k] })
	want := map[string]string{
		"gain_weekly_income":    "Weekly income gained must be an amount in pounds, like 125.50 (use a point for pence: 12.50)",
		"gain_debt_written_off": "Debt written off must be an amount in pounds, like 125.50",
	}
	got := map[string]string{}
	for _, f := range fields {
		got[f.Field] = f.Message
	}
	if len(got) != len(want) || got["gain_weekly_income"] != want["gain_weekly_income"] || got["gain_debt_written_off"] != want["gain_debt_written_off"] {
		t.Errorf("field errors %q, want %q", got, want)
	}
	if g.OneOffIncome != 125050 || g.WeeklyIncome != 0 || g.DebtWrittenOff != 0 {
		t.Errorf("gain %+v, want only £1,250.50 one-off", g)
	}
}

// FuzzParsePounds: whatever is accepted means what its digits say once
// written back (as a form does, and as a report does, with commas), and a
// comma never stands anywhere but between groups of three.
func FuzzParsePounds(f *testing.F) {
	for _, s := range []string{"1,250.50", "12,50", "1,5,0,0", "£1,000,000", "-20", ".75", "", "12.", "1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := core.ParsePounds(s)
		if err != nil {
			return
		}
		if p < 0 {
			p = -p
		}
		for _, again := range []string{core.PoundsInput(p), core.FormatPounds(p)} {
			if q, err := core.ParsePounds(again); err != nil || q != p {
				t.Fatalf("%q read as %d pence, written back as %q, reads as %d, %v", s, p, again, q, err)
			}
		}
		if whole, _, _ := strings.Cut(s, "."); strings.Contains(whole, ",") {
			digits := strings.TrimLeft(strings.TrimSpace(whole), "-£ ")
			groups := strings.Split(digits, ",")
			for _, g := range groups[1:] {
				if len(g) != 3 {
					t.Fatalf("%q accepted with a comma out of place", s)
				}
			}
		}
	})
}

// TestParseGainNamesEveryProblemAtOnce (audit E 13): a comma in one box
// and a negative amount in another are both named on the first submit, in
// the form's order, not one per round.
func TestParseGainNamesEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	form := map[string]string{"gain_weekly_income": "12,50", "gain_one_off_income": "-5", "gain_debt_managed": "2000000"}
	_, fields := core.ParseGain(func(k string) string { return form[k] })
	var got []string
	for _, f := range fields {
		got = append(got, f.Field+": "+f.Message)
	}
	want := []string{
		"gain_weekly_income: Weekly income gained must be an amount in pounds, like 125.50 (use a point for pence: 12.50)",
		"gain_one_off_income: One-off income gained cannot be negative",
		"gain_debt_managed: Debt managed must be £1,000,000 or less",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("field errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
