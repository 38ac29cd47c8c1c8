package host

import (
	"errors"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// mountWatch tells the disk collector when the host's mount table may have changed, so
// it re-reads and parses the table only then instead of every tick (it was most of a
// tick's CPU: the kernel renders every mount, gopsutil parses every line). proc(5):
// /proc/<pid>/mountinfo is pollable, and poll reports POLLPRI (and POLLERR) once after
// each mount or unmount in that process's mount namespace.
//
// The watch holds the file open as long as it is reachable (the agent's lifetime). Where it cannot watch (the
// file is missing, or is not on procfs, as in the tests' fixture trees) it says
// "changed" every time, so the collector simply reads the table every tick.
type mountWatch struct {
	fd int // -1: not watching
}

// watchMounts watches the mount table gopsutil reads: <proc>/1/mountinfo, or
// <proc>/self/mountinfo where PID 1's is not readable.
func watchMounts(procPath string) *mountWatch {
	for _, pid := range []string{"1", "self"} {
		fd, err := unix.Open(filepath.Join(procPath, pid, "mountinfo"), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		var st unix.Statfs_t
		if err := unix.Fstatfs(fd, &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
			unix.Close(fd)
			break
		}
		w := &mountWatch{fd: fd}
		runtime.AddCleanup(w, func(fd int) { unix.Close(fd) }, fd)
		return w
	}
	return &mountWatch{fd: -1}
}

// changed reports whether the mount table changed since the last call, or may have:
// the first call after watchMounts answers for the time before it, so the caller reads
// the table once first whatever this says.
func (w *mountWatch) changed() bool {
	if w.fd < 0 {
		return true
	}
	fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLPRI}}
	for {
		n, err := unix.Poll(fds, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return true // cannot tell: read the table
		}
		return n > 0 && fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0
	}
}
