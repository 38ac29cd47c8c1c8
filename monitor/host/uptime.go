package host

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Uptime reports how long the host has been up and when it booted:
//
//	uptime_seconds       first field of <proc>/uptime
//	boot_time_seconds    now − uptime, Unix seconds
//
// It reads <proc>/uptime itself: gopsutil's host.Uptime asks sysinfo(2) and ignores the
// configured proc path, and host.BootTime first probes a dozen files to detect
// virtualisation and caches its answer in package state. Boot time is derived rather
// than read from btime in <proc>/stat, which would cost a second, much larger file per
// tick; it carries the 10 ms resolution of <proc>/uptime.
type Uptime struct {
	path string
	now  func() time.Time

	mu  sync.Mutex
	buf []byte
}

var _ Collector = (*Uptime)(nil)

// NewUptime returns the uptime collector.
func NewUptime(cfg Config, deps Deps) *Uptime {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	return &Uptime{path: filepath.Join(cfg.ProcPath, "uptime"), now: deps.Now, buf: make([]byte, 0, 64)}
}

// Name implements Collector.
func (u *Uptime) Name() string { return "uptime" }

// Collect implements Collector.
func (u *Uptime) Collect(context.Context) sample.Result {
	return observe(u.Name(), u.now, func(now time.Time) (gather, error) {
		up, err := u.read()
		if err != nil {
			return gather{}, err
		}
		boot := float64(now.UnixMilli())/1e3 - up
		return gather{samples: []sample.Sample{
			gauge("uptime_seconds", up),
			gauge("boot_time_seconds", math.Round(boot*100)/100),
		}}, nil
	})
}

func (u *Uptime) read() (float64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	var err error
	if u.buf, err = readFile(u.path, u.buf); err != nil {
		return 0, fmt.Errorf("read uptime: %w", err)
	}
	first, _, _ := bytes.Cut(bytes.TrimSpace(u.buf), []byte{' '})
	v, err := strconv.ParseFloat(string(first), 64)
	if err != nil {
		return 0, fmt.Errorf("read uptime: %s: %w", u.path, err)
	}
	return v, nil
}
