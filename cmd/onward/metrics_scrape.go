package main

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onward-network/onward/internal/httpmetrics"
)

// A scrape of /metrics always answers 200 with what the process knows of
// itself: its HTTP requests, the Go runtime, its read replica, its
// workers' delivery counters and mail-server gauge (onward_notify_*). Only the
// outbox's gauges are read from PostgreSQL, and that read has a short
// deadline of its own (metricsDatabaseWithin): while PostgreSQL is down,
// hanging, or not reached yet at start — exactly when on-call needs the
// error rates — the scrape leaves those gauges out and says so in
// onward_metrics_database_up 0, rather than failing whole and taking
// every series with it.

// metricsDatabaseWithin bounds the part of a scrape that reads
// PostgreSQL, well inside Prometheus' default scrape timeout (10 s).
const metricsDatabaseWithin = 2 * time.Second

var metricsDatabaseUpDesc = prometheus.NewDesc("onward_metrics_database_up",
	"1 when this scrape has the outbox's figures (onward_outbox_*), read from PostgreSQL at most ten seconds ago; 0 when PostgreSQL did not answer within 2 s, and they are left out of the scrape.",
	nil, nil)

// databaseUp is onward_metrics_database_up with value v.
type databaseUp float64

func (d databaseUp) Describe(ch chan<- *prometheus.Desc) { ch <- metricsDatabaseUpDesc }

func (d databaseUp) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(metricsDatabaseUpDesc, prometheus.GaugeValue, float64(d))
}

// gatherer is a registry holding c alone.
func gatherer(c prometheus.Collector) prometheus.Gatherer {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return reg
}

// scrapeHandler answers /metrics (metricsHandler puts the token in
// front): notify's answer, which reads the outbox, when it comes within
// metricsDatabaseWithin and is whole; otherwise the process's own
// metrics, notify's counters among them, beside onward_metrics_database_up 0.
func scrapeHandler(a *app) http.Handler {
	replica := readerMetrics(a.engine.Readers())
	whole := notifyMetrics.Handler(a.engine.Outbox(), a.engine.Clock(), processMetrics, replica, gatherer(databaseUp(1)))
	withoutDatabase := prometheus.Gatherers{notifyMetrics.Process(), processMetrics, replica, gatherer(databaseUp(0))}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), metricsDatabaseWithin)
		defer cancel()
		var got bufferedAnswer
		whole.ServeHTTP(&got, r.WithContext(ctx))
		if got.status == http.StatusOK {
			for k, v := range got.header {
				w.Header()[k] = v
			}
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(got.body.Bytes())
			return
		}
		httpmetrics.WriteText(w, withoutDatabase)
	})
}

// bufferedAnswer holds an answer until it is known to be whole: a
// scrape answers with it, or without it, never with half of it.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header {
	if b.header == nil {
		b.header = http.Header{}
	}
	return b.header
}

func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}
