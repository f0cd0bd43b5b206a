package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/internal/httpmetrics"
)

// auditKey is the deployment's ONWARD_AUDIT_KEY for core; core's
// stand-in when it is not set, which only dev allows: outside dev every
// command refuses to run without it, as events it wrote (a staff change,
// an erasure, a checkpoint) would be chained with another key and break
// the audit log for good, and a verify would check against the wrong one.
func auditKey(cfg config.Config) (core.AuditKey, error) {
	b, err := cfg.AuditKeyBytes()
	if err != nil {
		return core.AuditKey{}, err
	}
	if b == nil {
		if !cfg.Dev() {
			return core.AuditKey{}, errors.New("ONWARD_AUDIT_KEY is not set: this command's events are chained with it, " +
				"and without it they would break the audit log; set it to the key serve and the worker use")
		}
		return core.AuditKey{}, nil
	}
	return core.NewAuditKey(b), nil
}

// newEngine is the engine of every command and process: core's engine on
// pool (crypt nil for a command that reads no client's details),
// configured as configureEngine says. Every command that writes an event
// gets its engine here, so none chains its events with another key than
// the deployment's (or runs outside dev without one).
func newEngine(cfg config.Config, pool *pgxpool.Pool, crypt *core.Crypter, log *slog.Logger) (*core.Engine, error) {
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, log)
	if err := configureEngine(eng, cfg); err != nil {
		eng.Close()
		return nil, err
	}
	return eng, nil
}

// configureEngine gives an engine the settings every command's engine
// shares: the audit key its events are chained with, the daily cap on
// texts the web form can cause to one number, whether Onward is on Slack
// (an agency's channel then tells it of new referrals), and where partners'
// webhook receivers may be (any address in dev; in production public
// ones and the networks in ONWARD_WEBHOOK_PRIVATE_NETWORKS).
func configureEngine(eng *core.Engine, cfg config.Config) error {
	k, err := auditKey(cfg)
	if err != nil {
		return err
	}
	eng.UseAuditKey(k)
	eng.SetWebTextsPerDay(cfg.WebTextsPerNumberDaily)
	eng.UseSlack(cfg.SlackEnabled())
	private, err := cfg.WebhookNetworks()
	if err != nil {
		return err
	}
	eng.UseWebhookReceivers(core.WebhookReceivers{Local: cfg.Dev(), Private: private})
	return nil
}

// guardedAuditLog reports whether the server's role can neither alter the
// audit log nor switch its guards off.
func guardedAuditLog(ctx context.Context, a *app) (bool, error) {
	return core.AuditLogGuarded(ctx, a.pool)
}

// writeCheckpoint signs a checkpoint of every chain that grew.
func writeCheckpoint(ctx context.Context, a *app, k core.AuditKey) (core.Checkpoint, bool, error) {
	return core.WriteCheckpoint(ctx, a.pool, k, a.engine.Clock().Now())
}

// httpMetrics count the requests this process's HTTP servers answer, by
// route pattern (like notifyMetrics, one per process).
var httpMetrics = httpmetrics.New()

// processMetrics gathers what /metrics reports besides the outbox and the
// read replica: the HTTP requests this process answered, and the Go
// runtime's and the process's own (memory, CPU, open files, goroutines,
// garbage collection).
var processMetrics = func() prometheus.Gatherer {
	reg := prometheus.NewRegistry()
	reg.MustRegister(httpMetrics, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}()

// metricsHandler is /metrics as this deployment serves it: behind
// ONWARD_METRICS_TOKEN when one is set (Authorization: Bearer TOKEN).
func metricsHandler(a *app) http.Handler {
	h := scrapeHandler(a)
	if a.cfg.MetricsToken == "" {
		return h
	}
	want := []byte(a.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme's name is case-insensitive (RFC 9110 §11.1).
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward metrics"`)
			http.Error(w, "metrics need the bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// publicMetrics reports whether /metrics belongs on the public address:
// not when it has an address of its own (ONWARD_METRICS_ADDR), and
// outside dev only behind a token.
func publicMetrics(cfg config.Config) bool {
	return cfg.MetricsAddr == "" && (cfg.MetricsToken != "" || cfg.Dev())
}

// serveMetrics serves /metrics alone on ln, ONWARD_METRICS_ADDR, until
// ctx ends. serve listens there before it waits for PostgreSQL and Redis,
// so the address is taken (or refused, naming the setting) at start and
// the process's own figures are scraped while it waits.
func serveMetrics(ctx context.Context, a *app, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(a))
	srv := &http.Server{Handler: httpMetrics.Wrap(mux), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ONWARD_METRICS_ADDR (%s): %w", a.cfg.MetricsAddr, err)
	}
	return nil
}
