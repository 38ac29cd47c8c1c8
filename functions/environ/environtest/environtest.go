// Package environtest builds a function environment on in-process fakes for handler
// tests: a fake GCS lake, the BigQuery REST fake, captured standard output and a
// fixed clock.
package environtest

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/functions/bigquerytest"
	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/gcs"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
)

// Lake and Warehouse are the URLs the environment's variables hold.
const (
	Lake      = "gs://" + laketest.Bucket + "/" + laketest.Prefix
	Warehouse = "bigquery://proj?location=asia-northeast3&dataset_prefix=jobpulse_"
)

// Fixture is one test's environment and the fakes behind it.
type Fixture struct {
	Env   environ.Env
	Store *gcs.Store
	BQ    *bigquerytest.Server
	// Vars are the environment variables; change them before calling a handler.
	Vars map[string]string
	// Stdout is everything the handlers wrote: JSON logs and console messages.
	Stdout *Buffer
	// OpenedLake counts the lake openings (an ignored event opens nothing).
	OpenedLake int
	mu         sync.Mutex
}

// New returns a fixture whose variables name the fake lake and warehouse, merged with
// vars, and whose clock stands at now.
func New(t testing.TB, now time.Time, vars map[string]string) *Fixture {
	t.Helper()
	f := &Fixture{
		Store:  laketest.NewGCS(t),
		BQ:     bigquerytest.New(t),
		Vars:   map[string]string{"JOBPULSE_LAKE": Lake, "JOBPULSE_WAREHOUSE": Warehouse, "JOBPULSE_LOG_LEVEL": "debug"},
		Stdout: &Buffer{},
	}
	maps.Copy(f.Vars, vars)
	f.Env = environ.Env{
		Getenv: func(k string) string { f.mu.Lock(); defer f.mu.Unlock(); return f.Vars[k] },
		Stdout: f.Stdout,
		OpenLake: func(ctx context.Context, lakeURL string) (lake.Store, func() error, error) {
			if lakeURL != Lake {
				t.Errorf("OpenLake(%q), want %q", lakeURL, Lake)
			}
			f.mu.Lock()
			f.OpenedLake++
			f.mu.Unlock()
			return f.Store, func() error { return nil }, nil
		},
		BigQuery: f.BQ.ClientOptions(),
		Now:      func() time.Time { return now },
	}
	return f
}

// Set changes a variable ("" unsets it).
func (f *Fixture) Set(k, v string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v == "" {
		delete(f.Vars, k)
		return
	}
	f.Vars[k] = v
}

// Buffer is a bytes.Buffer safe for concurrent writers.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Lines returns the lines written so far that contain every one of subs.
func (b *Buffer) Lines(subs ...string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		ok := l != ""
		for _, s := range subs {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}
