package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// Audit D finding 17: `onward CMD --help` exits 0 with the command's
// usage for every command, those made of sub-commands (client, outbox,
// keys, directory, partner, postcodes) included, and touches no server.
func TestEveryCommandTakesHelp(t *testing.T) {
	t.Setenv("ONWARD_DATABASE_URL", "postgres://nobody@"+freeAddr(t)+"/none?sslmode=disable")
	t.Setenv("ONWARD_REDIS_URL", "redis://"+freeAddr(t)+"/0")
	for name := range commands {
		for _, help := range []string{"--help", "-h"} {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			code := dispatch(ctx, []string{name, help}, &stdout, &stderr)
			cancel()
			if code != 0 || !strings.Contains(stdout.String(), "Usage:") || !strings.Contains(stdout.String(), "onward "+name) || stderr.Len() > 0 {
				t.Errorf("onward %s %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout", name, help, code, head(stdout.String()), stderr.String())
			}
		}
	}
	var stdout bytes.Buffer
	if code := dispatch(context.Background(), []string{"no-such-command"}, io.Discard, &stdout); code != 2 {
		t.Errorf("an unknown command: exit %d, want 2", code)
	}
}

func head(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Audit D finding 13: several missing settings were printed run together
// on one line; each is now on its own.
func TestSeveralProblemsPrintOneALine(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printError(&out, "serve", cfg.Validate())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !regexp.MustCompile(`^onward serve: \d+ problems:$`).MatchString(lines[0]) {
		t.Fatalf("first line %q, want how many problems", lines[0])
	}
	for _, want := range []string{"ONWARD_ENCRYPTION_KEY is required", "ONWARD_SESSION_SECRET is required", "ONWARD_AUDIT_KEY is required", "ONWARD_PUBLIC_URL must be the https address"} {
		n := 0
		for _, l := range lines[1:] {
			if strings.Contains(l, want) {
				n++
				if !strings.HasPrefix(l, "  - ") || strings.Count(l, "is required") > 1 {
					t.Errorf("line %q holds more than one problem", l)
				}
			}
		}
		if n != 1 {
			t.Errorf("%q is on %d lines, want one:\n%s", want, n, out.String())
		}
	}
	out.Reset()
	printError(&out, "migrate", core.ErrSchemaAhead)
	if strings.Count(out.String(), "\n") != 1 || !strings.HasPrefix(out.String(), "onward migrate: database schema is newer") {
		t.Errorf("one problem: %q, want one line", out.String())
	}
}

// Audit D finding 17: keygen's summary names every setting that takes
// one of its keys: each that Validate tells to generate with keygen, and
// ONWARD_HASH_KEY.
func TestKeygenNamesEverySettingThatTakesAKey(t *testing.T) {
	cfg, _ := config.Load(func(k string) string { return map[string]string{"ONWARD_METRICS_TOKEN": "short"}[k] })
	want := map[string]bool{"ONWARD_HASH_KEY": true}
	for _, l := range strings.Split(cfg.Validate().Error(), "\n") {
		if strings.Contains(l, "onward keygen") {
			want[regexp.MustCompile(`ONWARD_[A-Z_]+`).FindString(l)] = true
		}
	}
	if len(want) < 5 {
		t.Fatalf("found only %v in Validate's advice", want)
	}
	for name := range want {
		if !strings.Contains(commands["keygen"].summary, name) {
			t.Errorf("keygen's summary %q does not name %s", commands["keygen"].summary, name)
		}
	}
}

// Audit D finding 10: serve and worker started with another
// ONWARD_ENCRYPTION_KEY than the database's refuse at once, saying what
// to set; an empty database does not stop them (the other startup tests
// start on one).
func TestServeAndWorkerRefuseKeysThatDoNotOpenTheDatabase(t *testing.T) {
	env := coretest.NewEnv(t)
	if _, err := env.Engine.SelfRefer(context.Background(), coretest.SelfReferral("wrong-key")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", "127.0.0.1:0")
	for name, run := range map[string]func(context.Context, []string, io.Writer, io.Writer) error{"worker": runWorker, "serve": runServe} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := run(ctx, nil, io.Discard, io.Discard)
		cancel()
		want := "ONWARD_ENCRYPTION_KEY does not open the data stored in this database; if you rotated it, put the old key in ONWARD_ENCRYPTION_OLD_KEYS"
		if err == nil || err.Error() != want {
			t.Errorf("%s with another key: %v, want %q", name, err, want)
		}
	}
}

// Audit D finding 13: a Redis database number the server does not have,
// and `onward migrate` on a database a newer release migrated, are
// refused in words naming the setting or saying what serve says; a
// mistyped database URL is named before any connection.
func TestMisconfigurationMessages(t *testing.T) {
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", "127.0.0.1:0")
	dbURL := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", dbURL)
	u, err := url.Parse(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/9999"
	t.Setenv("ONWARD_REDIS_URL", u.String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = runServe(ctx, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ONWARD_REDIS_URL (single "+u.Host+")") || !strings.Contains(err.Error(), "DB index is out of range") ||
		!strings.Contains(err.Error(), "`databases` setting") {
		t.Errorf("serve on Redis database 9999: %v, want the setting and address named", err)
	}

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	err = runMigrate(ctx, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "database schema is newer than this binary; run the release that migrated it (database "+core.DatabaseAddr(dbURL)+" at") {
		t.Errorf("migrate on a newer schema: %v, want serve's words", err)
	}

	t.Setenv("ONWARD_DATABASE_URL", "postgress://x")
	if err := runMigrate(ctx, nil, io.Discard, io.Discard); err == nil || !strings.HasPrefix(err.Error(), "ONWARD_DATABASE_URL: not a PostgreSQL URL like postgres://") {
		t.Errorf("migrate with postgress://: %v, want the setting named", err)
	}
}

// Audit D finding 15: a worker with no metrics address says at start that
// it has no health endpoint, and says when it is told to stop.
func TestWorkerSaysItHasNoHealthEndpointAndWhenItStops(t *testing.T) {
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", coretest.NewDatabase(t))
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_METRICS_ADDR", "")
	t.Setenv("ONWARD_SHUTDOWN_GRACE", "2s")
	var log coretest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWorker(ctx, nil, io.Discard, &log) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(log.String(), "outbox worker running") {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not start:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker stopped with %v", err)
	}
	for _, want := range []string{"no health endpoint", "stopping: finishing the deliveries in hand", "outbox worker stopped"} {
		if n := strings.Count(log.String(), want); n != 1 {
			t.Errorf("the worker logged %q %d times, want once:\n%s", want, n, log.String())
		}
	}
}

// Audit D finding 14: a Redis outage was logged at every one of
// go-redis's failed dials, and its end not at all. It is now logged once
// when Redis is lost and once when it answers again, however many
// commands fail meanwhile; before Redis first answers, the watch is quiet
// (waitForServers reports).
func TestRedisOutageIsLoggedOnceEachWay(t *testing.T) {
	u, err := url.Parse(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	p.SetUp(false)
	opt, err := redis.ParseURL(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	opt.Addr, opt.MaxRetries, opt.DialTimeout = p.Addr(), 0, 200*time.Millisecond
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	var buf coretest.LogBuffer
	w := watchRedis(slog.New(slog.NewTextHandler(&buf, nil)), rdb)
	defer redis.SetLogger(quietRedis{})
	ctx := context.Background()
	ping := func() error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return rdb.Ping(ctx).Err()
	}
	if ping() == nil {
		t.Fatal("Redis answered through a proxy that is down")
	}
	p.SetUp(true)
	if err := ping(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "" {
		t.Fatalf("logged before Redis first answered (waitForServers says that):\n%s", buf.String())
	}
	p.SetUp(false)
	for range 10 {
		_ = ping()
		w.Printf(ctx, "redis: connection pool: failed to dial after %d attempts: %v", 5, "dial tcp: connection refused")
		// A Sentinel set that does not answer says so at every try too
		// (an on-call review: 66 warnings in 30 s).
		w.Printf(ctx, "sentinel: GetMasterAddrByName name=%q failed: %s", "onward", "context deadline exceeded")
	}
	p.SetUp(true)
	for range 3 {
		if err := ping(); err != nil {
			t.Fatalf("Redis did not answer again: %v", err)
		}
	}
	log := buf.String()
	if n := strings.Count(log, "lost Redis"); n != 1 {
		t.Errorf("%d lines about losing Redis, want 1:\n%s", n, log)
	}
	if n := strings.Count(log, "reached Redis again"); n != 1 {
		t.Errorf("%d lines about reaching Redis again, want 1:\n%s", n, log)
	}
	if n := strings.Count(log, "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want only the one about losing Redis:\n%s", n, log)
	}
}

// quietRedis drops go-redis's own log lines after the test.
type quietRedis struct{}

// Printf implements go-redis's logging interface.
func (quietRedis) Printf(context.Context, string, ...any) {}
