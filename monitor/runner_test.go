package monitor

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// stuckCollector never answers until released: a statfs on a dead NFS server.
type stuckCollector struct{ release chan struct{} }

func (stuckCollector) Name() string { return "stuck" }

func (s stuckCollector) Collect(context.Context) sample.Result {
	<-s.release
	return sample.Result{Collector: "stuck"}
}

// fineCollector answers at once.
type fineCollector struct{}

func (fineCollector) Name() string { return "fine" }

func (fineCollector) Collect(context.Context) sample.Result {
	return sample.Result{Collector: "fine", Duration: time.Millisecond, Samples: []sample.Sample{{Name: "up", Value: 1}}}
}

// TestCollect_stuckCollector: a collector that overstays its timeout fails that tick
// without holding up the others, and is not called again while its call hangs.
func TestCollect_stuckCollector(t *testing.T) {
	t.Parallel()
	stuck := stuckCollector{release: make(chan struct{})}
	t.Cleanup(func() { close(stuck.release) })
	runners := []*runner{
		newRunner(stuck, time.Millisecond, time.Now),
		newRunner(fineCollector{}, time.Hour, time.Now),
	}
	for i, wantErr := range []string{"collect stuck: no answer within 1ms", "collect stuck: skipped: the call started at"} {
		results := collect(context.Background(), runners)
		if len(results) != 3 {
			t.Fatalf("tick %d: %d results, want 3", i, len(results))
		}
		if err := results[0].Err; err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("tick %d: stuck collector's error = %v, want %q", i, err, wantErr)
		}
		if diff := cmp.Diff([]sample.Sample{{Name: "up", Value: 1}}, results[1].Samples); diff != "" || results[1].Err != nil {
			t.Errorf("tick %d: the fine collector's result suffered: %v (-want +got):\n%s", i, results[1].Err, diff)
		}
		want := []sample.Sample{
			{Name: MetricCollectorSuccess, Labels: map[string]string{"collector": "stuck"}, Value: 0},
			{Name: MetricCollectorDuration, Labels: map[string]string{"collector": "stuck"}, Value: results[0].Duration.Seconds()},
			{Name: MetricCollectorSuccess, Labels: map[string]string{"collector": "fine"}, Value: 1},
			{Name: MetricCollectorDuration, Labels: map[string]string{"collector": "fine"}, Value: 0.001},
		}
		if diff := cmp.Diff(sample.Result{Collector: AgentCollector, Samples: want}, results[2]); diff != "" {
			t.Errorf("tick %d: the agent's samples (-want +got):\n%s", i, diff)
		}
	}
}

// countingCollector answers with how many times it was called; its first call hangs
// until released.
type countingCollector struct {
	calls   atomic.Int64
	release chan struct{}
}

func (*countingCollector) Name() string { return "counting" }

func (c *countingCollector) Collect(context.Context) sample.Result {
	if c.calls.Add(1) == 1 {
		<-c.release
	}
	return sample.Result{Samples: []sample.Sample{{Name: "call", Value: float64(c.calls.Load())}}}
}

// TestRunner_lateResultIsDropped: the answer of a call that overstayed its timeout
// arrives after the tick gave up on it; the next tick gets its own call's answer, not
// that late one.
func TestRunner_lateResultIsDropped(t *testing.T) {
	t.Parallel()
	c := &countingCollector{release: make(chan struct{})}
	r := newRunner(c, 20*time.Millisecond, time.Now)
	t.Cleanup(r.stop)
	if res := r.finish(r.start(context.Background())); res.Err == nil {
		t.Fatalf("first call: want a timeout, got %+v", res)
	}
	close(c.release)
	for r.busy.Load() { // the late answer is in the runner's channel once busy clears
		time.Sleep(time.Millisecond)
	}
	r.timeout = time.Hour
	res := r.finish(r.start(context.Background()))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if diff := cmp.Diff([]sample.Sample{{Name: "call", Value: 2}}, res.Samples); diff != "" {
		t.Errorf("second tick's samples (-want +got):\n%s", diff)
	}
}
