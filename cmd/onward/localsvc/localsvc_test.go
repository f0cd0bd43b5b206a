package localsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/internal/serverproc"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// reachableTempDir is a t.TempDir that a private PostgreSQL dropped to the
// postgres user (when tests run as root) can enter: t.TempDir's parent is
// made 0700.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// uniqueName is a database name no other test run uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano())
}

// withDatabase swaps the database in a PostgreSQL URL.
func withDatabase(t *testing.T, dbURL, name string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func currentDatabase(t *testing.T, dbURL string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", dbURL, err)
	}
	defer conn.Close(ctx)
	var name string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func databaseExists(t *testing.T, adminURL, name string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, sqlDatabaseExists, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func dropDatabase(t *testing.T, adminURL, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
}

func redisAnswers(redisURL string) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// deadPort is a local port nothing listens on.
func deadPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestEnsureReturnsURLsThatAnswerAndCreatesTheDatabase(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(reachableTempDir(t), "state")
	t.Cleanup(func() { _ = StopPrivate(context.Background(), dir, nil) })
	name := uniqueName("onward_localsvc")

	s, err := Ensure(ctx, Options{Dir: dir, DBName: name, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	admin := withDatabase(t, s.DatabaseURL, "postgres")
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	t.Logf("database %s, redis %s", s.DatabaseURL, s.RedisURL)

	if got := currentDatabase(t, s.DatabaseURL); got != name {
		t.Errorf("DatabaseURL connects to database %q, want %q", got, name)
	}
	if err := redisAnswers(s.RedisURL); err != nil {
		t.Errorf("RedisURL %s does not answer: %v", s.RedisURL, err)
	}

	// Drop it and ask again: Ensure must create a missing database.
	dropDatabase(t, admin, name)
	if databaseExists(t, admin, name) {
		t.Fatalf("database %s still exists after DROP", name)
	}
	s2, err := Ensure(ctx, Options{Dir: dir, DBName: name, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if s2.DatabaseURL != s.DatabaseURL || s2.RedisURL != s.RedisURL {
		t.Errorf("second Ensure gave %s %s, first gave %s %s", s2.DatabaseURL, s2.RedisURL, s.DatabaseURL, s.RedisURL)
	}
	if !databaseExists(t, admin, name) {
		t.Errorf("Ensure did not create the missing database %s", name)
	}
	if got := currentDatabase(t, s2.DatabaseURL); got != name {
		t.Errorf("DatabaseURL connects to database %q, want %q", got, name)
	}
}

func TestEnsureUsesConfiguredURLsAsTheyAre(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(reachableTempDir(t), "state")
	t.Cleanup(func() { _ = StopPrivate(context.Background(), dir, nil) })
	name := uniqueName("onward_localsvc")
	found, err := Ensure(ctx, Options{Dir: dir, DBName: name, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabase(t, withDatabase(t, found.DatabaseURL, "postgres"), name) })

	// Working URLs come back unchanged and start nothing.
	other := filepath.Join(reachableTempDir(t), "unused")
	s, err := Ensure(ctx, Options{Dir: other, DatabaseURL: found.DatabaseURL, RedisURL: found.RedisURL, PreferPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.DatabaseURL != found.DatabaseURL || s.RedisURL != found.RedisURL {
		t.Errorf("got %s %s, want the configured %s %s", s.DatabaseURL, s.RedisURL, found.DatabaseURL, found.RedisURL)
	}
	if s.postgres != nil || s.redis != nil {
		t.Error("Ensure started a private server although both URLs were configured")
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Ensure touched the state folder although both URLs were configured: %v", err)
	}
	// The pool's own settings in the URL (as the README says to size a
	// process's pool) are the pool's, not sent to PostgreSQL.
	sized := found.DatabaseURL + "&pool_max_conns=8&pool_min_conns=1"
	if s, err := Ensure(ctx, Options{Dir: other, DatabaseURL: sized, RedisURL: found.RedisURL}); err != nil || s.DatabaseURL != sized {
		t.Errorf("Ensure with pool_max_conns in the URL = %+v, %v; want the URL back as it is", s, err)
	}

	// A configured URL that does not answer is an error naming it, without
	// its password, on one line, and no fallback to anything else.
	port := deadPort(t)
	cases := []struct {
		name, variable string
		o              Options
	}{
		{"database", "ONWARD_DATABASE_URL", Options{Dir: other, DatabaseURL: fmt.Sprintf("postgres://onward:s3cret@127.0.0.1:%d/onward", port), RedisURL: found.RedisURL}},
		{"redis", "ONWARD_REDIS_URL", Options{Dir: other, DatabaseURL: found.DatabaseURL, RedisURL: fmt.Sprintf("redis://:s3cret@127.0.0.1:%d/0", port)}},
		{"database keyword form", "ONWARD_DATABASE_URL", Options{Dir: other, DatabaseURL: fmt.Sprintf("host=127.0.0.1 port=%d user=onward password=s3cret", port)}},
		{"unparseable redis", "ONWARD_REDIS_URL", Options{Dir: other, DatabaseURL: found.DatabaseURL, RedisURL: "redis://:s3 cret@127.0.0.1/x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Ensure(ctx, c.o)
			if err == nil {
				t.Fatalf("Ensure = %+v, want an error", s)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.variable) {
				t.Errorf("error does not name %s: %s", c.variable, msg)
			}
			if strings.Contains(msg, "s3cret") || strings.Contains(msg, "s3 cret") {
				t.Errorf("error carries the password: %s", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Ensure fell back to private servers: %v", err)
			}
		})
	}
}

func TestEnsureStartsStopsAndReusesPrivateServers(t *testing.T) {
	if _, err := findPostgres(Options{}.withDefaults(), 0); err != nil {
		t.Skipf("no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or under %v", serverproc.PostgresGlobs)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not on PATH")
	}
	ctx := context.Background()
	dir := filepath.Join(reachableTempDir(t), "state")
	t.Cleanup(func() {
		if err := StopPrivate(context.Background(), dir, nil); err != nil {
			t.Error(err)
		}
	})
	o := Options{Dir: dir, DBName: "onward_private", PreferPrivate: true, Log: testLogger(t)}

	s1, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if s1.postgres == nil || s1.redis == nil {
		t.Fatalf("Ensure with PreferPrivate did not start both servers: %s %s", s1.DatabaseURL, s1.RedisURL)
	}
	for _, u := range []string{s1.DatabaseURL, s1.RedisURL} {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if p.Hostname() != "127.0.0.1" || p.Port() == "5432" || p.Port() == "6379" {
			t.Errorf("private URL %s is not on 127.0.0.1 away from the default ports", u)
		}
	}
	if got := currentDatabase(t, s1.DatabaseURL); got != "onward_private" {
		t.Errorf("connected to database %q, want onward_private", got)
	}
	ctxT, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctxT, s1.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var dataDir, listen string
	if err := conn.QueryRow(ctxT, "SELECT current_setting('data_directory'), current_setting('listen_addresses')").Scan(&dataDir, &listen); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctxT, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctxT)
	if !samePath(dataDir, filepath.Join(dir, "pg")) {
		t.Errorf("server data_directory = %s, want %s", dataDir, filepath.Join(dir, "pg"))
	}
	if listen != "127.0.0.1" {
		t.Errorf("server listen_addresses = %q, want 127.0.0.1", listen)
	}
	if os.Geteuid() == 0 {
		if owner, err := ownerOf(filepath.Join(dir, "pg")); err != nil || owner == 0 {
			t.Errorf("running as root, the data folder should belong to an unprivileged user; owner %d, %v", owner, err)
		}
	}
	if err := redisAnswers(s1.RedisURL); err != nil {
		t.Fatalf("private Redis does not answer: %v", err)
	}
	if r, ok := runningPrivateRedis(ctx, mustAbs(t, dir)); !ok || r.url() != s1.RedisURL {
		t.Errorf("the private Redis does not report %s as its config", filepath.Join(dir, "redis", "redis.conf"))
	}

	// A second Ensure finds them running and reuses them; its Stop leaves
	// them alone because it started nothing.
	s2, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if s2.DatabaseURL != s1.DatabaseURL || s2.RedisURL != s1.RedisURL {
		t.Errorf("second Ensure gave %s %s, want the running %s %s", s2.DatabaseURL, s2.RedisURL, s1.DatabaseURL, s1.RedisURL)
	}
	if s2.postgres != nil || s2.redis != nil {
		t.Error("second Ensure started servers although they were running")
	}
	if err := s2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pingPostgres(ctx, s1.DatabaseURL, 5*time.Second); err != nil {
		t.Errorf("Stop of a reusing Services stopped PostgreSQL: %v", err)
	}
	if err := redisAnswers(s1.RedisURL); err != nil {
		t.Errorf("Stop of a reusing Services stopped Redis: %v", err)
	}

	// The starter's Stop stops both.
	if err := s1.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	assertStopped(t, dir, s1)

	// The next Ensure starts from the initialised data folder: the data is
	// still there.
	s3, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if s3.postgres == nil || s3.redis == nil {
		t.Error("Ensure after Stop did not start the servers again")
	}
	conn, err = pgx.Connect(ctxT, s3.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := conn.QueryRow(ctxT, "SELECT v FROM kept").Scan(&v); err != nil || v != "before restart" {
		t.Errorf("after restart, kept = %q, %v; want the row written before", v, err)
	}
	conn.Close(ctxT)

	// StopPrivate stops servers another run started, as `onward services
	// stop` does, and is a no-op when nothing runs.
	if err := StopPrivate(ctx, dir, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	assertStopped(t, dir, s3)
	if err := StopPrivate(ctx, dir, testLogger(t)); err != nil {
		t.Errorf("StopPrivate with nothing running: %v", err)
	}
}

func TestConcurrentEnsuresStartOneServerEach(t *testing.T) {
	if _, err := findPostgres(Options{}.withDefaults(), 0); err != nil {
		t.Skipf("no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or under %v", serverproc.PostgresGlobs)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not on PATH")
	}
	dir := filepath.Join(reachableTempDir(t), "state")
	t.Cleanup(func() {
		if err := StopPrivate(context.Background(), dir, nil); err != nil {
			t.Error(err)
		}
	})
	o := Options{Dir: dir, PreferPrivate: true, Log: testLogger(t)}

	// Like `make run` and `make test` started together on a fresh clone.
	const n = 4
	results := make(chan *Services, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := Ensure(context.Background(), o)
			results <- s
			errs <- err
		}()
	}
	var all []*Services
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if s := <-results; s != nil {
			all = append(all, s)
		}
	}
	if len(all) != n {
		t.FailNow()
	}
	var startedPG, startedRedis int
	for _, s := range all {
		if s.DatabaseURL != all[0].DatabaseURL || s.RedisURL != all[0].RedisURL {
			t.Errorf("concurrent Ensures disagree: %s %s vs %s %s", s.DatabaseURL, s.RedisURL, all[0].DatabaseURL, all[0].RedisURL)
		}
		if s.postgres != nil {
			startedPG++
		}
		if s.redis != nil {
			startedRedis++
		}
	}
	if startedPG != 1 || startedRedis != 1 {
		t.Errorf("started PostgreSQL %d times and Redis %d times, want once each", startedPG, startedRedis)
	}
}

func assertStopped(t *testing.T, dir string, s *Services) {
	t.Helper()
	if err := pingPostgres(context.Background(), s.DatabaseURL, 2*time.Second); err == nil {
		t.Errorf("PostgreSQL at %s still answers after stop", s.DatabaseURL)
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still there after stop: %v", err)
	}
	if err := pingRedis(context.Background(), s.RedisURL, 2*time.Second); err == nil {
		t.Errorf("Redis at %s still answers after stop", s.RedisURL)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fakePostgres makes root/<major>/bin with stand-in initdb, pg_ctl and
// postgres; pg_ctl --version reports the major version.
func fakePostgres(t *testing.T, root string, majors ...int) {
	t.Helper()
	for _, m := range majors {
		bin := filepath.Join(root, strconv.Itoa(m), "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"initdb", "postgres"} {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		script := fmt.Sprintf("#!/bin/sh\necho 'pg_ctl (PostgreSQL) %d.3 (Test 1)'\n", m)
		if err := os.WriteFile(filepath.Join(bin, "pg_ctl"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func notFound(string) (string, error) { return "", exec.ErrNotFound }

func TestFindPostgresPicksTheInstalledVersion(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("the stand-in programs are sh scripts and there is no sh")
	}
	root := t.TempDir()
	fakePostgres(t, root, 9, 12, 16)
	globs := []string{filepath.Join(root, "*", "bin")}
	onPath := func(name string) (string, error) { return filepath.Join(root, "12", "bin", name), nil }

	cases := []struct {
		name     string
		lookPath func(string) (string, error)
		want     int // data folder version, 0 for none
		major    int // expected pick, 0 for an error
	}{
		{"highest when none on PATH", notFound, 0, 16},
		{"the one on PATH first", onPath, 0, 12},
		{"the data folder's version", notFound, 9, 9},
		{"the data folder's version over PATH", onPath, 16, 16},
		{"data folder version not installed", notFound, 14, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := findPostgres(Options{lookPath: c.lookPath, pgGlobs: globs}, c.want)
			if c.major == 0 {
				if err == nil || !strings.Contains(err.Error(), "PostgreSQL 14") {
					t.Fatalf("findPostgres = %+v, %v; want an error naming PostgreSQL 14", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Major != c.major || got.Dir != filepath.Join(root, strconv.Itoa(c.major), "bin") {
				t.Errorf("findPostgres = %+v, want version %d", got, c.major)
			}
		})
	}
}

func TestEnsureSaysHowToInstallWhatIsMissing(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("the stand-in programs are sh scripts and there is no sh")
	}
	fakes := t.TempDir()
	fakePostgres(t, fakes, 16)
	onlyPostgres := []string{filepath.Join(fakes, "*", "bin")}

	cases := []struct {
		name  string
		globs []string
		want  string
	}{
		{"both", []string{}, "PostgreSQL and Redis are not installed. On Debian/Ubuntu: sudo apt-get install -y postgresql redis-server   On macOS: brew install postgresql@16 redis"},
		{"redis", onlyPostgres, "Redis is not installed. On Debian/Ubuntu: sudo apt-get install -y redis-server   On macOS: brew install redis"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			_, err := Ensure(context.Background(), Options{
				Dir: dir, PreferPrivate: true, Log: testLogger(t),
				lookPath: notFound, pgGlobs: c.globs,
			})
			if !errors.Is(err, ErrNotInstalled) {
				t.Fatalf("Ensure error = %v, want ErrNotInstalled", err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error = %q\nwant it to start %q", err, c.want)
			}
			// Nothing is started, or even created, when something is missing.
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("state folder created although Redis is missing: %v", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"postgres://u:s3cret@h:5432/db":            "postgres://u:xxxxx@h:5432/db",
		"postgres://u@h/db?password=s3cret":        "postgres://u@h/db?password=xxxxx",
		"redis://:s3cret@h:6379/0":                 "redis://:xxxxx@h:6379/0",
		"host=h user=u password=s3cret dbname=d":   "host=h user=u password=xxxxx dbname=d",
		"host=h password='s3 cret' dbname=d":       "host=h password=xxxxx dbname=d",
		"postgres://root@127.0.0.1:5432/onward":    "postgres://root@127.0.0.1:5432/onward",
		"postgres://u:s3 cret@h/db":                "an unparseable URL",
		"host=/var/run/postgresql user=u dbname=d": "host=/var/run/postgresql user=u dbname=d",
	}
	for in, want := range cases {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPostgresURL(t *testing.T) {
	cases := []struct{ host, user, db, want string }{
		{"127.0.0.1:5432", "root", "onward", "postgres://root@127.0.0.1:5432/onward?sslmode=disable"},
		{"/var/run/postgresql", "postgres", "onward", "postgres://postgres@/onward?host=%2Fvar%2Frun%2Fpostgresql&sslmode=disable"},
	}
	for _, c := range cases {
		got := postgresURL(c.host, c.user, c.db)
		if got != c.want {
			t.Errorf("postgresURL(%q, %q, %q) = %q, want %q", c.host, c.user, c.db, got, c.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("pgx cannot parse %s: %v", got, err)
		}
		wantHost := strings.Split(c.host, ":")[0]
		if cfg.Host != wantHost || cfg.User != c.user || cfg.Database != c.db {
			t.Errorf("pgx reads %s as host %q user %q db %q", got, cfg.Host, cfg.User, cfg.Database)
		}
	}
}
