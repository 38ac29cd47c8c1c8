package monitor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// testProbe is a probe over the test binary's probe helper (see probehelper_test.go,
// whose TestMain serves every test of this binary), on a fake clock.
type testProbe struct {
	*probe
	mu   sync.Mutex
	mode string
	json string
	now  time.Time
}

func newTestProbe(t *testing.T, mode, json string) *testProbe {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tp := &testProbe{mode: mode, json: json, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	cfg := Default()
	cfg.Pipeline.Warehouse = "duckdb:///nonexistent/warehouse.duckdb"
	cfg.Pipeline.Command = []string{self}
	deps := Deps{Now: tp.clock, Environ: tp.environ}.withDefaults()
	tp.probe = newProbe(cfg, deps, time.Hour)
	t.Cleanup(func() { tp.close() })
	return tp
}

func (tp *testProbe) clock() time.Time {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.now
}

func (tp *testProbe) advance(d time.Duration) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.now = tp.now.Add(d)
}

func (tp *testProbe) set(mode string) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.mode = mode
}

func (tp *testProbe) environ() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append(os.Environ(), "JOBPULSE_MONITOR_TEST_PROBE="+tp.mode, "JOBPULSE_MONITOR_TEST_PROBE_JSON="+tp.json)
}

// collect is one tick of the ledger's collector.
func (tp *testProbe) collect() sample.Result {
	return probeCollector{p: tp.probe, name: LedgerCollector}.Collect(context.Background())
}

const okReport = `{"results":[{"collector":"pipeline_ledger","duration_seconds":0.25,"no_data":false,"samples":[{"name":"pipeline_failed_error_checks","labels":{"source":"saramin"},"value":2}]}]}`

// TestProbe_timeout: a probe that does not answer within its timeout is killed, and its
// watchers fail.
func TestProbe_timeout(t *testing.T) {
	t.Parallel()
	tp := newTestProbe(t, "hang", "")
	tp.timeout = 50 * time.Millisecond
	res := tp.collect()
	if res.Err == nil || !strings.Contains(res.Err.Error(), "no answer within 50ms; it was killed") {
		t.Fatalf("result = %+v, want the timeout", res)
	}
}

// TestProbe_hungProbeDelaysOneTickAndGoesStale: the tick that starts a probe waits for
// it only up to its patience and reports the cached results meanwhile — none before
// the first probe (no data), stale ones as an error once they are older than 3
// intervals.
func TestProbe_hungProbeDelaysOneTickAndGoesStale(t *testing.T) {
	t.Parallel()
	tp := newTestProbe(t, "canned", okReport)
	want := sample.Result{Collector: LedgerCollector, Duration: 250 * time.Millisecond, Samples: []sample.Sample{
		{Name: "pipeline_failed_error_checks", Labels: map[string]string{"source": "saramin"}, Value: 2},
	}}
	if diff := cmp.Diff(want, tp.collect(), cmp.Comparer(errorText)); diff != "" {
		t.Fatalf("first tick (-want +got):\n%s", diff)
	}
	tp.set("hang")
	tp.wait = 20 * time.Millisecond
	for i, d := range []time.Duration{time.Minute, time.Minute, time.Minute} {
		tp.advance(d)
		// Minute 1 starts the hung probe; 2 and 3 find it running. The results are from
		// minute 0, fresh enough until minute 3.
		if diff := cmp.Diff(want, tp.collect(), cmp.Comparer(errorText)); diff != "" {
			t.Fatalf("minute %d, probe hung (-want +got):\n%s", i+1, diff)
		}
	}
	tp.advance(time.Second)
	res := tp.collect()
	if res.Err == nil || !strings.Contains(res.Err.Error(), "probe results are stale: the last ones are 3m1s old, more than 3 × pipeline.interval = 3m0s") {
		t.Fatalf("after 3m1s: %+v, want the stale error", res)
	}
	if n := len(res.Samples); n != 0 {
		t.Errorf("a stale result carries %d samples, want none", n)
	}
}

// TestProbe_noDataBeforeTheFirstProbe: while the first probe runs, ticks have no data,
// which is not a failure.
func TestProbe_noDataBeforeTheFirstProbe(t *testing.T) {
	t.Parallel()
	tp := newTestProbe(t, "hang", "")
	tp.wait = 20 * time.Millisecond
	want := sample.Result{Collector: LedgerCollector, NoData: true}
	if diff := cmp.Diff(want, tp.collect(), cmp.Comparer(errorText)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func errorText(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

func TestResolveCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	agent := filepath.Join(dir, "jobpulse-monitor")
	for _, f := range []struct {
		name string
		mode os.FileMode
	}{{"jobpulse", 0o755}, {"jobpulse-monitor", 0o755}, {"notexec", 0o644}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte("#!/bin/sh\n"), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	inPath := func(found string) func(string) (string, error) {
		return func(name string) (string, error) {
			if found == "" {
				return "", errors.New("executable file not found in $PATH")
			}
			return found, nil
		}
	}
	executable := func() (string, error) { return agent, nil }
	tests := []struct {
		name     string
		command  string
		lookPath func(string) (string, error)
		want     string
		wantErr  string
	}{
		{name: "path_as_given", command: "/opt/jobpulse/bin/jobpulse", lookPath: inPath("/usr/bin/jobpulse"), want: "/opt/jobpulse/bin/jobpulse"},
		{name: "bare_name_in_path", command: "jobpulse", lookPath: inPath("/usr/local/bin/jobpulse"), want: "/usr/local/bin/jobpulse"},
		{name: "bare_name_beside_the_agent", command: "jobpulse", lookPath: inPath(""), want: filepath.Join(dir, "jobpulse")},
		{name: "not_executable_beside_the_agent", command: "notexec", lookPath: inPath(""),
			wantErr: `probe command "notexec" is neither in PATH nor at ` + filepath.Join(dir, "notexec") + ": install jobpulse there"},
		{name: "nowhere", command: "jobpulse-missing", lookPath: inPath(""),
			wantErr: `probe command "jobpulse-missing" is neither in PATH nor at ` + filepath.Join(dir, "jobpulse-missing")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := resolveCommand(tc.command, tc.lookPath, executable)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("resolveCommand = %q, %v; want the error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("resolveCommand = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestChildEnv_dropsTheWebhook(t *testing.T) {
	t.Parallel()
	const secret = "https://hooks.slack.com/services/T0/B0/XXchildSECRET"
	got := childEnv([]string{"PATH=/usr/bin", "SLACK_WEBHOOK_URL=" + secret, "SLACK_WEBHOOK_URL_X=keep", "HOME=/"}, "SLACK_WEBHOOK_URL")
	if diff := cmp.Diff([]string{"PATH=/usr/bin", "SLACK_WEBHOOK_URL_X=keep", "HOME=/"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if strings.Contains(strings.Join(got, "\n"), "XXchildSECRET") {
		t.Error("the probe's environment holds the webhook")
	}
}
