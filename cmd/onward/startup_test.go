package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// silentServer accepts connections and never says a word: a PostgreSQL
// that hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// started is serve and worker running in this process against dbURL.
type started struct {
	serveAddr, workerAddr string
	serveLog, workerLog   coretest.LogBuffer
	cancel                context.CancelFunc
	done                  map[string]chan error
}

func startServeAndWorker(t *testing.T, dbURL string) *started {
	t.Helper()
	s := &started{serveAddr: freeAddr(t), workerAddr: freeAddr(t), done: map[string]chan error{}}
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", dbURL)
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	t.Setenv("ONWARD_AUDIT_KEY", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", s.serveAddr)
	t.Setenv("ONWARD_SHUTDOWN_GRACE", "2s")
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	run := func(name string, fn func() error) {
		c := make(chan error, 1)
		s.done[name] = c
		go func() { c <- fn() }()
	}
	run("serve", func() error { return runServe(ctx, []string{"--worker=false"}, io.Discard, &s.serveLog) })
	run("worker", func() error {
		return runWorker(ctx, []string{"--metrics-addr", s.workerAddr}, io.Discard, &s.workerLog)
	})
	t.Cleanup(func() { s.stop(t, 30*time.Second) })
	return s
}

// stop cancels both, as SIGTERM does, and wants each to end cleanly
// within.
func (s *started) stop(t *testing.T, within time.Duration) {
	t.Helper()
	s.cancel()
	deadline := time.After(within)
	for name, c := range s.done {
		select {
		case err, ok := <-c:
			if ok && err != nil {
				t.Errorf("%s stopped with %v, want a clean stop", name, err)
			}
			close(c)
		case <-deadline:
			t.Errorf("%s did not stop within %s of being told to", name, within)
		}
	}
	s.done = map[string]chan error{}
}

// get fetches a path, giving up after 2 s as a load balancer would.
func get(addr, path string) (int, string, time.Duration, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	start := time.Now()
	res, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, "", time.Since(start), err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), time.Since(start), nil
}

// waitFor polls addr+path until it answers want with a body containing
// text, or fails the test.
func waitFor(t *testing.T, addr, path string, want int, text string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body, _, err := get(addr, path)
		if err == nil && code == want && strings.Contains(body, text) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%s did not answer %d within %s: %d %q %v", addr, path, want, within, code, body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeAndWorkerWaitForPostgres: started while PostgreSQL refuses
// connections, serve and worker do not exit; they answer /healthz, and
// /readyz 503 naming PostgreSQL, say once in the log (without the
// password) that they cannot reach it, and come up by themselves when it
// answers, saying that once too.
func TestServeAndWorkerWaitForPostgres(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	u, _ := url.Parse(dbURL)
	password, _ := u.User.Password()
	p := newProxy(t, u.Host)
	p.SetUp(false)
	u.Host = p.Addr()
	s := startServeAndWorker(t, u.String())

	waitFor(t, s.serveAddr, "/healthz", http.StatusOK, "ok", 10*time.Second)
	for _, addr := range []string{s.serveAddr, s.workerAddr} {
		waitFor(t, addr, "/readyz", http.StatusServiceUnavailable, "not ready: postgres: does not answer yet", 10*time.Second)
	}
	if code, _, _, err := get(s.serveAddr, "/inbox"); err != nil || code != http.StatusServiceUnavailable {
		t.Errorf("a page while waiting = %d %v, want 503", code, err)
	}
	// Several attempts fail: 0.5 s, 1 s and 2 s apart.
	time.Sleep(3 * time.Second)
	for name, done := range s.done {
		select {
		case err := <-done:
			t.Fatalf("%s exited while PostgreSQL was down: %v", name, err)
		default:
		}
	}
	p.SetUp(true)
	waitFor(t, s.serveAddr, "/readyz", http.StatusOK, "ready", 20*time.Second)
	waitFor(t, s.workerAddr, "/readyz", http.StatusOK, "ready", 20*time.Second)
	s.stop(t, 10*time.Second)

	for name, log := range map[string]string{"serve": s.serveLog.String(), "worker": s.workerLog.String()} {
		if n := strings.Count(log, "cannot reach PostgreSQL"); n != 1 {
			t.Errorf("%s logged %d times that it cannot reach PostgreSQL, want once:\n%s", name, n, log)
		}
		if n := strings.Count(log, "reached PostgreSQL"); n != 1 {
			t.Errorf("%s logged %d times that it reached PostgreSQL, want once:\n%s", name, n, log)
		}
		if !strings.Contains(log, p.Addr()) {
			t.Errorf("%s's log does not say where it looked for PostgreSQL:\n%s", name, log)
		}
		if password != "" && strings.Contains(log, password) {
			t.Errorf("%s's log shows the database password", name)
		}
	}
}

// TestReadyzAnswersWhilePostgresHangs: with a PostgreSQL that accepts
// connections and never answers, serve's /readyz and the worker's answer
// 503 within 2 s, and both stop promptly when told to.
func TestReadyzAnswersWhilePostgresHangs(t *testing.T) {
	s := startServeAndWorker(t, "postgres://onward:secret-password@"+silentServer(t)+"/onward?sslmode=disable")
	waitFor(t, s.serveAddr, "/healthz", http.StatusOK, "ok", 10*time.Second)
	waitFor(t, s.workerAddr, "/healthz", http.StatusOK, "ok", 10*time.Second)
	// Past the first attempt, which the hang holds for its whole bound.
	time.Sleep(reachAttempt + time.Second)
	for _, addr := range []string{s.serveAddr, s.workerAddr} {
		code, body, took, err := get(addr, "/readyz")
		if err != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, "postgres") {
			t.Errorf("readyz at %s with PostgreSQL hanging = %d %q %v, want 503 naming postgres", addr, code, body, err)
		}
		if took >= 2*time.Second {
			t.Errorf("readyz at %s took %s, want under 2 s", addr, took)
		}
	}
	s.stop(t, 3*time.Second)
	for name, log := range map[string]string{"serve": s.serveLog.String(), "worker": s.workerLog.String()} {
		if strings.Contains(log, "secret-password") {
			t.Errorf("%s's log shows the database password:\n%s", name, log)
		}
		if n := strings.Count(log, "cannot reach PostgreSQL"); n != 1 {
			t.Errorf("%s logged %d times that it cannot reach PostgreSQL, want once:\n%s", name, n, log)
		}
	}
}

// TestServeRefusesAWrongPasswordAtOnce: a PostgreSQL that answers and
// refuses the password is configuration to mend, not an outage to wait
// out.
func TestServeRefusesAWrongPasswordAtOnce(t *testing.T) {
	dbURL := coretest.NewDatabase(t)
	u, _ := url.Parse(dbURL)
	u.User = url.UserPassword(u.User.Username(), "not-the-password")
	if conn, err := pgx.Connect(context.Background(), u.String()); err == nil {
		conn.Close(context.Background())
		t.Skip("this PostgreSQL accepts any password (trust authentication), so it cannot refuse one")
	}
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", u.String())
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_HTTP_ADDR", freeAddr(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := runServe(ctx, []string{"--worker=false"}, io.Discard, io.Discard)
	if ctx.Err() != nil || err == nil || strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("serve with a wrong password = %v (timed out: %v), want a refusal at once without the password", err, ctx.Err() != nil)
	}
}

// TestServeRefusesBadConfigurationWithoutWaiting: configuration serve
// cannot run with stops it at once, even while PostgreSQL is down.
func TestServeRefusesBadConfigurationWithoutWaiting(t *testing.T) {
	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_DATABASE_URL", "postgres://onward@"+freeAddr(t)+"/onward?sslmode=disable")
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_SESSION_SECRET", "")
	t.Setenv("ONWARD_HTTP_ADDR", freeAddr(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := runServe(ctx, nil, io.Discard, io.Discard)
	if ctx.Err() != nil || err == nil || !strings.Contains(err.Error(), "ONWARD_SESSION_SECRET") {
		t.Fatalf("serve without a session secret = %v (timed out: %v), want a refusal at once naming it", err, ctx.Err() != nil)
	}
}
