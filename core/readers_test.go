package core_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/coretest/localserver"
)

// openPool opens a pool on url, closed when the test ends.
func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// readCount reads through readers how many rows t holds and whether the
// server that answered is a standby.
func readCount(t *testing.T, readers *core.Readers) (n int, fromReplica bool) {
	t.Helper()
	err := readers.Read(context.Background(), func(db core.DB) error {
		return db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM t), pg_is_in_recovery()`).Scan(&n, &fromReplica)
	})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return n, fromReplica
}

// TestReadersFollowTheReplicaWithinItsLag runs against a real streaming
// replica: reads go to it while it keeps up, to the primary (counted) once
// paused replay leaves it further behind than allowed, back to it when it
// catches up, and to the primary when it stops — even in the middle of a
// read.
func TestReadersFollowTheReplicaWithinItsLag(t *testing.T) {
	// Not in parallel: it reads the paused replica within its 3 s lag
	// bound, on the wall clock, so it runs before the package's others.
	ctx := context.Background()
	primary := localserver.StartPostgres(t)
	replica := primary.StartReplica(t)
	pp, rp := openPool(t, primary.URL("postgres")), openPool(t, replica.URL("postgres"))
	exec := func(pool *pgxpool.Pool, sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(pp, `CREATE TABLE t (x int)`)
	exec(pp, `INSERT INTO t VALUES (1)`)
	replica.WaitReplayed(t)

	const maxLag = 3 * time.Second
	readers := core.NewReaders(pp, rp, maxLag)
	// The first lag check can miss on a busy machine (a new connection
	// past its deadline, or WAL the primary wrote since): the replica is
	// read within a few checks, each trusted for a second.
	fromReplicaSoon := func(want int) (int, bool) {
		t.Helper()
		n, fromReplica := readCount(t, readers)
		for deadline := time.Now().Add(15 * time.Second); (n != want || !fromReplica) && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			n, fromReplica = readCount(t, readers)
		}
		return n, fromReplica
	}
	if n, fromReplica := fromReplicaSoon(1); n != 1 || !fromReplica {
		t.Fatalf("caught-up replica: read %d rows, from the replica %v; want 1 from the replica", n, fromReplica)
	}
	lagBefore := readers.Fallbacks()["lag"]

	// Replay paused: the replica misses the new row but is read while it
	// is less than maxLag behind — proof the reads come from it.
	// A fresh transaction replayed first, so the replica's lag (at most
	// the age of the last one it replayed) starts near nothing however
	// long the wait above took.
	exec(pp, `CREATE TABLE tick (x int)`)
	replica.WaitReplayed(t)
	exec(rp, `SELECT pg_wal_replay_pause()`)
	exec(pp, `INSERT INTO t VALUES (2)`)
	if n, fromReplica := readCount(t, readers); n != 1 || !fromReplica {
		t.Fatalf("replica just behind: read %d rows, from the replica %v; want 1 (the stale answer) from the replica", n, fromReplica)
	}
	if fb := readers.Fallbacks(); fb["lag"] != lagBefore {
		t.Fatalf("fallbacks before the lag bound: %v", fb)
	}

	// Past the bound: the primary answers, and /metrics says so.
	time.Sleep(maxLag + 1500*time.Millisecond)
	if n, fromReplica := readCount(t, readers); n != 2 || fromReplica {
		t.Fatalf("replica past its lag bound: read %d rows, from the replica %v; want 2 from the primary", n, fromReplica)
	}
	if fb := readers.Fallbacks(); fb["lag"] <= lagBefore {
		t.Fatalf("a read passed over for lag was not counted: %v", fb)
	}
	var m bytes.Buffer
	readers.WriteMetrics(&m)
	for _, want := range []string{"onward_db_replica_reading 0\n", "onward_db_replica_up 1\n"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.String())
		}
	}
	if strings.Contains(m.String(), `onward_db_replica_fallbacks_total{reason="lag"} 0`) {
		t.Errorf("metrics count no lag fallback:\n%s", m.String())
	}

	// Caught up again: back to the replica.
	exec(rp, `SELECT pg_wal_replay_resume()`)
	replica.WaitReplayed(t)
	time.Sleep(1100 * time.Millisecond) // one lag check's lifetime
	if n, fromReplica := fromReplicaSoon(2); n != 2 || !fromReplica {
		t.Fatalf("caught up again: read %d rows, from the replica %v; want 2 from the replica", n, fromReplica)
	}

	// The replica goes away half-way through a read: the whole read is
	// answered again from the primary, not an error.
	// A read on a busy machine may already have been answered again from
	// the primary (a replay conflict, a slow connection): count from here.
	errorsBefore := readers.Fallbacks()["error"]
	calls := 0
	var n int
	var fromReplica bool
	err := readers.Read(ctx, func(db core.DB) error {
		calls++
		if calls == 1 {
			if err := db.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
				return err
			}
			if err := replica.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		return db.QueryRow(ctx, `SELECT (SELECT count(*) FROM t), pg_is_in_recovery()`).Scan(&n, &fromReplica)
	})
	if err != nil {
		t.Fatalf("read while the replica stopped: %v", err)
	}
	if calls != 2 || n != 2 || fromReplica {
		t.Fatalf("read while the replica stopped: %d calls, %d rows, from the replica %v; want 2 calls ending on the primary", calls, n, fromReplica)
	}
	if fb := readers.Fallbacks(); fb["error"] != errorsBefore+1 {
		t.Fatalf("the failed read was not counted: %v", fb)
	}
	// And while it stays away, reads go straight to the primary.
	if n, fromReplica := readCount(t, readers); n != 2 || fromReplica {
		t.Fatalf("replica down: read %d rows, from the replica %v", n, fromReplica)
	}
	if fb := readers.Fallbacks(); fb["down"] < 1 {
		t.Fatalf("reads passed over for a down replica were not counted: %v", fb)
	}
	m.Reset()
	readers.WriteMetrics(&m)
	if !strings.Contains(m.String(), "onward_db_replica_up 0\n") {
		t.Errorf("metrics do not show the replica down:\n%s", m.String())
	}
}

// An on-call review: a read replica that could not be reached was never
// logged (only /metrics showed it). Losing it is logged once, however
// many reads go to the primary meanwhile; a standby that is not one is
// never read.
func TestReadersLogALostReplicaOnce(t *testing.T) {
	t.Parallel()
	primary := coretest.NewPool(t)
	// A replica URL where nothing listens: the primary's own server on a
	// port nobody uses.
	dead := openPool(t, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	var logs bytes.Buffer
	readers := core.NewReaders(primary, dead, 30*time.Second)
	readers.UseLog(slog.New(slog.NewTextHandler(&logs, nil)))
	read := func() {
		t.Helper()
		var one int
		if err := readers.Read(context.Background(), func(db core.DB) error {
			return db.QueryRow(context.Background(), `SELECT 1`).Scan(&one)
		}); err != nil || one != 1 {
			t.Fatalf("a read with the replica down: %d, %v; want the primary's answer", one, err)
		}
	}
	read()
	time.Sleep(1100 * time.Millisecond) // past one check's trust
	read()
	read()
	if n := strings.Count(logs.String(), "the read replica does not answer"); n != 1 {
		t.Errorf("%d lines about the replica not answering, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "ONWARD_DATABASE_REPLICA_URL") {
		t.Errorf("the log does not name the setting:\n%s", logs.String())
	}
}
