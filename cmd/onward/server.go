package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
	// worker runs until ctx ends (the outbox worker, schedulers); serve
	// runs it unless --worker=false.
	worker func(ctx context.Context, a *app) error
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
	return httpMetrics.Wrap(wiring.StorableInput(mux, a.refusals)), nil
}

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
// the binary's, and no outbox worker of this process is backing off from
// an unreachable database, so a load balancer sends no traffic to a
// server that cannot serve it. It answers within readyzWithin even when
// both hang: the checks run side by side, each with that deadline.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyzWithin)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// The answer names what is down, never the error text: that carries
	// addresses, user names and driver details. The log has it.
	pg, rd := make(chan error, 1), make(chan error, 1)
	go func() { pg <- core.CheckSchema(ctx, a.pool) }()
	go func() { rd <- a.rdb.Ping(ctx).Err() }()
	wait := func(c chan error) error {
		select {
		case err := <-c:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var problems []string
	err := wait(pg)
	if err != nil {
		switch {
		case errors.Is(err, core.ErrSchemaBehind):
			problems = append(problems, "postgres: the schema is behind this binary")
		case errors.Is(err, core.ErrSchemaAhead):
			problems = append(problems, "postgres: the schema is newer than this binary")
		default:
			problems = append(problems, "postgres: does not answer")
		}
	}
	a.noteReady("postgres", err)
	err = wait(rd)
	if err != nil {
		problems = append(problems, "redis: does not answer")
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
// worker) until ctx ends, then shuts down gracefully. With st it first
// waits for PostgreSQL and Redis (waitForServers), answering /healthz,
// and /readyz 503 with the reason, meanwhile; a stop while it waits ends
// it cleanly.
func serveHTTP(ctx context.Context, a *app, withWorker bool, ready func(addr string), st *startState) error {
	h, err := newHandler(a)
	if err != nil {
		return err
	}
	var serving handoff
	serving.set(h)
	if st != nil {
		serving.set(st.handler())
	}
	srv := &http.Server{
		Handler:           &serving,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.HTTPAddr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(mounts)+2)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errs <- err
	}()
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
	if err := a.checkKeys(ctx); err != nil {
		_ = srv.Close()
		return err
	}
	for _, m := range mounts {
		if m.reached != nil {
			m.reached(ctx, a)
		}
	}
	serving.set(h)
	if a.cfg.MetricsAddr != "" {
		go func() { errs <- serveMetrics(ctx, a) }()
	}
	// Texts answered on the webhook are counted in memory and written
	// every few seconds, by every serve process, worker or not; the last
	// flush is below, once the requests have drained.
	go func() { _ = a.engine.SentTexts().RunFlusher(ctx, sentTextsFlushEvery, a.log) }()
	running := 0
	if withWorker {
		for _, m := range mounts {
			if m.worker == nil {
				continue
			}
			running++
			go func(m mount) {
				err := m.worker(ctx, a)
				if err != nil && !errors.Is(err, context.Canceled) {
					err = fmt.Errorf("%s worker: %w", m.name, err)
				} else {
					err = nil
				}
				errs <- err
			}(m)
		}
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "worker", withWorker)
	if ready != nil {
		ready(ln.Addr().String())
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
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
	if err := srv.Shutdown(drainCtx); err != nil && first == nil {
		first = err
	}
	// Replies written while the server drained, and any counts a flush
	// cut short by the shutdown put back (Flush waits for it).
	if err := a.engine.SentTexts().Flush(shutdownCtx); err != nil {
		a.log.Error("texts sent not counted at shutdown", "err", err)
	}
	for i := 0; i < running; i++ {
		select {
		case err := <-errs:
			if first == nil {
				first = err
			}
		case <-shutdownCtx.Done():
		}
	}
	return first
}
