package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shirou/gopsutil/v4/disk"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

func TestLocalFS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fstype string
		want   bool
	}{
		{"ext4", true}, {"xfs", true}, {"btrfs", true}, {"zfs", true}, {"vfat", true},
		{"fuseblk", true},
		{"tmpfs", false}, {"proc", false}, {"sysfs", false}, {"devtmpfs", false},
		{"cgroup", false}, {"cgroup2", false}, {"nsfs", false}, {"autofs", false},
		{"overlay", false}, {"squashfs", false}, {"erofs", false}, {"iso9660", false},
		{"nfs", false}, {"nfs4", false}, {"cifs", false}, {"smb3", false}, {"9p", false},
		{"virtiofs", false}, {"ceph", false}, {"fuse", false}, {"fuse.sshfs", false},
		{"fuse.lxcfs", false},
	}
	for _, tc := range tests {
		t.Run(tc.fstype, func(t *testing.T) {
			t.Parallel()
			if got := localFS(tc.fstype); got != tc.want {
				t.Errorf("localFS(%q) = %v, want %v", tc.fstype, got, tc.want)
			}
		})
	}
}

// hangingStatfs answers at once except for the first call on one path, which blocks
// until release is closed, the way statfs on a dead NFS server does. It counts calls
// per path.
type hangingStatfs struct {
	hang    string
	entered chan struct{}
	release chan struct{}

	mu    sync.Mutex
	calls map[string]int
}

func newHangingStatfs(hang string) *hangingStatfs {
	return &hangingStatfs{hang: hang, entered: make(chan struct{}, 16), release: make(chan struct{}), calls: map[string]int{}}
}

func (f *hangingStatfs) statfs(path string) (disk.UsageStat, error) {
	f.mu.Lock()
	f.calls[path]++
	first := f.calls[path] == 1
	f.mu.Unlock()
	// Only the first call hangs: a collector that wrongly calls again must show up as
	// a call count, not as a test that hangs.
	if path == f.hang && first {
		f.entered <- struct{}{}
		<-f.release
	}
	return disk.UsageStat{Total: 1000, Used: 400, Free: 600, InodesTotal: 100, InodesFree: 80}, nil
}

func (f *hangingStatfs) callsTo(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}

// mountTable writes a proc tree whose host mount table lists the given xfs mounts.
func mountTable(t *testing.T, proc string, mountpoints ...string) {
	t.Helper()
	writeFile(t, filepath.Join(proc, "filesystems"), "nodev\tproc\n\txfs\n")
	table := ""
	for i, m := range mountpoints {
		table += fmt.Sprintf("%d 1 259:%d / %s rw,relatime - xfs /dev/vd%c rw\n", 30+i, i, m, 'a'+i)
	}
	writeFile(t, filepath.Join(proc, "1/mountinfo"), table)
}

// timeouts returns each mountpoint's disk_stat_timeout of a Result.
func timeouts(r sample.Result) map[string]float64 {
	m := map[string]float64{}
	for _, s := range r.Samples {
		if s.Name == "disk_stat_timeout" {
			m[s.Labels["mountpoint"]] = s.Value
		}
	}
	return m
}

// TestDisk_stuckMount: a statfs that hangs is reported as timed out, is not called again
// while it hangs (however many ticks pass), does not hold up the other mounts, and is
// statted again once it returns.
func TestDisk_stuckMount(t *testing.T) {
	t.Parallel()
	proc := t.TempDir()
	fake := newHangingStatfs("/host/data")
	d := NewDisk(Config{Paths: Paths{ProcPath: proc, RootFS: "/host"}, StatTimeout: time.Hour}, Deps{Statfs: fake.statfs})

	// Tick 1: only the hanging mount. The tick's context ends once the call is inside
	// statfs, standing in for the stat timeout without waiting for it.
	mountTable(t, proc, "/data")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-fake.entered; cancel() }()
	r := d.Collect(ctx)
	if r.Err != nil {
		t.Fatalf("tick 1: %v", r.Err)
	}
	if diff := cmp.Diff(map[string]float64{"/data": 1}, timeouts(r)); diff != "" {
		t.Errorf("tick 1 disk_stat_timeout (-want +got):\n%s", diff)
	}

	// Ticks 2–6: a healthy mount appears next to the stuck one. The stuck one is not
	// statted again; the healthy one is reported every tick.
	mountTable(t, proc, "/", "/data")
	for tick := 2; tick <= 6; tick++ {
		r := d.Collect(context.Background())
		if r.Err != nil {
			t.Fatalf("tick %d: %v", tick, r.Err)
		}
		if diff := cmp.Diff(map[string]float64{"/": 0, "/data": 1}, timeouts(r)); diff != "" {
			t.Errorf("tick %d disk_stat_timeout (-want +got):\n%s", tick, diff)
		}
		if v := values(r)[`disk_used_ratio{device="/dev/vda",fstype="xfs",mountpoint="/"}`]; v != 0.4 {
			t.Errorf("tick %d: disk_used_ratio of / = %v, want 0.4", tick, v)
		}
	}
	if n := fake.callsTo("/host/data"); n != 1 {
		t.Errorf("statfs(/host/data) called %d times while stuck, want 1 (no goroutine pile-up)", n)
	}
	if n := fake.callsTo("/host"); n != 5 {
		t.Errorf("statfs(/host) called %d times, want once per tick (5)", n)
	}

	// The hung call returns; from the next tick on the mount is statted again.
	close(fake.release)
	d.calls.Wait()
	r = d.Collect(context.Background())
	if diff := cmp.Diff(map[string]float64{"/": 0, "/data": 0}, timeouts(r)); diff != "" {
		t.Errorf("after release disk_stat_timeout (-want +got):\n%s", diff)
	}
	if n := fake.callsTo("/host/data"); n != 2 {
		t.Errorf("statfs(/host/data) called %d times after it returned, want 2", n)
	}
}

// TestDisk_statTimeout: the configured timeout itself ends the wait for a hung statfs.
func TestDisk_statTimeout(t *testing.T) {
	t.Parallel()
	proc := t.TempDir()
	mountTable(t, proc, "/data")
	fake := newHangingStatfs("/data")
	d := NewDisk(Config{Paths: Paths{ProcPath: proc}, StatTimeout: time.Millisecond}, Deps{Statfs: fake.statfs})
	t.Cleanup(func() { close(fake.release); d.calls.Wait() })

	r := d.Collect(context.Background())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if diff := cmp.Diff(map[string]float64{"/data": 1}, timeouts(r)); diff != "" {
		t.Errorf("disk_stat_timeout (-want +got):\n%s", diff)
	}
}

func TestDisk_statErrors(t *testing.T) {
	t.Parallel()
	errGone := errors.New("no such file or directory")
	tests := []struct {
		name    string
		failing map[string]bool
		wantErr bool
		want    map[string]float64
	}{
		{
			name:    "one_mount_fails_the_rest_report",
			failing: map[string]bool{"/data": true},
			want:    map[string]float64{"/": 0},
		},
		{
			name:    "every_mount_fails",
			failing: map[string]bool{"/": true, "/data": true},
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proc := t.TempDir()
			mountTable(t, proc, "/", "/data")
			statfs := func(path string) (disk.UsageStat, error) {
				if tc.failing[path] {
					return disk.UsageStat{}, errGone
				}
				return disk.UsageStat{Total: 10, Used: 5, Free: 5}, nil
			}
			r := NewDisk(Config{Paths: Paths{ProcPath: proc}}, Deps{Statfs: statfs}).Collect(context.Background())
			if tc.wantErr {
				if !errors.Is(r.Err, errGone) {
					t.Fatalf("Err = %v, want it to wrap the statfs error", r.Err)
				}
				return
			}
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if diff := cmp.Diff(tc.want, timeouts(r)); diff != "" {
				t.Errorf("disk_stat_timeout (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDisk_mountedOver: a mount point mounted twice is statted once and reported with
// the top mount's device, not as stuck behind its own first entry.
func TestDisk_mountedOver(t *testing.T) {
	t.Parallel()
	proc := t.TempDir()
	mountTable(t, proc, "/data", "/data")
	fake := newHangingStatfs("")
	r := NewDisk(Config{Paths: Paths{ProcPath: proc}}, Deps{Statfs: fake.statfs}).Collect(context.Background())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	want := map[string]float64{
		`disk_size_bytes{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`:        1000,
		`disk_free_bytes{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`:        600,
		`disk_used_ratio{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`:        0.4,
		`disk_inodes_free{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`:       80,
		`disk_inodes_used_ratio{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`: 0.2,
		`disk_stat_timeout{device="/dev/vdb",fstype="xfs",mountpoint="/data"}`:      0,
	}
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if n := fake.callsTo("/data"); n != 1 {
		t.Errorf("statfs(/data) called %d times, want 1", n)
	}
}
