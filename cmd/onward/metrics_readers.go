package main

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// withReaderMetrics adds the read replica's gauges and fallback counters
// to what h writes on /metrics, when h answered.
func withReaderMetrics(h http.Handler, readers *core.Readers) http.Handler {
	if !readers.HasReplica() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status == http.StatusOK {
			readers.WriteMetrics(w)
		}
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
