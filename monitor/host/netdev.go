package host

import (
	"context"
	"fmt"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/net"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// NetDev reports the byte counters of the network interfaces in <proc>/net/dev, except
// the loopback:
//
//	network_receive_bytes_total{device}, network_transmit_bytes_total{device}
//
// It is a collector of its own rather than part of Network so that a failure to read
// the counters does not hide the probes' results, and the counters are there with no
// probe configured. The file is the network namespace of the agent's own process, which
// is the host's when the agent runs on the host or in a container with host networking.
type NetDev struct {
	env common.EnvMap
	now func() time.Time
}

var _ Collector = (*NetDev)(nil)

// NewNetDev returns the netdev collector.
func NewNetDev(cfg Config, deps Deps) *NetDev {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	return &NetDev{env: hostEnv(cfg.Paths), now: deps.Now}
}

// Name implements Collector.
func (n *NetDev) Name() string { return "netdev" }

// Collect implements Collector.
func (n *NetDev) Collect(ctx context.Context) sample.Result {
	return observe(n.Name(), n.now, func(time.Time) (gather, error) {
		counters, err := net.IOCountersWithContext(withHostEnv(ctx, n.env), true)
		if err != nil {
			return gather{}, fmt.Errorf("read interface counters: %w", err)
		}
		g := gather{samples: make([]sample.Sample, 0, 2*len(counters))}
		for _, c := range counters {
			if c.Name == "lo" {
				continue
			}
			g.samples = append(g.samples,
				sample.Sample{Name: "network_receive_bytes_total", Labels: map[string]string{"device": c.Name}, Value: float64(c.BytesRecv)},
				sample.Sample{Name: "network_transmit_bytes_total", Labels: map[string]string{"device": c.Name}, Value: float64(c.BytesSent)},
			)
		}
		g.noData = len(g.samples) == 0
		return g, nil
	})
}
