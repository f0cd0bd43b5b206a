package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestCheckPeriod: one rule for every report's dates, naming the field
// and the days Onward reports on — a date typed as 0001-01-01 or
// 9999-12-31 is told the limit, never to "give both" dates.
func TestCheckPeriod(t *testing.T) {
	t.Parallel()
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

func day0(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestParsePreset: every way of naming a period reads as the days it
// means, its name written back reads as the same period, and a name that
// is not a period is refused saying what was wrong and how to name one.
func TestParsePreset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, today string
		canonical   string // the preset's own name
		period      string // the period it names on today
		from, to    string
	}{
		{"2026-27 Q3", "2026-11-23", "2026-27 Q3", "2026-27 Q3", "2026-10-01", "2026-12-31"},
		{"2026/27 q3", "2026-11-23", "2026-27 Q3", "2026-27 Q3", "2026-10-01", "2026-12-31"},
		{"  2026-2027   Q1 ", "2026-11-23", "2026-27 Q1", "2026-27 Q1", "2026-04-01", "2026-06-30"},
		{"2026-27 Q4", "2027-05-01", "2026-27 Q4", "2026-27 Q4", "2027-01-01", "2027-03-31"},
		{"2026-27", "2027-05-01", "2026-27", "2026-27", "2026-04-01", "2027-03-31"},
		{"2000-01", "2026-11-23", "2000-01", "2000-01", "2000-04-01", "2001-03-31"},
		{"2099-00", "2026-11-23", "2099-00", "2099-00", "2099-04-01", "2100-03-31"},
		{"October 2026", "2026-11-23", "October 2026", "October 2026", "2026-10-01", "2026-10-31"},
		{"feb 2028", "2028-03-15", "February 2028", "February 2028", "2028-02-01", "2028-02-29"},
		{"This Quarter", "2026-11-23", "this quarter", "2026-27 Q3", "2026-10-01", "2026-12-31"},
		{"last quarter", "2026-11-23", "last quarter", "2026-27 Q2", "2026-07-01", "2026-09-30"},
		// The quarter before Q1 is the last financial year's Q4.
		{"last quarter", "2026-04-01", "last quarter", "2025-26 Q4", "2026-01-01", "2026-03-31"},
		// 31 March is the last day of the financial year, 1 April the first of the next.
		{"this financial year", "2026-03-31", "this financial year", "2025-26", "2025-04-01", "2026-03-31"},
		{"this financial year", "2026-04-01", "this financial year", "2026-27", "2026-04-01", "2027-03-31"},
		{"last financial year", "2026-04-01", "last financial year", "2025-26", "2025-04-01", "2026-03-31"},
		// 1 January begins Q4, in the financial year that began the April before.
		{"this quarter", "2027-01-01", "this quarter", "2026-27 Q4", "2027-01-01", "2027-03-31"},
		{"this quarter", "2026-12-31", "this quarter", "2026-27 Q3", "2026-10-01", "2026-12-31"},
		{"this month", "2026-11-23", "this month", "November 2026", "2026-11-01", "2026-11-30"},
		{"last month", "2027-01-01", "last month", "December 2026", "2026-12-01", "2026-12-31"},
		// A leap year: February has 29 days, and the financial year 2027-28, 366.
		{"last month", "2028-03-01", "last month", "February 2028", "2028-02-01", "2028-02-29"},
		{"2027-28 Q4", "2028-05-01", "2027-28 Q4", "2027-28 Q4", "2028-01-01", "2028-03-31"},
	} {
		p, err := report.ParsePreset(tc.name)
		if tc.canonical == "" {
			if err == nil {
				t.Errorf("%q: read as %s, want refused", tc.name, p)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
			continue
		}
		today := day0(t, tc.today)
		period := p.Period(today)
		if p.String() != tc.canonical || period.String() != tc.period ||
			!period.First().Equal(day0(t, tc.from)) || !period.Last().Equal(day0(t, tc.to)) {
			t.Errorf("%q on %s: %s = %s, %s to %s; want %s = %s, %s to %s", tc.name, tc.today, p, period,
				period.First().Format(time.DateOnly), period.Last().Format(time.DateOnly), tc.canonical, tc.period, tc.from, tc.to)
		}
		// Both names read back as what they named.
		if again, err := report.ParsePreset(p.String()); err != nil || again != p {
			t.Errorf("%q: its name %q reads as %v, %v", tc.name, p, again, err)
		}
		if again, err := report.ParsePreset(period.String()); err != nil || again.Period(time.Time{}) != period {
			t.Errorf("%q: the period's name %q reads as %v, %v", tc.name, period, again, err)
		}
	}
	if days := report.FinancialYear(2027).Last().Sub(report.FinancialYear(2027).First()).Hours()/24 + 1; days != 366 {
		t.Errorf("2027-28 has %v days, want 366 (29 February 2028)", days)
	}
}

// TestParsePresetRefusals: a name that is not a period says what was
// wrong with it, then how to name one, with an example of each form.
func TestParsePresetRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, why string }{
		{"", "no period given"},
		{"   ", "no period given"},
		{"next quarter", `"next quarter" is not a period: not a name Onward knows`},
		{"2026-28", "a financial year ends in the year after it starts, so 2026 is followed by 27 (2026-27)"},
		{"2026-2028 Q2", "so 2026 is followed by 27 (2026-27)"},
		{"2026-27 Q5", `there is no quarter "Q5": a financial year's quarters are Q1 (April to June), Q2, Q3 and Q4 (January to March)`},
		{"2026-27 Q", `there is no quarter "Q"`},
		{"2026-27 Qthree", `there is no quarter "Qthree"`},
		{"Octember 2026", `"octember" is not a month`},
		{"2026-10-01", "not a name Onward knows"},
	} {
		_, err := report.ParsePreset(tc.name)
		if err == nil {
			t.Errorf("%q: read, want refused", tc.name)
			continue
		}
		for _, want := range []string{tc.why, `"this quarter"`, `"2026-27"`, `"2026-27 Q3"`, `"October 2026"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: %v\nwant it to say %q", tc.name, err, want)
			}
		}
	}
}

// TestPeriodOn: a period counted on a day before its end is cut at that
// day and says "so far"; one not begun is refused saying when it starts.
func TestPeriodOn(t *testing.T) {
	t.Parallel()
	q3 := report.Quarter(2026, 3)
	for _, tc := range []struct{ today, text, file, err string }{
		{"2027-01-01", "2026-27 Q3 (1 October – 31 December 2026)", "2026-27-Q3", ""},
		{"2026-12-31", "2026-27 Q3 (1 October – 31 December 2026)", "2026-27-Q3", ""},
		{"2026-11-23", "2026-27 Q3 so far (1 October – 23 November 2026)", "2026-27-Q3-to-2026-11-23", ""},
		{"2026-10-01", "2026-27 Q3 so far (1 October 2026)", "2026-27-Q3-to-2026-10-01", ""},
		{"2026-09-30", "", "", "2026-27 Q3 has not begun: it starts on 1 October 2026"},
	} {
		s, err := q3.On(day0(t, tc.today))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("on %s: %v, want %q", tc.today, err, tc.err)
			}
			continue
		}
		if err != nil || s.String() != tc.text || s.FileName() != tc.file {
			t.Errorf("on %s: %q %q %v, want %q %q", tc.today, s, s.FileName(), err, tc.text, tc.file)
		}
	}
	// Outside the days Onward reports on, the period says so by CheckPeriod's rule.
	for _, tc := range []struct {
		p   report.Period
		err string
	}{
		{report.FinancialYear(1999), "1999-00: the start date must be 2000-01-01 or later (Onward reports on days from 2000-01-01 to 2099-12-31)"},
		{report.FinancialYear(2099), "2099-00: the end date must be 2099-12-31 or earlier"},
	} {
		if _, err := tc.p.On(day0(t, "2100-06-01")); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.p, err, tc.err)
		}
	}
	if s, _ := report.FinancialYear(2025).On(day0(t, "2026-11-23")); s.String() != "2025-26 (1 April 2025 – 31 March 2026)" {
		t.Errorf("2025-26: %q", s)
	}
	if s, _ := report.Month(2026, time.October).On(day0(t, "2026-11-23")); s.String() != "October 2026 (1 – 31 October 2026)" {
		t.Errorf("October 2026: %q", s)
	}
}

// FuzzParsePreset: whatever is typed, the parser answers without
// panicking; what it reads has a name that reads back as itself, and
// names days, the first not after the last, that Onward reports on.
func FuzzParsePreset(f *testing.F) {
	for _, s := range []string{"this month", "last month", "this quarter", "last quarter", "this financial year",
		"last financial year", "2026-27", "2026/27", "2026-2027 Q4", "2026-27 q3", "2026-27 Q5", "2026-28",
		"October 2026", "oct 2026", "Octember 2026", "1999-00", "2099-00", "", " ", "2026-27 Q", "２０２６-27"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, name string, days int64) {
		p, err := report.ParsePreset(name)
		if err != nil {
			if !strings.Contains(err.Error(), report.PeriodForms) {
				t.Fatalf("%q: refused without saying how to name a period: %v", name, err)
			}
			return
		}
		if again, err := report.ParsePreset(p.String()); err != nil || again != p {
			t.Fatalf("%q read as %q, which reads as %v, %v", name, p, again, err)
		}
		today := report.Earliest.AddDate(0, 0, int(days%40000))
		period := p.Period(today)
		if again, err := report.ParsePreset(period.String()); err != nil || again.Period(today) != period {
			t.Fatalf("%q on %s is %q, which reads as %v, %v", name, today, period, again, err)
		}
		if period.Last().Before(period.First()) {
			t.Fatalf("%q: %s ends before it starts", name, period)
		}
		if shown, err := period.On(today); err == nil && (shown.To.After(today) || shown.To.Before(shown.From)) {
			t.Fatalf("%q on %s shows %s", name, today, shown)
		}
	})
}

// TestPresetReportIsTheDatesReport: a report for a preset, read on the
// network's day now, is the report for the same days typed as dates —
// every report, a whole financial year and a quarter so far.
func TestPresetReportIsTheDatesReport(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	// Half past eleven at night UTC on 30 September is already 1 October
	// in London (BST): the network's day, so Q3 has begun.
	env.Clock.Set(time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC))
	if today, err := rp.Today(ctx); err != nil || !today.Equal(day0(t, "2026-10-01")) {
		t.Fatalf("today at 23:30 UTC on 30 September: %s %v, want 2026-10-01", today, err)
	}
	env.Clock.Set(time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC))
	today, err := rp.Today(ctx)
	if err != nil || !today.Equal(day0(t, "2026-11-23")) {
		t.Fatalf("today: %s %v, want 2026-11-23", today, err)
	}
	for _, tc := range []struct{ preset, from, to, line string }{
		{"last financial year", "2025-04-01", "2026-03-31", "2025-26 (1 April 2025 – 31 March 2026)"},
		{"this quarter", "2026-10-01", "2026-11-23", "2026-27 Q3 so far (1 October – 23 November 2026)"},
		{"2026-27 Q2", "2026-07-01", "2026-09-30", "2026-27 Q2 (1 July – 30 September 2026)"},
	} {
		p, err := report.ParsePreset(tc.preset)
		if err != nil {
			t.Fatal(err)
		}
		shown, err := p.On(today)
		if err != nil || shown.String() != tc.line {
			t.Fatalf("%s: %q %v, want %q", tc.preset, shown, err, tc.line)
		}
		counted := false
		for _, spec := range report.List() {
			byPreset, err := rp.Run(ctx, spec.Name, report.Filter{From: shown.From, To: shown.To}, report.Viewer{Network: true})
			if err != nil {
				t.Fatal(err)
			}
			byDates, err := rp.Run(ctx, spec.Name, testFilter{from: tc.from, to: tc.to}.filter(), report.Viewer{Network: true})
			if err != nil {
				t.Fatal(err)
			}
			var a, b bytes.Buffer
			if err := byPreset.WriteJSON(&a); err != nil {
				t.Fatal(err)
			}
			if err := byDates.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("%s, %s: the preset's report differs from the dates' %s to %s:\n%s\nwant\n%s", spec.Name, tc.preset, tc.from, tc.to, a.String(), b.String())
			}
			if spec.Name == "partners" && len(byPreset.Rows) > 0 {
				total := byPreset.Rows[len(byPreset.Rows)-1]
				counted = total[len(total)-1].Text != "0"
			}
		}
		if !counted {
			t.Errorf("%s: the partners report counted nothing, so the comparison shows little", tc.preset)
		}
	}
}
