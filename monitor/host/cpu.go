package host

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// CPU reports utilisation over the last tick from its own deltas of the kernel's CPU
// time counters:
//
//	cpu_utilisation_ratio    share of time not idle and not waiting for I/O, 0..1
//	cpu_mode_ratio{mode}     share per mode: user, nice, system, idle, iowait, irq,
//	                         softirq, steal (they add up to 1)
//	cpu_count                online logical CPUs
//
// It keeps its previous reading itself rather than using gopsutil's cpu.Percent, whose
// "since the last call" state is shared by every caller in the process. The first tick
// has nothing to compare with and reports NoData, as does a tick whose counters went
// backwards (a VM migrated to another host restarts them) or whose set of CPUs changed:
// such a delta means nothing, and a negative ratio would page someone.
type CPU struct {
	env    common.EnvMap
	path   string
	now    func() time.Time
	logger *slog.Logger

	mu   sync.Mutex
	prev cpuTimes
	have bool
}

var _ Collector = (*CPU)(nil)

// cpuTimes are seconds per mode summed over the online CPUs. Guest and guest_nice are
// left out: the kernel already counts them in user and nice.
type cpuTimes struct {
	modes [numModes]float64
	cpus  int
}

const (
	modeUser = iota
	modeNice
	modeSystem
	modeIdle
	modeIowait
	modeIrq
	modeSoftirq
	modeSteal
	numModes
)

func modeName(m int) string {
	return [numModes]string{"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"}[m]
}

// NewCPU returns the cpu collector.
func NewCPU(cfg Config, deps Deps) *CPU {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	return &CPU{
		env:    hostEnv(cfg.Paths),
		path:   filepath.Join(cfg.ProcPath, "stat"),
		now:    deps.Now,
		logger: deps.Logger,
	}
}

// Name implements Collector.
func (c *CPU) Name() string { return "cpu" }

// Collect implements Collector.
func (c *CPU) Collect(ctx context.Context) sample.Result {
	return observe(c.Name(), c.now, func(time.Time) (gather, error) {
		cur, err := c.read(withHostEnv(ctx, c.env))
		if err != nil {
			return gather{}, err
		}
		c.mu.Lock()
		prev, had := c.prev, c.have
		c.prev, c.have = cur, true
		c.mu.Unlock()
		if !had {
			return gather{noData: true}, nil
		}
		d, ok := delta(prev, cur)
		if !ok {
			c.logger.Info("cpu counters went backwards or the set of CPUs changed; skipping one tick",
				"cpus_before", prev.cpus, "cpus_now", cur.cpus)
			return gather{noData: true}, nil
		}
		return gather{samples: d.samples(cur.cpus)}, nil
	})
}

// read sums the per-CPU lines of /proc/stat: one read gives both the totals and the
// number of online CPUs (the aggregate "cpu" line would need a second read for that).
func (c *CPU) read(ctx context.Context) (cpuTimes, error) {
	per, err := cpu.TimesWithContext(ctx, true)
	if err != nil {
		return cpuTimes{}, fmt.Errorf("read cpu times: %w", err)
	}
	if len(per) == 0 {
		// gopsutil swallows read errors here and returns nothing; say why.
		if _, err := os.Stat(c.path); err != nil {
			return cpuTimes{}, fmt.Errorf("read cpu times: %w", err)
		}
		return cpuTimes{}, fmt.Errorf("read cpu times: %s has no cpuN lines: check that proc_path is the host's procfs", c.path)
	}
	var t cpuTimes
	for _, p := range per {
		t.modes[modeUser] += p.User
		t.modes[modeNice] += p.Nice
		t.modes[modeSystem] += p.System
		t.modes[modeIdle] += p.Idle
		t.modes[modeIowait] += p.Iowait
		t.modes[modeIrq] += p.Irq
		t.modes[modeSoftirq] += p.Softirq
		t.modes[modeSteal] += p.Steal
	}
	t.cpus = len(per)
	return t, nil
}

// cpuDelta is the time per mode spent between two readings, and its sum.
type cpuDelta struct {
	modes [numModes]float64
	total float64
}

// delta reports false when the two readings cannot be compared: the CPU set changed,
// the counters restarted (their sum went backwards), or no time passed.
//
// A single mode going backwards while the sum advances is a known kernel quirk (iowait
// is sampled, not accumulated, and can dip); that mode's delta counts as zero instead of
// discarding the whole tick.
func delta(prev, cur cpuTimes) (cpuDelta, bool) {
	if prev.cpus != cur.cpus {
		return cpuDelta{}, false
	}
	var d cpuDelta
	var raw float64
	for m := range numModes {
		v := cur.modes[m] - prev.modes[m]
		raw += v
		d.modes[m] = max(v, 0)
		d.total += d.modes[m]
	}
	if raw <= 0 || d.total <= 0 {
		return cpuDelta{}, false
	}
	return d, true
}

func (d cpuDelta) samples(cpus int) []sample.Sample {
	out := make([]sample.Sample, 0, numModes+2)
	out = append(out, gauge("cpu_utilisation_ratio", 1-(d.modes[modeIdle]+d.modes[modeIowait])/d.total))
	for m := range numModes {
		out = append(out, sample.Sample{
			Name:   "cpu_mode_ratio",
			Labels: map[string]string{"mode": modeName(m)},
			Value:  d.modes[m] / d.total,
		})
	}
	return append(out, gauge("cpu_count", float64(cpus)))
}
