package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Targets from the monitor agent's issue.
const (
	targetRSSMiB       = 15.0
	targetCPUMsPerTick = 2.0
)

// machine describes where a benchmark ran.
type machine struct {
	cpuModel string
	cores    int
	memTotal string // e.g. "23.5 GiB"
	kernel   string
	// loadStart and loadEnd are /proc/loadavg's first three fields: the machine is
	// shared, so the figures mean little without them.
	loadStart, loadEnd string
}

// readMachine describes the machine from the /proc tree at root.
func readMachine(root string) machine {
	m := machine{cpuModel: "unknown CPU", memTotal: "unknown", kernel: "unknown"}
	if b, err := os.ReadFile(filepath.Join(root, "cpuinfo")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				m.cores++
			case "model name":
				m.cpuModel = strings.TrimSpace(v)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(root, "meminfo")); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kib, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				m.memTotal = fmt.Sprintf("%.1f GiB", kib/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(root, "sys/kernel/osrelease")); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	m.loadStart = readLoad(root)
	return m
}

// readLoad returns the 1, 5 and 15 minute load averages.
func readLoad(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "loadavg"))
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// report is everything one run prints.
type report struct {
	date     time.Time
	command  string
	machine  machine
	interval time.Duration
	ticks    int
	// clkTck is USER_HZ; clkTckAssumed says getconf could not tell.
	clkTck        int
	clkTckAssumed bool
	// timerSlack is what the harness started both processes with; 0: its own.
	timerSlack time.Duration
	results    []measurement
	// notes are said under the table, e.g. that node_exporter could not be installed.
	notes []string
}

func mib(kib uint64) float64 { return float64(kib) / 1024 }

// cpuMs is the CPU time between the two samples in milliseconds.
func (r report) cpuMs(m measurement) float64 {
	return float64(m.last.cpuTicks-m.first.cpuTicks) * 1000 / float64(r.clkTck)
}

// schedMs is the schedstat CPU time between the two samples in milliseconds.
func schedMs(m measurement) (float64, bool) {
	if !m.first.haveRunNs || !m.last.haveRunNs || m.last.runNs < m.first.runNs {
		return 0, false
	}
	return float64(m.last.runNs-m.first.runNs) / 1e6, true
}

// markdown renders the report as a section body for docs/benchmarks.md.
func (r report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("Measured %s on %s (%d cores, %s RAM, Linux %s), load average %s at the start and %s at the end.\n\n",
		r.date.UTC().Format("2006-01-02 15:04 MST"), r.machine.cpuModel, r.machine.cores, r.machine.memTotal,
		r.machine.kernel, r.machine.loadStart, r.machine.loadEnd)
	p("Command: `%s` — %d ticks of %s after one warm-up tick, one /metrics scrape per process per tick.\n\n",
		r.command, r.ticks, r.interval)
	p("| process | version | timer slack | RSS start (MiB) | RSS end (MiB) | peak RSS, VmHWM (MiB) | CPU per tick (ms) | CPU total (ms) | CPU per tick, schedstat (ms) | RSS end anon / file (MiB) | scrape size (KiB) | failed scrapes |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range r.results {
		sched := "n/a"
		if ns, ok := schedMs(m); ok {
			sched = fmt.Sprintf("%.2f", ns/float64(m.ticks))
		}
		split := "n/a"
		if m.last.anonKiB+m.last.fileKiB > 0 {
			split = fmt.Sprintf("%.1f / %.1f", mib(m.last.anonKiB), mib(m.last.fileKiB))
		}
		slack := "n/a"
		if m.last.timerSlackNs > 0 {
			slack = time.Duration(m.last.timerSlackNs).String()
		}
		p("| %s | %s | %s | %.1f | %.1f | %.1f | **%.2f** | %.0f | %s | %s | %.1f | %d of %d |\n",
			m.name, mdEscape(m.version), slack, mib(m.first.rssKiB), mib(m.last.rssKiB), mib(m.last.hwmKiB),
			r.cpuMs(m)/float64(m.ticks), r.cpuMs(m), sched, split, float64(m.scrapeBytes)/1024, m.scrapeErrors, m.scrapes)
	}
	p("\n")
	resolution := 1000 / float64(r.clkTck) / float64(r.ticks)
	hz := fmt.Sprintf("CLK_TCK = %d from getconf", r.clkTck)
	if r.clkTckAssumed {
		hz = fmt.Sprintf("CLK_TCK assumed %d (getconf CLK_TCK failed)", r.clkTck)
	}
	p("CPU is utime+stime of /proc/<pid>/stat (%s), so CPU per tick is good to ±%.2f ms over %d ticks; "+
		"the schedstat column sums the threads' nanosecond run time (/proc/<pid>/task/*/schedstat), and the verdict below uses it where present. "+
		"RSS is VmRSS and VmHWM of /proc/<pid>/status; anon / file splits VmRSS into RssAnon (heap, stacks) and RssFile (mapped pages of the binary and its libraries).\n",
		hz, resolution, r.ticks)
	p("\nTimer slack is /proc/<pid>/timerslack_ns, how late the kernel may fire a thread's timers: %s\n", r.slackSource())
	if v := r.verdict(); v != "" {
		p("\n%s\n", v)
	}
	for _, n := range r.notes {
		p("\n%s\n", n)
	}
	return b.String()
}

// slackSource says what timer slack the processes started with and why.
func (r report) slackSource() string {
	unit := fmt.Sprintf("the TimerSlackNSec= of infra/systemd/jobpulse-monitor.service (%s)", unitTimerSlack)
	switch r.timerSlack {
	case unitTimerSlack:
		return "each process started with " + unit + ", so the agent runs as installed and node_exporter on the same terms."
	case 0:
		return "each process started with the harness's own, not " + unit + "."
	default:
		return fmt.Sprintf("each process started with %s, not %s.", r.timerSlack, unit)
	}
}

// verdict compares the agent with its targets and with node_exporter, when both ran.
func (r report) verdict() string {
	var agent, ne *measurement
	for i := range r.results {
		switch r.results[i].name {
		case agentName:
			agent = &r.results[i]
		case nodeExporterName:
			ne = &r.results[i]
		}
	}
	if agent == nil {
		return ""
	}
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	rss, hwm := mib(agent.last.rssKiB), mib(agent.last.hwmKiB)
	cpu, source := r.cpuPerTick(*agent)
	s := fmt.Sprintf("Targets: RSS ≤ %.0f MiB: %s (end %.1f, peak %.1f MiB = %.1f MB); ≤ %.0f ms CPU per tick: %s (%.2f ms, %s).",
		targetRSSMiB, mark(hwm <= targetRSSMiB), rss, hwm, float64(agent.last.hwmKiB)*1024/1e6,
		targetCPUMsPerTick, mark(cpu <= targetCPUMsPerTick), cpu, source)
	if ne != nil {
		neCPU, neSource := r.cpuPerTick(*ne)
		neHWM := mib(ne.last.hwmKiB)
		s += fmt.Sprintf(" Below node_exporter: peak RSS %s (%.1f vs %.1f MiB), CPU %s (%.2f vs %.2f ms per tick, %s).",
			mark(hwm < neHWM), hwm, neHWM, mark(cpu < neCPU), cpu, neCPU, sameSource(source, neSource))
	}
	return s
}

// cpuPerTick is the finest CPU figure per tick the samples allow: schedstat's
// nanoseconds when both samples have them, else utime+stime, whose 10 ms clock ticks
// over 20 ticks leave ±0.5 ms, a quarter of the 2 ms target.
func (r report) cpuPerTick(m measurement) (float64, string) {
	if ns, ok := schedMs(m); ok {
		return ns / float64(m.ticks), "schedstat"
	}
	return r.cpuMs(m) / float64(m.ticks), "utime+stime"
}

func sameSource(a, b string) string {
	if a == b {
		return a
	}
	return a + " vs " + b
}

// mdEscape keeps a value from breaking a table row.
func mdEscape(s string) string {
	if s == "" {
		return "?"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// Markers around the part of docs/benchmarks.md that the harness rewrites; the prose
// around them is written by hand.
const (
	resultsBegin = "<!-- monitorbench:begin (written by tools/monitorbench; edit outside the markers) -->"
	resultsEnd   = "<!-- monitorbench:end -->"
	// sectionHeading starts the section the harness adds when the file has no markers.
	sectionHeading = "## Monitor agent vs node_exporter"
)

// updateDoc puts body between the markers of doc, replacing what was there; without
// markers it appends the section (heading and markers) at the end. A begin marker
// without an end is an error rather than a guess at where the old results stop.
func updateDoc(doc, body string) (string, error) {
	block := resultsBegin + "\n" + strings.TrimRight(body, "\n") + "\n" + resultsEnd
	if i := strings.Index(doc, resultsBegin); i >= 0 {
		j := strings.Index(doc[i:], resultsEnd)
		if j < 0 {
			return "", fmt.Errorf("the results block has no end marker %q: add it after the old table or delete the begin marker", resultsEnd)
		}
		return doc[:i] + block + doc[i+j+len(resultsEnd):], nil
	}
	if doc != "" && !strings.HasSuffix(doc, "\n") {
		doc += "\n"
	}
	if doc != "" {
		doc += "\n"
	}
	return doc + sectionHeading + "\n\n" + block + "\n", nil
}

// writeDoc updates the file at path with body (see updateDoc), atomically.
func writeDoc(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("update %s: %w", path, err)
	}
	doc, err := updateDoc(string(old), body)
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".benchmarks-*.md")
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(doc); err != nil {
		tmp.Close()
		return fmt.Errorf("update %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	return nil
}
