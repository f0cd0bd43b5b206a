package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

const reportUsage = `Usage: onward report list
       onward report NAME [--period NAME | --from YYYY-MM-DD --to YYYY-MM-DD] [--agency SLUG] [--need CODE] [--publish] [--format csv|json|table] [--listing]

Print one of the network's reports, from the database (ONWARD_DATABASE_URL),
after bringing the report rollups up to date. Dates are days in the
network's time zone, written YYYY-MM-DD, both included, on when referrals
were made; the default is the twelve months to today on the network's
calendar (not the machine's). --period names the days instead of --from
and --to: "this month", "last month", "this quarter", "last quarter",
"this financial year", "last financial year", a financial year
("2026-27", 1 April 2026 to 31 March 2027), a quarter of one ("2026-27
Q3", October to December 2026; Q1 is April to June) or a month ("October
2026"); one not over yet is counted to today. --agency keeps referrals
sent to or from one agency (by its short name), --need those asking for
one need. A day, period, format, need, agency or report name that cannot
be read is a usage error: it exits 2, saying which flag and what it takes.

A CSV is one table. The sent-back report's feedback, one line per referral
sent back, is a table of its own: --listing --format csv prints it in
place of the figures (the table and JSON formats show both).

The command line is run by the network's operators, so it prints exact
figures. --publish marks the output for publication beyond the network:
counts from 1 to 4 show as <5 and rates, medians and means from fewer
than 5 referrals as "too few to show" (in CSV and JSON those figures are
empty, with a _suppressed column beside each saying so).

Flags:
`

func init() {
	register(command{name: "report", summary: "print a report as a table, CSV or JSON (report list names them)", run: runReport})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", reportUsage, stdout, stderr)
	from := fs.String("from", "", "first `day` (YYYY-MM-DD); default a year before --to")
	to := fs.String("to", "", "last `day` (YYYY-MM-DD); default today, on the network's calendar")
	period := fs.String("period", "", "a `period` in place of --from and --to: \"2026-27 Q3\", \"2026-27\", \"last quarter\", \"October 2026\"")
	agency := fs.String("agency", "", "only referrals to or from the agency with this short `name`")
	need := fs.String("need", "", "only referrals asking for this need `code` (debt, benefits, housing, …)")
	format := fs.String("format", "table", "csv, json or table")
	publish := fs.Bool("publish", false, "suppress small numbers, for publication beyond the network")
	listing := fs.Bool("listing", false, "with --format csv, print the report's list of words (the sent-back report's feedback) in place of its figures")
	words, err := parseFlags(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	name := ""
	if len(words) > 0 {
		name = words[0]
	}
	if len(words) > 1 {
		return usageError{strayWords("report", words[1:])}
	}
	if name == "list" {
		for _, s := range report.List() {
			fmt.Fprintf(stdout, "%-20s %s: %s\n", s.Name, s.Title, s.Description)
		}
		return nil
	}
	if name == "" {
		fs.Usage()
		return usageError{errors.New("name a report (onward report list shows them)")}
	}
	if _, ok := report.Lookup(name); !ok {
		return usageError{fmt.Errorf("no report named %q (onward report list shows them)", name)}
	}
	if !slices.Contains(report.Formats, *format) {
		return usageError{fmt.Errorf("--format must be csv, json or table, not %q", *format)}
	}
	if *listing && *format != "csv" {
		return usageError{fmt.Errorf("--listing is for --format csv, not %s: the table and JSON show the list with the figures", *format)}
	}
	var preset report.Preset
	if *period != "" {
		if *from != "" || *to != "" {
			return usageError{errors.New("give --period or --from and --to, not both: a period names its own days")}
		}
		if preset, err = report.ParsePreset(*period); err != nil {
			return usageError{fmt.Errorf("--period: %w", err)}
		}
	}
	days, err := parseReportDays(*from, *to)
	if err != nil {
		return err
	}
	var f report.Filter
	if *need != "" {
		if f.Need, err = core.ParseNeed(*need); err != nil {
			return usageError{fmt.Errorf("--need: %w", err)}
		}
	}

	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	rp := report.New(pool, core.SystemClock{}).WithSMSSegmentCost(cfg.SMSSegmentCost)
	if *agency != "" {
		if f.Agency, err = rp.AgencyID(ctx, *agency); errors.Is(err, core.ErrNotFound) {
			return usageError{fmt.Errorf("--agency: no agency has the short name %q (onward agency list shows them)", *agency)}
		} else if err != nil {
			return fmt.Errorf("--agency: %w", err)
		}
	}
	// Every period is read on the network's calendar day, not the
	// machine's: a server in UTC, or a laptop abroad, counts the same
	// days as the staff web.
	today, err := rp.Today(ctx)
	if err != nil {
		return err
	}
	if !preset.IsZero() {
		shown, err := preset.On(today)
		if err != nil {
			return usageError{fmt.Errorf("--period: %w", err)}
		}
		f.From, f.To = shown.From, shown.To
		fmt.Fprintf(stderr, "counting %s\n", shown)
	} else {
		if f.From, f.To, err = days.on(today); err != nil {
			return err
		}
		if days.from.IsZero() && days.to.IsZero() {
			fmt.Fprintf(stderr, "counting the twelve months to today (%s)\n", report.DaysText(f.From, f.To))
		}
	}
	start := time.Now()
	res, err := rp.Refresh(ctx)
	if err != nil {
		return err
	}
	if res.Full {
		fmt.Fprintf(stderr, "report rollups rebuilt (%d days) in %s\n", res.Days, time.Since(start).Round(time.Millisecond))
	}
	r, err := rp.Run(ctx, name, f, report.Viewer{Network: true, Publish: *publish})
	if err != nil {
		return err
	}
	if !*publish {
		fmt.Fprintln(stderr, "exact figures, small numbers included: for the network only (--publish suppresses them)")
	}
	if *listing {
		return r.WriteListingCSV(stdout)
	}
	return r.Write(stdout, *format)
}

// reportDays are the days --from and --to gave, zero where not given.
type reportDays struct{ from, to time.Time }

// parseReportDays reads --from and --to. A day not written YYYY-MM-DD is
// a usage error (exit 2), as a period that cannot be read is, naming its
// flag and the form it takes.
func parseReportDays(from, to string) (reportDays, error) {
	var d reportDays
	for _, flagDay := range []struct {
		flag, value, example string
		day                  *time.Time
	}{{"--from", from, "2025-04-01", &d.from}, {"--to", to, "2026-03-31", &d.to}} {
		if flagDay.value == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, flagDay.value)
		if err != nil {
			return d, usageError{fmt.Errorf("%s must be a day written YYYY-MM-DD, like %s, not %q", flagDay.flag, flagDay.example, flagDay.value)}
		}
		*flagDay.day = day
	}
	return d, nil
}

// on is the days to count, given today on the network's calendar: --to,
// or else today; --from, or else a year before that, so the default is
// the twelve months to today. Days the reports cannot count (an end
// before the start, a year Onward holds nothing of) are a usage error
// naming the flag to fix.
func (d reportDays) on(today time.Time) (from, to time.Time, err error) {
	to, from = d.to, d.from
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDate(-1, 0, 1)
	}
	if d.to.IsZero() && from.After(to) {
		return from, to, usageError{fmt.Errorf("--from: %s is after today (%s, on the network's calendar); give --to as well, or an earlier --from",
			from.Format(time.DateOnly), to.Format(time.DateOnly))}
	}
	if field, msg := report.CheckPeriod(from, to); field != "" {
		return from, to, usageError{fmt.Errorf("--%s: %s (the days counted were %s to %s)", field, msg,
			from.Format(time.DateOnly), to.Format(time.DateOnly))}
	}
	return from, to, nil
}
