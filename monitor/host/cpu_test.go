package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestCPU_ticks feeds the collector a sequence of /proc/stat snapshots, one per tick,
// and checks each tick's ratios against hand-computed ones (testdata/fixtures/cpu holds
// the snapshots; the comments give the deltas summed over both CPUs).
func TestCPU_ticks(t *testing.T) {
	t.Parallel()
	const (
		tick1 = "proc/stat"
		// user +300 (40 of it guest, already inside user), system +100, idle +500,
		// iowait +50, irq +10, softirq +20, steal +20: 1000 in all.
		tick2 = "cpu/stat.tick2"
		// from tick2: user +100, idle +100, iowait −10.
		iowaitDip = "cpu/stat.iowait_dip"
		// counters far below tick2's (the VM moved to another host), except steal.
		reset = "cpu/stat.reset"
		// from reset: user +60, system +20, idle +100, iowait +20: 200 in all.
		afterReset = "cpu/stat.after_reset"
		// a third CPU came online.
		threeCPUs = "cpu/stat.three_cpus"
	)
	ratios := func(util, user, system, idle, iowait, irq, softirq, steal float64) map[string]float64 {
		return map[string]float64{
			"cpu_utilisation_ratio":          util,
			`cpu_mode_ratio{mode="user"}`:    user,
			`cpu_mode_ratio{mode="nice"}`:    0,
			`cpu_mode_ratio{mode="system"}`:  system,
			`cpu_mode_ratio{mode="idle"}`:    idle,
			`cpu_mode_ratio{mode="iowait"}`:  iowait,
			`cpu_mode_ratio{mode="irq"}`:     irq,
			`cpu_mode_ratio{mode="softirq"}`: softirq,
			`cpu_mode_ratio{mode="steal"}`:   steal,
			"cpu_count":                      2,
		}
	}
	noData := map[string]float64(nil)
	tests := []struct {
		name  string
		ticks []string
		// want per tick; nil means NoData.
		want []map[string]float64
	}{
		{
			name:  "first_tick_has_no_data",
			ticks: []string{tick1},
			want:  []map[string]float64{noData},
		},
		{
			name:  "ratios_from_deltas",
			ticks: []string{tick1, tick2},
			// busy = 1 − (idle + iowait) = 1 − 0.55.
			want: []map[string]float64{noData, ratios(0.45, 0.3, 0.1, 0.5, 0.05, 0.01, 0.02, 0.02)},
		},
		{
			name:  "iowait_going_backwards_counts_as_zero",
			ticks: []string{tick1, tick2, iowaitDip},
			// 200 counted (the −10 is dropped): user 100, idle 100.
			want: []map[string]float64{noData, ratios(0.45, 0.3, 0.1, 0.5, 0.05, 0.01, 0.02, 0.02), ratios(0.5, 0.5, 0, 0.5, 0, 0, 0, 0)},
		},
		{
			name:  "counter_reset_skips_one_tick",
			ticks: []string{tick1, tick2, reset, afterReset},
			want: []map[string]float64{
				noData,
				ratios(0.45, 0.3, 0.1, 0.5, 0.05, 0.01, 0.02, 0.02),
				noData,
				ratios(0.4, 0.3, 0.1, 0.5, 0.1, 0, 0, 0),
			},
		},
		{
			name:  "cpu_set_change_skips_one_tick",
			ticks: []string{tick1, threeCPUs},
			want:  []map[string]float64{noData, noData},
		},
		{
			name:  "no_time_passed",
			ticks: []string{tick2, tick2},
			want:  []map[string]float64{noData, noData},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proc := t.TempDir()
			c := NewCPU(Config{Paths: Paths{ProcPath: proc}}, Deps{})
			for i, snapshot := range tc.ticks {
				b, err := os.ReadFile(filepath.Join("testdata/fixtures", snapshot))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(proc, "stat"), string(b))
				r := c.Collect(context.Background())
				if r.Err != nil {
					t.Fatalf("tick %d: %v", i+1, r.Err)
				}
				if tc.want[i] == nil {
					if !r.NoData || len(r.Samples) != 0 {
						t.Errorf("tick %d (%s): want NoData without samples, got NoData=%v %v", i+1, snapshot, r.NoData, values(r))
					}
					continue
				}
				if r.NoData {
					t.Fatalf("tick %d (%s): NoData, want samples", i+1, snapshot)
				}
				if diff := cmp.Diff(tc.want[i], values(r), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
					t.Errorf("tick %d (%s) samples (-want +got):\n%s", i+1, snapshot, diff)
				}
			}
		})
	}
}
