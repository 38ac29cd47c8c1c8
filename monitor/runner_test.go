package monitor

import (
	"context"
	"strings"
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
