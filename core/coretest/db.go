// Package coretest gives tests real infrastructure: a fresh PostgreSQL
// database per test, copied file by file from a migrated template, a
// Redis key prefix per test, a fixed clock, deterministic ids, and a small
// seeded network. Nothing here mocks the database.
package coretest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// AdminURL is the database URL tests connect to for creating databases:
// ONWARD_TEST_DATABASE_URL, else ONWARD_DATABASE_URL, else the local
// default.
func AdminURL() string {
	for _, k := range []string{"ONWARD_TEST_DATABASE_URL", "ONWARD_DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://127.0.0.1:5432/postgres?sslmode=disable"
}

// lockDB is the database every test process takes its advisory locks in
// (ensureTemplate's, the seeded templates'). An advisory lock belongs to
// the database its session is connected to, and two checkouts' tests may
// name different databases on one server in ONWARD_DATABASE_URL: locks
// taken in each one's own would not keep them apart, and one would drop
// the template the other is building.
const lockDB = "onward_test_locks"

// lockURL is the URL of lockDB on admin's server.
func lockURL(admin string) string { return withDB(admin, lockDB) }

// ensureLockDB creates lockDB unless it is there. Two processes may
// create it at once; the one that loses finds it made.
func ensureLockDB(ctx context.Context, pool *pgxpool.Pool) error {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", lockDB).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err := pool.Exec(ctx, "CREATE DATABASE "+lockDB)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") { // duplicate_database; unique_violation when both insert at once
		return nil
	}
	if err != nil {
		return fmt.Errorf("create the tests' lock database %s: %w", lockDB, err)
	}
	return nil
}

// templateName names the template after the migrations' contents, so a
// changed migration builds a new template instead of reusing a stale one.
func templateName() string { return "onward_tmpl_" + MigrationsHash() }

// MigrationsHash names the schema the binary carries: a short hash of every
// embedded migration's name and contents. Databases kept between runs (the
// test template, the benchmarks' million referrals) are named after it.
func MigrationsHash() string {
	h := sha256.New()
	_ = fs.WalkDir(core.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(core.Migrations(), path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// withDB returns the URL with its database name replaced.
func withDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		panic(fmt.Sprintf("test database URL must be a postgres:// URL, got %q", raw))
	}
	u.Path = "/" + db
	return u.String()
}

// admin is the one connection pool a test process uses to create and drop
// its databases: a connection each time would fork a server process for
// every test and another for its cleanup.
var admin struct {
	mu       sync.Mutex
	pool     *pgxpool.Pool
	tmpl     string // the template, once made or found
	strategy string // " STRATEGY FILE_COPY" where the server has it
}

// adminPool connects once and makes sure of the template once per process.
func adminPool(ctx context.Context) (*pgxpool.Pool, string, string, error) {
	admin.mu.Lock()
	defer admin.mu.Unlock()
	if admin.pool == nil {
		cfg, err := pgxpool.ParseConfig(AdminURL())
		if err != nil {
			return nil, "", "", err
		}
		cfg.MaxConns = 4
		cfg.MaxConnIdleTime = 10 * time.Second
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, "", "", err
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, "", "", err
		}
		admin.pool = pool
	}
	if admin.tmpl == "" {
		if err := ensureLockDB(ctx, admin.pool); err != nil {
			return nil, "", "", err
		}
		tmpl, err := ensureTemplate(ctx)
		if err != nil {
			return nil, "", "", err
		}
		// PostgreSQL 15 copies a template block by block through the
		// write-ahead log unless told to copy its files: for a small
		// template, with nothing else in it, the files are a third of the
		// work. Older servers copy files anyway and do not know the word.
		var version int
		if err := admin.pool.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
			return nil, "", "", err
		}
		if version >= 150000 {
			admin.strategy = " STRATEGY FILE_COPY"
		}
		admin.tmpl = tmpl
	}
	return admin.pool, admin.tmpl, admin.strategy, nil
}

// ensureTemplate creates the migrated template database once per
// migration set; concurrent test processes wait on an advisory lock.
func ensureTemplate(ctx context.Context) (string, error) {
	name := templateName()
	conn, err := pgx.Connect(ctx, lockURL(AdminURL()))
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background()) // which lets go of the lock too
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", err
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	built, err := pgxpool.New(ctx, withDB(AdminURL(), building))
	if err != nil {
		return "", err
	}
	_, err = core.Migrate(ctx, built)
	built.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

// NewDatabase creates a fresh migrated database and returns its URL; it is
// dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, tmpl, strategy := testAdmin(ctx, t)
	return newCopy(ctx, t, pool, tmpl, strategy)
}

// testAdmin is adminPool for a test, which fails if PostgreSQL cannot be
// reached or the template made.
func testAdmin(ctx context.Context, t testing.TB) (pool *pgxpool.Pool, tmpl, strategy string) {
	t.Helper()
	pool, tmpl, strategy, err := adminPool(ctx)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s and make the template database (run tests with `make test`, which starts it): %v", AdminURL(), err)
	}
	return pool, tmpl, strategy
}

// newCopy creates a database named onward_test_… as a copy of tmpl,
// dropped when the test ends, and returns its URL.
func newCopy(ctx context.Context, t testing.TB, pool *pgxpool.Pool, tmpl, strategy string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "onward_test_" + hex.EncodeToString(b)
	if err := createFromTemplate(ctx, pool, name, tmpl, strategy); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDB(AdminURL(), name)
}

// createFromTemplate creates the database name as a copy of tmpl. A
// template is copied only while nobody is connected to it, and a server
// process lets go of its database a moment after its client closes the
// connection: the copy waits for that, a second at most.
func createFromTemplate(ctx context.Context, pool *pgxpool.Pool, name, tmpl, strategy string) error {
	var err error
	for attempt := 0; ; attempt++ {
		_, err = pool.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl+strategy)
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewPool returns a pool on a fresh migrated database, closed at the end
// of the test.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := NewDatabase(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
