package report_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/coretest/localserver"
	"github.com/onward-network/onward/core/report"
)

// TestReportsFromAReplica answers reports from a real streaming replica:
// with its replay paused it still gives the figures from before the
// latest referral (so the answer came from it), and when it stops the
// same report is answered from the primary, with the new referral, and
// no error.
func TestReportsFromAReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := localserver.StartPostgres(t)
	replica := primary.StartReplica(t)
	open := func(url string) *pgxpool.Pool {
		p, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	pp, rp := open(primary.URL("postgres")), open(replica.URL("postgres"))
	if _, err := core.Migrate(ctx, pp); err != nil {
		t.Fatal(err)
	}
	eng, clock, _, _ := coretest.NewEngine(t, pp)
	coretest.Seed(t, eng, pp)
	refer := func(key string) {
		t.Helper()
		if _, err := eng.SelfRefer(ctx, coretest.SelfReferral(key)); err != nil {
			t.Fatal(err)
		}
	}
	onPrimary := report.New(pp, clock)
	readers := core.NewReaders(pp, rp, time.Hour)
	viaReaders := report.New(pp, clock).ReadFrom(readers)
	f := report.Filter{From: clock.Now().AddDate(0, 0, -1), To: clock.Now().AddDate(0, 0, 1)}
	run := func(rp *report.Reports) report.Report {
		t.Helper()
		r, err := rp.Run(ctx, "demand-need", f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	refer("replica-1")
	if _, err := onPrimary.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	replica.WaitReplayed(t)
	before := run(onPrimary)

	if _, err := rp.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	refer("replica-2")
	if _, err := onPrimary.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	after := run(onPrimary)
	if reflect.DeepEqual(before.Rows, after.Rows) {
		t.Fatal("the second referral did not change the report: the test proves nothing")
	}
	if got := run(viaReaders); !reflect.DeepEqual(got.Rows, before.Rows) {
		t.Fatalf("report via the readers is not the paused replica's:\n got %v\nwant %v", got.Rows, before.Rows)
	}

	// The replica disappears: the report comes from the primary.
	if err := replica.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := run(viaReaders); !reflect.DeepEqual(got.Rows, after.Rows) {
		t.Fatalf("with the replica stopped, want the primary's report:\n got %v\nwant %v", got.Rows, after.Rows)
	}
	if fb := readers.Fallbacks(); fb["error"]+fb["down"] == 0 {
		t.Fatalf("the fallback to the primary was not counted: %v", fb)
	}
}
