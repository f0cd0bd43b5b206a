package httpmetrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onward-network/onward/internal/httpmetrics"
)

// secret stands for what paths carry that /metrics must never show: a
// referral's reference, a leaflet code, a sign-in token.
const secret = "ONW-7Q4K-SECRET"

// routes is a server like Onward's: a webhook, a route with a wildcard,
// a subtree, and handlers that fail or panic.
func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /twilio/sms", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /r/{code}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "leaflet") })
	mux.HandleFunc("GET /staff/referrals/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
	})
	mux.HandleFunc("/dev/{token}/", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /early", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	return mux
}

// scrape is what /metrics would show of m.
func scrape(t *testing.T, m *httpmetrics.Metrics) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	rec := httptest.NewRecorder()
	httpmetrics.WriteText(rec, reg)
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestRequestsCountedByPatternNotPath: each request is counted once
// under the pattern that served it (or "unmatched"), its method and its
// status class, and timed under the same pattern; nothing of the path a
// client sent reaches /metrics.
func TestRequestsCountedByPatternNotPath(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         string // the counter's labels
	}{
		{"POST", "/twilio/sms", `method="POST",route="POST /twilio/sms",status="2xx"`},
		{"GET", "/r/" + secret, `method="GET",route="GET /r/{code}",status="2xx"`},
		{"HEAD", "/r/" + secret, `method="HEAD",route="GET /r/{code}",status="2xx"`},
		{"GET", "/staff/referrals/" + secret, `method="GET",route="GET /staff/referrals/{id}",status="3xx"`},
		{"GET", "/dev/" + secret + "/x", `method="GET",route="/dev/{token}/",status="2xx"`},
		{"POST", "/fail", `method="POST",route="POST /fail",status="5xx"`},
		{"GET", "/early", `method="GET",route="GET /early",status="2xx"`},
		{"GET", "/panic", `method="GET",route="GET /panic",status="5xx"`},
		{"GET", "/nowhere/" + secret, `method="GET",route="unmatched",status="4xx"`},
		{"PUT", "/twilio/sms", `method="PUT",route="unmatched",status="4xx"`},
		{"GET", "/twilio//sms/../" + secret, `method="GET",route="unmatched",status="3xx"`},
		{"BREW" + secret, "/twilio/sms", `method="other",route="unmatched",status="4xx"`},
		// The mux names a CONNECT's redirect target, a raw path, as its
		// pattern.
		{"CONNECT", "/dev/" + secret, `method="CONNECT",route="unmatched",status="3xx"`},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			m := httpmetrics.New()
			h := m.Wrap(routes())
			func() {
				defer func() { _ = recover() }() // the panicking handler; net/http recovers it
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
			}()
			body := scrape(t, m)
			if want := "onward_http_requests_total{" + c.want + "} 1\n"; !strings.Contains(body, want) {
				t.Errorf("metrics lack %q:\n%s", want, body)
			}
			route := c.want[strings.Index(c.want, "route="):strings.Index(c.want, ",status")]
			if want := "onward_http_request_duration_seconds_count{" + route + "} 1\n"; !strings.Contains(body, want) {
				t.Errorf("metrics lack %q:\n%s", want, body)
			}
			if strings.Contains(body, secret) {
				t.Errorf("metrics show the path's secret %q:\n%s", secret, body)
			}
			if !strings.Contains(body, "onward_http_requests_in_flight 0\n") {
				t.Errorf("a finished request is still in flight:\n%s", body)
			}
		})
	}
}

// TestInFlight: a request being answered is in flight until its handler
// returns.
func TestInFlight(t *testing.T) {
	m := httpmetrics.New()
	entered, release := make(chan struct{}), make(chan struct{})
	h := m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	<-entered
	if body := scrape(t, m); !strings.Contains(body, "onward_http_requests_in_flight 1\n") {
		t.Errorf("a request being answered is not in flight:\n%s", body)
	}
	close(release)
	<-done
	if body := scrape(t, m); !strings.Contains(body, "onward_http_requests_in_flight 0\n") {
		t.Errorf("a finished request is still in flight:\n%s", body)
	}
}

// TestHandlersStillReachTheWriterBeneath: a handler behind the metrics
// can still flush through http.ResponseController.
func TestHandlersStillReachTheWriterBeneath(t *testing.T) {
	h := httpmetrics.New().Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush through the metrics' writer: %v", err)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !rec.Flushed {
		t.Error("the answer was not flushed")
	}
}

// TestWriteTextAnswersInTheTextFormat: /metrics answers in the text
// format it always has, whatever the scraper asks for.
func TestWriteTextAnswersInTheTextFormat(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "onward_test_total", Help: "A count."})
	reg.MustRegister(c)
	c.Add(3)
	rec := httptest.NewRecorder()
	httpmetrics.WriteText(rec, reg)
	if got := rec.Header().Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if want := "# HELP onward_test_total A count.\n# TYPE onward_test_total counter\nonward_test_total 3\n"; rec.Body.String() != want {
		t.Errorf("body %q, want %q", rec.Body.String(), want)
	}
}

// BenchmarkWrap is what the metrics add to a request: compare with
// BenchmarkBareMux.
func BenchmarkWrap(b *testing.B) {
	benchmarkRoutes(b, httpmetrics.New().Wrap(routes()))
}

func BenchmarkBareMux(b *testing.B) {
	benchmarkRoutes(b, routes())
}

func benchmarkRoutes(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("POST", "/twilio/sms", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
