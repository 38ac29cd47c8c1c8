package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// usage is one reading of a process's resource use from /proc.
type usage struct {
	// cpuTicks is utime+stime of /proc/<pid>/stat in clock ticks (USER_HZ).
	cpuTicks uint64
	// rssKiB and hwmKiB are VmRSS and VmHWM (the peak RSS) of /proc/<pid>/status.
	rssKiB, hwmKiB uint64
	// anonKiB and fileKiB split VmRSS (RssAnon and RssFile, Linux 4.5+): the heap and
	// stacks against the mapped pages of the binary and its libraries, which a large
	// (e.g. cgo) binary inflates without allocating anything. Zero when absent.
	anonKiB, fileKiB uint64
	// runNs is the time on CPU in nanoseconds summed over the threads' schedstat, and
	// haveRunNs says the kernel provides it. Clock ticks are 10 ms: too coarse alone for
	// a 2 ms budget. Threads that exited are missing from the sum, which Go programs
	// rarely have (the runtime parks idle threads rather than ending them).
	runNs     uint64
	haveRunNs bool
	// timerSlackNs is /proc/<pid>/timerslack_ns (Linux 4.6+): how late the kernel may
	// fire the main thread's timers, which the runtime's other threads inherited when
	// they were made. Zero when absent.
	timerSlackNs uint64
}

// procFS reads process figures from a /proc tree; tests point root at a fixture tree.
type procFS struct {
	root string
}

// usage reads the CPU time and RSS of pid.
func (p procFS) usage(pid int) (usage, error) {
	dir := filepath.Join(p.root, strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return usage{}, fmt.Errorf("read cpu time of pid %d: %w", pid, err)
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return usage{}, fmt.Errorf("read cpu time of pid %d: %w", pid, err)
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return usage{}, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	mem, err := parseStatusMemory(status)
	if err != nil {
		return usage{}, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	u := usage{cpuTicks: cpu, rssKiB: mem["VmRSS"], hwmKiB: mem["VmHWM"], anonKiB: mem["RssAnon"], fileKiB: mem["RssFile"]}
	u.runNs, u.haveRunNs = threadsRunNs(filepath.Join(dir, "task"))
	// Only for the report: a kernel without it, a fixture without it, or a harness
	// without CAP_SYS_NICE (which reading another process's needs) leaves it n/a.
	if b, err := os.ReadFile(filepath.Join(dir, "timerslack_ns")); err == nil {
		u.timerSlackNs, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	return u, nil
}

// threadsRunNs sums the first field of task/<tid>/schedstat (time on CPU in ns) over a
// process's threads; ok is false when a thread has none (no CONFIG_SCHED_INFO).
func threadsRunNs(taskDir string) (ns uint64, ok bool) {
	tasks, err := os.ReadDir(taskDir)
	if err != nil || len(tasks) == 0 {
		return 0, false
	}
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(taskDir, t.Name(), "schedstat"))
		if errors.Is(err, os.ErrNotExist) {
			continue // the thread ended between ReadDir and ReadFile
		}
		if err != nil {
			return 0, false
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, false
		}
		ns += n
	}
	return ns, true
}

// parseStatCPU returns utime+stime (fields 14 and 15, proc(5)) of a /proc/<pid>/stat line.
func parseStatCPU(b []byte) (uint64, error) {
	// comm (field 2) may hold spaces and parentheses; it ends at the last ')'.
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0, errors.New("stat has no ')' after the command name")
	}
	fields := strings.Fields(string(b[end+1:]))
	// fields[0] is field 3 (state), so field n is fields[n-3].
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("stat has %d fields after the command name, want at least %d", len(fields), stime+1)
	}
	u, err := strconv.ParseUint(fields[utime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse utime: %w", err)
	}
	s, err := strconv.ParseUint(fields[stime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse stime: %w", err)
	}
	return u + s, nil
}

// statusKeys are the /proc/<pid>/status lines parseStatusMemory reads.
var statusKeys = map[string]bool{"VmRSS": true, "VmHWM": true, "RssAnon": true, "RssFile": true}

// parseStatusMemory returns VmRSS, VmHWM, RssAnon and RssFile in KiB from
// /proc/<pid>/status; VmRSS and VmHWM must be there.
func parseStatusMemory(b []byte) (map[string]uint64, error) {
	mem := make(map[string]uint64, len(statusKeys))
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || !statusKeys[key] {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(value), " ")
		if unit != "kB" {
			return nil, fmt.Errorf("%s is in %q, want kB", key, unit)
		}
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", key, err)
		}
		mem[key] = n
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scan status: %w", err)
	}
	_, haveRSS := mem["VmRSS"]
	_, haveHWM := mem["VmHWM"]
	if !haveRSS || !haveHWM {
		// Kernel threads and zombies have no Vm* lines.
		return nil, errors.New("status has no VmRSS/VmHWM: the process has exited or is not a user process")
	}
	return mem, nil
}
