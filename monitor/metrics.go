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
	type group struct {
		collector string
		samples   []sample.Sample
	}
	groups := map[string]*group{}
	var names []string
	for _, r := range results {
		for _, s := range r.Samples {
			g := groups[s.Name]
			if g == nil {
				g = &group{collector: r.Collector}
				groups[s.Name] = g
				names = append(names, s.Name)
			}
			g.samples = append(g.samples, s)
		}
	}
	slices.Sort(names)
	var errs []error
	fams := make([]*dto.MetricFamily, 0, len(names)+2)
	for _, name := range names {
		g := groups[name]
		full := MetricPrefix + name
		if !model.LegacyValidation.IsValidMetricName(full) {
			errs = append(errs, fmt.Errorf("%q is not a valid metric name: its %d series are left out", full, len(g.samples)))
			continue
		}
		var labels []string
		for _, s := range g.samples {
			for k := range s.Labels {
				if !slices.Contains(labels, k) {
					labels = append(labels, k)
				}
			}
		}
		slices.Sort(labels)
		if bad := slices.IndexFunc(labels, func(l string) bool { return !model.LegacyValidation.IsValidLabelName(l) }); bad >= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid label name: the family is left out", full, labels[bad]))
			continue
		}
		seen := make(map[string]bool, len(g.samples))
		ms := make([]*dto.Metric, 0, len(g.samples))
		keys := make(map[*dto.Metric]string, len(g.samples))
	samples:
		for _, s := range g.samples {
			pairs := make([]*dto.LabelPair, len(labels))
			var key strings.Builder
			for i, l := range labels {
				v := s.Labels[l]
				if !utf8.ValidString(v) {
					errs = append(errs, fmt.Errorf("%s: label %s=%q is not UTF-8: the series is left out", full, l, v))
					continue samples
				}
				pairs[i] = &dto.LabelPair{Name: &labels[i], Value: &v}
				key.WriteString(v)
				key.WriteByte(0xff)
			}
			k := key.String()
			if seen[k] {
				continue
			}
			seen[k] = true
			m := series(s.Value, pairs)
			keys[m] = k
			ms = append(ms, m)
		}
		slices.SortFunc(ms, func(x, y *dto.Metric) int { return strings.Compare(keys[x], keys[y]) })
		fams = append(fams, family(full, fmt.Sprintf("%s as the %s collector saw it in the last tick.", name, g.collector),
			dto.MetricType_GAUGE, ms...))
	}
	return fams, errors.Join(errs...)
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
