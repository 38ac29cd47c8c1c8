package host

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/load"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Load reports the kernel's load averages and the 1-minute one per online CPU, which is
// what a threshold can be set on without knowing the machine's size:
//
//	load1, load5, load15, load1_per_cpu
//
// The CPU count comes from /sys/devices/system/cpu/online, a few bytes, rather than
// from gopsutil's cpu.Counts, which parses /proc/cpuinfo (kilobytes per CPU, and slow to
// generate on some kernels).
type Load struct {
	env    common.EnvMap
	online string
	now    func() time.Time

	mu  sync.Mutex
	buf []byte
}

var _ Collector = (*Load)(nil)

// NewLoad returns the load collector.
func NewLoad(cfg Config, deps Deps) *Load {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	return &Load{
		env:    hostEnv(cfg.Paths),
		online: filepath.Join(cfg.SysPath, "devices/system/cpu/online"),
		now:    deps.Now,
		buf:    make([]byte, 0, 64),
	}
}

// Name implements Collector.
func (l *Load) Name() string { return "load" }

// Collect implements Collector.
func (l *Load) Collect(ctx context.Context) sample.Result {
	return observe(l.Name(), l.now, func(time.Time) (gather, error) {
		avg, err := load.AvgWithContext(withHostEnv(ctx, l.env))
		if err != nil {
			return gather{}, fmt.Errorf("read load averages: %w", err)
		}
		cpus, err := l.onlineCPUs()
		if err != nil {
			return gather{}, err
		}
		return gather{samples: []sample.Sample{
			gauge("load1", avg.Load1),
			gauge("load5", avg.Load5),
			gauge("load15", avg.Load15),
			gauge("load1_per_cpu", avg.Load1/float64(cpus)),
		}}, nil
	})
}

func (l *Load) onlineCPUs() (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	l.buf, err = readFile(l.online, l.buf)
	if err != nil {
		return 0, fmt.Errorf("count online cpus: %w", err)
	}
	n, err := countCPUList(bytes.TrimSpace(l.buf))
	if err != nil {
		return 0, fmt.Errorf("count online cpus in %s: %w", l.online, err)
	}
	return n, nil
}

// countCPUList counts the CPUs of a kernel cpu list such as "0-3,6,8-9".
func countCPUList(list []byte) (int, error) {
	n := 0
	for r := range bytes.SplitSeq(list, []byte{','}) {
		lo, hi, isRange := bytes.Cut(r, []byte{'-'})
		a, err := strconv.Atoi(string(lo))
		if err != nil {
			return 0, fmt.Errorf("bad cpu list %q", list)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(string(hi)); err != nil || b < a {
				return 0, fmt.Errorf("bad cpu list %q", list)
			}
		}
		n += b - a + 1
	}
	if n == 0 {
		return 0, fmt.Errorf("bad cpu list %q", list)
	}
	return n, nil
}
