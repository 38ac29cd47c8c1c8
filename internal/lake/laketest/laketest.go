// Package laketest provides fresh lake stores for tests: a local directory and a
// GCS bucket served by an in-process fake-gcs-server.
package laketest

import (
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/gcs"
)

// Bucket and Prefix locate the GCS store that NewGCS returns. The prefix is not
// empty so that tests also cover the mapping between lake names and GCS names.
const (
	Bucket = "jobpulse-lake-test"
	Prefix = "lake"
)

// Named is a store with a name for subtests.
type Named struct {
	Name  string
	Store lake.Store
}

// Stores returns one fresh store of each implementation, for running the same
// test against both.
func Stores(t testing.TB) []Named {
	t.Helper()
	return []Named{
		{Name: "local", Store: NewLocal(t)},
		{Name: "gcs", Store: NewGCS(t)},
	}
}

// NewLocal returns a Local store in a fresh temporary directory.
func NewLocal(t testing.TB) *lake.Local {
	t.Helper()
	l, err := lake.NewLocal(t.TempDir())
	if err != nil {
		t.Fatalf("new local lake: %v", err)
	}
	return l
}

// NewGCS returns a GCS store on a fresh in-process fake GCS server, stopped when
// the test ends.
func NewGCS(t testing.TB) *gcs.Store {
	t.Helper()
	// NoListener routes the client through an in-memory transport: no port, no TLS.
	server, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true})
	if err != nil {
		t.Fatalf("start fake GCS: %v", err)
	}
	t.Cleanup(server.Stop)
	server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: Bucket})
	client := server.Client()
	t.Cleanup(func() { client.Close() })
	return gcs.New(client, Bucket, Prefix)
}
