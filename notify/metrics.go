package notify

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/internal/httpmetrics"
)

// Metrics counts what this process's workers did. The outbox's depth,
// oldest pending age and dead letters are read from the database at each
// scrape, so they are right however many workers run.
type Metrics struct {
	deliveries *prometheus.CounterVec // kind, outcome
	retries    *prometheus.CounterVec // kind
	deadRows   *prometheus.CounterVec // kind
	cutShort   *prometheus.CounterVec // kind: dead letters the provider may have taken

	mu       sync.Mutex
	dbDown   int       // workers of this process that cannot reach PostgreSQL
	mailDown time.Time // since when a worker of this process cannot reach the mail server
	mailGone prometheus.GaugeFunc
	// worker registers mailGone once a worker delivers with these
	// metrics: a process without one (serve --worker=false) reaches no
	// mail server, and a 0 from it would say it does.
	worker sync.Once

	// process gathers the series above, which this process holds itself.
	process *prometheus.Registry

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
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onward_notify_deliveries_total",
			Help: "Deliveries finished by this process, by kind and outcome (sent, skipped, deferred, dead, …).",
		}, []string{"kind", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onward_notify_retries_total",
			Help: "Failed attempts rescheduled with backoff, by kind.",
		}, []string{"kind"}),
		deadRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onward_notify_dead_letters_total",
			Help: "Rows this process dead-lettered, by kind.",
		}, []string{"kind"}),
		cutShort: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onward_notify_interrupted_total",
			Help: "Rows this process dead-lettered as interrupted during send, by kind: the provider may have taken the message (no answer to an email's final \".\", a text Twilio could not confirm), so it is not sent again until someone checks and retries it. Also counted in the dead letters.",
		}, []string{"kind"}),
	}
	m.mailGone = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "onward_notify_mail_server_unreachable_seconds",
		Help: "How long this process's worker has not reached the mail server (ONWARD_SMTP_URL), 0 while it does; emails wait meanwhile, their attempts not counted.",
	}, m.mailUnreachable)
	m.process = prometheus.NewRegistry()
	m.process.MustRegister(m.deliveries, m.retries, m.deadRows, m.cutShort)
	return m
}

// workerRuns notes that a worker of this process delivers with m: from
// then on the scrape says how long it has not reached the mail server.
func (m *Metrics) workerRuns() {
	m.worker.Do(func() { m.process.MustRegister(m.mailGone) })
}

// Process gathers what this process's workers counted (onward_notify_*:
// deliveries, retries, dead letters, interruptions, how long the mail
// server has not been reached). None of it is read from the database, so
// a scrape can show it while PostgreSQL is down, when it matters most.
func (m *Metrics) Process() prometheus.Gatherer { return m.process }

// mailServer notes that a worker of this process stopped (down) or went
// back to (!down) reaching the mail server.
func (m *Metrics) mailServer(down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !down:
		m.mailDown = time.Time{}
	case m.mailDown.IsZero():
		m.mailDown = time.Now()
	}
}

// mailUnreachable is how long the mail server has not been reached, in
// seconds (0 while it is).
func (m *Metrics) mailUnreachable() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mailDown.IsZero() {
		return 0
	}
	return time.Since(m.mailDown).Seconds()
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

// handled starts kind's retry and dead-letter counters at 0 once this
// process has finished an attempt at a row of that kind, so the first
// retry or dead letter is an increase a rate or an alert sees, not a
// series appearing at 1.
func (m *Metrics) handled(kind string) {
	m.retries.WithLabelValues(kind)
	m.deadRows.WithLabelValues(kind)
	m.cutShort.WithLabelValues(kind)
}

func (m *Metrics) delivered(kind core.OutboxKind, outcome string) {
	m.handled(string(kind))
	m.deliveries.WithLabelValues(string(kind), outcome).Inc()
}

func (m *Metrics) retried(kind core.OutboxKind) {
	m.handled(string(kind))
	m.retries.WithLabelValues(string(kind)).Inc()
}

func (m *Metrics) dead(kind core.OutboxKind) {
	m.handled(string(kind))
	m.deadRows.WithLabelValues(string(kind)).Inc()
	m.deliveries.WithLabelValues(string(kind), "dead").Inc()
}

// interrupted counts a dead letter the provider may have taken.
func (m *Metrics) interrupted(kind core.OutboxKind) {
	m.handled(string(kind))
	m.cutShort.WithLabelValues(string(kind)).Inc()
}

// Handler serves /metrics in Prometheus' text format: this process's
// delivery counters (Process), the outbox's gauges, and what each of more
// gathers (the process's runtime and HTTP metrics, say). It answers 503
// when the outbox cannot be read; a caller that must answer all the same
// serves Process without the outbox (cmd/onward's scrape does).
func (m *Metrics) Handler(outbox *core.Outbox, clock core.Clock, more ...prometheus.Gatherer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		now := clock.Now()
		gs, err := m.outboxGauges(ctx, outbox, now)
		if err != nil {
			http.Error(w, "metrics: cannot read the outbox", http.StatusServiceUnavailable)
			return
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(outboxReading{gauges: gs, now: now})
		httpmetrics.WriteText(w, append(prometheus.Gatherers{m.process, reg}, more...))
	})
}

var (
	outboxDepthDesc = prometheus.NewDesc("onward_outbox_depth",
		"Outbox rows not yet delivered (due, scheduled or retrying), by kind.", []string{"kind"}, nil)
	outboxPendingDesc = prometheus.NewDesc("onward_outbox_pending",
		"Outbox rows that should have gone by now and have not (due, in flight, retrying, or put off by a mail server that cannot be reached), by kind: the backlog, without the rows scheduled for later that onward_outbox_depth counts.", []string{"kind"}, nil)
	outboxDeadDesc = prometheus.NewDesc("onward_outbox_dead",
		"Dead-lettered outbox rows waiting for `onward outbox retry`, by kind.", []string{"kind"}, nil)
	outboxOldestDesc = prometheus.NewDesc("onward_outbox_oldest_pending_seconds",
		"How long the longest-waiting pending row (see onward_outbox_pending) has waited since it first fell due (0 when none is).", nil, nil)
)

// outboxReading is one reading of the outbox's gauges, as of now, for
// one scrape.
type outboxReading struct {
	gauges []core.OutboxGauge
	now    time.Time
}

func (o outboxReading) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepthDesc
	ch <- outboxPendingDesc
	ch <- outboxDeadDesc
	ch <- outboxOldestDesc
}

func (o outboxReading) Collect(ch chan<- prometheus.Metric) {
	oldest := 0.0
	for _, g := range o.gauges {
		ch <- prometheus.MustNewConstMetric(outboxDepthDesc, prometheus.GaugeValue, float64(g.Depth), string(g.Kind))
		ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(g.Pending), string(g.Kind))
		ch <- prometheus.MustNewConstMetric(outboxDeadDesc, prometheus.GaugeValue, float64(g.Dead), string(g.Kind))
		if g.OldestPending != nil {
			oldest = max(oldest, o.now.Sub(*g.OldestPending).Seconds())
		}
	}
	ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, oldest)
}
