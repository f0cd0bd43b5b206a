package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// TestReportPeriodFlag: `onward report NAME --period "2025-26 Q1"`
// counts the quarter's days, the same figures as its dates typed; a
// period that cannot be read, one not begun, or a period given with
// dates is a usage error (exit 2) saying what was wrong and, for a name,
// an example of each form a period takes.
func TestReportPeriodFlag(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	for i, at := range []time.Time{
		time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC), // Q4 of 2024-25: not counted
		time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC),
	} {
		env.Clock.Set(at)
		in := coretest.SelfReferral(fmt.Sprintf("cli-period-%d", i))
		in.Client.Phone = fmt.Sprintf("07700 900%03d", 200+i)
		if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := dispatch(ctx, append([]string{"report"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, byPeriod, said := run("partners", "--period", "2025-26 q1", "--format", "csv")
	if code != 0 || !strings.Contains(said, "counting 2025-26 Q1 (1 April – 30 June 2025)") {
		t.Fatalf("--period: exit %d, %q", code, said)
	}
	_, byDates, _ := run("partners", "--from", "2025-04-01", "--to", "2025-06-30", "--format", "csv")
	if byPeriod != byDates || !strings.Contains(byPeriod, "\nTotal,2,2\n") {
		t.Errorf("the quarter's report:\n%s\nthe same dates':\n%s", byPeriod, byDates)
	}
	// A preset moving with the day is read on the network's day.
	if code, _, said := run("outcomes", "--period", "last financial year"); code != 0 || !strings.Contains(said, "counting 20") {
		t.Errorf("--period last financial year: exit %d, %q", code, said)
	}

	for _, tc := range []struct {
		args  []string
		words []string
	}{
		{[]string{"--period", "2025-26 Q5"}, []string{`--period: "2025-26 Q5" is not a period: there is no quarter "Q5"`,
			`"this quarter"`, `"2026-27"`, `"2026-27 Q3"`, `"October 2026"`}},
		{[]string{"--period", "next quarter"}, []string{`"next quarter" is not a period`, `like "2026-27 Q3"`}},
		{[]string{"--period", "2025-27"}, []string{"so 2025 is followed by 26 (2025-26)"}},
		{[]string{"--period", "2098-99"}, []string{"--period: 2098-99 has not begun: it starts on 1 April 2098"}},
		{[]string{"--period", "2025-26", "--from", "2025-04-01"}, []string{"give --period or --from and --to, not both"}},
		{[]string{"--to", "2025-06-30", "--period", "this quarter"}, []string{"give --period or --from and --to, not both"}},
		{[]string{"--listing", "--format", "table"}, []string{"--listing is for --format csv, not table"}},
	} {
		code, out, said := run(append([]string{"outcomes"}, tc.args...)...)
		if code != exitUsage || out != "" {
			t.Errorf("%q: exit %d, %q; want %d (a usage error) and nothing printed", tc.args, code, out, exitUsage)
		}
		for _, w := range tc.words {
			if !strings.Contains(said, w) {
				t.Errorf("%q: %q\nwant it to say %q", tc.args, said, w)
			}
		}
	}
}

// TestReportUsageMistakes: every mistake in how `onward report` is
// called — a day not written YYYY-MM-DD, an end before the start, a day
// Onward does not report on, a report, format, need or agency it does not
// know, a stray word, an unknown flag — is a usage error like a bad
// --period: exit 2, nothing printed, and a message naming the flag and
// what it takes.
func TestReportUsageMistakes(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	for _, tc := range []struct {
		args  []string
		words []string
	}{
		{[]string{"outcomes", "--from", "01/04/2025"}, []string{"--from must be a day written YYYY-MM-DD", `not "01/04/2025"`}},
		{[]string{"outcomes", "--from", "2025-04-01", "--to", "2025-13-01"}, []string{"--to must be a day written YYYY-MM-DD", `not "2025-13-01"`}},
		{[]string{"outcomes", "--from", "2025-04-01", "--to", "2025-03-01"}, []string{"--to: the end date must not be before the start date"}},
		{[]string{"outcomes", "--from", "1999-12-31", "--to", "2025-03-01"}, []string{"--from: the start date must be 2000-01-01 or later"}},
		{[]string{"outcomes", "--from", "2099-01-01"}, []string{"--from: 2099-01-01 is after today"}},
		{[]string{"no-such-report"}, []string{`no report named "no-such-report"`}},
		{[]string{"outcomes", "--format", "xml"}, []string{`--format must be csv, json or table, not "xml"`}},
		{[]string{"outcomes", "--need", "pets"}, []string{`--need: "pets" is not a need`}},
		{[]string{"outcomes", "--agency", "no-such-agency"}, []string{`--agency: no agency has the short name "no-such-agency"`}},
		{[]string{"outcomes", "extra"}, []string{`does not take "extra"`}},
		{[]string{"outcomes", "--frmo", "2025-04-01"}, []string{"-frmo"}},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(ctx, append([]string{"report"}, tc.args...), &stdout, &stderr)
		// An unknown flag prints the usage too, as every command's does.
		if code != exitUsage || (stdout.Len() != 0 && tc.args[1] != "--frmo") {
			t.Errorf("%q: exit %d, printed %q; want %d (a usage error) and nothing printed", tc.args, code, stdout.String(), exitUsage)
		}
		for _, w := range tc.words {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: %q\nwant it to say %q", tc.args, stderr.String(), w)
			}
		}
	}
}

// TestReportDefaultDaysAreTheNetworks: with neither --period nor dates,
// `onward report` counts the twelve months to today on the network's
// calendar, not the machine's: a network on the far side of the date
// line from the machine gets its own today.
func TestReportDefaultDaysAreTheNetworks(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	// Between them the two zones are a day either side of UTC at every
	// hour: Kiritimati is 14 hours ahead, Pago Pago 11 behind.
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		if _, err := env.Pool.Exec(ctx, `UPDATE network_settings SET timezone = $1`, zone); err != nil {
			t.Fatal(err)
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		before := time.Now().In(loc).Format(time.DateOnly)
		if code := dispatch(ctx, []string{"report", "outcomes", "--format", "json"}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", zone, code, stderr.String())
		}
		after := time.Now().In(loc).Format(time.DateOnly)
		var doc struct{ From, To string }
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.To != before && doc.To != after {
			t.Errorf("%s: the default days end on %s; today there is %s", zone, doc.To, after)
		}
		to, _ := time.Parse(time.DateOnly, doc.To)
		if want := to.AddDate(-1, 0, 1).Format(time.DateOnly); doc.From != want {
			t.Errorf("%s: the default days start on %s, want %s", zone, doc.From, want)
		}
		if !strings.Contains(stderr.String(), "counting the twelve months to today") {
			t.Errorf("%s: the command does not say which days it counts: %q", zone, stderr.String())
		}
	}
}

// TestReportWholeWait: `onward report whole-wait` prints how long
// clients waited in all as a table, JSON and a CSV of one table.
func TestReportWholeWait(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	for i := range 2 {
		env.Clock.Set(time.Date(2025, 5, 6+i, 9, 0, 0, 0, time.UTC))
		in := coretest.SelfReferral(fmt.Sprintf("cli-whole-wait-%d", i))
		in.Client.Phone = fmt.Sprintf("07700 900%03d", 300+i)
		if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	run := func(format string) string {
		var stdout, stderr bytes.Buffer
		if code := dispatch(ctx, []string{"report", "whole-wait", "--from", "2025-04-01", "--to", "2025-06-30", "--format", format}, &stdout, &stderr); code != 0 {
			t.Fatalf("--format %s: exit %d: %s", format, code, stderr.String())
		}
		return stdout.String()
	}
	if table := run("table"); !strings.Contains(table, "How long clients waited in all, 1 Apr 2025 to 30 Jun 2025") ||
		!strings.Contains(table, "Still waiting for contact") || !strings.Contains(table, "What it counts: New requests for help") {
		t.Errorf("table:\n%s", table)
	}
	var doc struct {
		Report  string   `json:"report"`
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	}
	if err := json.Unmarshal([]byte(run("json")), &doc); err != nil || doc.Report != "whole-wait" || len(doc.Rows) != 3 {
		t.Fatalf("json: %+v (%v)", doc, err)
	}
	if all := doc.Rows[2]; all[0] != "All requests" || all[1] != 2.0 || all[3] != 2.0 {
		t.Errorf("json: all requests %v; want 2 requests, 2 still waiting", all)
	}
	recs, err := csv.NewReader(strings.NewReader(run("csv"))).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse as one table: %v", err)
	}
	if len(recs) != 4 || recs[0][0] != "Requests for help" || recs[3][0] != "All requests" || recs[3][1] != "2" {
		t.Errorf("csv: %q", recs)
	}
}

// TestReportOpenAsAt: `onward report open-as-at --period 2025-26` prints
// the referrals open at the end of the financial year, saying the moment,
// as a table, JSON and a CSV of one table.
func TestReportOpenAsAt(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev")
	for i := range 2 {
		env.Clock.Set(time.Date(2026, 3, 2+i, 9, 0, 0, 0, time.UTC))
		in := coretest.SelfReferral(fmt.Sprintf("cli-open-as-at-%d", i))
		in.Client.Phone = fmt.Sprintf("07700 900%03d", 300+i)
		if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	run := func(format string) string {
		var stdout, stderr bytes.Buffer
		if code := dispatch(ctx, []string{"report", "open-as-at", "--period", "2025-26", "--format", format}, &stdout, &stderr); code != 0 {
			t.Fatalf("--format %s: exit %d: %s", format, code, stderr.String())
		}
		return stdout.String()
	}
	if table := run("table"); !strings.Contains(table, "Open referrals as at a date, 1 Apr 2025 to 31 Mar 2026") ||
		!strings.Contains(table, "As at 23:59 BST on 31 March 2026, the end of the dates.") || !strings.Contains(table, "Waiting for the agency's answer") {
		t.Errorf("table:\n%s", table)
	}
	var doc struct {
		Report string  `json:"report"`
		AsAt   string  `json:"as_at"`
		Rows   [][]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(run("json")), &doc); err != nil || doc.Report != "open-as-at" || doc.AsAt != "2026-04-01T00:00:00+01:00" {
		t.Fatalf("json: %+v (%v)", doc, err)
	}
	if total := doc.Rows[len(doc.Rows)-1]; total[0] != "Total" || total[1] != 2.0 {
		t.Errorf("json: total row %v; want 2 open", total)
	}
	recs, err := csv.NewReader(strings.NewReader(run("csv"))).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse as one table: %v", err)
	}
	if last := recs[len(recs)-1]; recs[0][0] != "Agency" || last[0] != "Total" || last[1] != "2" {
		t.Errorf("csv: %q", recs)
	}
}
