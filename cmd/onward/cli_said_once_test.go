package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/internal/redisurl"
)

// An on-call review: `onward serve --bogus` printed the flag error twice
// (Go's flag package, then dispatch). Every command says it once.
func TestAFlagErrorIsSaidOnce(t *testing.T) {
	t.Setenv("ONWARD_DATABASE_URL", "postgres://nobody@"+freeAddr(t)+"/none?sslmode=disable")
	t.Setenv("ONWARD_REDIS_URL", "redis://"+freeAddr(t)+"/0")
	for _, args := range [][]string{
		{"serve", "--bogus"},
		{"worker", "--bogus"},
		{"client", "settings", "--bogus"},
		{"services", "env", "--bogus"},
		{"serve", "--worker=maybe"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := dispatch(ctx, args, &stdout, &stderr)
		cancel()
		flag := args[len(args)-1][2:]
		if _, v, ok := strings.Cut(flag, "="); ok {
			flag = v
		}
		if n := strings.Count(stdout.String()+stderr.String(), flag); code == 0 || n != 1 {
			t.Errorf("onward %s: exit %d, %q said %d times, want once:\nstdout %s\nstderr %s", strings.Join(args, " "), code, flag, n, stdout.String(), stderr.String())
		}
	}
}

// An on-call review: `onward client --help` showed "(default -1)" for the
// settings flags, which change a setting only when given. The help says
// so, and no made-up default.
func TestClientSettingsFlagsSayTheyChangeOnlyWhatIsGiven(t *testing.T) {
	var stdout bytes.Buffer
	if code := dispatch(context.Background(), []string{"client", "--help"}, &stdout, &stdout); code != 0 {
		t.Fatalf("client --help: exit %d", code)
	}
	help := stdout.String()
	if strings.Contains(help, "(default -1)") {
		t.Errorf("client --help shows a made-up default:\n%s", help)
	}
	for _, flag := range []string{"-referrer-days", "-retention-months", "-withdraw-keyword"} {
		i := strings.Index(help, "  "+flag)
		if i < 0 || !strings.Contains(help[i:min(len(help), i+300)], "unchanged when not given") {
			t.Errorf("client --help does not say %s is unchanged when not given:\n%s", flag, help)
		}
	}
}

// A settings flag given is applied even when it is 0 (a retention of 0
// keeps details until erased by hand), one not given is left alone.
func TestClientSettingsChangeOnlyWhatIsGiven(t *testing.T) {
	clientCLIEnv(t, "settings-given")
	ctx := context.Background()
	by := "morven@network.example"
	run := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := dispatch(ctx, append([]string{"client", "settings"}, args...), &out, &errs); code != 0 {
			t.Fatalf("client settings %v: exit %d: %s", args, code, errs.String())
		}
		return out.String()
	}
	run("--by", by, "--retention-months", "24", "--referrer-days", "30")
	if got := run("--by", by, "--retention-months", "0"); !strings.Contains(got, "retention 0 months") || !strings.Contains(got, "for 30 days") {
		t.Errorf("after --retention-months 0: %q, want retention 0 and referrer days kept at 30", got)
	}
}

// An on-call review: a command run on a database `onward migrate` has not
// made printed `relation "staff" does not exist`; every command that
// opens the database says, as serve does, that the schema is behind,
// naming the database (a later review: an operator who forgot their
// environment could migrate the wrong one).
func TestCommandsOnAnUnmigratedDatabaseSaySo(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	t.Setenv("ONWARD_DATABASE_URL", dbURL)
	t.Setenv("ONWARD_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(coretest.TestKey))
	t.Setenv("ONWARD_AUDIT_KEY", config.NewKey())
	for _, args := range [][]string{
		{"staff", "list"},
		{"agency", "list"},
		{"client", "settings"},
		{"outbox", "list"},
		{"report", "outcomes"},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(ctx, args, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), "schema is behind this binary; run `onward migrate`") || strings.Contains(stderr.String(), "SQLSTATE") {
			t.Errorf("onward %s on an unmigrated database: exit %d, %q; want the schema named as behind", strings.Join(args, " "), code, stderr.String())
		}
		if db := core.DatabaseAddr(dbURL); !strings.Contains(stderr.String(), "(database "+db+" has no schema yet)") {
			t.Errorf("onward %s on an unmigrated database: %q; want the database named (%s)", strings.Join(args, " "), stderr.String(), db)
		}
	}
}

// An on-call review: a command run outside dev without
// ONWARD_DATABASE_URL used postgres://localhost:5432/onward without a
// word. Outside dev (the default) it is refused, saying so; migrate
// first of all.
func TestCommandsWithoutADatabaseURLOutsideDevSaySo(t *testing.T) {
	t.Setenv("ONWARD_DATABASE_URL", "")
	t.Setenv("ONWARD_ENV", "")
	t.Setenv("ONWARD_STATE_DIR", t.TempDir()) // no dev keys here to make it dev
	for _, args := range [][]string{{"migrate"}, {"staff", "list"}} {
		var stdout, stderr bytes.Buffer
		code := dispatch(context.Background(), args, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "ONWARD_DATABASE_URL is not set: outside dev") || stdout.Len() > 0 {
			t.Errorf("onward %s without ONWARD_DATABASE_URL: exit %d, %q %q; want a refusal naming the setting", strings.Join(args, " "), code, stdout.String(), stderr.String())
		}
	}
}

// An on-call review: Redis refusing connections at start was logged as
// "context deadline exceeded" (go-redis retries the dial until the
// command's deadline); the log names the dial's own cause, as
// PostgreSQL's does.
func TestRedisUnreachableNamesTheRealCause(t *testing.T) {
	rdb, _, err := redisurl.New("redis://" + freeAddr(t) + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	w := watchRedis(slog.New(slog.DiscardHandler), rdb)
	defer redis.SetLogger(quietRedis{})
	wiring.AddDeadline(rdb, 300*time.Millisecond)
	start := time.Now()
	err = rdb.Ping(context.Background()).Err()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Skipf("go-redis no longer hides the cause behind the deadline: %v", err)
	}
	if got := w.cause(err, start).Error(); !strings.Contains(got, "connection refused") {
		t.Errorf("cause of a refused Redis = %q, want the dial's connection refused", got)
	}
	// A dial that failed before the command began is not its cause.
	if got := w.cause(err, time.Now()); got != err {
		t.Errorf("cause with no dial since = %v, want the command's own error", got)
	}
}

// An on-call review: serve without ONWARD_METRICS_TOKEN or
// ONWARD_METRICS_ADDR answered /metrics with a silent 404. It says so
// once at start; with either set, or in dev, it says nothing.
func TestServeSaysWhenItHasNoMetrics(t *testing.T) {
	for _, c := range []struct {
		cfg  config.Config
		want bool
	}{
		{config.Config{Env: "production"}, true},
		{config.Config{Env: "production", MetricsToken: "t"}, false},
		{config.Config{Env: "production", MetricsAddr: "127.0.0.1:9090"}, false},
		{config.Config{Env: "dev"}, false},
	} {
		var buf bytes.Buffer
		logMetricsOff(c.cfg, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := strings.Contains(buf.String(), "no /metrics") && strings.Contains(buf.String(), "ONWARD_METRICS_TOKEN"); got != c.want {
			t.Errorf("%+v: logged %q, want a line about /metrics: %v", c.cfg, buf.String(), c.want)
		}
	}
}

// An on-call review: a retention of 0 (the default) keeps details for
// ever, and nothing said so. The process that applies retention says it
// once at start (Info); with a period set it says nothing.
func TestRetentionSaysWhenNoPeriodIsSet(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	var buf bytes.Buffer
	noteNoRetention(ctx, env.Engine, slog.New(slog.NewTextHandler(&buf, nil)))
	if !strings.Contains(buf.String(), "level=INFO") || !strings.Contains(buf.String(), "no retention period is set") {
		t.Errorf("with no retention period: %q, want an Info line saying so", buf.String())
	}
	dp, err := env.Engine.DataProtection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dp.RetentionMonths = 24
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	noteNoRetention(ctx, env.Engine, slog.New(slog.NewTextHandler(&buf, nil)))
	if buf.Len() != 0 {
		t.Errorf("with a retention period: %q, want nothing", buf.String())
	}
	// Retention is a job of every worker process: serve's in-process
	// worker and `onward worker` (which runs every mount's job).
	found := false
	for _, m := range mounts {
		found = found || m.name == "retention" && m.job != nil
	}
	if !found {
		t.Error("serve's worker does not apply retention")
	}
}

// An on-call review: `onward directory import` ran every problem of a
// feed together on one line. A refusal naming several fields says each
// on a line of its own.
func TestSeveralFieldProblemsAreALineEach(t *testing.T) {
	var out bytes.Buffer
	printError(&out, "directory", &core.ValidationError{Fields: []core.FieldError{
		{Field: "services[0].name", Message: "service 1 has no name"},
		{Field: "services[3].url", Message: "service 4's url is not a web address"}}})
	want := "onward directory: 2 problems:\n  - service 1 has no name\n  - service 4's url is not a web address\n"
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
}

// An on-call review: `onward migrate` printed "database at schema
// version 45" whether it applied migrations or none. It says how many it
// applied and from which version, or that there was none to apply, and
// names the database.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	want, err := core.SchemaVersion(ctx, pool)
	if err != nil || want < 2 {
		t.Fatalf("schema version of a migrated database: %d, %v", want, err)
	}
	if _, err := pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_DATABASE_URL", dbURL)
	t.Setenv("ONWARD_MIGRATE_DATABASE_URL", "")
	db := core.DatabaseAddr(dbURL)
	for _, line := range []string{
		fmt.Sprintf("database %s: applied %d migrations, from schema version 0 to %d\n", db, want, want),
		fmt.Sprintf("database %s already at schema version %d: no migration to apply\n", db, want),
	} {
		var out bytes.Buffer
		if err := runMigrate(ctx, nil, &out, io.Discard); err != nil || out.String() != line {
			t.Errorf("migrate: %v %q, want %q", err, out.String(), line)
		}
	}
}
