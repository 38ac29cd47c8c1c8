// Package sample is the monitor's unit of observation: what a collector or a watcher saw
// in one tick, and how the collecting itself went. Collectors produce samples, the alert
// rules and the /metrics endpoint consume them.
package sample

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Sample is one value of one series, e.g. disk_used_ratio{mountpoint="/"} 0.42.
// Names are Prometheus-style snake_case without the exporter prefix, with the unit as a
// suffix (_ratio, _seconds, _bytes, _total).
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Key identifies the series: the name and the labels in label-name order.
func (s Sample) Key() string {
	var b strings.Builder
	b.WriteString(s.Name)
	if len(s.Labels) == 0 {
		return b.String()
	}
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(s.Labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(s.Labels[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// Result is what one collector reported in one tick.
//
// A collector that ran fine but had nothing to report (the first CPU tick has no delta
// yet; the DuckDB ledger is locked by a running pipeline) sets NoData and leaves Err nil:
// no data is not a failure, and alert rules keep their state.
type Result struct {
	Collector string
	Duration  time.Duration
	Err       error
	NoData    bool
	Samples   []Sample
}

// OK reports whether the collector succeeded (possibly with no data).
func (r Result) OK() bool { return r.Err == nil }
