package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// proxy is the TCP proxy tests put in front of PostgreSQL or Redis.
type proxy = coretest.Proxy

func newProxy(t *testing.T, target string) *proxy { return coretest.NewProxy(t, target) }

func readyz(t *testing.T, a *app) (int, string) {
	rec := httptest.NewRecorder()
	a.readyz(rec, httptest.NewRequest("GET", "/readyz", nil))
	return rec.Code, rec.Body.String()
}

func TestReadyzFollowsPostgresDownAndBack(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	u, _ := url.Parse(dbURL)
	p := newProxy(t, u.Host)
	u.Host = p.Addr()
	ctx := context.Background()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": u.String(), "ONWARD_REDIS_URL": coretest.RedisURL(),
			"ONWARD_ENCRYPTION_KEY": config.NewKey()}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if code, body := readyz(t, a); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("readyz with everything up = %d %q", code, body)
	}
	p.SetUp(false)
	if code, body := readyz(t, a); code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready: postgres") {
		t.Fatalf("readyz with Postgres down = %d %q", code, body)
	}
	p.SetUp(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := readyz(t, a)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz did not recover after Postgres came back: %d %q", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReadyzNotReadyOnOldSchemaOrRedisDown(t *testing.T) {
	ctx := context.Background()
	pool := coretest.NewPool(t)
	if _, err := pool.Exec(ctx, "UPDATE schema_version SET version = 1"); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	a := &app{pool: pool, rdb: rdb}
	code, body := readyz(t, a)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "schema is behind") || !strings.Contains(body, "not ready: redis") {
		t.Fatalf("readyz = %d %q, want schema and redis problems", code, body)
	}
}

// An on-call review: `onward migrate` of a new release, run before its
// processes start as the README says, took every running process out of
// the balancer at once (503, "schema is newer"). A schema ahead of the
// binary is the moment of an upgrade: ready, with a note.
func TestReadyzStaysReadyThroughAnUpgrade(t *testing.T) {
	ctx := context.Background()
	pool := coretest.NewPool(t)
	if _, err := pool.Exec(ctx, "UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	rdb, _ := coretest.NewRedis(t)
	a := &app{pool: pool, rdb: rdb}
	code, body := readyz(t, a)
	if code != http.StatusOK || !strings.Contains(body, "ready\nnote: postgres: the schema is newer than this binary: replace this process") {
		t.Fatalf("readyz on a schema ahead = %d %q, want 200 with the note", code, body)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("cmd-audit")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "") // outside dev, verify refuses to run without the key
	if err := runAudit(ctx, []string{"verify"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "ONWARD_AUDIT_KEY is not set") {
		t.Fatalf("verify without the key outside dev = %v; want a refusal naming ONWARD_AUDIT_KEY", err)
	}
	t.Setenv("ONWARD_ENV", "dev") // the test engine chains events with the stand-in audit key
	var out bytes.Buffer
	if err := runAudit(ctx, []string{"verify"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "audit log whole: 2 events") {
		t.Fatalf("verify = %v, %q", err, out.String())
	}
	if _, err := env.Pool.Exec(ctx, "ALTER TABLE events DISABLE TRIGGER events_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE events SET to_status = 'completed' WHERE kind = 'referral.created'"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := runAudit(ctx, []string{"verify"}, &out, io.Discard)
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 || !strings.Contains(out.String(), "BROKEN") {
		t.Fatalf("verify after tampering = %v, %q; want exit 1 naming the break", err, out.String())
	}
}

// TestServeAndWorkerRefuseADatabaseOfAnotherVersion: started against a
// database migrated by a newer release, serve and worker refuse to start
// and say both versions.
func TestServeAndWorkerRefuseADatabaseOfAnotherVersion(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_DATABASE_URL", dbURL)
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", "127.0.0.1:0")
	for name, run := range map[string]func(context.Context, []string, io.Writer, io.Writer) error{"worker": runWorker, "serve": runServe} {
		runCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := run(runCtx, nil, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "newer than this binary") || !strings.Contains(err.Error(), "(database "+core.DatabaseAddr(dbURL)+" at ") {
			t.Errorf("%s on a newer database: %v, want a refusal naming both versions", name, err)
		}
	}
}

// TestReadyzLogsEachSpellOnce: a load balancer probes /readyz every few
// seconds; through an outage its log says once that a part is not ready,
// with the cause, and once that it is ready again, not a line a probe.
func TestReadyzLogsEachSpellOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	a := &app{log: log}
	down := errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	for range 3 {
		a.noteReady("redis", down)
		a.noteReady("postgres", nil)
	}
	for range 2 {
		a.noteReady("redis", nil)
	}
	a.noteReady("redis", down)
	got := buf.String()
	if n := strings.Count(got, `msg="redis (readiness check) unavailable"`); n != 2 {
		t.Errorf("%d not-ready lines for two spells, want 2:\n%s", n, got)
	}
	if n := strings.Count(got, `msg="redis (readiness check) available again"`); n != 1 {
		t.Errorf("%d ready-again lines, want 1:\n%s", n, got)
	}
	if strings.Contains(got, "postgres") || !strings.Contains(got, "connection refused") {
		t.Errorf("the log names a part that never failed, or not the cause:\n%s", got)
	}
}
