package lake

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newLocal(t *testing.T) *Local {
	t.Helper()
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		object  string
		wantErr string
	}{
		{name: "raw_page", object: "raw/saramin/dt=2026-11-21/run=r1/page-00001.json"},
		{name: "dots_inside_segment", object: "raw/a..b/c.d.json"},
		{name: "empty", object: "", wantErr: "empty"},
		{name: "absolute", object: "/etc/passwd", wantErr: "must be relative"},
		{name: "parent", object: "raw/../../etc/passwd", wantErr: `must not contain ".."`},
		{name: "leading_parent", object: "../x", wantErr: `must not contain ".."`},
		{name: "double_slash", object: "raw//x", wantErr: "empty path segment"},
		{name: "trailing_slash", object: "raw/x/", wantErr: "empty path segment"},
		{name: "current_dir", object: "./raw/x", wantErr: `must not start with "."`},
		{name: "hidden_file", object: "raw/.x.lock", wantErr: `must not start with "."`},
		{name: "nul", object: "raw/x\x00y", wantErr: "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkName(tc.object)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("checkName(%q) = %v, want nil", tc.object, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("checkName(%q) = %v, want an error containing %q", tc.object, err, tc.wantErr)
			}
		})
	}
}

func TestLocal_RejectsEscapingPrefix(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	for _, prefix := range []string{"/etc", "../", "raw/../../"} {
		if _, err := l.List(t.Context(), prefix); err == nil {
			t.Errorf("List(%q) succeeded, want an error", prefix)
		}
	}
}

// TestLocal_NoTempFilesLeft checks that successful, losing and overwriting writes
// leave only the objects and their lock files on disk.
func TestLocal_NoTempFilesLeft(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	ctx := t.Context()
	name := "state/saramin/watermark.json"
	gen, err := l.Put(ctx, name, []byte("v1"), IfAbsent())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Put(ctx, name, []byte("lost"), IfAbsent()); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("IfAbsent over existing: %v", err)
	}
	if _, err := l.Put(ctx, name, []byte("lost"), IfGeneration(gen+1)); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("IfGeneration stale: %v", err)
	}
	if _, err := l.Put(ctx, name, []byte("v2"), IfGeneration(gen)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Put(ctx, "raw/s/dt=2026-11-21/run=r/page-00001.json", []byte("p"), IfAbsent()); err != nil {
		t.Fatal(err)
	}

	var got []string
	err = filepath.WalkDir(l.Root(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(l.Root(), p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"raw/s/dt=2026-11-21/run=r/.page-00001.json.lock",
		"raw/s/dt=2026-11-21/run=r/page-00001.json",
		"state/saramin/.watermark.json.lock",
		"state/saramin/watermark.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files on disk (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(l.URL(name))
	if err != nil || string(data) != "v2" {
		t.Errorf("file content = %q, %v; want v2", data, err)
	}
}

// TestLocal_GenerationsGrow writes faster than a coarse clock ticks: every
// generation must still be new, or a stale IfGeneration write could win.
func TestLocal_GenerationsGrow(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	var last int64
	for i := range 50 {
		gen, err := l.Put(t.Context(), "state/x/doc.json", []byte{byte(i)}, Precondition{})
		if err != nil {
			t.Fatal(err)
		}
		if gen <= last {
			t.Fatalf("write %d: generation %d after %d, want it to grow", i, gen, last)
		}
		last = gen
	}
}

func TestLocal_NewerMtimeAfterFutureGeneration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tmp := filepath.Join(dir, "f")
	if err := os.WriteFile(tmp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(tmp)
	if err != nil {
		t.Fatal(err)
	}
	// As if the current object was written by a clock an hour ahead.
	old := info.ModTime().UnixNano() + 3600e9
	gen, err := newerMtime(tmp, old)
	if err != nil {
		t.Fatal(err)
	}
	if gen <= old {
		t.Errorf("newerMtime = %d, want > %d", gen, old)
	}
}

// TestLocal_ReadersSeeWholeObjects reads while writers replace an object: every
// read must return one complete version, with its own generation.
func TestLocal_ReadersSeeWholeObjects(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	ctx := t.Context()
	name := "clean/postings/dt=2026-11-21/run=r/part-00001.ndjson"
	versions := make([][]byte, 4)
	for i := range versions {
		versions[i] = bytes.Repeat([]byte{'a' + byte(i)}, 256<<10)
	}
	if _, err := l.Put(ctx, name, versions[0], IfAbsent()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				if _, err := l.Put(ctx, name, versions[(w+i)%len(versions)], Precondition{}); err != nil {
					t.Errorf("Put: %v", err)
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 50 {
				obj, err := l.Get(ctx, name)
				if err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				if len(obj.Data) != 256<<10 || bytes.Count(obj.Data, obj.Data[:1]) != len(obj.Data) {
					t.Errorf("Get returned a torn object of %d bytes", len(obj.Data))
					return
				}
			}
		})
	}
	wg.Wait()
}
