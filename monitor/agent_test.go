package monitor_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/alert"
)

// message is what a test needs to know of a Slack message: which alert and what it
// says about it.
type message struct {
	Status      string // Firing or Resolved
	Fingerprint string
}

func (m message) String() string { return m.Status + " " + m.Fingerprint }

// messages reads the accepted Slack messages back as (status, alert) pairs, through
// the title and the "alert <fingerprint>" context line of the plain-text fallback.
func messages(t *testing.T, s *slacktest.Server, events []alert.Event) []message {
	t.Helper()
	var out []message
	for _, m := range s.Messages() {
		var got message
		switch {
		case strings.Contains(m.Text, "Firing: "):
			got.Status = "Firing"
		case strings.Contains(m.Text, "Resolved: "):
			got.Status = "Resolved"
		default:
			t.Fatalf("message is neither firing nor resolved:\n%s", m.Text)
		}
		for _, e := range events {
			if strings.Contains(m.Text, e.Fingerprint) {
				got.Fingerprint = e.Fingerprint
			}
		}
		out = append(out, got)
	}
	return out
}

func want(events ...alert.Event) []message {
	var out []message
	for _, e := range events {
		s := "Firing"
		if e.Status == alert.StatusResolved {
			s = "Resolved"
		}
		out = append(out, message{Status: s, Fingerprint: e.Fingerprint})
	}
	return out
}

// tick runs one tick and delivers its events, as the agent's loop does.
func tick(t *testing.T, a *monitor.Agent, e *env) ([]alert.Event, error) {
	t.Helper()
	e.clock.Advance(e.cfg.Interval)
	events := a.Tick(context.Background())
	return events, a.Deliver(context.Background())
}

// TestAgent_endToEnd drives the agent over the fixture host and a DuckDB ledger, with
// the fake Slack: a failed run fires once with its runbook, recovery resolves once,
// Slack going down loses and repeats nothing, and a restart does not page again.
func TestAgent_endToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "pipeline_run_failed", "collector_failed"))
	e.addRuns(t,
		run{id: "r-saramin-1", source: "saramin", status: "success"},
		run{id: "r-trends-1", source: "trends", status: "success"},
		run{id: "r-qnet-1", source: "qnet", status: "success"})
	a := e.agent(t)
	var all []alert.Event
	step := func(name string, wantEvents int) []alert.Event {
		t.Helper()
		events, err := tick(t, a, e)
		if err != nil && e.slack != nil {
			t.Logf("%s: Deliver: %v", name, err)
		}
		if len(events) != wantEvents {
			t.Fatalf("%s: %d events, want %d: %+v", name, len(events), wantEvents, events)
		}
		all = append(all, events...)
		return events
	}

	step("all_runs_fine", 0)

	e.addRuns(t, run{id: "r-saramin-2", source: "saramin", status: "failed", step: "collect", err: "fetch page 3: HTTP 503"})
	fired := step("saramin_fails", 1)
	msgs := e.slack.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages after the failure, want 1", len(msgs))
	}
	for _, w := range []string{"Firing: pipeline_run_failed on vm-1", "r-saramin-2", "fetch page 3: HTTP 503",
		"https://github.com/jobpulse/jobpulse/blob/main/docs/runbooks/collect-failed.md"} {
		if !strings.Contains(msgs[0].Text, w) {
			t.Errorf("firing message lacks %q:\n%s", w, msgs[0].Text)
		}
	}
	step("still_failing", 0)

	e.addRuns(t, run{id: "r-saramin-3", source: "saramin", status: "success"})
	resolved := step("saramin_recovers", 1)
	if diff := cmp.Diff(want(fired[0], resolved[0]), messages(t, e.slack, all)); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}

	// Slack goes down while two alerts fire and one resolves.
	e.addRuns(t, run{id: "r-saramin-4", source: "saramin", status: "failed", step: "process", err: "check failed"})
	refired := step("saramin_fails_again", 1)
	e.slack.SetMode(slacktest.Refused)
	e.addRuns(t,
		run{id: "r-trends-2", source: "trends", status: "failed", step: "collect", err: "quota"},
		run{id: "r-qnet-2", source: "qnet", status: "failed", step: "collect", err: "timeout"},
		run{id: "r-saramin-5", source: "saramin", status: "success"})
	whileDown := step("slack_down", 3)
	step("slack_still_down", 0)
	if n := len(e.slack.Messages()); n != 3 {
		t.Fatalf("%d messages accepted while Slack was down, want the 3 from before", n)
	}
	e.slack.SetMode(slacktest.Up)
	step("slack_back", 0)
	wantAll := want(append([]alert.Event{fired[0], resolved[0], refired[0]}, whileDown...)...)
	if diff := cmp.Diff(wantAll, messages(t, e.slack, all)); diff != "" {
		t.Fatalf("messages: each exactly once, in order (-want +got):\n%s", diff)
	}
	posts := e.slack.Accepted()
	for i := 1; i < len(posts); i++ {
		if gap := posts[i].At.Sub(posts[i-1].At); gap < time.Second {
			t.Errorf("posts %d and %d are %s apart, want at least 1s", i-1, i, gap)
		}
	}

	// A restart while trends and qnet fire: the new agent reads the state and stays quiet.
	a.Close()
	a = e.agent(t)
	step("after_restart", 0)
	step("after_restart_again", 0)
	if diff := cmp.Diff(wantAll, messages(t, e.slack, all)); diff != "" {
		t.Errorf("messages after the restart (-want +got):\n%s", diff)
	}

	// The webhook's secret is in no log line and no stored file.
	if strings.Contains(e.logs.String(), slacktest.Token) {
		t.Errorf("the logs hold the webhook token:\n%s", e.logs)
	}
	files := 0
	err := filepath.WalkDir(e.cfg.StateDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), slacktest.Token) {
			t.Errorf("%s holds the webhook token", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Error("the state directory is empty: the alert state was not saved")
	}
}

// TestAgent_run runs the loop with a fake ticker: it ticks at once and on every tick,
// and on cancellation delivers what is queued before it returns.
func TestAgent_run(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "pipeline_run_failed"))
	ticks := make(chan time.Time)
	stopped := make(chan struct{})
	e.deps.NewTicker = func(d time.Duration) (<-chan time.Time, func()) {
		if d != e.cfg.Interval {
			t.Errorf("ticker interval %s, want %s", d, e.cfg.Interval)
		}
		return ticks, func() { close(stopped) }
	}
	e.addRuns(t, run{id: "r-qnet-1", source: "qnet", status: "failed", step: "collect", err: "boom"})
	a := e.agent(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	// A send returns once the loop took the tick, so the tick before it is over: the
	// first, immediate one, which fired, and then the first paced one.
	ticks <- start.Add(e.cfg.Interval)
	ticks <- start.Add(2 * e.cfg.Interval)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	<-stopped
	msgs := e.slack.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Firing: pipeline_run_failed") || !strings.Contains(msgs[0].Text, "r-qnet-1") {
		t.Fatalf("messages after Run = %d, want the one firing message: %+v", len(msgs), msgs)
	}
}

// TestAgent_consoleWithoutWebhook: without the webhook variable the alerts go to
// stdout, and the start says so loudly.
func TestAgent_consoleWithoutWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "pipeline_run_failed"))
	e.deps.Getenv = func(string) string { return "" }
	var stdout syncBuffer
	e.deps.Stdout = &stdout
	a := e.agent(t)
	if !strings.Contains(e.logs.String(), "NO SLACK WEBHOOK: SLACK_WEBHOOK_URL is not set") {
		t.Errorf("the start does not warn about the missing webhook:\n%s", e.logs)
	}
	e.addRuns(t, run{id: "r-1", source: "saramin", status: "failed", step: "collect", err: "boom"})
	if _, err := tick(t, a, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "Firing: pipeline_run_failed") {
		t.Errorf("stdout lacks the firing alert:\n%s", stdout.String())
	}
	if n := len(e.slack.Received()); n != 0 {
		t.Errorf("Slack got %d posts without a webhook configured", n)
	}
}

// TestAgent_probeOncePerInterval: with pipeline.interval 1m and ticks every 15 s the
// probe starts on the first tick and then every fourth; the ticks between reuse its
// results, so the ledger's samples and the alert state stay, and a run recorded
// between two probes shows at the next probe.
func TestAgent_probeOncePerInterval(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "pipeline_run_failed", "collector_failed"))
	e.cfg.Pipeline.Interval = time.Minute
	a := e.agent(t)
	var fired []int
	for i := 1; i <= 9; i++ {
		if i == 2 {
			e.addRuns(t, run{id: "r-saramin-1", source: "saramin", status: "failed", step: "collect", err: "boom"})
		}
		events, err := tick(t, a, e)
		if err != nil {
			t.Fatalf("tick %d: Deliver: %v", i, err)
		}
		if len(events) > 0 {
			fired = append(fired, i)
		}
		families := scrape(t, a)
		if v, ok := metricValue(families, "jobpulse_collector_success", "collector", monitor.LedgerCollector); !ok || v != 1 {
			t.Errorf("tick %d: collector_success{pipeline_ledger} = %v (present %t), want 1", i, v, ok)
		}
		if _, ok := metricValue(families, "jobpulse_pipeline_last_run_failed", "source", "saramin"); !ok {
			t.Errorf("tick %d: the ledger's samples are missing between probes", i)
		}
	}
	// Starts at ticks 1, 5 and 9 (15 s, 75 s, 135 s after the start).
	if n := e.probeStarts(t); n != 3 {
		t.Errorf("the probe started %d times in 9 ticks over 2m15s, want 3", n)
	}
	// The failed run, recorded after tick 1's probe, fires with tick 5's.
	if diff := cmp.Diff([]int{5}, fired); diff != "" {
		t.Errorf("ticks with events (-want +got):\n%s", diff)
	}
}

// TestAgent_probeFails: a probe that exits non-zero, prints no report, or a report
// without the ledger fails the pipeline_ledger collector (collector_success 0, which is
// what collector_failed alerts on) with an error that says why, and keeps secrets out.
func TestAgent_probeFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, mode, json string
		wantErr          []string
	}{
		{name: "exits_non_zero", mode: "exit1",
			wantErr: []string{"failed (exit status 1)", "stderr: jobpulse: read the ledger", "https://bigquery.example/q?[redacted]"}},
		{name: "prints_garbage", mode: "garbage",
			wantErr: []string{"its output is not a report", `starts \"Usage: jobpulse [command]\"`}},
		{name: "report_without_the_ledger", mode: "canned", json: `{"results":[]}`,
			wantErr: []string{"its report has no result for pipeline_ledger"}},
		{name: "truncated_report", mode: "canned", json: `{"results":[{"collector":"pipeline_ledger",`,
			wantErr: []string{"its output is not a report"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, rules(t, "collector_failed"))
			e.setProbe(tc.mode, tc.json)
			a := e.agent(t)
			if _, err := tick(t, a, e); err != nil {
				t.Fatal(err)
			}
			families := scrape(t, a)
			if v, ok := metricValue(families, "jobpulse_collector_success", "collector", monitor.LedgerCollector); !ok || v != 0 {
				t.Errorf("collector_success{pipeline_ledger} = %v (present %t), want 0", v, ok)
			}
			if v, ok := metricValue(families, "jobpulse_collector_success", "collector", "memory"); !ok || v != 1 {
				t.Errorf("the host collectors suffered: collector_success{memory} = %v (present %t)", v, ok)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, `"msg":"collector failed","collector":"pipeline_ledger"`) {
				t.Errorf("the failure is not logged:\n%s", logs)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(logs, w) {
					t.Errorf("the logged error lacks %q:\n%s", w, logs)
				}
			}
			if strings.Contains(logs, probeSecret) || strings.Contains(logs, slacktest.Token) {
				t.Errorf("the logs hold a secret:\n%s", logs)
			}
		})
	}
}

// TestAgent_probeResultsPerWatcher: the ledger and the Cloud Functions are collectors of
// their own, so a locked ledger (no data) does not hide the functions' samples, and a
// failed listing fails only cloud_functions.
func TestAgent_probeResultsPerWatcher(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rules(t, "collector_failed"))
	e.cfg.Functions.Project = "jobpulse-test"
	e.setProbe("canned", `{"results":[
		{"collector":"pipeline_ledger","duration_seconds":0.04,"no_data":true,"samples":[]},
		{"collector":"cloud_functions","duration_seconds":0.5,"no_data":false,"samples":[
			{"name":"cloud_function_active","labels":{"function":"ProcessRun","state":"FAILED","reason":"Build failed"},"value":0}]}]}`)
	a := e.agent(t)
	if _, err := tick(t, a, e); err != nil {
		t.Fatal(err)
	}
	families := scrape(t, a)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"jobpulse_collector_success", []string{"collector", monitor.LedgerCollector}, 1},
		{"jobpulse_collector_success", []string{"collector", monitor.FunctionsCollector}, 1},
		{"jobpulse_collector_duration_seconds", []string{"collector", monitor.FunctionsCollector}, 0.5},
		{"jobpulse_cloud_function_active", []string{"function", "ProcessRun", "state", "FAILED", "reason", "Build failed"}, 0},
	} {
		if got, ok := metricValue(families, c.name, c.labels...); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %t), want %v", c.name, c.labels, got, ok, c.want)
		}
	}

	e.setProbe("canned", `{"results":[
		{"collector":"pipeline_ledger","duration_seconds":0.04,"no_data":false,"samples":[
			{"name":"pipeline_failed_error_checks","labels":{"source":"saramin"},"value":0}]},
		{"collector":"cloud_functions","duration_seconds":15,"error":"list Cloud Functions: permission denied","no_data":false,"samples":[]}]}`)
	if _, err := tick(t, a, e); err != nil {
		t.Fatal(err)
	}
	families = scrape(t, a)
	if v, _ := metricValue(families, "jobpulse_collector_success", "collector", monitor.FunctionsCollector); v != 0 {
		t.Errorf("collector_success{cloud_functions} = %v after a failed listing, want 0", v)
	}
	if v, _ := metricValue(families, "jobpulse_collector_success", "collector", monitor.LedgerCollector); v != 1 {
		t.Errorf("collector_success{pipeline_ledger} = %v, want 1: the functions' failure spilled over", v)
	}
	if !strings.Contains(e.logs.String(), "list Cloud Functions: permission denied") {
		t.Errorf("the watcher's error is not logged:\n%s", e.logs)
	}
}
