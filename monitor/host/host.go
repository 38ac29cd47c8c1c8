// Package host holds the monitor agent's collectors of the machine it runs on: CPU,
// memory, disks, network reachability and counters, processes, load and uptime, one
// collector per file, each reading the host through configurable root paths.
package host

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/shirou/gopsutil/v4/common"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Collector observes one aspect of the host.
//
// The agent calls each collector from one goroutine per tick. Collectors keep what they
// need between ticks (the previous CPU counters, the mounts whose statfs hangs) behind
// their own lock, so a stray concurrent call is safe, merely pointless. Collect never
// panics on bad host data: it returns a Result with Err set, Duration filled in and the
// collector's name in the error.
type Collector interface {
	Name() string
	Collect(ctx context.Context) sample.Result
}

// Deps are the collectors' outside dependencies. Zero fields get the real thing, so
// production code passes Deps{Logger: logger} and tests swap in fakes.
type Deps struct {
	// Now times each collection (Result.Duration) and each probe.
	Now func() time.Time
	// Logger receives what an operator needs to understand a sample: a mount that
	// stopped answering, a probe that started failing. Nil discards.
	Logger *slog.Logger
	// Statfs reports a mounted filesystem's usage; see StatfsFunc.
	Statfs StatfsFunc
	// Resolver answers the dns probes and the host lookups of tcp probes.
	Resolver *net.Resolver
	// TLSConfig is the base of the https probes' TLS settings (tests set RootCAs);
	// nil: the system's roots. Each probe opens a new connection, which must prove the
	// path still works, and follows no redirect: a redirect is an answer.
	TLSConfig *tls.Config
	// Proxy picks the proxy of an https probe (default http.ProxyFromEnvironment).
	Proxy func(*http.Request) (*url.URL, error)
}

func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return d
}

// hostEnv is gopsutil's root-path indirection for one configuration: every gopsutil call
// gets a context carrying it, so the collectors read fixture trees in tests and the
// host's /proc and /sys from inside a container.
func hostEnv(p Paths) common.EnvMap {
	return common.EnvMap{
		common.HostProcEnvKey: p.ProcPath,
		common.HostSysEnvKey:  p.SysPath,
		common.HostEtcEnvKey:  filepath.Join(p.RootFS, "etc"),
		common.HostDevEnvKey:  filepath.Join(p.RootFS, "dev"),
		common.HostRootEnvKey: p.RootFS,
	}
}

func withHostEnv(ctx context.Context, env common.EnvMap) context.Context {
	return context.WithValue(ctx, common.EnvKey, env)
}

// gather is what a collector's body found in one tick.
type gather struct {
	samples []sample.Sample
	noData  bool
}

// observe runs one collection and wraps it into a Result: the duration is measured
// however the body ends, and an error names the collector so a log line or an alert
// about it says which one failed. The body gets the start time as "now".
func observe(name string, now func() time.Time, body func(start time.Time) (gather, error)) sample.Result {
	start := now()
	g, err := body(start)
	r := sample.Result{Collector: name, Duration: now().Sub(start)}
	if err != nil {
		r.Err = fmt.Errorf("collect %s: %w", name, err)
		return r
	}
	r.NoData = g.noData
	r.Samples = g.samples
	return r
}

func gauge(name string, v float64) sample.Sample {
	return sample.Sample{Name: name, Value: v}
}

// readFile reads a whole (small, virtual) file into buf, reusing its capacity, and
// returns the filled slice. It goes through raw syscalls instead of os.Open because the
// processes collector reads a file per process every tick: os.Open allocates a File and
// tries to register every descriptor with the poller, which /proc files refuse.
func readFile(path string, buf []byte) ([]byte, error) {
	fd, err := openRetry(path)
	if err != nil {
		return buf[:0], &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return buf, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

func openRetry(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if !errors.Is(err, syscall.EINTR) {
			return fd, err
		}
	}
}
