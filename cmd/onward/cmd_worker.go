package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/onward-network/onward/core"
)

const workerUsage = `Usage: onward worker [--metrics-addr ADDR]

Run the outbox worker on its own: deliver Slack cards, reminders, digests
and client texts that core queued, with retries and dead letters. Run as
many as you like; they share the work through the database. ` + "`onward serve`" + `
runs one in-process unless --worker=false.

Flags:
`

func init() {
	register(command{name: "worker", summary: "run the outbox worker (Slack, SMS, reminders, digests)", run: runWorker})
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("worker", workerUsage, stdout, stderr)
	metricsAddr := fs.String("metrics-addr", "", "also serve /metrics on this address, e.g. :9090")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := core.CheckSchema(ctx, a.pool); err != nil {
		return err
	}
	w, err := newNotifyWorker(a)
	if err != nil {
		return err
	}
	if *metricsAddr == "" {
		*metricsAddr = cfg.MetricsAddr
	}
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metricsHandler(a))
		mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if notifyMetrics.WorkerCannotReachDatabase() {
				rw.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(rw, "not ready: worker: cannot reach postgres, deliveries paused")
				return
			}
			fmt.Fprintln(rw, "ready")
		})
		srv := &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		defer srv.Close()
	}
	go func() {
		if err := runCheckpointer(ctx, a); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("audit checkpoints stopped", "err", err)
		}
	}()
	go runRetentionDaily(ctx, a.engine, log)
	log.Info("outbox worker running", "batch", cfg.WorkerBatch, "max_attempts", cfg.WorkerMaxAttempts, "poll", cfg.WorkerPoll)
	err = w.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
