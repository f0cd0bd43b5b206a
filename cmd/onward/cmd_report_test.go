package main

import (
	"bytes"
	"context"
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
