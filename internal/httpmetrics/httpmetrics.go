// Package httpmetrics counts the HTTP requests a server answers, by the
// route pattern that served them, for /metrics: how many, how they ended
// and how long they took, and how many are in flight.
//
// The route label is the http.ServeMux pattern ("POST /twilio/sms",
// "GET /r/{code}"), never the path: paths hold references, leaflet codes
// and sign-in tokens, and one series per path would grow without bound.
package httpmetrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route of a request no pattern served: an address the
// server does not have, a method the address is not served with, or a
// request the edge refused before routing.
const Unmatched = "unmatched"

// Metrics is the request counter, latency histogram and in-flight gauge
// of the handlers it wraps. It is a prometheus.Collector.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// New returns metrics with nothing counted yet.
func New() *Metrics {
	return &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onward_http_requests_total",
			Help: "HTTP requests answered, by route pattern (\"unmatched\" when none served it), method and status class (2xx, 4xx, 5xx, …).",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "onward_http_request_duration_seconds",
			Help:    "How long HTTP requests took to answer, from routing to the handler's return, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "onward_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.requests.Describe(ch)
	m.duration.Describe(ch)
	m.inFlight.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.requests.Collect(ch)
	m.duration.Collect(ch)
	m.inFlight.Collect(ch)
}

// Wrap counts every request next answers. next should be the
// http.ServeMux itself, or a handler that passes the mux the request it
// was given: the route is read from r.Pattern, which the mux sets on that
// request when it routes it. A handler in between that passes on a copy
// (r.WithContext, r.Clone) hides the pattern, and the request is counted
// as unmatched.
func (m *Metrics) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Inc()
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		returned := false
		defer func() {
			m.inFlight.Dec()
			status := rec.status
			switch {
			case status != 0:
			case returned:
				status = http.StatusOK // net/http's answer when a handler writes nothing
			default:
				status = http.StatusInternalServerError // it panicked before answering; the client gets no answer
			}
			route := route(r)
			m.requests.WithLabelValues(route, method(r.Method), statusClass(status)).Inc()
			m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
		returned = true
	})
}

// route is the pattern that served r, or Unmatched.
func route(r *http.Request) string {
	// For CONNECT the mux reports a redirect's target path as the
	// pattern, which would put a raw path in the label. Onward serves no
	// CONNECT.
	if r.Pattern == "" || r.Method == http.MethodConnect {
		return Unmatched
	}
	return r.Pattern
}

// method is r's method when it is one of HTTP's, else "other": the
// method is the client's to choose, and a label must not take any value
// a client sends.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// statusClass is "2xx" for 200–299, and so on.
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return strconv.Itoa(code/100) + "xx"
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int // 0 until the handler answers
}

func (w *statusRecorder) WriteHeader(code int) {
	// An informational answer (103 Early Hints) comes before the real one.
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath, so
// handlers can still flush, hijack or set deadlines through it.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
