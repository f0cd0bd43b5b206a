package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

const workerUsage = `Usage: onward worker [--metrics-addr ADDR]

Run the outbox worker on its own: deliver Slack cards, reminders, digests
and client texts that core queued, with retries and dead letters. Run as
many as you like; they share the work through the database. ` + "`onward serve`" + `
runs one in-process unless --worker=false. Started while PostgreSQL or
Redis does not answer, it waits for them, saying so once in the log and
in /readyz on the metrics address. /healthz, /readyz and /metrics are
served only on --metrics-addr (or ONWARD_METRICS_ADDR); without one the
worker says at start that it has no health endpoint.

Flags:
`

func init() {
	register(command{name: "worker", summary: "run the outbox worker (Slack, SMS, reminders, digests)", run: runWorker})
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("worker", workerUsage, stdout, stderr)
	metricsAddr := fs.String("metrics-addr", "", "also serve /metrics on this address, e.g. :9090")
	if err := onlyFlags(fs, args, workerUsage); err != nil {
		return err
	}
	a, err := startApp(stderr, false)
	if err != nil {
		return err
	}
	defer a.CloseAtExit()
	cfg, log := a.cfg, a.log
	w, err := newNotifyWorker(a)
	if err != nil {
		return err
	}
	setting := "--metrics-addr"
	if *metricsAddr == "" {
		*metricsAddr, setting = cfg.MetricsAddr, "ONWARD_METRICS_ADDR"
	}
	st := newStartState()
	var serving handoff
	// While it waits for PostgreSQL and Redis, /metrics has the process's
	// own figures (the outbox's are read once the database answers).
	serving.set(st.handler(metricsHandler(a)))
	if *metricsAddr != "" {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("%s (%s): cannot listen there: %w", setting, *metricsAddr, listenCause(err))
		}
		srv := &http.Server{Handler: &serving, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		defer srv.Close()
	} else {
		log.Info("no health endpoint: this worker serves no /healthz, /readyz or /metrics; give it --metrics-addr (or ONWARD_METRICS_ADDR) for a load balancer or monitor to check it")
	}
	if err := a.waitForServers(ctx, st); err != nil {
		if ctx.Err() != nil {
			log.Info("stopped while waiting for PostgreSQL and Redis")
			return nil
		}
		return err
	}
	if err := a.checkKeysOnceUp(ctx, st); err != nil {
		if ctx.Err() != nil {
			log.Info("stopped while waiting for PostgreSQL and Redis")
			return nil
		}
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /metrics", metricsHandler(a))
	// Ready as serve is: PostgreSQL and Redis answering (the worker's
	// jobs need both), the schema not behind, deliveries not paused.
	mux.HandleFunc("GET /readyz", a.readyz)
	serving.set(httpMetrics.Wrap(mux))
	// The background jobs serve's in-process worker runs (audit
	// checkpoints, retention, the report rollups, held opt-outs): a
	// deployment of serve --worker=false beside workers runs each here.
	for _, m := range mounts {
		if m.job == nil {
			continue
		}
		go func(m mount) {
			if err := m.job(ctx, a); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("background job stopped", "job", m.name, "err", err)
			}
		}(m)
	}
	log.Info("outbox worker running", "batch", cfg.WorkerBatch, "max_attempts", cfg.WorkerMaxAttempts, "poll", cfg.WorkerPoll)
	err = runSayingStop(ctx, w.Run, func() {
		log.Info("stopping: finishing the deliveries in hand", "grace", cfg.ShutdownGrace)
	})
	if errors.Is(err, context.Canceled) || err == nil && ctx.Err() != nil {
		log.Info("outbox worker stopped")
		return nil
	}
	return err
}

// runSayingStop runs run(ctx) and calls stopping once ctx ends, the
// moment it ends, while run finishes what it holds. It returns only after
// stopping has returned: a run with nothing in hand returns at once, and
// its "stopped" line would otherwise come before the "stopping" line.
func runSayingStop(ctx context.Context, run func(context.Context) error, stopping func()) error {
	ran, said := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(said)
		select {
		case <-ctx.Done():
		case <-ran:
		}
		if ctx.Err() != nil {
			stopping()
		}
	}()
	err := run(ctx)
	close(ran)
	<-said
	return err
}
