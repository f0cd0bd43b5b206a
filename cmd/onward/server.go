package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
)

// mount is one edge of Onward plugged into the server: its routes, its
// in-process worker, and the lines `onward dev` prints about it. Each
// mount_*.go file registers one, so the edges stay independent.
type mount struct {
	name string
	// routes adds the edge's handlers to the server's mux.
	routes func(a *app, mux *http.ServeMux) error
	// worker runs until ctx ends: the outbox worker, which serve runs
	// in-process unless --worker=false and `onward worker` runs itself.
	worker func(ctx context.Context, a *app) error
	// job is background work that every worker process runs until ctx
	// ends (audit checkpoints, retention, the report rollups, opt-outs
	// held in Redis): serve's in-process worker and `onward worker` alike,
	// so a deployment of `serve --worker=false` beside workers runs each.
	job func(ctx context.Context, a *app) error
	// drain runs at every serve's shutdown, worker or not, once the
	// requests in flight have drained: it finishes or writes what those
	// requests started after answering (Slack work already acknowledged,
	// partners' calls waiting to be audited), within ctx.
	drain func(ctx context.Context, a *app)
	// reached runs once PostgreSQL and Redis answer, before the server
	// says it is ready: checks of the database at start. Routes never
	// touch the servers, so serve builds them, and finds configuration
	// mistakes, before it waits for them.
	reached func(ctx context.Context, a *app)
	// devInfo returns lines for `onward dev` to print (what to open).
	devInfo func(ctx context.Context, a *app) []string
}

var mounts []mount

func registerMount(m mount) { mounts = append(mounts, m) }

// newMux builds the server's routes: health, readiness and every mount.
func newMux(a *app) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	for _, m := range mounts {
		if m.routes == nil {
			continue
		}
		if err := m.routes(a, mux); err != nil {
			return nil, fmt.Errorf("mount %s: %w", m.name, err)
		}
	}
	return mux, nil
}

// newHandler is the server's whole handler: every route behind the checks
// that apply to all of them.
func newHandler(a *app) (http.Handler, error) {
	a.refusals = wiring.Refusals(a.cfg.OpenReferralPath)
	mux, err := newMux(a)
	if err != nil {
		return nil, err
	}
	// The deadline is outside the metrics: they read the route the mux
	// sets on the request it is handed, which the deadline's copy would
	// hide.
	return wiring.RequestDeadline(httpMetrics.Wrap(wiring.StorableInput(mux, a.refusals)), requestWithin), nil
}

// requestWithin bounds the work of every request serve answers: a page
// whose database does not answer by then answers its own "service
// problem" page. Shorter than the timeouts of common proxies and load
// balancers (30 to 60 s) and Twilio's 15 s, so the client sees Onward's
// page, not a proxy's 504; long enough for the slowest report page on a
// large network.
const requestWithin = 10 * time.Second

// refuseAs makes the edge answer refusals of requests under each prefix
// with f: a mount's routes call it for a part that answers in its own
// pages (the client's web form). Routes built without newHandler (tests
// of one mount) have no edge, and nothing to add to.
func (a *app) refuseAs(f wiring.Refusal, prefixes ...string) {
	if a.refusals == nil {
		return
	}
	for _, p := range prefixes {
		a.refusals[p] = f
	}
}

// readyz answers 200 only when Postgres and Redis answer, the schema is
// not behind the binary, and no outbox worker of this process is backing
// off from an unreachable database, so a load balancer sends no traffic
// to a server that cannot serve it. A schema ahead of the binary is the
// moment of an upgrade (`onward migrate` runs before the new release's
// processes start): this process stays in service, saying so, rather
// than every running process leaving the balancer at once. serve and
// worker answer it alike. It answers within readyzWithin even when
// both hang: the checks run side by side, each with a deadline of its
// own, and each is reported on its own, so a PostgreSQL that hangs is
// never taken for a Redis that does not answer.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// The answer names what is down, never the error text: that carries
	// addresses, user names and driver details. The log has it.
	redisStart := time.Now()
	pg := readyCheck(r.Context(), func(ctx context.Context) error { return core.CheckSchema(ctx, a.pool) })
	rd := readyCheck(r.Context(), func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() })
	var problems, notes []string
	err := pg()
	if err != nil {
		switch {
		case errors.Is(err, core.ErrSchemaBehind):
			problems = append(problems, "postgres: the schema is behind this binary")
		case errors.Is(err, core.ErrSchemaAhead):
			notes = append(notes, "postgres: the schema is newer than this binary: replace this process with the release that migrated it")
		default:
			problems = append(problems, "postgres: does not answer")
		}
	}
	a.noteReady("postgres", err)
	err = rd()
	if err != nil {
		problems = append(problems, "redis: does not answer")
		err = a.redisWatch.cause(err, redisStart)
	}
	a.noteReady("redis", err)
	if notifyMetrics.WorkerCannotReachDatabase() {
		problems = append(problems, "worker: cannot reach postgres, deliveries paused")
	}
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, p := range problems {
			fmt.Fprintln(w, "not ready:", p)
		}
		return
	}
	fmt.Fprintln(w, "ready")
	for _, n := range notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// readyCheck starts check with a deadline of its own (readyzWithin) and
// returns the wait for its outcome: check's own answer when it gave one
// in time, else its deadline's error. A check's outcome never depends
// on how long another took.
func readyCheck(ctx context.Context, check func(context.Context) error) func() error {
	ctx, cancel := context.WithTimeout(ctx, readyzWithin)
	done := make(chan error, 1)
	go func() { done <- check(ctx) }()
	return func() error {
		defer cancel()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			select {
			case err := <-done:
				return err
			default:
				return ctx.Err()
			}
		}
	}
}

// noteReady logs what /readyz found of part (postgres, redis) when it
// changes, through the one outage log: a load balancer probing every few
// seconds through an outage logs its start once, with the cause, and its
// end once, not a line a probe.
func (a *app) noteReady(part string, err error) {
	name := part + " (readiness check)"
	if err != nil {
		a.notReady.Failed(a.log, slog.LevelWarn, name, err)
		return
	}
	a.notReady.Answered(a.log, name)
}

// readyzWithin bounds /readyz's answer, inside the 2 s load balancers
// usually allow it.
const readyzWithin = 1500 * time.Millisecond

// sentTextsFlushEvery is how often serve writes its count of texts sent.
const sentTextsFlushEvery = 10 * time.Second

// serveHTTP runs the HTTP server (and, when withWorker, every mount's
// worker) until ctx ends, then shuts down gracefully. It takes its
// addresses first (listen), so one it cannot have stops it at once. With
// st it then waits for PostgreSQL and Redis (waitForServers), answering
// /healthz, /readyz 503 with the reason, and /metrics with the process's
// own figures, meanwhile; a stop while it waits ends it cleanly. A drain
// that runs out of ONWARD_SHUTDOWN_GRACE returns a cutShortError saying
// what it cut short.
func serveHTTP(ctx context.Context, a *app, withWorker bool, ready func(addr string), st *startState) error {
	h, err := newHandler(a)
	if err != nil {
		return err
	}
	var serving handoff
	serving.set(h)
	if st != nil {
		var metrics http.Handler
		if publicMetrics(a.cfg) {
			metrics = metricsHandler(a)
		}
		serving.set(st.handler(metrics))
	}
	var inFlight activeConns
	srv := &http.Server{
		Handler:           &serving,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
		ConnState:         inFlight.track,
	}
	ln, metricsLn, err := a.listen()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	servers := make(chan error, 2)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		servers <- err
	}()
	if metricsLn != nil {
		go func() { servers <- serveMetrics(ctx, a, metricsLn) }()
	}
	if st != nil {
		a.log.Info("listening; waiting for PostgreSQL and Redis", "addr", ln.Addr().String())
		if err := a.waitForServers(ctx, st); err != nil {
			_ = srv.Close()
			if ctx.Err() != nil {
				a.log.Info("stopped while waiting for PostgreSQL and Redis")
				return nil
			}
			return err
		}
	}
	if err := a.checkKeysOnceUp(ctx, st); err != nil {
		_ = srv.Close()
		if ctx.Err() != nil {
			a.log.Info("stopped while waiting for PostgreSQL and Redis")
			return nil
		}
		return err
	}
	for _, m := range mounts {
		if m.reached != nil {
			m.reached(ctx, a)
		}
	}
	serving.set(h)
	// Texts answered on the webhook are counted in memory and written
	// every few seconds, by every serve process, worker or not; the last
	// flush is below, once the requests have drained.
	go func() { _ = a.engine.SentTexts().RunFlusher(ctx, sentTextsFlushEvery, a.log) }()
	type ended struct {
		name string
		err  error
	}
	workers := make(chan ended, 2*len(mounts))
	running := map[string]int{} // each mount's worker and job still running
	finished := func(name string) {
		if running[name]--; running[name] <= 0 {
			delete(running, name)
		}
	}
	if withWorker {
		for _, m := range mounts {
			for _, run := range []func(context.Context, *app) error{m.worker, m.job} {
				if run == nil {
					continue
				}
				running[m.name]++
				go func(name string, run func(context.Context, *app) error) {
					err := run(ctx, a)
					if err != nil && !errors.Is(err, context.Canceled) {
						err = fmt.Errorf("%s worker: %w", name, err)
					} else {
						err = nil
					}
					workers <- ended{name, err}
				}(m.name, run)
			}
		}
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "worker", withWorker)
	if ready != nil {
		ready(ln.Addr().String())
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-servers:
	case e := <-workers:
		finished(e.name)
		first = e.err
	}
	cancel()
	// Requests in flight are drained, and the in-process worker finishes
	// its deliveries, within the grace period (ONWARD_SHUTDOWN_GRACE).
	grace := a.cfg.ShutdownGrace
	if grace <= 0 {
		grace = 20 * time.Second
	}
	a.log.Info("shutting down: draining requests", "grace", grace)
	shutdownCtx, stop := context.WithTimeout(context.Background(), grace+5*time.Second)
	defer stop()
	drainCtx, stopDrain := context.WithTimeout(shutdownCtx, grace)
	defer stopDrain()
	var cut []string
	if err := srv.Shutdown(drainCtx); errors.Is(err, context.DeadlineExceeded) {
		// Shutdown leaves the requests it did not see end running: they
		// are counted, then their connections closed.
		cut = append(cut, plural(inFlight.active(), "request")+" still in flight (cut short)")
		_ = srv.Close()
	} else if err != nil && first == nil {
		first = err
	}
	// Replies written while the server drained, and any counts a flush
	// cut short by the shutdown put back (Flush waits for it).
	if err := a.engine.SentTexts().Flush(shutdownCtx); err != nil {
		a.log.Error("texts sent not counted at shutdown", "err", err)
	}
	if unfinished := drainMounts(shutdownCtx, a); len(unfinished) > 0 {
		cut = append(cut, "the "+strings.Join(unfinished, " and ")+" drain still running")
	}
wait:
	for len(running) > 0 {
		select {
		case e := <-workers:
			finished(e.name)
			if first == nil {
				first = e.err
			}
		case <-shutdownCtx.Done():
			names := slices.Sorted(maps.Keys(running))
			noun := "workers"
			if len(names) == 1 {
				noun = "worker"
			}
			cut = append(cut, fmt.Sprintf("the %s %s still running", strings.Join(names, " and "), noun))
			break wait
		}
	}
	if len(cut) > 0 {
		return cutShortError(fmt.Sprintf("stopped after ONWARD_SHUTDOWN_GRACE (%s) with %s", grace, strings.Join(cut, " and ")))
	}
	return first
}

// drainMounts runs every mount's drain at once and waits for them, or for
// ctx to end; it returns the names of those that had not finished.
func drainMounts(ctx context.Context, a *app) []string {
	var mu sync.Mutex
	left := map[string]bool{}
	var draining []mount
	for _, m := range mounts {
		if m.drain != nil {
			left[m.name] = true // all before any drain starts: they delete
			draining = append(draining, m)
		}
	}
	var wg sync.WaitGroup
	for _, m := range draining {
		wg.Add(1)
		go func(m mount) {
			defer wg.Done()
			m.drain(ctx, a)
			mu.Lock()
			delete(left, m.name)
			mu.Unlock()
		}(m)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Sorted(maps.Keys(left))
}

// listen takes serve's addresses, ONWARD_HTTP_ADDR and, when set,
// ONWARD_METRICS_ADDR, before it waits for anything: an address it cannot
// have stops it at once, naming the setting.
func (a *app) listen() (main, metrics net.Listener, err error) {
	main, err = net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("ONWARD_HTTP_ADDR (%s): cannot listen there: %w", a.cfg.HTTPAddr, listenCause(err))
	}
	if a.cfg.MetricsAddr == "" {
		return main, nil, nil
	}
	metrics, err = net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		main.Close()
		return nil, nil, fmt.Errorf("ONWARD_METRICS_ADDR (%s): cannot listen there: %w", a.cfg.MetricsAddr, listenCause(err))
	}
	return main, metrics, nil
}

// listenCause is why a listen failed without the address again
// ("bind: address already in use").
func listenCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// activeConns counts the server's connections in the middle of a
// request (http.StateActive): at the end of a drain, the requests still
// in flight.
type activeConns struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// track is the server's ConnState hook.
func (c *activeConns) track(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns == nil {
		c.conns = map[net.Conn]bool{}
	}
	if state == http.StateActive {
		c.conns[conn] = true
	} else {
		delete(c.conns, conn)
	}
}

func (c *activeConns) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.conns)
}

// plural is n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// exitCutShort is the exit status of a serve that stopped on SIGTERM but
// ran out of ONWARD_SHUTDOWN_GRACE first (README, "Running it for real"):
// not 0, as work was cut short, and not 1, as nothing failed to start or
// broke.
const exitCutShort = 3

// cutShortError is a shutdown that ran out of its grace, in plain words
// (what was still in flight); main exits with exitCutShort.
type cutShortError string

func (e cutShortError) Error() string { return string(e) }

// ExitCode is the status main exits with.
func (e cutShortError) ExitCode() int { return exitCutShort }
