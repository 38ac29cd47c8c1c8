package host

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProcesses_match runs one match at a time over the fixture processes:
// systemd (1), kthreadd (2, a kernel thread: empty cmdline), two crons (410, 1400),
// python3 -m jobpulse.collect (1200), another python3 (1201) and jobpulse-monitor (1300,
// comm truncated by the kernel to "jobpulse-monito").
func TestProcesses_match(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		match       ProcessMatch
		wantRunning float64
		wantBelow   float64
	}{
		{"by_comm", ProcessMatch{Comm: "cron"}, 2, 0},
		{"comm_is_exact_not_a_prefix", ProcessMatch{Comm: "cro"}, 0, 1},
		{"by_cmdline_when_comm_is_truncated", ProcessMatch{CmdlinePattern: `jobpulse-monitor`}, 1, 0},
		{"cmdline_arguments_joined_by_spaces", ProcessMatch{CmdlinePattern: `^/usr/bin/python3 -m jobpulse\.collect --source saramin$`}, 1, 0},
		{"comm_and_cmdline_must_both_match", ProcessMatch{Comm: "python3", CmdlinePattern: `jobpulse\.collect`}, 1, 0},
		{"comm_matches_but_cmdline_does_not", ProcessMatch{Comm: "cron", CmdlinePattern: `jobpulse`}, 0, 1},
		{"kernel_threads_have_no_cmdline", ProcessMatch{CmdlinePattern: `kthreadd`}, 0, 1},
		{"fewer_than_min", ProcessMatch{Comm: "python3", Min: 3}, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.match.Name = "x"
			cfg := Config{Paths: fixturePaths(), Processes: []ProcessMatch{tc.match}}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			p, err := NewProcesses(cfg, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			r := p.Collect(context.Background())
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			want := map[string]float64{
				"processes_total":             7,
				`process_running{name="x"}`:   tc.wantRunning,
				`process_below_min{name="x"}`: tc.wantBelow,
			}
			if diff := cmp.Diff(want, values(r)); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}
