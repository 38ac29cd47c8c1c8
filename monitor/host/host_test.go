package host

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixturePaths points the collectors at the fixture tree, with the host's / pretended to
// be mounted at /hostfs (only the fake statfs sees those paths).
func fixturePaths() Paths {
	abs := func(rel string) string {
		p, err := filepath.Abs(rel)
		if err != nil {
			panic(err)
		}
		return p
	}
	return Paths{ProcPath: abs("testdata/fixtures/proc"), SysPath: abs("testdata/fixtures/sys"), RootFS: "/hostfs"}
}

// stepClock advances by step on every reading, so a collection that reads the clock
// twice lasts exactly step.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newStepClock(step time.Duration) *stepClock {
	return &stepClock{t: time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC), step: step}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// render prints a Result the way the golden files hold it: one "key value" line per
// sample in key order, and a marker for NoData.
func render(r sample.Result) string {
	var lines []string
	if r.NoData {
		lines = append(lines, "# no data")
	}
	for _, s := range r.Samples {
		lines = append(lines, s.Key()+" "+strconv.FormatFloat(s.Value, 'f', -1, 64))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// values maps each sample's key to its value, for comparisons with a tolerance.
func values(r sample.Result) map[string]float64 {
	m := make(map[string]float64, len(r.Samples))
	for _, s := range r.Samples {
		m[s.Key()] = s.Value
	}
	return m
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// copyTree copies a fixture tree into a fresh directory a test may change.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy fixtures: %v", err)
	}
	return dst
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
