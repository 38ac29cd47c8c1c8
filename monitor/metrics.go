package monitor

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// MetricPrefix is prepended to every sample name on /metrics.
const MetricPrefix = "jobpulse_"

// The agent's own metrics on /metrics.
const (
	MetricTickDuration     = "jobpulse_monitor_tick_duration_seconds"
	MetricAlertsFiring     = "jobpulse_monitor_alerts_firing"
	MetricOutboxWaiting    = "jobpulse_monitor_outbox_waiting"
	MetricOutboxDead       = "jobpulse_monitor_outbox_dead"
	MetricOutboxFull       = "jobpulse_monitor_outbox_full_total"
	MetricOutboxSuperseded = "jobpulse_monitor_outbox_superseded_total"
	MetricOutboxDelivered  = "jobpulse_monitor_outbox_delivered_total"
)

// metrics is the agent's private registry: no global state, so several agents (tests)
// live in one process.
type metrics struct {
	reg *prometheus.Registry
}

func newMetrics(a *Agent) *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		// Not collectors.NewProcessCollector: it lists /proc/self/fd and reads four
		// files per scrape, which cost more CPU than a whole tick of host collectors.
		selfCollector{},
		tickCollector{a},
	)
	return &metrics{reg: reg}
}

// Handler serves /metrics (Prometheus exposition of the last tick's samples, the
// agent's own metrics and the Go runtime's) and /healthz.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{
		// A bad series must not hide the others.
		ErrorHandling: promhttp.ContinueOnError,
		// The endpoint is on loopback by default, where gzip costs CPU and saves nothing.
		DisableCompression: true,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := a.unhealthy(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, reason)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// unhealthy says why the agent is not healthy: no tick has finished within three
// intervals. Empty means healthy.
func (a *Agent) unhealthy() string {
	a.mu.Lock()
	last := a.lastTickEnd
	a.mu.Unlock()
	now, limit := a.now(), 3*a.cfg.Interval
	if last.IsZero() {
		if since := now.Sub(a.started); since > limit {
			return fmt.Sprintf("no tick has finished in the %s since the agent started (limit 3 × interval = %s)", since.Round(time.Second), limit)
		}
		return ""
	}
	if age := now.Sub(last); age > limit {
		return fmt.Sprintf("the last tick finished %s ago, more than 3 × interval = %s: the tick loop is stuck", age.Round(time.Second), limit)
	}
	return ""
}

// tickCollector exposes the last tick's samples as gauges named jobpulse_<sample name>
// and the agent's own numbers. It is an unchecked collector: the series change with
// the host (mounts, probes, sources).
type tickCollector struct{ a *Agent }

func (tickCollector) Describe(chan<- *prometheus.Desc) {}

func (c tickCollector) Collect(ch chan<- prometheus.Metric) {
	a := c.a
	a.mu.Lock()
	results, tick, firing, ticked := a.last, a.tickDuration, a.firing, !a.lastTickEnd.IsZero()
	a.mu.Unlock()
	collectSamples(ch, results)
	if ticked {
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(MetricTickDuration,
			"How long the last tick took: every collector, the rules and queuing the alerts.", nil, nil),
			prometheus.GaugeValue, tick.Seconds())
	}
	ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(MetricAlertsFiring,
		"Alert instances firing after the last tick.", nil, nil), prometheus.GaugeValue, float64(firing))
	if a.outbox == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := a.outbox.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewDesc(MetricOutboxWaiting, "", nil, nil), fmt.Errorf("read the outbox: %w", err))
		return
	}
	for _, m := range []struct {
		name, help string
		typ        prometheus.ValueType
		v          float64
	}{
		{MetricOutboxWaiting, "Slack messages waiting in the outbox for delivery.", prometheus.GaugeValue, float64(st.Waiting)},
		{MetricOutboxDead, "Slack messages Slack refused as malformed, kept in the outbox's dead/ for people to read.", prometheus.GaugeValue, float64(st.Dead)},
		{MetricOutboxFull, "Messages refused because the outbox was full (lost), since the agent started.", prometheus.CounterValue, float64(st.Full)},
		{MetricOutboxSuperseded, "Firing messages dropped undelivered because their alert resolved first, since the agent started.", prometheus.CounterValue, float64(st.Superseded)},
		{MetricOutboxDelivered, "Messages Slack accepted, since the agent started.", prometheus.CounterValue, float64(st.Delivered)},
	} {
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(m.name, m.help, nil, nil), m.typ, m.v)
	}
}

// family is the series of one sample name in a tick.
type family struct {
	collector string
	samples   []sample.Sample
}

// collectSamples sends every sample as a gauge. Series of one name get the union of
// their label names (a missing label is empty), since a metric family has one label
// set; a repeated series is sent once.
func collectSamples(ch chan<- prometheus.Metric, results []sample.Result) {
	families := map[string]*family{}
	var names []string
	for _, r := range results {
		for _, s := range r.Samples {
			f := families[s.Name]
			if f == nil {
				f = &family{collector: r.Collector}
				families[s.Name] = f
				names = append(names, s.Name)
			}
			f.samples = append(f.samples, s)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		f := families[name]
		var labels []string
		for _, s := range f.samples {
			for k := range s.Labels {
				if !slices.Contains(labels, k) {
					labels = append(labels, k)
				}
			}
		}
		slices.Sort(labels)
		desc := prometheus.NewDesc(MetricPrefix+name, fmt.Sprintf("%s as the %s collector saw it in the last tick.", name, f.collector), labels, nil)
		seen := map[string]bool{}
		for _, s := range f.samples {
			values := make([]string, len(labels))
			for i, l := range labels {
				values[i] = s.Labels[l]
			}
			key := strings.Join(values, "\xff")
			if seen[key] {
				continue
			}
			seen[key] = true
			m, err := prometheus.NewConstMetric(desc, prometheus.GaugeValue, s.Value, values...)
			if err != nil {
				ch <- prometheus.NewInvalidMetric(desc, err)
				continue
			}
			ch <- m
		}
	}
}

// selfCollector exposes the agent's own CPU and memory cheaply: one getrusage call and
// one read of /proc/self/statm per scrape.
type selfCollector struct{}

var (
	selfCPUDesc    = prometheus.NewDesc("process_cpu_seconds_total", "User and system CPU time of the agent in seconds.", nil, nil)
	selfRSSDesc    = prometheus.NewDesc("process_resident_memory_bytes", "Resident memory of the agent in bytes.", nil, nil)
	selfMaxRSSDesc = prometheus.NewDesc("process_max_resident_memory_bytes", "Peak resident memory of the agent in bytes.", nil, nil)
)

func (selfCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- selfCPUDesc
	ch <- selfRSSDesc
	ch <- selfMaxRSSDesc
}

func (selfCollector) Collect(ch chan<- prometheus.Metric) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		ch <- prometheus.MustNewConstMetric(selfCPUDesc, prometheus.CounterValue, cpu.Seconds())
		ch <- prometheus.MustNewConstMetric(selfMaxRSSDesc, prometheus.GaugeValue, float64(ru.Maxrss)*1024) // Linux reports KiB
	}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseFloat(f[1], 64); err == nil {
				ch <- prometheus.MustNewConstMetric(selfRSSDesc, prometheus.GaugeValue, pages*float64(os.Getpagesize()))
			}
		}
	}
}
