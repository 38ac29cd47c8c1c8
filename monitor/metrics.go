package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	runtimemetrics "runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"

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

// metrics builds /metrics: the last tick's samples, converted to metric families once
// per tick (on the first scrape after it) and shared by every scrape until the next, and
// the few numbers that change between scrapes (the agent's own CPU, memory and
// goroutines, the outbox), read per scrape. It is a prometheus.Gatherer handed to
// promhttp, which negotiates the format and encodes; a Registry would rebuild and check
// every series through Collectors and channels on each scrape, which cost more CPU than
// the tick that produced them.
type metrics struct {
	a *Agent

	mu      sync.Mutex // guards the cache
	builtAt uint64     // the tick the cached families are of
	tick    []*dto.MetricFamily
	errs    error // series left out of the cached families, and why

	runtime []runtimemetrics.Sample // reused by every scrape
}

var _ prometheus.Gatherer = (*metrics)(nil)

func newMetrics(a *Agent) *metrics {
	m := &metrics{a: a, runtime: make([]runtimemetrics.Sample, len(runtimeMetrics))}
	for i, r := range runtimeMetrics {
		m.runtime[i].Name = r.key
	}
	return m
}

// Handler serves /metrics (Prometheus exposition of the last tick's samples, the
// agent's own metrics and the Go runtime's) and /healthz.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{
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

// Gather implements prometheus.Gatherer. The families are sorted by name, as the
// exposition formats want; the error names the series left out.
func (m *metrics) Gather() ([]*dto.MetricFamily, error) {
	a := m.a
	a.mu.Lock()
	seq, results, tick, firing, ticked := a.ticks, a.last, a.tickDuration, a.firing, !a.lastTickEnd.IsZero()
	a.mu.Unlock()

	m.mu.Lock()
	if m.tick == nil || m.builtAt != seq {
		fams, err := sampleFamilies(results)
		if ticked {
			fams = append(fams, family(MetricTickDuration,
				"How long the last tick took: every collector, the rules and queuing the alerts.",
				dto.MetricType_GAUGE, series(tick.Seconds(), nil)))
		}
		fams = append(fams, family(MetricAlertsFiring, "Alert instances firing after the last tick.",
			dto.MetricType_GAUGE, series(float64(firing), nil)))
		m.tick, m.errs, m.builtAt = fams, err, seq
	}
	out := slices.Clone(m.tick)
	errs := []error{m.errs}
	out = append(out, selfFamilies()...)
	out = append(out, m.runtimeFamilies()...)
	m.mu.Unlock()

	if a.outbox != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := a.outbox.Stats(ctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: read the outbox: %w", MetricOutboxWaiting, err))
		} else {
			out = append(out,
				family(MetricOutboxWaiting, "Slack messages waiting in the outbox for delivery.", dto.MetricType_GAUGE, series(float64(st.Waiting), nil)),
				family(MetricOutboxDead, "Slack messages Slack refused as malformed, kept in the outbox's dead/ for people to read.", dto.MetricType_GAUGE, series(float64(st.Dead), nil)),
				family(MetricOutboxFull, "Messages refused because the outbox was full (lost), since the agent started.", dto.MetricType_COUNTER, series(float64(st.Full), nil)),
				family(MetricOutboxSuperseded, "Firing messages dropped undelivered because their alert resolved first, since the agent started.", dto.MetricType_COUNTER, series(float64(st.Superseded), nil)),
				family(MetricOutboxDelivered, "Messages Slack accepted, since the agent started.", dto.MetricType_COUNTER, series(float64(st.Delivered), nil)))
		}
	}
	slices.SortFunc(out, func(x, y *dto.MetricFamily) int { return strings.Compare(x.GetName(), y.GetName()) })
	return out, errors.Join(errs...)
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

// sampleFamilies turns a tick's samples into gauge families named jobpulse_<sample
// name>, sorted by name with their series sorted by label values. Series of one name
// get the union of their label names (a missing label is empty), since a family has
// one label set; a repeated series is kept once. A series Prometheus would refuse (a
// label value that is not UTF-8, say a mount point's raw bytes) is left out and named
// in the error; the others are served.
func sampleFamilies(results []sample.Result) ([]*dto.MetricFamily, error) {
	n := 0
	for _, r := range results {
		n += len(r.Samples)
	}
	all := make([]collected, 0, n)
	for _, r := range results {
		for i := range r.Samples {
			all = append(all, collected{collector: r.Collector, s: &r.Samples[i]})
		}
	}
	// Stable, so a name's first collector (in results' order) names it in the help.
	slices.SortStableFunc(all, func(x, y collected) int { return strings.Compare(x.s.Name, y.s.Name) })
	var errs []error
	fams := make([]*dto.MetricFamily, 0, 64)
	for len(all) > 0 {
		end := 1
		for end < len(all) && all[end].s.Name == all[0].s.Name {
			end++
		}
		fam, err := sampleFamily(all[:end])
		if fam != nil {
			fams = append(fams, fam)
		}
		errs = append(errs, err)
		all = all[end:]
	}
	return fams, errors.Join(errs...)
}

// collected is a sample and the collector that reported it.
type collected struct {
	collector string
	s         *sample.Sample
}

// sampleFamily is the family of one name's samples. It allocates each kind of value
// once for the whole family rather than several times per series: the families are
// rebuilt every tick, and their allocations were most of a tick's.
func sampleFamily(group []collected) (*dto.MetricFamily, error) {
	name := group[0].s.Name
	full := MetricPrefix + name
	if !model.LegacyValidation.IsValidMetricName(full) {
		return nil, fmt.Errorf("%q is not a valid metric name: its %d series are left out", full, len(group))
	}
	var labels []string
	for _, c := range group {
		for k := range c.s.Labels {
			if !slices.Contains(labels, k) {
				labels = append(labels, k)
			}
		}
	}
	slices.Sort(labels)
	if bad := slices.IndexFunc(labels, func(l string) bool { return !model.LegacyValidation.IsValidLabelName(l) }); bad >= 0 {
		return nil, fmt.Errorf("%s: %q is not a valid label name: the family is left out", full, labels[bad])
	}
	var errs []error
	nl := len(labels)
	values := make([]string, len(group)*nl)
	pairs := make([]dto.LabelPair, len(group)*nl)
	pairPtrs := make([]*dto.LabelPair, len(group)*nl)
	metrics := make([]dto.Metric, len(group))
	gauges := make([]dto.Gauge, len(group))
	nums := make([]float64, len(group))
	ms := make([]*dto.Metric, 0, len(group))
series:
	for i, c := range group {
		vs := values[i*nl : (i+1)*nl]
		for j, l := range labels {
			v := c.s.Labels[l]
			if !utf8.ValidString(v) {
				errs = append(errs, fmt.Errorf("%s: label %s=%q is not UTF-8: the series is left out", full, l, v))
				continue series
			}
			vs[j] = v
		}
		ps := pairPtrs[i*nl : (i+1)*nl : (i+1)*nl]
		for j := range labels {
			p := &pairs[i*nl+j]
			p.Name, p.Value = &labels[j], &vs[j]
			ps[j] = p
		}
		nums[i] = c.s.Value
		gauges[i].Value = &nums[i]
		m := &metrics[i]
		m.Label, m.Gauge = ps, &gauges[i]
		ms = append(ms, m)
	}
	// Sorted by label values; of a repeated series the first is kept.
	slices.SortStableFunc(ms, compareLabelValues)
	ms = slices.CompactFunc(ms, func(x, y *dto.Metric) bool { return compareLabelValues(x, y) == 0 })
	help := name + " as the " + group[0].collector + " collector saw it in the last tick."
	return family(full, help, dto.MetricType_GAUGE, ms...), errors.Join(errs...)
}

// compareLabelValues orders two series of one family, whose labels are the same names
// in the same order, by their label values.
func compareLabelValues(x, y *dto.Metric) int {
	for i := range x.Label {
		if c := strings.Compare(x.Label[i].GetValue(), y.Label[i].GetValue()); c != 0 {
			return c
		}
	}
	return 0
}

// family is one metric family; a gauge or counter's series carry their value in the
// field of its type.
func family(name, help string, typ dto.MetricType, ms ...*dto.Metric) *dto.MetricFamily {
	if typ == dto.MetricType_COUNTER {
		for _, m := range ms {
			m.Counter, m.Gauge = &dto.Counter{Value: m.Gauge.Value}, nil
		}
	}
	return &dto.MetricFamily{Name: &name, Help: &help, Type: &typ, Metric: ms}
}

// series is one series with a gauge value; family moves it for counters.
func series(v float64, labels []*dto.LabelPair) *dto.Metric {
	return &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: &v}}
}

// selfFamilies are the agent's own CPU and memory, read cheaply: one getrusage call and
// one read of /proc/self/statm per scrape (client_golang's process collector lists
// /proc/self/fd and reads four files, which cost more than a tick of host collectors).
func selfFamilies() []*dto.MetricFamily {
	var out []*dto.MetricFamily
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		out = append(out,
			family("process_cpu_seconds_total", "User and system CPU time of the agent in seconds.", dto.MetricType_COUNTER, series(cpu.Seconds(), nil)),
			family("process_max_resident_memory_bytes", "Peak resident memory of the agent in bytes.", dto.MetricType_GAUGE, series(float64(ru.Maxrss)*1024, nil))) // Linux reports KiB
	}
	if rss, ok := residentBytes(); ok {
		out = append(out, family("process_resident_memory_bytes", "Resident memory of the agent in bytes.", dto.MetricType_GAUGE, series(rss, nil)))
	}
	return out
}

// residentBytes reads the agent's resident set from /proc/self/statm (its second field,
// in pages) with raw system calls: os.ReadFile would allocate a File, stat it and try to
// register it with the network poller, which /proc files refuse.
func residentBytes() (float64, bool) {
	fd, err := syscall.Open("/proc/self/statm", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	defer syscall.Close(fd)
	var buf [128]byte
	n, err := syscall.Read(fd, buf[:])
	if err != nil || n <= 0 {
		return 0, false
	}
	f := strings.Fields(string(buf[:n]))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return 0, false
	}
	return pages * float64(os.Getpagesize()), true
}

// runtimeMetrics are the Go runtime's numbers on /metrics, under the names
// client_golang's Go collector gives them. That collector reads and converts every
// runtime metric on each scrape; these few answer what an operator asks of the agent.
var runtimeMetrics = []struct {
	key, name, help string
	typ             dto.MetricType
}{
	{"/sched/goroutines:goroutines", "go_goroutines", "Number of goroutines that currently exist.", dto.MetricType_GAUGE},
	{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", dto.MetricType_GAUGE},
	{"/memory/classes/total:bytes", "go_memstats_sys_bytes", "Number of bytes obtained from the system.", dto.MetricType_GAUGE},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "Number of completed garbage collection cycles.", dto.MetricType_COUNTER},
	{"/sched/gomaxprocs:threads", "go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", dto.MetricType_GAUGE},
}

// runtimeFamilies reads runtimeMetrics; the caller holds m.mu (the samples are reused).
func (m *metrics) runtimeFamilies() []*dto.MetricFamily {
	runtimemetrics.Read(m.runtime)
	out := make([]*dto.MetricFamily, 0, len(m.runtime))
	for i, s := range m.runtime {
		var v float64
		switch s.Value.Kind() {
		case runtimemetrics.KindUint64:
			v = float64(s.Value.Uint64())
		case runtimemetrics.KindFloat64:
			v = s.Value.Float64()
		default: // not supported by this Go version
			continue
		}
		r := runtimeMetrics[i]
		out = append(out, family(r.name, r.help, r.typ, series(v, nil)))
	}
	return out
}
