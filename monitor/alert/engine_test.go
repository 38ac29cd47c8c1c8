package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/monitor/sample"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// cpuRule is host_cpu_high with a short repeat interval where a test needs one.
func cpuRule() Rule {
	return Rule{
		Name: "host_cpu_high", Metric: "cpu_utilisation_ratio", Op: OpGreater, Threshold: 0.9, ResolveThreshold: 0.75,
		For: 10 * time.Minute, RepeatInterval: 4 * time.Hour, StaleAfter: time.Hour, Severity: SeverityWarning,
		Summary: "CPU utilisation is {{percent .Value}}, above {{percent .Threshold}}", Runbook: "docs/runbooks/host-cpu-high.md",
	}
}

// input is what a collector reports in one tick.
type input int

const (
	present input = iota
	absent        // the collector reports, without this series
	noData        // the collector reports NoData
	failed        // the collector fails (with a sample that must be ignored)
)

func results(metric string, labels map[string]string, v float64, in input) []sample.Result {
	s := sample.Sample{Name: metric, Labels: labels, Value: v}
	other := sample.Sample{Name: "unrelated", Value: 1}
	switch in {
	case absent:
		return []sample.Result{{Collector: "c", Samples: []sample.Sample{other}}}
	case noData:
		return []sample.Result{{Collector: "c", NoData: true}}
	case failed:
		return []sample.Result{{Collector: "c", Err: errors.New("boom"), Samples: []sample.Sample{s}}}
	}
	return []sample.Result{{Collector: "c", Samples: []sample.Sample{s, other}}}
}

func newEngine(t *testing.T, rules []Rule, store StateStore, c *clock) *Engine {
	t.Helper()
	e, err := NewEngine(rules, store, c.Now, nil)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	return e
}

func statuses(evs []Event) []Status {
	var out []Status
	for _, ev := range evs {
		out = append(out, ev.Status)
	}
	return out
}

func TestEngine_transitions(t *testing.T) {
	t.Parallel()
	type step struct {
		after time.Duration // clock advance before the tick
		value float64
		in    input
		want  []Status
	}
	firing := func(extra ...step) []step {
		// 0.95 held for 10m fires.
		return append([]step{{value: 0.95}, {after: 5 * time.Minute, value: 0.95}, {after: 5 * time.Minute, value: 0.95, want: []Status{StatusFiring}}}, extra...)
	}
	tests := []struct {
		name  string
		rule  func(r *Rule)
		steps []step
	}{
		{"ok_stays_ok", nil, []step{{value: 0.5}, {after: time.Hour, value: 0.9}}},
		{"pending_fires_after_for", nil, firing()},
		{"pending_does_not_fire_before_for", nil, []step{{value: 0.95}, {after: 10*time.Minute - time.Second, value: 0.95}}},
		{"pending_that_clears_goes_back_to_ok_silently", nil, []step{
			{value: 0.95}, {after: 5 * time.Minute, value: 0.5},
			// The hold starts again: 10m from here, not from the first tick.
			{after: 5 * time.Minute, value: 0.95}, {after: 5 * time.Minute, value: 0.95},
			{after: 5 * time.Minute, value: 0.95, want: []Status{StatusFiring}},
		}},
		{"pending_clears_at_the_threshold", nil, []step{{value: 0.95}, {after: 5 * time.Minute, value: 0.9}, {after: 5 * time.Minute, value: 0.95}}},
		{"for_zero_fires_at_once", func(r *Rule) { r.For = 0 }, []step{{value: 0.91, want: []Status{StatusFiring}}}},
		{"resolves_on_the_ok_side", nil, firing(step{after: time.Minute, value: 0.7, want: []Status{StatusResolved}})},
		{"resolves_at_the_resolve_threshold", nil, firing(step{after: time.Minute, value: 0.75, want: []Status{StatusResolved}})},
		{"hysteresis_band_keeps_it_firing", nil, firing(
			step{after: time.Minute, value: 0.85}, step{after: time.Minute, value: 0.76}, step{after: time.Minute, value: 0.89},
			step{after: time.Minute, value: 0.95}, step{after: time.Minute, value: 0.5, want: []Status{StatusResolved}},
		)},
		{"resolve_for_holds_the_resolve", func(r *Rule) { r.ResolveFor = 5 * time.Minute }, firing(
			step{after: time.Minute, value: 0.5},
			step{after: 4 * time.Minute, value: 0.8}, // back in the band: the resolve hold restarts
			step{after: time.Minute, value: 0.5},
			step{after: 4 * time.Minute, value: 0.5},
			step{after: time.Minute, value: 0.5, want: []Status{StatusResolved}},
		)},
		{"repeat_interval", nil, firing(
			step{after: 4*time.Hour - time.Minute, value: 0.95},
			step{after: time.Minute, value: 0.95, want: []Status{StatusRepeat}},
			step{after: 2 * time.Hour, value: 0.8}, // in the band: still firing, still repeated
			step{after: 2 * time.Hour, value: 0.8, want: []Status{StatusRepeat}},
		)},
		{"repeat_interval_zero_never_repeats", func(r *Rule) { r.RepeatInterval = 0 }, firing(
			step{after: 24 * time.Hour, value: 0.95},
		)},
		{"no_data_keeps_firing", nil, firing(
			step{after: 30 * time.Minute, value: 0.1, in: noData}, step{after: 29 * time.Minute, in: noData},
			step{after: 30 * time.Minute, value: 0.95}, // data again: the stale clock restarts
			step{after: 59 * time.Minute, in: noData},
			step{after: time.Minute, value: 0.5, want: []Status{StatusResolved}},
		)},
		{"collector_error_keeps_firing_and_its_samples_are_ignored", nil, firing(
			step{after: time.Minute, value: 0.1, in: failed}, step{after: 30 * time.Minute, value: 0.1, in: failed},
			step{after: time.Minute, value: 0.5, want: []Status{StatusResolved}},
		)},
		{"absent_series_keeps_firing", nil, firing(
			step{after: 59 * time.Minute, in: absent},
			step{after: time.Minute - time.Second, value: 0.95},
		)},
		{"absent_series_keeps_pending", nil, []step{
			{value: 0.95}, {after: 5 * time.Minute, in: absent}, {after: 4 * time.Minute, in: noData},
			{after: time.Minute, value: 0.95, want: []Status{StatusFiring}},
		}},
		{"nan_counts_as_missing", nil, firing(
			step{after: time.Minute, value: math.NaN()}, step{after: time.Minute, value: math.Inf(-1)},
		)},
		{"stale_firing_resolves", nil, firing(
			step{after: 30 * time.Minute, in: absent},
			step{after: 30 * time.Minute, in: noData, want: []Status{StatusResolved}},
			step{after: time.Minute, in: absent},
		)},
		{"stale_pending_is_dropped_silently", nil, []step{
			{value: 0.95}, {after: time.Hour, in: absent},
			// A new pending period: the old start is forgotten.
			{after: time.Minute, value: 0.95}, {after: 9 * time.Minute, value: 0.95},
			{after: time.Minute, value: 0.95, want: []Status{StatusFiring}},
		}},
		{"op_less", func(r *Rule) {
			r.Metric, r.Op, r.Threshold, r.ResolveThreshold, r.For = "cpu_utilisation_ratio", OpLess, 0.1, 0.2, 3*time.Minute
		}, []step{
			{value: 0}, {after: 3 * time.Minute, value: 0.05, want: []Status{StatusFiring}},
			{after: time.Minute, value: 0.15}, {after: time.Minute, value: 0.2, want: []Status{StatusResolved}},
		}},
		{"op_greater_equal", func(r *Rule) { r.Op, r.For = OpGreaterEqual, 0 }, []step{
			{value: 0.9, want: []Status{StatusFiring}}, {after: time.Minute, value: 0.75},
			{after: time.Minute, value: 0.7499, want: []Status{StatusResolved}},
		}},
		{"op_less_equal", func(r *Rule) { r.Op, r.Threshold, r.ResolveThreshold, r.For = OpLessEqual, 0, 0, 0 }, []step{
			{value: 0, want: []Status{StatusFiring}}, {after: time.Minute, value: 0.001, want: []Status{StatusResolved}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := cpuRule()
			if tt.rule != nil {
				tt.rule(&r)
			}
			c := newClock()
			e := newEngine(t, []Rule{r}, nil, c)
			for i, s := range tt.steps {
				c.Advance(s.after)
				got := statuses(e.Evaluate(results(r.Metric, nil, s.value, s.in)))
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("step %d (t+%s, value %v): events (-want +got):\n%s", i, c.Now().Sub(t0), s.value, diff)
				}
			}
		})
	}
}

func TestEngine_flapping_input_does_not_flap_alerts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		low  float64 // the value every other tick
		want []Status
	}{
		// Around the threshold: below it every other tick, but above the resolve
		// threshold. One firing; the resolve comes only when the value truly clears.
		{"around_the_threshold", 0.85, []Status{StatusFiring, StatusResolved}},
		{"just_around_the_threshold", 0.8999, []Status{StatusFiring, StatusResolved}},
		// Dipping to the resolve threshold resolves at the first dip, and the flapping
		// that follows never holds for 10m: no second firing.
		{"through_the_resolve_threshold", 0.7, []Status{StatusFiring, StatusResolved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			e := newEngine(t, []Rule{cpuRule()}, nil, c)
			var all []Event
			tick := func(v float64) {
				all = append(all, e.Evaluate(results("cpu_utilisation_ratio", nil, v, present))...)
				c.Advance(15 * time.Second)
			}
			// An hour of flapping before anything fires: the hold never completes.
			for i := range 240 {
				tick([]float64{0.95, tt.low}[i%2])
			}
			if len(all) != 0 {
				t.Fatalf("flapping before firing raised %v", statuses(all))
			}
			// Truly high for the hold: one Firing.
			for range 41 {
				tick(0.95)
			}
			// Two hours of flapping around the threshold while firing.
			for i := range 480 {
				tick([]float64{0.95, tt.low}[i%2])
			}
			// Truly clear.
			for range 4 {
				tick(0.5)
			}
			if diff := cmp.Diff(tt.want, statuses(all)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEngine_event_fields(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := cpuRule()
	r.Metric, r.Summary = "disk_used_ratio", "Disk {{.Labels.mountpoint}} is {{percent .Value}} full"
	e := newEngine(t, []Rule{r}, nil, c)
	labels := map[string]string{"mountpoint": "/", "device": "/dev/sda1"}
	e.Evaluate(results("disk_used_ratio", labels, 0.91, present))
	c.Advance(10 * time.Minute)
	fired := e.Evaluate(results("disk_used_ratio", labels, 0.93, present))
	c.Advance(time.Hour)
	resolved := e.Evaluate(results("disk_used_ratio", labels, 0.5, present))
	fp := Fingerprint("host_cpu_high", labels)
	want := []Event{
		{
			Seq: 1, Status: StatusFiring, Rule: "host_cpu_high", Severity: SeverityWarning, Runbook: "docs/runbooks/host-cpu-high.md",
			Threshold: 0.9, Labels: labels, Value: 0.93, StartedAt: t0, FiredAt: t0.Add(10 * time.Minute), At: t0.Add(10 * time.Minute),
			Summary: "Disk / is 93% full", Fingerprint: fp,
		},
		{
			Seq: 2, Status: StatusResolved, Rule: "host_cpu_high", Severity: SeverityWarning, Runbook: "docs/runbooks/host-cpu-high.md",
			Threshold: 0.9, Labels: labels, Value: 0.5, StartedAt: t0, FiredAt: t0.Add(10 * time.Minute),
			ResolvedAt: t0.Add(70 * time.Minute), At: t0.Add(70 * time.Minute), Summary: "Disk / is 50% full", Fingerprint: fp,
		},
	}
	if diff := cmp.Diff(want, append(fired, resolved...)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(fp) != 16 {
		t.Errorf("fingerprint %q is not 16 hex digits", fp)
	}
	// The fingerprint does not depend on label order or on the map.
	if got := Fingerprint("host_cpu_high", map[string]string{"device": "/dev/sda1", "mountpoint": "/"}); got != fp {
		t.Errorf("fingerprint changed with label order: %s vs %s", got, fp)
	}
	if Fingerprint("host_cpu_high", map[string]string{"mountpoint": "/a"}) == Fingerprint("host_cpu_high", map[string]string{"mountpoin": "t/a"}) {
		t.Error("fingerprints of different label sets collide")
	}
}

func TestEngine_one_alert_per_series(t *testing.T) {
	t.Parallel()
	c := newClock()
	disk := cpuRule()
	disk.Name, disk.Metric, disk.For = "host_disk_full", "disk_used_ratio", 0
	root := disk
	root.Name, root.Labels = "root_disk_full", map[string]string{"mountpoint": "/"}
	e := newEngine(t, []Rule{disk, root}, nil, c)
	tick := func(rootV, dataV float64) []Event {
		return e.Evaluate([]sample.Result{{Collector: "disk", Samples: []sample.Sample{
			{Name: "disk_used_ratio", Labels: map[string]string{"mountpoint": "/"}, Value: rootV},
			{Name: "disk_used_ratio", Labels: map[string]string{"mountpoint": "/data"}, Value: dataV},
		}}})
	}
	type got struct {
		Rule, Mount string
		Status      Status
	}
	summarize := func(evs []Event) []got {
		var out []got
		for _, ev := range evs {
			out = append(out, got{ev.Rule, ev.Labels["mountpoint"], ev.Status})
		}
		return out
	}
	want := []got{{"host_disk_full", "/", StatusFiring}, {"host_disk_full", "/data", StatusFiring}, {"root_disk_full", "/", StatusFiring}}
	if diff := cmp.Diff(want, summarize(tick(0.95, 0.95)), cmpopts.SortSlices(func(a, b got) bool { return a.Rule+a.Mount < b.Rule+b.Mount })); diff != "" {
		t.Errorf("first tick (-want +got):\n%s", diff)
	}
	c.Advance(time.Minute)
	want = []got{{"host_disk_full", "/data", StatusResolved}}
	if diff := cmp.Diff(want, summarize(tick(0.95, 0.5))); diff != "" {
		t.Errorf("second tick (-want +got):\n%s", diff)
	}
	if n := len(e.Active()); n != 2 {
		t.Errorf("%d active alerts, want 2", n)
	}
}

func TestEngine_info_labels_continue_the_alert(t *testing.T) {
	t.Parallel()
	c := newClock()
	var runFailed Rule
	for _, r := range DefaultRules() {
		if r.Name == "pipeline_run_failed" {
			runFailed = r
		}
	}
	e := newEngine(t, []Rule{runFailed}, nil, c)
	tick := func(runID, step string, failed float64) []Event {
		return e.Evaluate(results("pipeline_last_run_failed", map[string]string{
			"source": "saramin", "run_id": runID, "step": step, "error": step + " broke",
		}, failed, present))
	}
	first := tick("r1", "collect", 1)
	if diff := cmp.Diff([]Status{StatusFiring}, statuses(first)); diff != "" {
		t.Fatalf("first failed run (-want +got):\n%s", diff)
	}
	c.Advance(30 * time.Minute)
	if evs := tick("r2", "process", 1); len(evs) != 0 {
		t.Errorf("a second failed run raised %v; the alert is already firing", statuses(evs))
	}
	c.Advance(30 * time.Minute)
	resolved := tick("", "", 0)
	if diff := cmp.Diff([]Status{StatusResolved}, statuses(resolved)); diff != "" {
		t.Fatalf("a successful run (-want +got):\n%s", diff)
	}
	if resolved[0].Fingerprint != first[0].Fingerprint || resolved[0].Fingerprint != Fingerprint("pipeline_run_failed", map[string]string{"source": "saramin"}) {
		t.Errorf("fingerprints %s and %s, want the source's", first[0].Fingerprint, resolved[0].Fingerprint)
	}
	if resolved[0].Labels["run_id"] != "" || first[0].Labels["run_id"] != "r1" {
		t.Errorf("labels %v then %v, want each tick's latest", first[0].Labels, resolved[0].Labels)
	}
	if first[0].Summary != "The newest saramin run r1 failed in step collect: collect broke" || resolved[0].Summary != "The newest saramin run succeeded" {
		t.Errorf("summaries %q and %q", first[0].Summary, resolved[0].Summary)
	}
}

func TestEngine_events_are_ordered_and_numbered(t *testing.T) {
	t.Parallel()
	c := newClock()
	a, b := cpuRule(), cpuRule()
	a.Name, a.For = "b_first_in_config", 0
	b.Name, b.For = "a_second_in_config", 0
	e := newEngine(t, []Rule{a, b}, nil, c)
	res := []sample.Result{{Samples: []sample.Sample{
		{Name: "cpu_utilisation_ratio", Labels: map[string]string{"cpu": "1"}, Value: 1},
		{Name: "cpu_utilisation_ratio", Labels: map[string]string{"cpu": "0"}, Value: 1},
	}}}
	evs := e.Evaluate(res)
	type got struct {
		Seq  uint64
		Rule string
		FP   string
	}
	var gotEvs []got
	for _, ev := range evs {
		gotEvs = append(gotEvs, got{ev.Seq, ev.Rule, ev.Fingerprint})
	}
	fp := func(rule, cpu string) string { return Fingerprint(rule, map[string]string{"cpu": cpu}) }
	want := []got{
		{1, a.Name, min(fp(a.Name, "0"), fp(a.Name, "1"))}, {2, a.Name, max(fp(a.Name, "0"), fp(a.Name, "1"))},
		{3, b.Name, min(fp(b.Name, "0"), fp(b.Name, "1"))}, {4, b.Name, max(fp(b.Name, "0"), fp(b.Name, "1"))},
	}
	if diff := cmp.Diff(want, gotEvs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func readState(t *testing.T, path string) stateDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc stateDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("state file is not JSON: %v", err)
	}
	return doc
}

func TestEngine_restart_mid_firing(t *testing.T) {
	t.Parallel()
	c := newClock()
	path := filepath.Join(t.TempDir(), "state", "alerts.json")
	first := newEngine(t, []Rule{cpuRule()}, NewFileState(path), c)
	first.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	c.Advance(10 * time.Minute)
	fired := first.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	if diff := cmp.Diff([]Status{StatusFiring}, statuses(fired)); diff != "" {
		t.Fatalf("before the restart (-want +got):\n%s", diff)
	}
	if doc := readState(t, path); len(doc.Alerts) != 1 || doc.Alerts[0].State != StateFiring || doc.Seq != 1 {
		t.Fatalf("saved state %+v, want one firing alert and seq 1", doc)
	}

	c.Advance(time.Minute)
	second := newEngine(t, []Rule{cpuRule()}, NewFileState(path), c)
	if evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present)); len(evs) != 0 {
		t.Errorf("after the restart a still-firing alert raised %v", statuses(evs))
	}
	c.Advance(time.Minute)
	resolved := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.5, present))
	if diff := cmp.Diff([]Status{StatusResolved}, statuses(resolved)); diff != "" {
		t.Fatalf("after the restart (-want +got):\n%s", diff)
	}
	ev := resolved[0]
	if ev.Seq != 2 || !ev.FiredAt.Equal(fired[0].FiredAt) || !ev.StartedAt.Equal(t0) || ev.Fingerprint != fired[0].Fingerprint {
		t.Errorf("resolved event %+v does not continue the firing %+v", ev, fired[0])
	}
	if doc := readState(t, path); len(doc.Alerts) != 0 || doc.Seq != 2 {
		t.Errorf("saved state %+v, want no alerts and seq 2", doc)
	}
	// Only the state file is in the directory: the temp files are gone.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("state directory holds %d files, want only the state file", len(entries))
	}
}

func TestEngine_restart_mid_pending_keeps_the_start(t *testing.T) {
	t.Parallel()
	c := newClock()
	path := filepath.Join(t.TempDir(), "alerts.json")
	first := newEngine(t, []Rule{cpuRule()}, NewFileState(path), c)
	first.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	c.Advance(6 * time.Minute)
	second := newEngine(t, []Rule{cpuRule()}, NewFileState(path), c)
	if evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present)); len(evs) != 0 {
		t.Fatalf("6m after the start: %v", statuses(evs))
	}
	c.Advance(4 * time.Minute)
	evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	if diff := cmp.Diff([]Status{StatusFiring}, statuses(evs)); diff != "" {
		t.Fatalf("10m after the start, across a restart (-want +got):\n%s", diff)
	}
	if !evs[0].StartedAt.Equal(t0) {
		t.Errorf("StartedAt = %s, want %s", evs[0].StartedAt, t0)
	}
}

func TestEngine_restart_grants_a_grace_period_before_stale(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := cpuRule()
	r.For = 0
	path := filepath.Join(t.TempDir(), "alerts.json")
	first := newEngine(t, []Rule{r}, NewFileState(path), c)
	first.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	// Down for two hours; the first ticks after the restart have no data yet.
	c.Advance(2 * time.Hour)
	second := newEngine(t, []Rule{r}, NewFileState(path), c)
	for range 4 {
		if evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0, noData)); len(evs) != 0 {
			t.Fatalf("no data right after a restart raised %v", statuses(evs))
		}
		c.Advance(15 * time.Minute)
	}
	evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0, noData))
	if diff := cmp.Diff([]Status{StatusResolved}, statuses(evs)); diff != "" {
		t.Fatalf("an hour without data after the restart (-want +got):\n%s", diff)
	}
	if !strings.Contains(evs[0].Note, "no data for 1h 00m") || evs[0].Value != 0.95 {
		t.Errorf("stale resolve: note %q, value %v; want the no-data note and the last value", evs[0].Note, evs[0].Value)
	}
}

func TestEngine_corrupt_state_file(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
	}{
		{"not_json", "{\"version\": 1, \"alerts\": [ tru"},
		{"empty", ""},
		{"unknown_version", `{"version": 99, "alerts": []}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			dir := t.TempDir()
			path := filepath.Join(dir, "alerts.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			logs := &syncBuffer{}
			r := cpuRule()
			r.For = 0
			e, err := NewEngine([]Rule{r}, NewFileState(path), c.Now, slog.New(slog.NewJSONHandler(logs, nil)))
			if err != nil {
				t.Fatalf("NewEngine on a corrupt state file: %v", err)
			}
			if !strings.Contains(logs.String(), "alert state is unreadable") {
				t.Errorf("logs lack the corruption:\n%s", logs)
			}
			kept := path + ".corrupt-20261121T100000Z"
			data, err := os.ReadFile(kept)
			if err != nil {
				t.Fatalf("the corrupt file was not kept: %v", err)
			}
			if string(data) != tt.content {
				t.Errorf("kept copy = %q, want the original %q", data, tt.content)
			}
			evs := e.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
			if diff := cmp.Diff([]Status{StatusFiring}, statuses(evs)); diff != "" {
				t.Errorf("a fresh engine (-want +got):\n%s", diff)
			}
			if doc := readState(t, path); len(doc.Alerts) != 1 {
				t.Errorf("new state %+v, want one alert", doc)
			}
		})
	}
}

func TestEngine_unreadable_state_is_an_error(t *testing.T) {
	t.Parallel()
	path := t.TempDir() // a directory cannot be read as a file
	_, err := NewEngine([]Rule{cpuRule()}, NewFileState(path), newClock().Now, nil)
	if err == nil || !strings.Contains(err.Error(), "load alert state") {
		t.Errorf("NewEngine = %v, want a load error", err)
	}
}

func TestEngine_save_failure_keeps_alerting_and_retries(t *testing.T) {
	t.Parallel()
	c := newClock()
	dir := filepath.Join(t.TempDir(), "state")
	logs := &syncBuffer{}
	r := cpuRule()
	r.For = 0
	store := NewFileState(filepath.Join(dir, "alerts.json"))
	e, err := NewEngine([]Rule{r}, store, c.Now, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// The state's directory becomes a file: saves fail.
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if evs := e.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present)); len(evs) != 1 {
		t.Fatalf("events %v, want a firing despite the failing save", statuses(evs))
	}
	if !strings.Contains(logs.String(), "cannot save alert state") {
		t.Errorf("logs lack the save failure:\n%s", logs)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	// Nothing changes in this tick, but the failed save is retried.
	c.Advance(time.Minute)
	e.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	if doc := readState(t, store.Path()); len(doc.Alerts) != 1 {
		t.Errorf("state after the retry %+v, want the firing alert", doc)
	}
}

func TestEngine_state_of_removed_rules_is_dropped(t *testing.T) {
	t.Parallel()
	c := newClock()
	path := filepath.Join(t.TempDir(), "alerts.json")
	kept, removed, pending := cpuRule(), cpuRule(), cpuRule()
	kept.For, removed.For = 0, 0
	removed.Name, removed.Severity = "removed_rule", SeverityCritical
	pending.Name = "removed_pending"
	first := newEngine(t, []Rule{kept, removed, pending}, NewFileState(path), c)
	if evs := first.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present)); len(evs) != 2 {
		t.Fatalf("events %v, want two firing", statuses(evs))
	}
	c.Advance(time.Minute)
	second := newEngine(t, []Rule{kept}, NewFileState(path), c)
	evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present))
	if len(evs) != 1 || evs[0].Rule != "removed_rule" || evs[0].Status != StatusResolved || evs[0].Severity != SeverityCritical ||
		!strings.Contains(evs[0].Note, "removed from the configuration") || evs[0].Summary == "" {
		t.Fatalf("events %+v, want the removed rule's alert resolved with a note", evs)
	}
	doc := readState(t, path)
	var rules []string
	for _, a := range doc.Alerts {
		rules = append(rules, a.Rule)
	}
	if diff := cmp.Diff([]string{"host_cpu_high"}, rules); diff != "" {
		t.Errorf("rules in the state (-want +got):\n%s", diff)
	}
	// A removed rule's pending alert is gone from the file even when nothing else
	// changes: a third engine sees only the kept rule's alert.
	third := newEngine(t, []Rule{kept, pending}, NewFileState(path), c)
	if active := third.Active(); len(active) != 1 || active[0].Rule != "host_cpu_high" {
		t.Errorf("active alerts after the restart %+v, want only host_cpu_high's", active)
	}
	if evs := second.Evaluate(results("cpu_utilisation_ratio", nil, 0.95, present)); len(evs) != 0 {
		t.Errorf("the removed rule resolved again: %v", statuses(evs))
	}
}

func TestNewEngine_rejects_invalid_rules(t *testing.T) {
	t.Parallel()
	r := cpuRule()
	r.ResolveThreshold = 0.95
	if _, err := NewEngine([]Rule{r}, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "resolve_threshold") {
		t.Errorf("NewEngine = %v, want the rule's problem", err)
	}
}

func TestEngine_active(t *testing.T) {
	t.Parallel()
	c := newClock()
	e := newEngine(t, []Rule{cpuRule()}, nil, c)
	e.Evaluate(results("cpu_utilisation_ratio", map[string]string{"cpu": "0"}, 0.95, present))
	want := []Instance{{
		Rule: "host_cpu_high", Fingerprint: Fingerprint("host_cpu_high", map[string]string{"cpu": "0"}),
		Labels: map[string]string{"cpu": "0"}, State: StatePending, Severity: SeverityWarning, Value: 0.95, StartedAt: t0,
	}}
	if diff := cmp.Diff(want, e.Active()); diff != "" {
		t.Errorf("Active (-want +got):\n%s", diff)
	}
}

func TestEvent_Alert(t *testing.T) {
	t.Parallel()
	ev := Event{
		Seq: 7, Status: StatusResolved, Rule: "host_disk_full", Severity: SeverityCritical, Runbook: "docs/runbooks/host-disk-full.md",
		Threshold: 0.9, Labels: map[string]string{"mountpoint": "/"}, Value: 0.5, StartedAt: t0, FiredAt: t0.Add(time.Minute),
		ResolvedAt: t0.Add(time.Hour), At: t0.Add(time.Hour), Summary: "Disk / is 50% full", Fingerprint: "0123456789abcdef", Note: "n",
	}
	want := notify.Alert{
		Status: notify.AlertResolved, Rule: "host_disk_full", Severity: "critical", Summary: "Disk / is 50% full",
		Labels: map[string]string{"mountpoint": "/"}, Value: 0.5, Threshold: 0.9, Host: "vm-1",
		StartedAt: t0, FiredAt: t0.Add(time.Minute), ResolvedAt: t0.Add(time.Hour), At: t0.Add(time.Hour),
		Runbook: "docs/runbooks/host-disk-full.md", Fingerprint: "0123456789abcdef", Note: "n",
	}
	if diff := cmp.Diff(want, ev.Alert("vm-1")); diff != "" {
		t.Errorf("Alert (-want +got):\n%s", diff)
	}
}

func TestEngine_summary_knows_a_real_resolve_from_a_stale_one(t *testing.T) {
	t.Parallel()
	c := newClock()
	var probe Rule
	for _, r := range DefaultRules() {
		if r.Name == "probe_failed" {
			probe = r
		}
	}
	probe.For = 0
	e := newEngine(t, []Rule{probe}, nil, c)
	labels := func(target string) map[string]string { return map[string]string{"target": target, "kind": "https"} }
	tick := func(values map[string]float64) []Event {
		var ss []sample.Sample
		for target, v := range values {
			ss = append(ss, sample.Sample{Name: "probe_success", Labels: labels(target), Value: v})
		}
		return e.Evaluate([]sample.Result{{Collector: "network", Samples: ss}})
	}
	tick(map[string]float64{"api": 0, "gone": 0})
	c.Advance(30 * time.Minute)
	tick(map[string]float64{"api": 0})
	c.Advance(30 * time.Minute)
	evs := tick(map[string]float64{"api": 1})
	got := map[string]string{}
	for _, ev := range evs {
		got[ev.Labels["target"]] = ev.Summary
	}
	want := map[string]string{
		"api":  "The https probe of api succeeds again",
		"gone": "The https probe of gone fails", // no data: nothing is known to be better
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved summaries (-want +got):\n%s", diff)
	}
}

// TestDefaultRules_stalenessPerSource: each source is stale on its own cadence — five
// hours without a Trends run is normal, without a Saramin run it is not.
func TestDefaultRules_stalenessPerSource(t *testing.T) {
	t.Parallel()
	c := newClock()
	e := newEngine(t, DefaultRules(), NewFileState(filepath.Join(t.TempDir(), "state.json")), c)
	age := func(source string, v float64) sample.Sample {
		return sample.Sample{Name: "pipeline_last_success_age_seconds", Labels: map[string]string{"source": source}, Value: v}
	}
	evs := e.Evaluate([]sample.Result{{Collector: "pipeline_ledger", Samples: []sample.Sample{
		age("saramin", 5*3600), age("trends", 5*3600), age("qnet", 3*24*3600),
	}}})
	var fired []string
	for _, ev := range evs {
		fired = append(fired, ev.Rule+"/"+ev.Labels["source"])
	}
	if len(fired) != 1 || fired[0] != "pipeline_stale/saramin" {
		t.Errorf("fired %v, want only pipeline_stale/saramin", fired)
	}
	evs = e.Evaluate([]sample.Result{{Collector: "pipeline_ledger", Samples: []sample.Sample{
		age("saramin", 60), age("trends", 50*3600), age("qnet", 3*24*3600),
	}}})
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Rule+"/"+ev.Labels["source"]+"/"+string(ev.Status))
	}
	slices.Sort(got)
	if want := []string{"pipeline_stale/saramin/resolved", "pipeline_stale_trends/trends/firing"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}
