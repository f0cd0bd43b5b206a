package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/internal/redisurl"
)

// The findings of the on-call and data protection review (review-ops),
// one test each.

// appBehindProxy is an app, routes built as serve builds them, whose
// PostgreSQL is reached through a proxy the test can cut or hang. The
// demo-sized test network is seeded.
func appBehindProxy(t *testing.T) (*app, *proxy, http.Handler, *coretest.LogBuffer) {
	t.Helper()
	u, err := url.Parse(coretest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.Addr()
	env := map[string]string{"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": u.String(), "ONWARD_REDIS_URL": coretest.RedisURL(),
		"ONWARD_ENCRYPTION_KEY": config.NewKey(), "ONWARD_SESSION_SECRET": config.NewKey()}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := &coretest.LogBuffer{}
	a, err := openApp(context.Background(), cfg, slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := coretest.SeedNetwork(context.Background(), a.engine, a.pool); err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(a)
	if err != nil {
		t.Fatal(err)
	}
	// Before the app closes: a pool waits for the queries a hang holds.
	t.Cleanup(func() { p.Hang(false) })
	return a, p, h, log
}

// serveWithin answers r through h, failing the test when no answer comes
// within limit (the handler is left to finish on its own).
func serveWithin(t *testing.T, h http.Handler, r *http.Request, limit time.Duration) (*httptest.ResponseRecorder, time.Duration) {
	t.Helper()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		h.ServeHTTP(rec, r)
	}()
	select {
	case <-done:
		return rec, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("%s %s did not answer within %s", r.Method, r.URL.Path, limit)
		return nil, 0
	}
}

// F2: /metrics answered 503 for the whole scrape while PostgreSQL was
// down or hanging, so every series went stale exactly when on-call
// needed the error rates. The scrape answers 200 with the process's own
// figures, within a few seconds even when PostgreSQL hangs, and says
// that the database's could not be read; once it answers, they are back.
func TestMetricsAnswerWhilePostgresIsDownOrHangs(t *testing.T) {
	a, p, _, _ := appBehindProxy(t)
	h := metricsHandler(a)
	scrape := func(state string) string {
		t.Helper()
		rec, took := serveWithin(t, h, httptest.NewRequest("GET", "/metrics", nil), 10*time.Second)
		if rec.Code != http.StatusOK {
			t.Fatalf("scrape with PostgreSQL %s = %d %s", state, rec.Code, rec.Body)
		}
		if took > metricsDatabaseWithin+time.Second {
			t.Errorf("scrape with PostgreSQL %s took %s", state, took)
		}
		body := rec.Body.String()
		for _, want := range []string{"go_goroutines", "process_resident_memory_bytes", "onward_http_requests_in_flight"} {
			if !strings.Contains(body, want) {
				t.Errorf("scrape with PostgreSQL %s has no %s", state, want)
			}
		}
		return body
	}
	// Hanging first, while the outbox has never been read (a reading is
	// kept ten seconds).
	p.Hang(true)
	body := scrape("hanging")
	if !strings.Contains(body, "onward_metrics_database_up 0") || strings.Contains(body, "onward_outbox_oldest_pending_seconds") {
		t.Errorf("scrape with PostgreSQL hanging does not say the database was not read, or shows its figures:\n%s", body)
	}
	p.Hang(false)
	p.SetUp(false)
	if body := scrape("down"); !strings.Contains(body, "onward_metrics_database_up 0") {
		t.Errorf("scrape with PostgreSQL down does not say the database was not read:\n%s", body)
	}
	p.SetUp(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := scrape("back")
		if strings.Contains(body, "onward_metrics_database_up 1") && strings.Contains(body, "onward_outbox_oldest_pending_seconds") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox's figures did not come back with PostgreSQL:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// F2, at start: a worker's metrics address (and serve's /metrics)
// answered 503 while the process waited for PostgreSQL.
func TestMetricsAnswerWhileWaitingForPostgres(t *testing.T) {
	u, _ := url.Parse(coretest.NewDatabase(t))
	p := newProxy(t, u.Host)
	p.SetUp(false)
	u.Host = p.Addr()
	s := startServeAndWorker(t, u.String())
	for _, addr := range []string{s.serveAddr, s.workerAddr} {
		waitFor(t, addr, "/readyz", http.StatusServiceUnavailable, "does not answer yet", 10*time.Second)
		// Past the ten seconds an earlier test's reading of the outbox is
		// kept (one per process).
		body := waitFor(t, addr, "/metrics", http.StatusOK, "onward_metrics_database_up 0", 15*time.Second)
		if !strings.Contains(body, "go_goroutines") {
			t.Errorf("%s/metrics while waiting has no runtime figures:\n%s", addr, body)
		}
	}
}

// F5: with PostgreSQL hanging, public pages waited for as long as the
// client did. Every request has a deadline on its work, and the page
// answers its own "service problem" page by then.
func TestPagesAnswerWhilePostgresHangs(t *testing.T) {
	_, p, h, _ := appBehindProxy(t)
	p.Hang(true)
	for _, path := range []string{"/directory", "/data-sharing"} {
		rec, took := serveWithin(t, h, httptest.NewRequest("GET", path, nil), requestWithin+5*time.Second)
		if rec.Code != http.StatusServiceUnavailable && rec.Code != http.StatusOK {
			t.Errorf("%s with PostgreSQL hanging = %d after %s, want its service problem page (or the page from memory)", path, rec.Code, took)
		}
	}
}

// F5: while PostgreSQL hung, /readyz said Redis did not answer either
// (and the log said Redis was lost and back), though Redis was fine: the
// two checks shared one deadline. Each has its own.
func TestReadyzDoesNotBlameRedisForAHangingPostgres(t *testing.T) {
	a, p, _, log := appBehindProxy(t)
	p.Hang(true)
	var wg sync.WaitGroup
	bodies := make([]string, 6)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, bodies[i] = readyz(t, a)
		}()
	}
	wg.Wait()
	for _, body := range bodies {
		if !strings.Contains(body, "not ready: postgres") || strings.Contains(body, "redis") {
			t.Errorf("readyz with PostgreSQL hanging and Redis up = %q, want postgres alone", body)
		}
	}
	if strings.Contains(log.String(), "redis (readiness check) unavailable") {
		t.Errorf("the log blames Redis:\n%s", log.String())
	}
}

// F15: /readyz's log line for a Redis that refuses connections said
// "context deadline exceeded"; it names the cause.
func TestReadyzLogsWhyRedisDoesNotAnswer(t *testing.T) {
	var log coretest.LogBuffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	rdb, _, err := redisurl.New("redis://" + freeAddr(t) + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	watch := watchRedis(logger, rdb)
	wiring.AddDeadline(rdb, 500*time.Millisecond)
	a := &app{log: logger, pool: coretest.NewPool(t), rdb: rdb, redisWatch: watch}
	if code, _ := readyz(t, a); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Redis refusing = %d", code)
	}
	line := ""
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(l, "redis (readiness check) unavailable") {
			line = l
		}
	}
	if !strings.Contains(line, "refused") {
		t.Errorf("the readiness check's line does not name the cause: %q\n%s", line, log.String())
	}
}

// F4: a wrong ONWARD_HASH_KEY started normally when the newest client
// had no proven phone (a phone typed by an adviser or on the web form),
// and STOP, withdrawal by text and client matching silently stopped
// matching. The database keeps a check value of the key: written on the
// first start (after a check against a client's proven phone on a
// database from before it), compared at every start, whoever registered
// last.
func TestAWrongHashKeyIsRefusedWhateverTheNewestClient(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	encKey, hashKey := config.NewKey(), config.NewKey()
	eng := engineWithKeys(t, env, encKey, hashKey)
	for i, phone := range []string{"07700 900123", "07700 900124"} {
		r := coretest.SelfReferral(fmt.Sprintf("hash-key-%d", i))
		r.Client.Phone = phone
		if _, err := eng.SelfRefer(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// The newest client's phone was never proven: no lookup hash.
	if _, err := env.Pool.Exec(ctx, "UPDATE clients SET phone_hash = NULL WHERE id = (SELECT max(id) FROM clients)"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", encKey)
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_HASH_KEY", config.NewKey())
	want := "ONWARD_HASH_KEY is not the key the phone lookups stored in this database were made with"
	if err := startWorkerBriefly(t); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("worker with another hash key: %v, want %q", err, want)
	}
	var n int
	if err := env.Pool.QueryRow(ctx, "SELECT count(*) FROM key_checks").Scan(&n); err != nil || n != 0 {
		t.Fatalf("a refused key left %d check values (%v), want none", n, err)
	}
	t.Setenv("ONWARD_HASH_KEY", hashKey)
	if err := startWorkerBriefly(t); err != nil {
		t.Fatalf("worker with the right keys: %v", err)
	}
	if err := env.Pool.QueryRow(ctx, "SELECT count(*) FROM key_checks WHERE name = 'hash-key'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after a start with the right key: %d check values (%v), want one", n, err)
	}
	// No client left with a proven phone: the check value still knows.
	if _, err := env.Pool.Exec(ctx, "UPDATE clients SET phone_hash = NULL"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONWARD_HASH_KEY", config.NewKey())
	if err := startWorkerBriefly(t); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("worker with another hash key on a database with no proven phone: %v, want %q", err, want)
	}
	t.Setenv("ONWARD_HASH_KEY", "")
	if err := startWorkerBriefly(t); err == nil || !strings.Contains(err.Error(), "ONWARD_HASH_KEY is not set, and the hash key derived from ONWARD_ENCRYPTION_KEY is not the one") {
		t.Errorf("worker without the hash key it had: %v, want the setting named", err)
	}
}

// engineWithKeys is an engine on env's database with the encryption
// and hash keys given as the settings take them (base64).
func engineWithKeys(t *testing.T, env *coretest.Env, encKey, hashKey string) *core.Engine {
	t.Helper()
	enc, err := base64.StdEncoding.DecodeString(encKey)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := base64.StdEncoding.DecodeString(hashKey)
	if err != nil {
		t.Fatal(err)
	}
	crypt, err := core.NewCrypter(enc, nil, hash)
	if err != nil {
		t.Fatal(err)
	}
	eng := core.NewEngine(env.Pool, crypt, env.Clock, env.IDs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(eng.Close)
	return eng
}

// startWorkerBriefly starts a worker with the environment and returns
// why it refused to start, or nil once it runs (it is then stopped).
func startWorkerBriefly(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log coretest.LogBuffer
	done := make(chan error, 1)
	go func() { done <- runWorker(ctx, nil, io.Discard, &log) }()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case err := <-done:
			return err
		case <-deadline:
			t.Fatalf("the worker neither ran nor refused within 20 s:\n%s", log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if strings.Contains(log.String(), "outbox worker running") {
			cancel()
			return <-done
		}
	}
}

// F8: a drain that ran out of ONWARD_SHUTDOWN_GRACE ended serve with
// "onward serve: context deadline exceeded". It says what it cut short,
// and exits with its own status.
func TestADrainCutShortSaysWhatAndExitsThree(t *testing.T) {
	addr := freeAddr(t)
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", coretest.NewDatabase(t))
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", addr)
	t.Setenv("ONWARD_SHUTDOWN_GRACE", "1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- dispatch(ctx, []string{"serve", "--worker=false"}, &stdout, &stderr) }()
	waitFor(t, addr, "/readyz", http.StatusOK, "ready", 20*time.Second)
	// A slow upload: the headers, then the body a trickle at a time.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /twilio/sms HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 80000\r\n\r\nBody=", addr)
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case c := <-code:
		if c != exitCutShort {
			t.Errorf("serve cut short exited %d, want %d", c, exitCutShort)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	want := "onward serve: stopped after ONWARD_SHUTDOWN_GRACE (1s) with 1 request still in flight (cut short)"
	said := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if got := said[len(said)-1]; got != want {
		t.Errorf("serve cut short said %q, want %q", got, want)
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Errorf("the request cut short still has its connection")
	}
}

// F13: settings problems named no setting (an address, the phone
// countries) or came one run at a time (a value that did not parse hid
// every other problem). One run names them all, each once, each by its
// setting.
func TestEverySettingsProblemAtOnceEachNamed(t *testing.T) {
	for k, v := range map[string]string{
		"ONWARD_ENV": "dev", "ONWARD_ENCRYPTION_KEY": config.NewKey(),
		"ONWARD_SMTP_URL": "smtp://127.0.0.1:2525", "ONWARD_MAIL_FROM": "not an address",
		"ONWARD_WORKER_LEASE": "1s", "ONWARD_PHONE_COUNTRIES": "XX", "ONWARD_REDIS_TIMEOUT": "0",
		"ONWARD_HTTP_ADDR": "nonsense",
	} {
		t.Setenv(k, v)
	}
	_, err := loadConfig(true)
	if err == nil {
		t.Fatal("no problem found")
	}
	lines := problems(err)
	for _, setting := range []string{"ONWARD_MAIL_FROM", "ONWARD_WORKER_LEASE", "ONWARD_PHONE_COUNTRIES", "ONWARD_REDIS_TIMEOUT", "ONWARD_HTTP_ADDR"} {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, setting) || strings.Contains(l, setting+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is named by %d problems, want one:\n%s", setting, n, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if settingOf(fmt.Errorf("%s", l)) == "" {
			t.Errorf("a problem names no setting: %q", l)
		}
	}

	// The metrics address the site's own: said at once, by name.
	t.Setenv("ONWARD_MAIL_FROM", "Onward <onward@example.org>")
	t.Setenv("ONWARD_WORKER_LEASE", "")
	t.Setenv("ONWARD_PHONE_COUNTRIES", "")
	t.Setenv("ONWARD_REDIS_TIMEOUT", "")
	t.Setenv("ONWARD_HTTP_ADDR", "127.0.0.1:8497")
	t.Setenv("ONWARD_METRICS_ADDR", "127.0.0.1:8497")
	if _, err := loadConfig(true); err == nil || !strings.HasPrefix(err.Error(), "ONWARD_METRICS_ADDR (127.0.0.1:8497) is where ONWARD_HTTP_ADDR") {
		t.Errorf("the metrics address the site's: %v", err)
	}
	t.Setenv("ONWARD_METRICS_ADDR", "")
	if _, err := loadConfig(true); err != nil {
		t.Errorf("settings mended: %v", err)
	}
}

// F13: an address that is taken is named by its setting, the metrics
// address before serve waits for anything.
func TestATakenAddressIsNamedBySetting(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", "postgres://onward@"+freeAddr(t)+"/onward?sslmode=disable") // nothing there: serve would wait
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	for setting, addrs := range map[string][2]string{
		"ONWARD_HTTP_ADDR":    {taken.Addr().String(), ""},
		"ONWARD_METRICS_ADDR": {freeAddr(t), taken.Addr().String()},
	} {
		t.Setenv("ONWARD_HTTP_ADDR", addrs[0])
		t.Setenv("ONWARD_METRICS_ADDR", addrs[1])
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := runServe(ctx, nil, io.Discard, io.Discard)
		cancel()
		want := setting + " (" + taken.Addr().String() + "): cannot listen there: bind: address already in use"
		if err == nil || err.Error() != want {
			t.Errorf("serve with %s taken: %v, want %q", setting, err, want)
		}
	}
}

// F14: `onward serve extra`, `onward worker stuff` and `onward migrate
// now` ran as if the word were not there. Every command that takes no
// words refuses one, naming it beside its usage line, before it does
// anything.
func TestCommandsRefuseWordsTheyDoNotTake(t *testing.T) {
	t.Setenv("ONWARD_DATABASE_URL", "postgres://nobody@"+freeAddr(t)+"/none?sslmode=disable")
	t.Setenv("ONWARD_REDIS_URL", "redis://"+freeAddr(t)+"/0")
	for _, c := range []struct {
		args  []string
		usage string
	}{
		{[]string{"serve", "extra"}, "usage: onward serve [--worker=false]"},
		{[]string{"serve", "--worker=false", "extra"}, "usage: onward serve [--worker=false]"},
		{[]string{"worker", "stuff"}, "usage: onward worker [--metrics-addr ADDR]"},
		{[]string{"migrate", "now"}, "usage: onward migrate"},
		{[]string{"demo", "now"}, "usage: onward demo"},
		{[]string{"dev", "now"}, "usage: onward dev"},
		{[]string{"keygen", "now"}, "usage: onward keygen"},
		{[]string{"keys", "rotate", "now"}, "usage: onward keys rotate"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := dispatch(ctx, c.args, &stdout, &stderr)
		cancel()
		word := c.args[len(c.args)-1]
		if code == 0 || !strings.Contains(stderr.String(), fmt.Sprintf("does not take %q", word)) || !strings.Contains(stderr.String(), c.usage) || stdout.Len() > 0 {
			t.Errorf("onward %s: exit %d, stdout %q, stderr %q; want it refused naming %q and %q",
				strings.Join(c.args, " "), code, stdout.String(), stderr.String(), word, c.usage)
		}
	}
}

// F15: a worker that held nothing logged "outbox worker stopped" before
// "stopping: finishing the deliveries in hand".
func TestWorkerSaysStoppingBeforeStopped(t *testing.T) {
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", coretest.NewDatabase(t))
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	// The race shows within a few runs; fifty make it all but certain.
	for range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		var log coretest.LogBuffer
		done := make(chan error, 1)
		go func() { done <- runWorker(ctx, nil, io.Discard, &log) }()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(log.String(), "outbox worker running") {
			if time.Now().After(deadline) {
				t.Fatalf("the worker did not start:\n%s", log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := log.String()
		stopping, stopped := strings.Index(got, "stopping: finishing the deliveries in hand"), strings.Index(got, "outbox worker stopped")
		if stopping < 0 || stopped < stopping {
			t.Fatalf("the worker's last lines are out of order:\n%s", got)
		}
	}
}

// F5, found on the way: with every request under a deadline, a page
// whose PostgreSQL work used its time up failed its Redis commands at
// once, and the log said "lost Redis" though Redis was fine. A command
// failing because its caller's context ended is no news of Redis.
func TestRedisIsNotLostForARequestOutOfTime(t *testing.T) {
	var log coretest.LogBuffer
	rdb, _, err := redisurl.New(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	watchRedis(slog.New(slog.NewTextHandler(&log, nil)), rdb)
	wiring.AddDeadline(rdb, 500*time.Millisecond)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	spent, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-spent.Done()
	if err := rdb.Set(spent, "onward:test:spent", "x", time.Second).Err(); err == nil {
		t.Fatal("a command with its caller's time spent went through")
	}
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "lost Redis") {
		t.Errorf("a request out of time made the log say Redis was lost:\n%s", log.String())
	}
}
