package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
)

// Metrics counts what this process's workers did. The outbox's depth,
// oldest pending age and dead letters are read from the database at each
// scrape, so they are right however many workers run.
type Metrics struct {
	mu         sync.Mutex
	deliveries map[[2]string]uint64 // kind, outcome
	retries    map[string]uint64
	deadRows   map[string]uint64
	dbDown     int // workers of this process that cannot reach PostgreSQL

	gaugeMu  sync.Mutex
	gauges   []core.OutboxGauge
	gaugesAt time.Time
}

// gaugeTTL is how long one reading of the outbox's gauges is served: a
// scraper (or someone hammering /metrics) costs the database at most one
// small query per this period.
const gaugeTTL = 10 * time.Second

// outboxGauges reads the gauges, or returns the reading younger than
// gaugeTTL.
func (m *Metrics) outboxGauges(ctx context.Context, outbox *core.Outbox, now time.Time) ([]core.OutboxGauge, error) {
	m.gaugeMu.Lock()
	defer m.gaugeMu.Unlock()
	if m.gauges != nil && now.Sub(m.gaugesAt) < gaugeTTL && !now.Before(m.gaugesAt) {
		return m.gauges, nil
	}
	gs, err := outbox.Gauges(ctx, now)
	if err != nil {
		return nil, err
	}
	if gs == nil {
		gs = []core.OutboxGauge{}
	}
	m.gauges, m.gaugesAt = gs, now
	return gs, nil
}

// NewMetrics returns empty counters.
func NewMetrics() *Metrics {
	return &Metrics{deliveries: map[[2]string]uint64{}, retries: map[string]uint64{}, deadRows: map[string]uint64{}}
}

// databaseDown counts a worker that lost (true) or regained (false)
// PostgreSQL.
func (m *Metrics) databaseDown(down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if down {
		m.dbDown++
	} else if m.dbDown > 0 {
		m.dbDown--
	}
}

// WorkerCannotReachDatabase reports whether a worker of this process is
// backing off because PostgreSQL does not answer, for /readyz.
func (m *Metrics) WorkerCannotReachDatabase() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dbDown > 0
}

func (m *Metrics) delivered(kind core.OutboxKind, outcome string) {
	m.mu.Lock()
	m.deliveries[[2]string{string(kind), outcome}]++
	m.mu.Unlock()
}

func (m *Metrics) retried(kind core.OutboxKind) {
	m.mu.Lock()
	m.retries[string(kind)]++
	m.mu.Unlock()
}

func (m *Metrics) dead(kind core.OutboxKind) {
	m.mu.Lock()
	m.deadRows[string(kind)]++
	m.deliveries[[2]string{string(kind), "dead"}]++
	m.mu.Unlock()
}

// Handler serves the metrics in Prometheus' text exposition format.
func (m *Metrics) Handler(outbox *core.Outbox, clock core.Clock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		now := clock.Now()
		gs, err := m.outboxGauges(ctx, outbox, now)
		if err != nil {
			http.Error(w, "metrics: cannot read the outbox", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.write(w, gs, now)
	})
}

func (m *Metrics) write(w io.Writer, gs []core.OutboxGauge, now time.Time) {
	header := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	header("onward_outbox_depth", "gauge", "Outbox rows not yet delivered (due, scheduled or retrying), by kind.")
	for _, g := range gs {
		fmt.Fprintf(w, "onward_outbox_depth{kind=\"%s\"} %d\n", label(string(g.Kind)), g.Depth)
	}
	header("onward_outbox_dead", "gauge", "Dead-lettered outbox rows waiting for `onward outbox retry`, by kind.")
	for _, g := range gs {
		fmt.Fprintf(w, "onward_outbox_dead{kind=\"%s\"} %d\n", label(string(g.Kind)), g.Dead)
	}
	header("onward_outbox_oldest_pending_seconds", "gauge", "How long the longest-waiting due row has been due (0 when none is).")
	oldest := 0.0
	for _, g := range gs {
		if g.OldestDue != nil {
			oldest = max(oldest, now.Sub(*g.OldestDue).Seconds())
		}
	}
	fmt.Fprintf(w, "onward_outbox_oldest_pending_seconds %g\n", oldest)

	m.mu.Lock()
	defer m.mu.Unlock()
	header("onward_notify_deliveries_total", "counter", "Deliveries finished by this process, by kind and outcome (sent, skipped, deferred, dead, …).")
	keys := make([][2]string, 0, len(m.deliveries))
	for k := range m.deliveries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		fmt.Fprintf(w, "onward_notify_deliveries_total{kind=\"%s\",outcome=\"%s\"} %d\n", label(k[0]), label(k[1]), m.deliveries[k])
	}
	header("onward_notify_retries_total", "counter", "Failed attempts rescheduled with backoff, by kind.")
	for _, k := range sortedKeys(m.retries) {
		fmt.Fprintf(w, "onward_notify_retries_total{kind=\"%s\"} %d\n", label(k), m.retries[k])
	}
	header("onward_notify_dead_letters_total", "counter", "Rows this process dead-lettered, by kind.")
	for _, k := range sortedKeys(m.deadRows) {
		fmt.Fprintf(w, "onward_notify_dead_letters_total{kind=\"%s\"} %d\n", label(k), m.deadRows[k])
	}
}

func sortedKeys(m map[string]uint64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// label escapes a label value the way the exposition format wants.
func label(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}
