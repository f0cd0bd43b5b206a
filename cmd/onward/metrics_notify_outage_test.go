package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// An on-call review: while PostgreSQL was down /metrics answered 200,
// but without notify's counters and gauges (onward_notify_*), which the
// process holds itself: a scrape during an outage showed no interrupted
// sends and no mail server gone. Only the figures read from PostgreSQL
// (onward_outbox_*) may be missing.
func TestMetricsKeepNotifyCountersWhilePostgresIsDown(t *testing.T) {
	a, p, _, _ := appBehindProxy(t)
	// A process that runs a worker (serve, or `onward worker`) says how
	// long it has not reached the mail server.
	if _, err := newNotifyWorker(a); err != nil {
		t.Fatal(err)
	}
	h := metricsHandler(a)
	scrape := func(state string) string {
		t.Helper()
		rec, _ := serveWithin(t, h, httptest.NewRequest("GET", "/metrics", nil), 10*time.Second)
		if rec.Code != http.StatusOK {
			t.Fatalf("scrape with PostgreSQL %s = %d %s", state, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	p.SetUp(false)
	// A reading of the outbox is kept ten seconds: wait it out, should an
	// earlier test have read one.
	deadline := time.Now().Add(15 * time.Second)
	down := scrape("down")
	for !strings.Contains(down, "onward_metrics_database_up 0") {
		if time.Now().After(deadline) {
			t.Fatalf("scrape with PostgreSQL down did not say so:\n%s", down)
		}
		time.Sleep(200 * time.Millisecond)
		down = scrape("down")
	}
	families, err := notifyMetrics.Process().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if !strings.Contains(down, "\n# TYPE "+f.GetName()+" ") {
			t.Errorf("scrape with PostgreSQL down lacks %s", f.GetName())
		}
	}
	if !strings.Contains(down, "\nonward_notify_mail_server_unreachable_seconds ") {
		t.Errorf("scrape with PostgreSQL down lacks onward_notify_mail_server_unreachable_seconds:\n%s", down)
	}
	if strings.Contains(down, "onward_outbox_depth") || strings.Contains(down, "onward_outbox_oldest_pending_seconds") {
		t.Errorf("scrape with PostgreSQL down shows the outbox's figures:\n%s", down)
	}
}
