package monitor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/jobpulse/jobpulse/monitor"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// scrape reads the agent's /metrics.
func scrape(t *testing.T, a *monitor.Agent) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, a.Handler(), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d:\n%s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return families
}

// metricValue reads the first series of name whose labels include the given pairs.
func metricValue(families map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
metrics:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if got[labels[i]] != labels[i+1] {
				continue metrics
			}
		}
		return m.GetGauge().GetValue() + m.GetCounter().GetValue(), true
	}
	return 0, false
}

func TestHandler_metrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "host_disk_full", "collector_failed"))
	a := e.agent(t)
	if _, err := tick(t, a, e); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.cfg.Interval) // host_disk_full holds 5m before it fires
	e.clock.Advance(5 * time.Minute)
	if _, err := tick(t, a, e); err != nil {
		t.Fatal(err)
	}
	families := scrape(t, a)
	for _, name := range []string{
		"jobpulse_memory_used_ratio", "jobpulse_disk_used_ratio", "jobpulse_load1", "jobpulse_processes_total",
		"jobpulse_pipeline_last_success_age_seconds", "jobpulse_pipeline_last_run_failed",
		"jobpulse_collector_success", "jobpulse_collector_duration_seconds",
		"jobpulse_monitor_tick_duration_seconds", "jobpulse_monitor_alerts_firing",
		"jobpulse_monitor_outbox_waiting", "jobpulse_monitor_outbox_dead", "jobpulse_monitor_outbox_full_total",
		"jobpulse_monitor_outbox_superseded_total", "go_goroutines", "process_resident_memory_bytes",
	} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"jobpulse_memory_used_ratio", nil, 0.75},
		{"jobpulse_disk_used_ratio", []string{"mountpoint", "/data", "fstype", "xfs", "device", "/dev/nvme1n1"}, 0.95},
		{"jobpulse_collector_success", []string{"collector", "memory"}, 1},
		{"jobpulse_collector_success", []string{"collector", "pipeline_ledger"}, 1},
		{"jobpulse_monitor_alerts_firing", nil, 1},
		{"jobpulse_monitor_outbox_waiting", nil, 0},
	} {
		got, ok := metricValue(families, c.name, c.labels...)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %t), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	// Every series of a family carries the same label names.
	for name, f := range families {
		var first []string
		for i, m := range f.GetMetric() {
			var names []string
			for _, l := range m.GetLabel() {
				names = append(names, l.GetName())
			}
			sort.Strings(names)
			if i == 0 {
				first = names
			} else if diff := cmp.Diff(first, names); diff != "" {
				t.Errorf("%s: label names differ between series (-first +this):\n%s", name, diff)
			}
		}
	}
}

func TestHandler_healthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "collector_failed"))
	a := e.agent(t)
	h := a.Handler()
	if code, body := get(t, h, "/healthz"); code != http.StatusOK {
		t.Errorf("before the first tick, within 3 intervals: %d %q, want 200", code, body)
	}
	a.Tick(context.Background())
	if code, body := get(t, h, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("after a tick: %d %q, want 200 ok", code, body)
	}
	e.clock.Advance(3 * e.cfg.Interval)
	if code, _ := get(t, h, "/healthz"); code != http.StatusOK {
		t.Errorf("3 intervals after the tick: %d, want 200", code)
	}
	e.clock.Advance(e.cfg.Interval)
	code, body := get(t, h, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "the last tick finished 1m0s ago") {
		t.Errorf("after the ticks stopped: %d %q, want 503 with the reason", code, body)
	}
}
