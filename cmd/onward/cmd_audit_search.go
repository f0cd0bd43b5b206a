package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// auditSearchFlags are `onward audit search`'s flags: core's search
// (core.AuditQuery), who runs it, and how it is printed.
type auditSearchFlags struct {
	by      string
	q       core.AuditQuery
	partner int64
	csv     bool
}

func (f *auditSearchFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.by, "by", "", "the `email` of the coordinator or admin searching, for the audit log")
	fs.StringVar(&f.q.StaffEmail, "staff", "", "what this member of staff did, by `email`")
	fs.StringVar(&f.q.AgencySlug, "agency", "", "what was done for this agency, by its `slug`")
	fs.Int64Var(&f.partner, "partner", 0, "what this partner system did, by its `id` (onward partner list)")
	fs.StringVar(&f.q.Kind, "kind", "", "one `kind` of event, from the list above")
	fs.StringVar(&f.q.From, "from", "", "on or after this `day`, YYYY-MM-DD")
	fs.StringVar(&f.q.To, "to", "", "on or before this `day`, YYYY-MM-DD")
	fs.IntVar(&f.q.Limit, "limit", 50, "at most this many `events` (500 at most)")
	fs.StringVar(&f.q.After, "after", "", "the older events after this `cursor`, as the search before printed it")
	fs.BoolVar(&f.csv, "csv", false, "write every event of the search as CSV")
}

// run searches as the member of staff --by names (a coordinator or
// admin, as operatorBy requires) and prints a page, or the CSV of the
// whole search.
func (f auditSearchFlags) run(ctx context.Context, eng *core.Engine, stdout io.Writer) error {
	by, err := operatorBy(ctx, eng, f.by, "search the audit log")
	if err != nil {
		return err
	}
	cal, err := eng.Calendar(ctx)
	if err != nil {
		return err
	}
	loc := cal.Location
	if loc == nil {
		loc = time.UTC
	}
	f.q.Partner, f.q.Via = core.PartnerID(f.partner), "cli"
	if f.csv {
		table := report.Report{Columns: core.AuditColumns}
		if err := eng.EachAuditEntry(ctx, f.q, by, func(a core.AuditEntry) error {
			table.Rows = append(table.Rows, report.TextRow(a.Cells(loc)))
			return nil
		}); err != nil {
			return err
		}
		return table.WriteCSV(stdout)
	}
	page, err := eng.SearchAudit(ctx, f.q, by)
	if err != nil {
		return err
	}
	if len(page.Entries) == 0 {
		fmt.Fprintln(stdout, "Nothing in the audit log matches this search.")
	} else {
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EVENT\tAT\tKIND\tBY\tAGENCY\tTHROUGH\tREFERRALS\tABOUT\tDETAIL")
		for _, a := range page.Entries {
			c := a.Cells(loc)
			fmt.Fprintln(w, strings.Join([]string{c[0], c[1], c[2], c[4], dash(c[5]), dash(c[6]), dash(c[7]), dash(c[8]), dash(c[9])}, "\t"))
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if len(page.Versions) > 0 {
		fmt.Fprintln(stdout, "\nConsents given, by wording version:")
		for _, v := range page.Versions {
			fmt.Fprintf(stdout, "  %s: %d\n", dash(v.Version), v.Count)
		}
	}
	if page.Next != "" {
		fmt.Fprintf(stdout, "\nThere are older events: add --after %s\n", page.Next)
	}
	return nil
}

// dash shows an empty column as "-", so the table's columns stay apart.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
