package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/disk"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// StatfsFunc reports the usage of the filesystem mounted at path. It may block for as
// long as the kernel does (a hung NFS server blocks statfs for minutes); Disk bounds it.
type StatfsFunc func(path string) (disk.UsageStat, error)

// statfs is the real StatfsFunc.
func statfs(path string) (disk.UsageStat, error) {
	u, err := disk.UsageWithContext(context.Background(), path)
	if err != nil {
		return disk.UsageStat{}, err
	}
	return *u, nil
}

// Disk reports usage of the host's local filesystems, per mount point, with the labels
// mountpoint, device and fstype:
//
//	disk_size_bytes, disk_free_bytes (available to unprivileged users, as df shows),
//	disk_used_ratio (used / (used + available), as df's Use%),
//	disk_inodes_free, disk_inodes_used_ratio (not for filesystems without an inode
//	table, e.g. vfat or btrfs, which report zero inodes),
//	disk_stat_timeout (1 while the mount's statfs does not answer, else 0, so an alert
//	on it resolves).
//
// Which mounts count as local. Partitions come from gopsutil's PartitionsWithContext
// (ctx, false): it reads the host's mount table (<proc>/1/mountinfo), keeps only
// filesystem types /proc/filesystems lists without "nodev" (block-device backed; this
// already drops proc, sysfs, tmpfs, nfs, cifs, overlay, fuse and the like) and drops
// bind mounts of subdirectories. On top of that Disk excludes, by fstype:
//
//   - pseudo and in-memory filesystems: proc, sysfs, devtmpfs, devpts, tmpfs, ramfs,
//     cgroup*, nsfs, autofs, binfmt_misc, bpf, configfs, debugfs, tracefs, securityfs,
//     selinuxfs, pstore, efivarfs, hugetlbfs, mqueue, fusectl, rpc_pipefs. tmpfs is left
//     out on purpose: it lives in RAM and swap, so a full /tmp or /run shows up as
//     memory_used_ratio, and its size is a soft cap, not capacity running out;
//   - container and image layers: overlay, aufs, shiftfs, squashfs (snaps: read-only
//     and always 100% used), erofs, iso9660, udf;
//   - network and shared filesystems: nfs*, cifs, smb*, 9p, virtiofs, ceph, glusterfs,
//     lustre, afs, and fuse / fuse.* (sshfs, rclone, lxcfs, …). fuseblk (ntfs-3g, exfat
//     on a local disk) stays. Remote storage is the remote side's to monitor, and its
//     statfs is the one that hangs.
//
// and, by mount point, /dev, /proc, /sys, /run, /snap, /var/lib/docker,
// /var/lib/containers and /var/lib/kubelet with everything below them, plus
// Config.MountPointExcludes.
//
// The mount table is read again only when the kernel says it changed (see mountWatch);
// the statfs calls run every tick.
//
// Each statfs runs in its own goroutine with Config.StatTimeout (default 5s). A mount
// that does not answer in time reports disk_stat_timeout 1 and is remembered as stuck:
// it is not statted again until that earlier call returns, so a hung server costs one
// goroutine per mount, never one per tick. Mounts are statted concurrently, so a stuck
// one delays a tick by at most the timeout.
type Disk struct {
	env      common.EnvMap
	rootFS   string
	excludes []string
	timeout  time.Duration
	statfs   StatfsFunc
	now      func() time.Time
	logger   *slog.Logger

	// mounts tells when the mount table changed; parts is the table as last read, valid
	// when haveParts. tableMu guards the three.
	tableMu   sync.Mutex
	mounts    *mountWatch
	parts     []disk.PartitionStat
	haveParts bool

	mu sync.Mutex
	// inflight holds the mount paths whose statfs has not returned; the value is true
	// once the call missed its deadline.
	inflight map[string]bool
	// calls tracks the statfs goroutines, so tests can wait for a released hang.
	calls sync.WaitGroup
}

var _ Collector = (*Disk)(nil)

// builtinMountExcludes are mount points that never hold the host's own data.
func builtinMountExcludes() []string {
	return []string{"/dev", "/proc", "/sys", "/run", "/snap", "/var/lib/docker", "/var/lib/containers", "/var/lib/kubelet"}
}

// NewDisk returns the disk collector; deps.Statfs replaces the real statfs in tests.
func NewDisk(cfg Config, deps Deps) *Disk {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	fn := deps.Statfs
	if fn == nil {
		fn = statfs
	}
	excludes := builtinMountExcludes()
	for _, e := range cfg.MountPointExcludes {
		excludes = append(excludes, filepath.Clean(e))
	}
	return &Disk{
		env:      hostEnv(cfg.Paths),
		rootFS:   cfg.RootFS,
		excludes: excludes,
		timeout:  cfg.StatTimeout,
		statfs:   fn,
		now:      deps.Now,
		logger:   deps.Logger,
		mounts:   watchMounts(cfg.ProcPath),
		inflight: map[string]bool{},
	}
}

// Name implements Collector.
func (d *Disk) Name() string { return "disk" }

// mount is one filesystem to stat this tick.
type mount struct {
	part disk.PartitionStat
	path string // the mount point under RootFS
	res  chan statResult
}

type statResult struct {
	usage disk.UsageStat
	err   error
}

// Collect implements Collector.
func (d *Disk) Collect(ctx context.Context) sample.Result {
	return observe(d.Name(), d.now, func(time.Time) (gather, error) {
		parts, err := d.partitions(ctx)
		if err != nil {
			return gather{}, fmt.Errorf("list mounts: %w", err)
		}
		mounts := d.start(parts)
		if len(mounts) == 0 {
			return gather{noData: true}, nil
		}
		return d.wait(ctx, mounts)
	})
}

// partitions returns the mount table, read again only when it changed. The watch is
// asked before the read, so a mount that lands during the read is seen next tick.
func (d *Disk) partitions(ctx context.Context) ([]disk.PartitionStat, error) {
	d.tableMu.Lock()
	defer d.tableMu.Unlock()
	if d.haveParts && !d.mounts.changed() {
		return d.parts, nil
	}
	parts, err := disk.PartitionsWithContext(withHostEnv(ctx, d.env), false)
	if err != nil {
		d.parts, d.haveParts = nil, false
		return nil, err
	}
	d.parts, d.haveParts = parts, true
	return parts, nil
}

// start launches a statfs for each local mount that is not stuck; stuck mounts come
// back with a nil res.
func (d *Disk) start(parts []disk.PartitionStat) []mount {
	var mounts []mount
	at := map[string]int{}
	for _, p := range parts {
		if !localFS(p.Fstype) || d.excluded(p.Mountpoint) {
			continue
		}
		// A mount point mounted over keeps one entry per layer; statfs sees the top one,
		// which the mount table lists last.
		if i, ok := at[p.Mountpoint]; ok {
			mounts[i].part = p
			continue
		}
		at[p.Mountpoint] = len(mounts)
		mounts = append(mounts, mount{part: p, path: filepath.Join(d.rootFS, p.Mountpoint)})
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range mounts {
		m := &mounts[i]
		if _, stuck := d.inflight[m.path]; stuck {
			continue
		}
		m.res = make(chan statResult, 1)
		d.inflight[m.path] = false
		d.calls.Add(1)
		go d.stat(m.path, m.res)
	}
	return mounts
}

func (d *Disk) stat(path string, res chan<- statResult) {
	defer d.calls.Done()
	u, err := d.statfs(path)
	res <- statResult{usage: u, err: err}
	d.mu.Lock()
	late := d.inflight[path]
	delete(d.inflight, path)
	d.mu.Unlock()
	if late {
		d.logger.Info("statfs answered again; the mount is statted again from the next tick", "path", path)
	}
}

// wait collects the statfs answers until the deadline. A mount still unanswered then
// stays in inflight, marked late, until its goroutine returns.
func (d *Disk) wait(ctx context.Context, mounts []mount) (gather, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	var g gather
	var errs []error
	statted := 0
	for _, m := range mounts {
		if m.res == nil {
			g.samples = append(g.samples, sample.Sample{Name: "disk_stat_timeout", Labels: mountLabels(m.part), Value: 1})
			continue
		}
		r, ok := receive(ctx, m.res)
		if !ok {
			d.mu.Lock()
			if _, pending := d.inflight[m.path]; pending {
				d.inflight[m.path] = true
			}
			d.mu.Unlock()
			d.logger.Warn("statfs did not answer in time; not statting this mount again until it does",
				"path", m.path, "timeout", d.timeout)
			g.samples = append(g.samples, sample.Sample{Name: "disk_stat_timeout", Labels: mountLabels(m.part), Value: 1})
			continue
		}
		statted++
		if r.err != nil {
			// A mount can vanish between reading the table and statting it, and a
			// container may lack permission for one; skip it unless all fail.
			errs = append(errs, fmt.Errorf("statfs %s: %w", m.path, r.err))
			d.logger.Warn("statfs failed; skipping the mount this tick", "path", m.path, "err", r.err)
			continue
		}
		g.samples = append(g.samples, usageSamples(r.usage, m.part)...)
	}
	if statted > 0 && len(errs) == statted {
		return gather{}, fmt.Errorf("stat local filesystems: all %d failed, check that root_fs is the host's /: %w", statted, errors.Join(errs...))
	}
	return g, nil
}

// receive prefers an answer that is already there over a deadline that has passed too,
// so one slow mount does not turn the ones after it into timeouts.
func receive(ctx context.Context, ch <-chan statResult) (statResult, bool) {
	select {
	case r := <-ch:
		return r, true
	default:
	}
	select {
	case r := <-ch:
		return r, true
	case <-ctx.Done():
		return statResult{}, false
	}
}

func mountLabels(p disk.PartitionStat) map[string]string {
	return map[string]string{"mountpoint": p.Mountpoint, "device": p.Device, "fstype": p.Fstype}
}

func usageSamples(u disk.UsageStat, p disk.PartitionStat) []sample.Sample {
	labels := func() map[string]string { return mountLabels(p) }
	used := 0.0
	if u.Used+u.Free > 0 {
		used = float64(u.Used) / float64(u.Used+u.Free)
	}
	out := []sample.Sample{
		{Name: "disk_size_bytes", Labels: labels(), Value: float64(u.Total)},
		{Name: "disk_free_bytes", Labels: labels(), Value: float64(u.Free)},
		{Name: "disk_used_ratio", Labels: labels(), Value: used},
		{Name: "disk_stat_timeout", Labels: labels(), Value: 0},
	}
	if u.InodesTotal > 0 && u.InodesFree <= u.InodesTotal {
		out = append(out,
			sample.Sample{Name: "disk_inodes_free", Labels: labels(), Value: float64(u.InodesFree)},
			sample.Sample{Name: "disk_inodes_used_ratio", Labels: labels(), Value: float64(u.InodesTotal-u.InodesFree) / float64(u.InodesTotal)},
		)
	}
	return out
}

// excluded reports whether mountpoint is an excluded one or lies below one.
func (d *Disk) excluded(mountpoint string) bool {
	for _, e := range d.excludes {
		if mountpoint == e || strings.HasPrefix(mountpoint, strings.TrimSuffix(e, "/")+"/") {
			return true
		}
	}
	return false
}

// localFS reports whether a filesystem type holds local, persistent data; Disk's doc
// comment explains the choices.
func localFS(fstype string) bool {
	switch fstype {
	case "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "nsfs", "autofs",
		"binfmt_misc", "bpf", "configfs", "debugfs", "tracefs", "securityfs", "selinuxfs",
		"pstore", "efivarfs", "hugetlbfs", "mqueue", "fusectl", "rpc_pipefs",
		"overlay", "aufs", "shiftfs", "squashfs", "erofs", "iso9660", "udf",
		"cifs", "9p", "virtiofs", "ceph", "glusterfs", "lustre", "afs", "fuse":
		return false
	}
	for _, prefix := range []string{"cgroup", "nfs", "smb", "fuse."} {
		if strings.HasPrefix(fstype, prefix) {
			return false
		}
	}
	return true
}
