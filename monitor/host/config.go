package host

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults applied to zero Config fields.
const (
	DefaultProcPath     = "/proc"
	DefaultSysPath      = "/sys"
	DefaultRootFS       = "/"
	DefaultStatTimeout  = 5 * time.Second
	DefaultProbeTimeout = 5 * time.Second
)

// Probe kinds of a Target.
const (
	KindDNS   = "dns"
	KindTCP   = "tcp"
	KindHTTPS = "https"
)

// maxCommLen is the kernel's TASK_COMM_LEN less the terminating NUL: /proc/<pid>/comm
// never holds more, so a longer Comm could never match.
const maxCommLen = 15

// Paths are where the host's filesystems are visible to the agent. On the host itself
// the defaults apply; in a container with the host's / mounted at /host they are
// /host/proc, /host/sys and /host. Tests point them at fixture trees.
type Paths struct {
	// ProcPath is the host's procfs.
	ProcPath string `yaml:"proc_path"`
	// SysPath is the host's sysfs.
	SysPath string `yaml:"sys_path"`
	// RootFS is the host's root filesystem: each mount point is statted under it.
	RootFS string `yaml:"root_fs"`
}

// Config selects what the default collectors watch. The zero Config is valid: the local
// host, its local filesystems, no probes and no named processes.
type Config struct {
	Paths `yaml:",inline"`

	// MountPointExcludes are mount points left out of the disk collector, each with
	// everything mounted below it; they add to the built-in list (see Disk).
	MountPointExcludes []string `yaml:"mount_point_excludes"`
	// StatTimeout bounds each statfs call (default 5s); a mount that does not answer in
	// time reports disk_stat_timeout 1 and is not statted again until the call returns.
	StatTimeout time.Duration `yaml:"stat_timeout"`
	// ProbeTimeout is the timeout of a Target without its own (default 5s).
	ProbeTimeout time.Duration `yaml:"probe_timeout"`
	// Targets are the reachability probes; without any, the network collector is not
	// part of the default set.
	Targets []Target `yaml:"targets"`
	// Processes are the named processes to count.
	Processes []ProcessMatch `yaml:"processes"`
}

// Target is one reachability probe, run every tick.
type Target struct {
	// Name identifies the probe in the target label; unlike Address it is safe to show
	// (a URL may carry a token).
	Name string `yaml:"name"`
	// Kind is dns, tcp or https.
	Kind string `yaml:"kind"`
	// Address is a hostname for dns, host:port for tcp and an https:// (or http://) URL
	// for https.
	Address string `yaml:"address"`
	// Timeout bounds the whole probe; zero means Config.ProbeTimeout.
	Timeout time.Duration `yaml:"timeout"`
}

// ProcessMatch counts the processes that look like one program, e.g. the collector's
// cron job or systemd unit. Set Comm, CmdlinePattern or both; with both, a process must
// match both, and the (more expensive) command line is read only for processes whose
// comm matched.
type ProcessMatch struct {
	// Name identifies the match in the name label.
	Name string `yaml:"name"`
	// Comm is the exact executable name of /proc/<pid>/comm, at most 15 characters (the
	// kernel truncates longer names; match those by CmdlinePattern).
	Comm string `yaml:"comm"`
	// CmdlinePattern is a regular expression matched against the command line with its
	// arguments joined by single spaces.
	CmdlinePattern string `yaml:"cmdline_pattern"`
	// Min is how many such processes must run; fewer sets process_below_min to 1.
	// Zero means 1.
	Min int `yaml:"min"`
}

func (c Config) withDefaults() Config {
	if c.ProcPath == "" {
		c.ProcPath = DefaultProcPath
	}
	if c.SysPath == "" {
		c.SysPath = DefaultSysPath
	}
	if c.RootFS == "" {
		c.RootFS = DefaultRootFS
	}
	if c.StatTimeout == 0 {
		c.StatTimeout = DefaultStatTimeout
	}
	if c.ProbeTimeout == 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	targets := make([]Target, len(c.Targets))
	for i, t := range c.Targets {
		if t.Timeout == 0 {
			t.Timeout = c.ProbeTimeout
		}
		targets[i] = t
	}
	c.Targets = targets
	procs := make([]ProcessMatch, len(c.Processes))
	for i, p := range c.Processes {
		if p.Min == 0 {
			p.Min = 1
		}
		procs[i] = p
	}
	c.Processes = procs
	return c
}

// Validate reports every problem of the configuration at once, each saying what to set.
func (c Config) Validate() error {
	// Targets and processes are checked as given: a default derived from a bad value
	// would repeat its problem once per entry.
	targets, procs := c.Targets, c.Processes
	c = c.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, p := range []struct{ key, v string }{
		{"proc_path", c.ProcPath}, {"sys_path", c.SysPath}, {"root_fs", c.RootFS},
	} {
		if !filepath.IsAbs(p.v) {
			bad("%s %q is not an absolute path: give the full path, e.g. /proc or /host/proc", p.key, p.v)
		}
	}
	for _, m := range c.MountPointExcludes {
		if !filepath.IsAbs(m) {
			bad("mount_point_excludes: %q is not an absolute path: give the mount point as df shows it, e.g. /mnt/backup", m)
		}
	}
	if c.StatTimeout < 0 {
		bad("stat_timeout %s is negative: set a positive duration such as 5s", c.StatTimeout)
	}
	if c.ProbeTimeout < 0 {
		bad("probe_timeout %s is negative: set a positive duration such as 5s", c.ProbeTimeout)
	}

	seen := map[string]bool{}
	for i, t := range targets {
		where := fmt.Sprintf("targets[%d] %q", i, t.Name)
		switch {
		case t.Name == "":
			bad("targets[%d]: name is empty: give every probe a name for its target label", i)
		case seen[t.Name]:
			bad("%s: name is used twice: give every probe its own name", where)
		}
		seen[t.Name] = true
		if t.Timeout < 0 {
			bad("%s: timeout %s is negative: set a positive duration or leave it out", where, t.Timeout)
		}
		if err := checkAddress(t.Kind, t.Address); err != nil {
			bad("%s: %w", where, err)
		}
	}

	seen = map[string]bool{}
	for i, p := range procs {
		where := fmt.Sprintf("processes[%d] %q", i, p.Name)
		switch {
		case p.Name == "":
			bad("processes[%d]: name is empty: give every process match a name for its name label", i)
		case seen[p.Name]:
			bad("%s: name is used twice: give every process match its own name", where)
		}
		seen[p.Name] = true
		if p.Comm == "" && p.CmdlinePattern == "" {
			bad("%s: set comm (the exact process name) or cmdline_pattern (a regular expression)", where)
		}
		if len(p.Comm) > maxCommLen || strings.ContainsRune(p.Comm, '/') {
			bad("%s: comm %q can never match: the kernel keeps at most %d characters of the executable name, without a path; match it with cmdline_pattern instead", where, p.Comm, maxCommLen)
		}
		if p.CmdlinePattern != "" {
			if _, err := regexp.Compile(p.CmdlinePattern); err != nil {
				bad("%s: cmdline_pattern: %w", where, err)
			}
		}
		if p.Min < 0 {
			bad("%s: min %d is negative: set how many processes must run (default 1)", where, p.Min)
		}
	}
	return errors.Join(errs...)
}

// checkAddress validates a probe address without echoing it: an https address may hold
// a token, and validation errors end up in logs.
func checkAddress(kind, addr string) error {
	switch kind {
	case KindDNS:
		if addr == "" || strings.ContainsAny(addr, ":/ ") {
			return errors.New("a dns probe's address must be a bare hostname such as api.saramin.co.kr")
		}
	case KindTCP:
		host, port, err := net.SplitHostPort(addr)
		n, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			return errors.New("a tcp probe's address must be host:port with a numeric port, such as db.internal:5432")
		}
	case KindHTTPS:
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("an https probe's address must be an absolute https:// (or http://) URL")
		}
	default:
		return fmt.Errorf("kind %q is not one of %s, %s, %s: set one of them", kind, KindDNS, KindTCP, KindHTTPS)
	}
	return nil
}

// New builds the default collectors: cpu, memory, load, uptime, disk, netdev, processes,
// and network when there are targets to probe.
func New(cfg Config, deps Deps) ([]Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("check host collectors config: %w", err)
	}
	procs, err := NewProcesses(cfg, deps)
	if err != nil {
		return nil, err
	}
	cs := []Collector{
		NewCPU(cfg, deps),
		NewMemory(cfg, deps),
		NewLoad(cfg, deps),
		NewUptime(cfg, deps),
		NewDisk(cfg, deps),
		NewNetDev(cfg, deps),
		procs,
	}
	if len(cfg.Targets) > 0 {
		cs = append(cs, NewNetwork(cfg, deps))
	}
	return cs, nil
}
