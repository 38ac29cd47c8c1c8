package host

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkTick runs every default collector once per iteration on the real host, with
// no probes (they measure the network, not the agent). The agent's budget is 2 ms of CPU
// per tick.
func BenchmarkTick(b *testing.B) {
	cs, err := New(Config{}, Deps{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range cs { // the first CPU tick only sets the baseline
		c.Collect(ctx)
	}
	b.ReportAllocs()
	before := cpuTime(b)
	for b.Loop() {
		for _, c := range cs {
			if r := c.Collect(ctx); r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far: on a shared machine wall
// time per tick overstates what the agent costs, CPU time is the budget.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCollector breaks a tick down by collector, with two named processes (one by
// comm, one by command line) so the processes collector reads every process's files.
func BenchmarkCollector(b *testing.B) {
	cs, err := New(Config{Processes: []ProcessMatch{
		{Name: "cron", Comm: "cron"},
		{Name: "collector", CmdlinePattern: `jobpulse collect`},
	}}, Deps{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range cs {
		c.Collect(ctx)
		b.Run(c.Name(), func(b *testing.B) {
			b.ReportAllocs()
			before := cpuTime(b)
			for b.Loop() {
				if r := c.Collect(ctx); r.Err != nil {
					b.Fatal(r.Err)
				}
			}
			b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
