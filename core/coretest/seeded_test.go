package coretest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestSeededCopyIsTheSeeding checks what NewEnv rests on: a copy of the
// seeded template holds every row that seeding a fresh database writes
// (but for the random UUIDs: tableDigests), and the same network.
func TestSeededCopyIsTheSeeding(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	pool := NewPool(t)
	eng, _, _, _ := NewEngine(t, pool)
	n := Seed(t, eng, pool)
	if env.Net.Adviser.ID != n.Adviser.ID || env.Net.Team != n.Team || env.Net.Adviser.Name != n.Adviser.Name {
		t.Errorf("the copy's network differs from a fresh seeding's: %+v, want %+v", env.Net, n)
	}
	copied, seeded := tableDigests(t, env.Pool), tableDigests(t, pool)
	if len(copied) == 0 {
		t.Fatal("no tables read")
	}
	for table, want := range seeded {
		if got := copied[table]; got != want {
			t.Errorf("table %s: the copy holds other rows than a fresh seeding writes", table)
		}
	}
}

// wallClockColumns are the columns seeding fills from PostgreSQL's now()
// rather than the engine's clock.
var wallClockColumns = []string{"locations.created_at"}

// tableDigests is an md5 of every table's rows, in order, leaving out
// their UUIDs (seeding gives each agency, service and location a random
// one, its Open Referral id, which every copy of one seeded template
// shares) and wallClockColumns.
func tableDigests(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		var cols string
		err := pool.QueryRow(ctx, `SELECT coalesce(string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position), '')
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND data_type <> 'uuid' AND NOT (table_name || '.' || column_name) = ANY($2)`, table, wallClockColumns).Scan(&cols)
		if err != nil {
			t.Fatal(err)
		}
		if cols == "" {
			continue
		}
		var digest string
		q := "SELECT coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM (SELECT " + cols + " FROM " + pgx.Identifier{table}.Sanitize() + ") r"
		if err := pool.QueryRow(ctx, q).Scan(&digest); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		out[table] = digest
	}
	return out
}

// TestEndedSeedsAreDropped checks that a process making its seeded
// template drops those of ended processes and keeps those of live ones.
func TestEndedSeedsAreDropped(t *testing.T) {
	ctx := context.Background()
	pool, tmpl, strategy, err := adminPool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ended, live := seedPrefix+"test_ended", seedPrefix+"test_live"
	// A live process holds its lock from before its template exists, so
	// no other process's sweep can take the template meanwhile. Its
	// ONWARD_DATABASE_URL may name another database on the same server
	// (another checkout's): its lock must still be seen.
	otherAdmin := withDB(AdminURL(), "another_checkouts_database")
	other, err := pgx.Connect(ctx, lockURL(otherAdmin))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", seedLockSpace, live); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ended, live} {
		if _, err := pool.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Fatal(err)
		}
		if err := createFromTemplate(ctx, pool, name, tmpl, strategy); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = pool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	}
	mine, err := pgx.Connect(ctx, lockURL(AdminURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close(ctx)
	if err := dropEndedSeeds(ctx, mine, pool); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{ended: false, live: true} {
		var exists bool
		if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists != want {
			t.Errorf("%s: exists=%v after the sweep, want %v", name, exists, want)
		}
	}
	// The sweep let go of the lock it took to drop the ended template.
	var free bool
	if err := other.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", seedLockSpace, ended).Scan(&free); err != nil || !free {
		t.Errorf("the ended template's lock is still held after the sweep (err %v)", err)
	}
}
