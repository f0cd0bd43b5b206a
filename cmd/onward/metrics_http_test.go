package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// TestMetricsCountRequestsByRoute: serve's handler counts every request
// on /metrics under the route pattern that served it (the site's
// catch-all "/" for addresses nobody serves, "unmatched" for requests the
// edge refuses before routing), its method
// and its status class, and times it under the same pattern; the
// reference or token in a path never shows; the process's and the Go
// runtime's metrics are there beside the outbox's.
func TestMetricsCountRequestsByRoute(t *testing.T) {
	a, redisProxy, _ := smsWebhook(t)
	h, err := newHandler(a)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "ONW-7Q4K-SECRET"
	scrape := func() string {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
			t.Errorf("/metrics answers as %q", got)
		}
		return rec.Body.String()
	}
	type request struct{ method, path, route, class string }
	requests := []request{
		{"GET", "/healthz", "GET /healthz", "2xx"},
		{"GET", "/r/" + secret, "GET /r/{code}", "3xx"},                           // a leaflet code nobody printed: to the form
		{"GET", "/staff/referrals/" + secret, "GET /staff/referrals/{id}", "4xx"}, // not signed in
		{"POST", "/twilio/sms", "POST /twilio/sms", "4xx"},                        // unsigned
		{"GET", "/twilio/sms", "/", "4xx"},                                        // wrong method: the site's catch-all answers 405
		{"GET", "/nowhere/" + secret, "/", "4xx"},                                 // the site's catch-all: its 404 page
		{"GET", "/directory/agencies/" + secret + "%00", "unmatched", "4xx"},      // refused at the edge
		{"GET", "/readyz", "GET /readyz", "5xx"},                                  // Redis is down
	}
	before := scrape()
	for _, r := range requests {
		redisProxy.SetUp(r.path != "/readyz")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, nil))
		if got := strconv.Itoa(rec.Code/100) + "xx"; got != r.class {
			t.Errorf("%s %s answered %d, want %s", r.method, r.path, rec.Code, r.class)
		}
	}
	redisProxy.SetUp(true)
	after := scrape()

	want := map[string]float64{}
	for _, r := range requests {
		want[`onward_http_requests_total{method="`+r.method+`",route="`+r.route+`",status="`+r.class+`"}`]++
		want[`onward_http_request_duration_seconds_count{route="`+r.route+`"}`]++
	}
	for series, n := range want {
		if got := sample(after, series) - sample(before, series); got != n {
			t.Errorf("%s rose by %g, want %g", series, got, n)
		}
	}
	if strings.Contains(after, secret) {
		t.Errorf("/metrics shows a path's reference:\n%s", after)
	}
	for _, name := range []string{
		"onward_http_requests_in_flight", "onward_outbox_oldest_pending_seconds",
		"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
		"go_goroutines", "go_gc_duration_seconds",
	} {
		if !strings.Contains(after, "\n# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s:\n%s", name, after)
		}
	}
}

// TestMetricsShowTheReplica: with a read replica configured, /metrics
// has the replica's gauges and fallback counters, as core writes them.
func TestMetricsShowTheReplica(t *testing.T) {
	env := coretest.NewEnv(t)
	readers := core.NewReaders(env.Pool, env.Pool, time.Hour)
	env.Engine.UseReaders(readers)
	a := &app{cfg: config.Config{MetricsToken: "t"}, engine: env.Engine, pool: env.Pool}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	metricsHandler(a).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	var text bytes.Buffer
	readers.WriteMetrics(&text)
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	if len(lines) < 8 {
		t.Fatalf("the replica's metrics are only %q", text.String())
	}
	for _, l := range lines {
		if !strings.Contains(rec.Body.String(), l+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", l, rec.Body)
		}
	}
}

// sample is the value of series in a scrape, 0 when it is not there.
func sample(body, series string) float64 {
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return 0
}
