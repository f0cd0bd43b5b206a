package httpmetrics

import (
	"bytes"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// ContentType is the type /metrics answers with: Prometheus' text
// exposition format, version 0.0.4, which every scraper reads. Onward's
// /metrics has always answered with it, so it is fixed here rather than
// negotiated (promhttp would answer some scrapers in protobuf).
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText answers with what g gathers, in the text format. When g
// cannot gather, the answer is 500 with the reason.
func WriteText(w http.ResponseWriter, g prometheus.Gatherer) {
	families, err := g.Gather()
	if err != nil {
		http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&buf, f); err != nil {
			http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", ContentType)
	_, _ = w.Write(buf.Bytes())
}
