package host

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Processes counts the host's processes and the configured named ones:
//
//	processes_total            processes (not threads) in <proc>
//	process_running{name}      processes matching ProcessMatch name
//	process_below_min{name}    1 when fewer than its Min run, else 0
//
// It reads <proc> itself instead of building gopsutil process objects, which stat and
// parse several files per process. Listing <proc> is all processes_total needs;
// /proc/<pid>/comm is read once per process only when some match has a Comm, and
// /proc/<pid>/cmdline only when a match needs it (for a match with both, only when the
// comm matched). A process that exits while being read is simply not counted.
//
// Each file read is an open, a read and a close per process per tick, which dominates a
// tick's cost on a busy host: prefer Comm, alone or narrowed by a CmdlinePattern, to a
// CmdlinePattern alone, which reads every process's command line.
type Processes struct {
	proc    string
	matches []procMatcher
	// anyComm says whether some match needs /proc/<pid>/comm.
	anyComm bool
	now     func() time.Time

	mu            sync.Mutex
	comm, cmdline []byte
	counts        []int
	// known caches which matches each PID satisfied, re-read after knownFor: reading
	// comm (and cmdline) of every process on every tick is most of a tick's CPU, and a
	// PID's name rarely changes. A process that execs into another name is seen within
	// knownFor, well inside the process_missing rule's hold.
	known map[int]knownPID
	// tick counts the collections, to find the known PIDs that are gone.
	tick uint64
	// dir lists <proc>; pids is its last listing, reused.
	dir  *procDir
	pids []int
}

// knownFor is how long a PID's match result is reused.
const knownFor = time.Minute

type knownPID struct {
	matched []int // indexes into matches
	at      time.Time
	seen    uint64 // the last tick the PID was listed
}

var _ Collector = (*Processes)(nil)

type procMatcher struct {
	name string
	comm string
	re   *regexp.Regexp
	min  int
}

// NewProcesses returns the processes collector for cfg.Processes; it fails on a
// CmdlinePattern that does not compile.
func NewProcesses(cfg Config, deps Deps) (*Processes, error) {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	p := &Processes{
		proc:    cfg.ProcPath,
		now:     deps.Now,
		comm:    make([]byte, 0, 64),
		cmdline: make([]byte, 0, 512),
		counts:  make([]int, len(cfg.Processes)),
		known:   map[int]knownPID{},
		dir:     newProcDir(cfg.ProcPath),
	}
	for _, m := range cfg.Processes {
		pm := procMatcher{name: m.Name, comm: m.Comm, min: m.Min}
		if m.CmdlinePattern != "" {
			re, err := regexp.Compile(m.CmdlinePattern)
			if err != nil {
				return nil, fmt.Errorf("process match %q: compile cmdline_pattern: %w", m.Name, err)
			}
			pm.re = re
		}
		if m.Comm != "" {
			p.anyComm = true
		}
		p.matches = append(p.matches, pm)
	}
	return p, nil
}

// Name implements Collector.
func (p *Processes) Name() string { return "processes" }

// Collect implements Collector.
func (p *Processes) Collect(context.Context) sample.Result {
	return observe(p.Name(), p.now, func(now time.Time) (gather, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		var err error
		if p.pids, err = p.dir.pids(p.pids[:0]); err != nil {
			return gather{}, err
		}
		clear(p.counts)
		p.tick++
		for _, pid := range p.pids {
			if len(p.matches) == 0 {
				break
			}
			k, ok := p.known[pid]
			if !ok || now.Sub(k.at) >= knownFor {
				k = knownPID{matched: p.match(pid, k.matched[:0]), at: now}
			}
			k.seen = p.tick
			p.known[pid] = k
			for _, i := range k.matched {
				p.counts[i]++
			}
		}
		for pid, k := range p.known {
			if k.seen != p.tick {
				delete(p.known, pid) // gone: a new process may get the PID
			}
		}
		out := make([]sample.Sample, 0, 1+2*len(p.matches))
		out = append(out, gauge("processes_total", float64(len(p.pids))))
		for i, m := range p.matches {
			below := 0.0
			if p.counts[i] < m.min {
				below = 1
			}
			out = append(out,
				sample.Sample{Name: "process_running", Labels: map[string]string{"name": m.name}, Value: float64(p.counts[i])},
				sample.Sample{Name: "process_below_min", Labels: map[string]string{"name": m.name}, Value: below},
			)
		}
		return gather{samples: out}, nil
	})
}

// match adds the process to the counts of the matches it satisfies. Read errors mean
// the process exited (or is hidden from us) and leave it uncounted.
// match appends to matched the indexes of the matches pid satisfies.
func (p *Processes) match(pid int, matched []int) []int {
	dir := p.proc + "/" + strconv.Itoa(pid)
	var comm []byte
	if p.anyComm {
		var err error
		if p.comm, err = readFile(dir+"/comm", p.comm); err != nil {
			return matched
		}
		comm = bytes.TrimSuffix(p.comm, []byte{'\n'})
	}
	var cmdline []byte
	cmdlineRead := false
	for i, m := range p.matches {
		if m.comm != "" && string(comm) != m.comm {
			continue
		}
		if m.re != nil {
			if !cmdlineRead {
				cmdline = p.readCmdline(dir)
				cmdlineRead = true
			}
			if !m.re.Match(cmdline) {
				continue
			}
		}
		matched = append(matched, i)
	}
	return matched
}

// readCmdline returns the command line with its NUL-separated arguments joined by
// spaces, as ps shows it; nil for kernel threads and processes that went away.
func (p *Processes) readCmdline(dir string) []byte {
	var err error
	if p.cmdline, err = readFile(dir+"/cmdline", p.cmdline); err != nil {
		return nil
	}
	c := bytes.TrimRight(p.cmdline, "\x00")
	for i, b := range c {
		if b == 0 {
			c[i] = ' '
		}
	}
	return c
}
