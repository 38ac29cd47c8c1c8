package alert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// StateStore keeps the engine's state between restarts. The engine encodes and
// decodes the state itself; a store only keeps bytes.
type StateStore interface {
	// Load returns the saved state, or nil and no error when none was saved yet.
	Load() ([]byte, error)
	// Save replaces the saved state atomically: a crash leaves the old or the new.
	Save(data []byte) error
	// SetAside moves state the engine cannot read out of the way, keeping it for
	// people to inspect, and says where it went.
	SetAside(at time.Time) (string, error)
}

// FileState is a StateStore in one local file.
type FileState struct {
	path string
}

var _ StateStore = (*FileState)(nil)

// NewFileState returns a store in the file at path; its directory is created on the
// first save.
func NewFileState(path string) *FileState { return &FileState{path: path} }

// Path is the state file's path.
func (f *FileState) Path() string { return f.path }

// Load reads the file; a missing file is no state.
func (f *FileState) Load() ([]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read alert state: %w", err)
	}
	return data, nil
}

// Save writes data to a temp file in the same directory, fsyncs it, renames it over
// the state file and fsyncs the directory, so a crash or a full disk never leaves a
// half-written state behind.
func (f *FileState) Save(data []byte) error {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save alert state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("save alert state: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; garbage after a failure
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("save alert state: %w", err)
	}
	return nil
}

// SetAside renames the file to "<path>.corrupt-<time>".
func (f *FileState) SetAside(at time.Time) (string, error) {
	dst := f.path + ".corrupt-" + at.UTC().Format("20060102T150405Z")
	if err := os.Rename(f.path, dst); err != nil {
		return "", fmt.Errorf("set aside alert state: %w", err)
	}
	return dst, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
