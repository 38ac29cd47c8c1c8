package host

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMountWatch_fixtureTreeAlwaysChanged: a mount table that is not on procfs (the
// fixture tree) cannot be watched, so the collector reads it every tick.
func TestMountWatch_fixtureTreeAlwaysChanged(t *testing.T) {
	t.Parallel()
	w := watchMounts(fixturePaths().ProcPath)
	for i := range 3 {
		if !w.changed() {
			t.Fatalf("call %d: changed() = false on a fixture tree, want true", i)
		}
	}
}

// TestMountWatch_procQuietWhileNothingMounts: on the real /proc the watch answers
// "unchanged" while nothing is mounted. Another process on the machine may mount
// something meanwhile, so one quiet answer out of three is enough.
func TestMountWatch_procQuietWhileNothingMounts(t *testing.T) {
	t.Parallel()
	w := watchMounts("/proc")
	if w.fd < 0 {
		t.Skip("/proc/1/mountinfo and /proc/self/mountinfo are not readable here")
	}
	for range 3 {
		if !w.changed() {
			return
		}
	}
	t.Error("changed() = true three times in a row with nothing mounting")
}

// TestMountWatch_seesAMount mounts a tmpfs in a mount namespace of its own (root only)
// and checks that the watch reports it, once.
func TestMountWatch_seesAMount(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	errc := make(chan error, 1)
	var before, after, again bool
	go func() {
		// The namespace belongs to this thread, which is never handed back: the
		// goroutine ends locked, so the runtime throws the thread away.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			errc <- err
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			errc <- err
			return
		}
		// This thread's namespace is neither PID 1's nor the process's (self), which
		// watchMounts would pick: watch the thread's own table.
		fd, err := unix.Open("/proc/thread-self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		w := &mountWatch{fd: fd}
		before = w.changed()
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
			errc <- err
			return
		}
		after = w.changed()
		again = w.changed()
		errc <- unix.Unmount(dir, 0)
	}()
	if err := <-errc; err != nil {
		t.Skipf("cannot mount in a private namespace here (needs root): %v", err)
	}
	if before || !after || again {
		t.Errorf("changed() before the mount, after it, and once more = %t, %t, %t; want false, true, false", before, after, again)
	}
}
