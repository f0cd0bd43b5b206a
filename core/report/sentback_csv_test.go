package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestSentBackCSVIsOneTable: the sent-back report's CSV is one table —
// one header row, the same number of fields on every row, as Go's csv
// reader (and a spreadsheet, or a funder's import script) insists — and
// its feedback, one row per referral sent back, is a CSV table of its
// own, not a second table under the figures.
func TestSentBackCSVIsOneTable(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	ctx := context.Background()
	at := day("2026-03-02", 0)
	for i, fb := range []string{"Outside our area of benefit", "=Not in our area, either"} {
		r := s.staff(at.Add(time.Duration(i)*time.Hour), env.Net.Adviser, env.Net.Welfare, core.NeedBenefits)
		s.act(r, time.Hour, core.ActionReject, env.Net.WelfareAdviser, reject(core.ReasonNotEligible, fb))
	}
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: day("2026-03-01", 0), To: day("2026-03-31", 0)}
	r, err := rp.Run(ctx, "sent-back", f, report.ViewerFor(env.Net.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	if r.Listing == nil || len(r.Listing.Rows) != 2 {
		t.Fatalf("the report should list the feedback on both referrals sent back: %+v", r.Listing)
	}
	read := func(write func(*bytes.Buffer) error) [][]string {
		t.Helper()
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll() // FieldsPerRecord 0: every row as wide as the first
		if err != nil {
			t.Fatalf("the CSV is not one table: %v\n%s", err, b.String())
		}
		return recs
	}
	figures := read(func(b *bytes.Buffer) error { return r.WriteCSV(b) })
	if !slices.Equal(figures[0], r.Columns) || len(figures) != len(r.Rows)+1 {
		t.Errorf("the figures' CSV: %q, want the header %q and %d rows", figures, r.Columns, len(r.Rows))
	}
	feedback := read(func(b *bytes.Buffer) error { return r.WriteListingCSV(b) })
	if !slices.Equal(feedback[0], []string{"Day", "Referrer", "Sent to", "Reason", "Feedback"}) || len(feedback) != 3 ||
		feedback[1][4] != "'=Not in our area, either" || feedback[2][4] != "Outside our area of benefit" {
		t.Errorf("the feedback's CSV: %q", feedback)
	}
	// Published, the feedback stays inside the network: there is none
	// to write, and asking says so.
	pub, err := rp.Run(ctx, "sent-back", f, report.Viewer{}.Published())
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.WriteListingCSV(&bytes.Buffer{}); !errors.Is(err, report.ErrNoListing) {
		t.Errorf("a published report's listing: %v, want ErrNoListing", err)
	}
}
