package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/onward-network/onward/core"
)

// readerMetrics gathers the read replica's gauges and fallback counters
// for /metrics; nothing when no replica is configured. core, which links
// no metrics library, writes them in Prometheus' text format
// (Readers.WriteMetrics, where their names and meanings are defined);
// this reads that text back into metric families.
func readerMetrics(readers *core.Readers) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		if !readers.HasReplica() {
			return nil, nil
		}
		var text bytes.Buffer
		readers.WriteMetrics(&text)
		parser := expfmt.NewTextParser(model.LegacyValidation)
		byName, err := parser.TextToMetricFamilies(&text)
		if err != nil {
			return nil, fmt.Errorf("read the replica's metrics: %w", err)
		}
		families := make([]*dto.MetricFamily, 0, len(byName))
		for _, f := range byName {
			families = append(families, f)
		}
		slices.SortFunc(families, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
		return families, nil
	})
}
