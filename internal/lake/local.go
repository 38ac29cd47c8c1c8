package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Local is a Store in a local directory: each object is a file under the root.
//
// A write goes to a hidden temp file in the target directory, is fsynced and then
// renamed (or hard-linked, for IfAbsent) into place, so readers never see a part.
// Writers of one object serialize on an flock'ed hidden lock file next to it, which
// also works between processes on the same host. An object's generation is its
// file's mtime in nanoseconds, forced to grow on every write.
type Local struct {
	root string
}

var _ Store = (*Local)(nil)

// NewLocal returns a Local store rooted at root, creating the directory if needed.
func NewLocal(root string) (*Local, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve lake root %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create lake root: %w", err)
	}
	return &Local{root: abs}, nil
}

// Root is the absolute path of the lake directory.
func (l *Local) Root() string { return l.root }

// URL returns the object's absolute file path.
func (l *Local) URL(name string) string {
	return filepath.Join(l.root, filepath.FromSlash(name))
}

// Get reads an object. Content and generation come from the same open file, so
// they always belong together even while a writer replaces the object.
func (l *Local) Get(ctx context.Context, name string) (Object, error) {
	if err := checkName(name); err != nil {
		return Object{}, fmt.Errorf("get: %w", err)
	}
	f, err := os.Open(l.URL(name))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return Object{}, fmt.Errorf("get %s: %w", name, ErrNotExist)
	}
	if err != nil {
		return Object{}, fmt.Errorf("get %s: %w", name, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Object{}, fmt.Errorf("get %s: %w", name, err)
	}
	if info.IsDir() {
		return Object{}, fmt.Errorf("get %s: %w", name, ErrNotExist)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return Object{}, fmt.Errorf("get %s: %w", name, err)
	}
	return Object{Name: name, Data: data, Generation: info.ModTime().UnixNano()}, nil
}

// Put writes an object atomically under the precondition and returns its new
// generation.
func (l *Local) Put(ctx context.Context, name string, data []byte, pre Precondition) (int64, error) {
	if err := checkName(name); err != nil {
		return 0, fmt.Errorf("put: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("put %s: %w", name, err)
	}
	gen, err := l.put(name, data, pre)
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", name, err)
	}
	return gen, nil
}

func (l *Local) put(name string, data []byte, pre Precondition) (int64, error) {
	final := l.URL(name)
	dir, base := filepath.Split(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	tmp, err := writeTemp(dir, base, data)
	if err != nil {
		return 0, err
	}
	// After a rename or a failed write the temp name is gone or garbage; either way
	// it must not stay behind.
	defer os.Remove(tmp)

	unlock, err := lockFile(filepath.Join(dir, "."+base+".lock"))
	if err != nil {
		return 0, err
	}
	defer unlock()

	var old int64
	switch info, err := os.Stat(final); {
	case err == nil:
		old = info.ModTime().UnixNano()
	case !errors.Is(err, fs.ErrNotExist):
		return 0, err
	}
	if pre.DoesNotExist && old != 0 {
		return 0, ErrPrecondition
	}
	if pre.GenerationMatch != 0 && pre.GenerationMatch != old {
		return 0, ErrPrecondition
	}
	gen, err := newerMtime(tmp, old)
	if err != nil {
		return 0, err
	}
	if pre.DoesNotExist {
		// A hard link fails if the name exists, so an immutable object is never
		// replaced even by a writer that ignores the lock.
		err = os.Link(tmp, final)
		if errors.Is(err, fs.ErrExist) {
			return 0, ErrPrecondition
		}
	} else {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		return 0, err
	}
	return gen, syncDir(dir)
}

// writeTemp writes data to a new hidden file in dir and fsyncs it, so that the
// rename that publishes it cannot expose an empty file after a crash.
func writeTemp(dir, base string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes 0600; lake files are ordinary files
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// newerMtime makes the temp file's mtime strictly greater than old (the current
// generation) and returns it. Two writes within one clock tick, or a clock that
// stepped back, would otherwise reuse a generation and let a stale
// IfGeneration write win. The step grows in case the filesystem stores coarse
// timestamps.
func newerMtime(tmp string, old int64) (int64, error) {
	info, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	gen := info.ModTime().UnixNano()
	for step := time.Nanosecond; gen <= old; step *= 10 {
		if step > 10*time.Second {
			return 0, fmt.Errorf("cannot advance mtime of %s past %d", tmp, old)
		}
		t := time.Unix(0, old).Add(step)
		if err := os.Chtimes(tmp, t, t); err != nil {
			return 0, err
		}
		if info, err = os.Stat(tmp); err != nil {
			return 0, err
		}
		gen = info.ModTime().UnixNano()
	}
	return gen, nil
}

// lockFile takes an exclusive flock on path and returns its release. Lock files
// are never removed: deleting one while another writer waits on it would let two
// writers hold "the" lock at once.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Closing the descriptor releases the flock.
	return func() { f.Close() }, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// List returns the names of the objects whose names start with prefix, sorted.
// The prefix need not end at a directory boundary.
func (l *Local) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	// Walk only the deepest directory the prefix names in full.
	start := l.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(l.root, filepath.FromSlash(prefix[:i]))
	}
	var names []string
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p != start && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil // temp and lock files
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		if name := filepath.ToSlash(rel); strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	sort.Strings(names)
	return names, nil
}

// Delete removes an object; deleting an absent object is not an error.
func (l *Local) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	final := l.URL(name)
	dir, base := filepath.Split(final)
	// Under the writers' lock, so a delete cannot slip between a conditional
	// writer's generation check and its rename.
	unlock, err := lockFile(filepath.Join(dir, "."+base+".lock"))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil // no directory, no object
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	defer unlock()
	if info, err := os.Lstat(final); err == nil && info.IsDir() {
		return nil // a directory of other objects, not an object
	}
	if err := os.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}
