package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/disk"
)

// fixtureStatfs answers statfs for the mounts of the fixture mount table.
func fixtureStatfs(path string) (disk.UsageStat, error) {
	const gib = 1 << 30
	switch path {
	case "/hostfs":
		return disk.UsageStat{Total: 100 * gib, Used: 60 * gib, Free: 35 * gib, InodesTotal: 6_553_600, InodesFree: 5_242_880}, nil
	case "/hostfs/boot/efi":
		// vfat has no inode table.
		return disk.UsageStat{Total: 512 << 20, Used: 128 << 20, Free: 384 << 20}, nil
	case "/hostfs/data":
		return disk.UsageStat{Total: 1000 * gib, Used: 950 * gib, Free: 50 * gib, InodesTotal: 1_000_000, InodesFree: 50_000}, nil
	case "/hostfs/media/usb":
		return disk.UsageStat{Total: 64 * gib, Used: 0, Free: 64 * gib, InodesTotal: 0}, nil
	}
	return disk.UsageStat{}, fmt.Errorf("fixture has no filesystem at %s", path)
}

// TestCollectors_golden runs each collector over the fixture tree and compares its
// samples with testdata/<collector>.golden.
func TestCollectors_golden(t *testing.T) {
	t.Parallel()
	cfg := Config{
		Paths:              fixturePaths(),
		MountPointExcludes: []string{"/mnt/backup"},
		Processes: []ProcessMatch{
			{Name: "cron", Comm: "cron"},
			{Name: "collector", Comm: "python3", CmdlinePattern: `-m jobpulse\.collect\b`},
			{Name: "monitor", CmdlinePattern: `/jobpulse-monitor( |$)`},
			{Name: "nginx", Comm: "nginx", Min: 2},
		},
	}
	tests := []struct {
		name string
		new  func(Config, Deps) (Collector, error)
	}{
		{"memory", func(c Config, d Deps) (Collector, error) { return NewMemory(c, d), nil }},
		{"load", func(c Config, d Deps) (Collector, error) { return NewLoad(c, d), nil }},
		{"uptime", func(c Config, d Deps) (Collector, error) { return NewUptime(c, d), nil }},
		{"netdev", func(c Config, d Deps) (Collector, error) { return NewNetDev(c, d), nil }},
		{"processes", func(c Config, d Deps) (Collector, error) { return NewProcesses(c, d) }},
		{"disk", func(c Config, d Deps) (Collector, error) { return NewDisk(c, d), nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := tc.new(cfg, Deps{Now: newStepClock(time.Millisecond).Now, Statfs: fixtureStatfs})
			if err != nil {
				t.Fatal(err)
			}
			r := c.Collect(context.Background())
			if r.Err != nil {
				t.Fatalf("Collect: %v", r.Err)
			}
			if r.Collector != tc.name || c.Name() != tc.name {
				t.Errorf("Collector = %q, Name() = %q, want %q", r.Collector, c.Name(), tc.name)
			}
			if r.Duration != time.Millisecond {
				t.Errorf("Duration = %v, want the 1ms the clock advanced", r.Duration)
			}
			checkGolden(t, tc.name, render(r))
		})
	}
}

// TestCollectors_missingFixture: a collector whose file is missing fails with its name
// in the error and the duration still measured.
func TestCollectors_missingFixture(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	cfg := Config{Paths: Paths{ProcPath: empty, SysPath: empty, RootFS: empty}}
	tests := []struct {
		name string
		new  func(Config, Deps) (Collector, error)
	}{
		{"cpu", func(c Config, d Deps) (Collector, error) { return NewCPU(c, d), nil }},
		{"memory", func(c Config, d Deps) (Collector, error) { return NewMemory(c, d), nil }},
		{"load", func(c Config, d Deps) (Collector, error) { return NewLoad(c, d), nil }},
		{"uptime", func(c Config, d Deps) (Collector, error) { return NewUptime(c, d), nil }},
		{"netdev", func(c Config, d Deps) (Collector, error) { return NewNetDev(c, d), nil }},
		{"processes", func(c Config, d Deps) (Collector, error) {
			c.ProcPath += "/no-proc"
			return NewProcesses(c, d)
		}},
		{"disk", func(c Config, d Deps) (Collector, error) { return NewDisk(c, d), nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := tc.new(cfg, Deps{Now: newStepClock(7 * time.Millisecond).Now, Statfs: fixtureStatfs})
			if err != nil {
				t.Fatal(err)
			}
			r := c.Collect(context.Background())
			if r.Err == nil {
				t.Fatalf("Collect succeeded on an empty proc tree: %+v", r)
			}
			if r.OK() || r.Collector != tc.name || r.Duration != 7*time.Millisecond {
				t.Errorf("Result = {Collector %q, Duration %v, OK %v}, want {%q, 7ms, false}", r.Collector, r.Duration, r.OK(), tc.name)
			}
			if want := "collect " + tc.name + ": "; !strings.HasPrefix(r.Err.Error(), want) {
				t.Errorf("Err = %q, want it to start with %q", r.Err, want)
			}
			if !errors.Is(r.Err, fs.ErrNotExist) {
				t.Errorf("Err = %v, want it to wrap fs.ErrNotExist", r.Err)
			}
			if len(r.Samples) != 0 || r.NoData {
				t.Errorf("a failed Result carries samples %v / NoData %v", r.Samples, r.NoData)
			}
		})
	}
}
