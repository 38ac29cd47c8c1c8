package monitor_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/host"
)

// benchAgent is an agent on the real host with every host collector, no probes, no
// pipeline watcher and no Slack: what a tick costs the agent itself.
func benchAgent(b *testing.B) *monitor.Agent {
	b.Helper()
	cfg := monitor.Default()
	cfg.StateDir = b.TempDir()
	cfg.Hostname = "bench"
	cfg.Host = host.Config{Targets: []host.Target{}}
	a, err := monitor.New(context.Background(), cfg, monitor.Deps{
		Getenv: func(string) string { return "" },
		Stdout: io.Discard,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	a.Tick(context.Background()) // the CPU collector's baseline
	return a
}

// BenchmarkAgentTick is one tick: every host collector, the rules, queuing the events.
func BenchmarkAgentTick(b *testing.B) {
	a := benchAgent(b)
	ctx := context.Background()
	b.ReportAllocs()
	before := cpuTime(b)
	for b.Loop() {
		a.Tick(ctx)
	}
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkScrape is one GET /metrics of a tick already scraped: the families of the
// tick's samples are built once per tick, so this is the cost of a second scraper.
func BenchmarkScrape(b *testing.B) {
	a := benchAgent(b)
	h := a.Handler()
	scrapeOnce(b, h)
	b.ReportAllocs()
	before := cpuTime(b)
	for b.Loop() {
		scrapeOnce(b, h)
	}
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkTickAndScrape is what the agent costs per interval with one Prometheus
// scraping it as often as it ticks: make bench-monitor's setting.
func BenchmarkTickAndScrape(b *testing.B) {
	a := benchAgent(b)
	h := a.Handler()
	ctx := context.Background()
	b.ReportAllocs()
	before := cpuTime(b)
	for b.Loop() {
		a.Tick(ctx)
		scrapeOnce(b, h)
	}
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func scrapeOnce(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /metrics = %d: %s", rec.Code, rec.Body)
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
