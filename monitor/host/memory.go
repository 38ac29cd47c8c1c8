package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Memory reports RAM and swap from /proc/meminfo:
//
//	memory_total_bytes        MemTotal
//	memory_available_bytes    MemAvailable: what can be allocated without swapping
//	memory_used_ratio         1 − available/total
//	memory_swap_total_bytes   SwapTotal (0 without swap)
//	memory_swap_used_ratio    1 − SwapFree/SwapTotal; 0 without swap
//
// Swap comes from meminfo too, not from gopsutil's SwapMemory, which asks sysinfo(2)
// and so would ignore the configured proc path.
type Memory struct {
	env common.EnvMap
	now func() time.Time
}

var _ Collector = (*Memory)(nil)

// NewMemory returns the memory collector.
func NewMemory(cfg Config, deps Deps) *Memory {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	return &Memory{env: hostEnv(cfg.Paths), now: deps.Now}
}

// Name implements Collector.
func (m *Memory) Name() string { return "memory" }

// Collect implements Collector.
func (m *Memory) Collect(ctx context.Context) sample.Result {
	return observe(m.Name(), m.now, func(time.Time) (gather, error) {
		vm, err := mem.VirtualMemoryWithContext(withHostEnv(ctx, m.env))
		if err != nil {
			return gather{}, fmt.Errorf("read memory: %w", err)
		}
		if vm.Total == 0 {
			return gather{}, errors.New("read memory: meminfo has no MemTotal: check that proc_path is the host's procfs")
		}
		swapUsed := 0.0
		if vm.SwapTotal > 0 {
			swapUsed = 1 - float64(vm.SwapFree)/float64(vm.SwapTotal)
		}
		return gather{samples: []sample.Sample{
			gauge("memory_total_bytes", float64(vm.Total)),
			gauge("memory_available_bytes", float64(vm.Available)),
			gauge("memory_used_ratio", 1-float64(vm.Available)/float64(vm.Total)),
			gauge("memory_swap_total_bytes", float64(vm.SwapTotal)),
			gauge("memory_swap_used_ratio", swapUsed),
		}}, nil
	})
}
