package host

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// procDir lists the process IDs in a procfs directory through a descriptor kept open
// between ticks and rewound each time, into a reused buffer. Opening <proc> every tick
// and turning each of its hundred-odd entries into a string cost as much as the
// kernel's listing itself. Rewinding a procfs directory lists the processes alive now.
type procDir struct {
	path string
	dir  *openDir
	buf  []byte
}

// openDir is procDir's descriptor, apart so that a cleanup can close it once the
// procDir is gone.
type openDir struct{ fd int } // -1: not open

func (o *openDir) close() {
	if o.fd >= 0 {
		unix.Close(o.fd)
		o.fd = -1
	}
}

func newProcDir(path string) *procDir {
	d := &procDir{path: path, dir: &openDir{fd: -1}, buf: make([]byte, 16<<10)}
	runtime.AddCleanup(d, (*openDir).close, d.dir)
	return d
}

// pids appends the numeric entries of the directory to dst.
func (d *procDir) pids(dst []int) ([]int, error) {
	if err := d.rewind(); err != nil {
		return dst, fmt.Errorf("list processes: %w", err)
	}
	for {
		n, err := unix.Getdents(d.dir.fd, d.buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			d.dir.close()
			return dst, fmt.Errorf("list processes: read %s: %w", d.path, err)
		}
		if n == 0 {
			return dst, nil
		}
		dst = appendPIDs(dst, d.buf[:n])
	}
}

// rewind opens the directory, or seeks an open one back to its start.
func (d *procDir) rewind() error {
	if d.dir.fd >= 0 {
		if _, err := unix.Seek(d.dir.fd, 0, 0); err == nil {
			return nil
		}
		d.dir.close()
	}
	fd, err := unix.Open(d.path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", d.path, err)
	}
	d.dir.fd = fd
	return nil
}

// appendPIDs parses linux_dirent64 records (d_ino u64, d_off i64, d_reclen u16,
// d_type u8, d_name NUL-terminated) and appends the names that are all digits.
func appendPIDs(dst []int, buf []byte) []int {
	const nameOff = 8 + 8 + 2 + 1
	for len(buf) >= nameOff {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen < nameOff || reclen > len(buf) {
			break // corrupt: stop rather than misread
		}
		name := buf[nameOff:reclen]
		pid, ok := 0, false
		for _, c := range name {
			if c == 0 {
				break
			}
			if c < '0' || c > '9' || pid > (1<<31)/10 {
				ok = false
				break
			}
			pid, ok = pid*10+int(c-'0'), true
		}
		if ok {
			dst = append(dst, pid)
		}
		buf = buf[reclen:]
	}
	return dst
}
