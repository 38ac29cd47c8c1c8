package host

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// TestProcesses_reusesMatchesForAMinute: a PID's match is re-read after knownFor (a
// process that exec'd into another name is seen then), and a PID that went away is
// forgotten at once.
func TestProcesses_reusesMatchesForAMinute(t *testing.T) {
	t.Parallel()
	proc := t.TempDir()
	write := func(pid, comm string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(proc, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, pid, "comm"), []byte(comm+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("100", "sh")
	now := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	p, err := NewProcesses(Config{Paths: Paths{ProcPath: proc}, Processes: []ProcessMatch{{Name: "cron", Comm: "cron"}}},
		Deps{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	running := func() float64 {
		t.Helper()
		r := p.Collect(context.Background())
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return values(r)[`process_running{name="cron"}`]
	}
	if got := running(); got != 0 {
		t.Fatalf("before exec: %v cron", got)
	}
	write("100", "cron") // the wrapper exec'd cron
	now = now.Add(15 * time.Second)
	if got := running(); got != 0 {
		t.Errorf("within a minute the cached match holds: %v cron", got)
	}
	now = now.Add(knownFor)
	if got := running(); got != 1 {
		t.Errorf("after knownFor: %v cron, want 1", got)
	}
	if err := os.RemoveAll(filepath.Join(proc, "100")); err != nil {
		t.Fatal(err)
	}
	write("101", "cron")
	if got := running(); got != 1 {
		t.Errorf("PID 100 gone, 101 new: %v cron, want 1", got)
	}
	if _, ok := p.known[100]; ok {
		t.Error("a PID that went away is still cached")
	}
}

// TestProcesses_listingFollowsTheHost: the directory is kept open between ticks and
// rewound; every tick still lists the processes as they are then, and only numeric
// entries count.
func TestProcesses_listingFollowsTheHost(t *testing.T) {
	t.Parallel()
	proc := t.TempDir()
	mkdirs := func(names ...string) {
		for _, n := range names {
			if err := os.Mkdir(filepath.Join(proc, n), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdirs("1", "42", "self", "sys", "4x2")
	if err := os.WriteFile(filepath.Join(proc, "loadavg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := NewProcesses(Config{Paths: Paths{ProcPath: proc}}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	total := func() float64 {
		t.Helper()
		r := p.Collect(context.Background())
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return values(r)["processes_total"]
	}
	if got := total(); got != 2 {
		t.Errorf("first tick: %v processes, want 2", got)
	}
	mkdirs("43", "1000000")
	if got := total(); got != 4 {
		t.Errorf("after two started: %v processes, want 4", got)
	}
	if err := os.Remove(filepath.Join(proc, "1")); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != 3 {
		t.Errorf("after one exited: %v processes, want 3", got)
	}
}

func TestAppendPIDs_corruptRecordStops(t *testing.T) {
	t.Parallel()
	rec := make([]byte, 24)
	binary.NativeEndian.PutUint16(rec[16:], 24) // d_reclen
	copy(rec[19:], "77\x00")
	bad := make([]byte, 24)
	binary.NativeEndian.PutUint16(bad[16:], 200) // longer than the buffer
	got := appendPIDs(nil, append(rec, bad...))
	if diff := cmp.Diff([]int{77}, got); diff != "" {
		t.Errorf("pids (-want +got):\n%s", diff)
	}
}
