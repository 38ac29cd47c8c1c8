// Package lake stores the pipeline's objects — raw API pages, manifests, clean NDJSON
// and small state documents — in a local directory or a GCS bucket behind one interface.
package lake

import (
	"context"
	"errors"
)

// ErrNotExist reports that an object is absent.
var ErrNotExist = errors.New("lake: object does not exist")

// ErrPrecondition reports that a conditional write lost: the object existed (for
// IfAbsent) or had another generation (for IfGeneration).
var ErrPrecondition = errors.New("lake: precondition failed")

// Object is one stored version of an object.
type Object struct {
	Name string
	Data []byte
	// Generation identifies this version; it changes on every write and is never 0
	// for an object that exists.
	Generation int64
}

// Precondition guards a write. The zero value writes unconditionally.
type Precondition struct {
	// DoesNotExist makes the write fail with ErrPrecondition if the object exists.
	DoesNotExist bool
	// GenerationMatch, when non-zero, makes the write fail with ErrPrecondition unless
	// the object's current generation equals it.
	GenerationMatch int64
}

// IfAbsent is the precondition for immutable objects (raw pages, manifests).
func IfAbsent() Precondition { return Precondition{DoesNotExist: true} }

// IfGeneration guards a read-modify-write: gen is the generation that was read, 0 when
// the object was absent.
func IfGeneration(gen int64) Precondition {
	if gen == 0 {
		return IfAbsent()
	}
	return Precondition{GenerationMatch: gen}
}

// Store is the object storage the pipeline writes to. Names are slash-separated,
// relative to the lake root (e.g. "raw/saramin/dt=2026-11-21/run=…/page-00001.json").
// Every Put is atomic: readers see the old or the new content, never a part.
type Store interface {
	Get(ctx context.Context, name string) (Object, error)
	Put(ctx context.Context, name string, data []byte, pre Precondition) (generation int64, err error)
	// List returns the names of the objects under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	Delete(ctx context.Context, name string) error
	// URL is the object's address for people and for engines that read the lake
	// directly: gs://bucket/prefix/name or an absolute file path.
	URL(name string) string
}
