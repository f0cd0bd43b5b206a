package coretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// Seeding the small network takes a test about as long as making its
// database: some twenty calls into the engine, each a transaction with
// its audit events. So each test process seeds it once, into a database
// of its own (its seeded template), and NewEnv copies that for every test.
// A copy holds the very rows seeding would write: the engine's clock and
// ids are fixed, so every seeding writes the same network with the same
// ids and times. Only the random UUIDs seeding gives agencies, services
// and locations (their Open Referral ids) are the same in every copy a
// process makes, as they would not be in separate seedings.
//
// The seeded template is the process's own, made from the code it runs,
// so it is never stale; it is dropped once the process has gone. While a
// process lives it holds a PostgreSQL advisory lock named after its
// template, on a connection of its own to the tests' lock database
// (lockDB); a process making its template
// drops every other seeded template whose lock it can take, their
// processes having ended (or crashed).

// seedLockSpace is the first key of the advisory locks that keep seeded
// templates (the second is the template name's hashtext). The migrated
// template's lock (ensureTemplate) is a single key and cannot meet them.
const seedLockSpace = 727275

// seedPrefix starts every seeded template's name.
const seedPrefix = "onward_seed_"

// seededTemplate is this process's seeded template, once made.
var seededTemplate struct {
	mu   sync.Mutex
	name string
	net  Network
	lock *pgx.Conn // holds the template's advisory lock while the process lives
}

// newSeededDatabase creates a fresh database holding the migrated schema
// and the small test network, dropped when the test ends, and returns its
// URL and the network.
func newSeededDatabase(t testing.TB) (string, Network) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, tmpl, strategy := testAdmin(ctx, t)
	seeded, n, err := ensureSeeded(ctx, pool, tmpl, strategy)
	if err != nil {
		t.Fatalf("seed the test network's template: %v", err)
	}
	return newCopy(ctx, t, pool, seeded, strategy), n.clone()
}

// ensureSeeded returns this process's seeded template and its network,
// making them the first time. A template that has gone (dropped from
// outside, its lock's connection lost) is made again.
func ensureSeeded(ctx context.Context, pool *pgxpool.Pool, tmpl, strategy string) (string, Network, error) {
	st := &seededTemplate
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.name != "" {
		var exists bool
		err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", st.name).Scan(&exists)
		if err != nil {
			return "", Network{}, err
		}
		if exists && !st.lock.IsClosed() {
			return st.name, st.net, nil
		}
		st.lock.Close(ctx)
		st.name, st.lock = "", nil
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := seedPrefix + MigrationsHash() + "_" + hex.EncodeToString(b)
	lock, err := pgx.Connect(ctx, lockURL(AdminURL()))
	if err != nil {
		return "", Network{}, err
	}
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", seedLockSpace, name); err != nil {
		lock.Close(ctx)
		return "", Network{}, err
	}
	// Housekeeping: a template that cannot be dropped (another role's, on
	// a shared server) is left for its owner, and the tests go on.
	_ = dropEndedSeeds(ctx, lock, pool)
	n, err := seedTemplate(ctx, pool, name, tmpl, strategy)
	if err != nil {
		_, _ = pool.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		lock.Close(ctx)
		return "", Network{}, err
	}
	st.name, st.net, st.lock = name, n, lock
	return name, n, nil
}

// seedTemplate creates the database name from the migrated template and
// seeds the small network into it, leaving nobody connected.
func seedTemplate(ctx context.Context, pool *pgxpool.Pool, name, tmpl, strategy string) (Network, error) {
	if err := createFromTemplate(ctx, pool, name, tmpl, strategy); err != nil {
		return Network{}, fmt.Errorf("create %s: %w", name, err)
	}
	db, err := pgxpool.New(ctx, withDB(AdminURL(), name))
	if err != nil {
		return Network{}, err
	}
	defer db.Close()
	eng, _, _, _, err := newEngine(db) // the engine every test gets, so the rows are theirs
	if err != nil {
		return Network{}, err
	}
	defer eng.Close()
	return SeedNetwork(ctx, eng, db)
}

// dropEndedSeeds drops the seeded templates of processes that have ended:
// those whose advisory lock lock can take. It tries every one, and
// returns the first error.
func dropEndedSeeds(ctx context.Context, lock *pgx.Conn, pool *pgxpool.Pool) error {
	rows, err := pool.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", seedPrefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var first error
	for _, name := range names {
		var ended bool
		if err := lock.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", seedLockSpace, name).Scan(&ended); err != nil {
			return err
		}
		if !ended {
			continue
		}
		_, err := pool.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if _, uerr := lock.Exec(ctx, "SELECT pg_advisory_unlock($1, hashtext($2))", seedLockSpace, name); uerr != nil {
			return uerr
		}
		if err != nil && first == nil {
			first = fmt.Errorf("drop the ended seeded template %s: %w", name, err)
		}
	}
	return first
}

// clone copies n, so a test that changes its staff's pointers changes
// only its own.
func (n Network) clone() Network {
	for _, s := range []*core.Staff{&n.Adviser, &n.Adviser2, &n.WelfareAdviser, &n.HousingAdviser, &n.Coordinator} {
		if s.SlackUserID != nil {
			id := *s.SlackUserID
			s.SlackUserID = &id
		}
	}
	return n
}
