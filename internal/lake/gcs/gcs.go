// Package gcs is the lake in a Google Cloud Storage bucket, and Open, which turns any
// lake URL into its Store. It is apart from package lake so that what only needs the
// Store interface or a local directory (the monitor agent's outbox) does not link the
// GCS client.
package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// Store is a lake.Store in a Google Cloud Storage bucket, under an optional name prefix.
// Conditional writes map to GCS generation preconditions.
type Store struct {
	bucket     *storage.BucketHandle
	bucketName string
	prefix     string // "" or ends with "/"
}

var _ lake.Store = (*Store)(nil)

// New returns a GCS store for the bucket. lake.Object names are stored under prefix
// (e.g. "lake" puts "raw/…" at "lake/raw/…"); an empty prefix uses the bucket root.
// The caller owns the client and closes it.
func New(client *storage.Client, bucket, prefix string) *Store {
	return &Store{bucket: client.Bucket(bucket), bucketName: bucket, prefix: normalizePrefix(prefix)}
}

// normalizePrefix turns "", "lake", "/lake/" into "" or "lake/".
func normalizePrefix(prefix string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return ""
	}
	return prefix + "/"
}

// URL returns gs://bucket/prefix/name.
func (g *Store) URL(name string) string {
	return "gs://" + g.bucketName + "/" + g.prefix + name
}

// Get reads an object; the generation comes from the same response as the data.
func (g *Store) Get(ctx context.Context, name string) (lake.Object, error) {
	if err := lake.CheckName(name); err != nil {
		return lake.Object{}, fmt.Errorf("get: %w", err)
	}
	r, err := g.bucket.Object(g.prefix + name).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return lake.Object{}, fmt.Errorf("get %s: %w", g.URL(name), lake.ErrNotExist)
	}
	if err != nil {
		return lake.Object{}, fmt.Errorf("get %s: %w", g.URL(name), err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return lake.Object{}, fmt.Errorf("get %s: %w", g.URL(name), err)
	}
	return lake.Object{Name: name, Data: data, Generation: r.Attrs.Generation}, nil
}

// Put writes an object under the precondition and returns its new generation.
func (g *Store) Put(ctx context.Context, name string, data []byte, pre lake.Precondition) (int64, error) {
	if err := lake.CheckName(name); err != nil {
		return 0, fmt.Errorf("put: %w", err)
	}
	obj := g.bucket.Object(g.prefix + name)
	switch {
	case pre.DoesNotExist:
		obj = obj.If(storage.Conditions{DoesNotExist: true})
	case pre.GenerationMatch != 0:
		obj = obj.If(storage.Conditions{GenerationMatch: pre.GenerationMatch})
	}
	w := obj.NewWriter(ctx)
	w.ContentType = contentType(name)
	// One request that can still be retried, with a buffer sized to the object
	// rather than the 16 MiB default per writer.
	w.ChunkSize = len(data) + 1
	_, err := w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if isPrecondition(err) {
		return 0, fmt.Errorf("put %s: %w: %w", g.URL(name), lake.ErrPrecondition, err)
	}
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", g.URL(name), err)
	}
	return w.Attrs().Generation, nil
}

// isPrecondition reports whether a write lost its generation precondition. GCS
// answers 412; some emulators answer 409 or 304.
func isPrecondition(err error) bool {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return false
	}
	switch gerr.Code {
	case http.StatusPreconditionFailed, http.StatusConflict, http.StatusNotModified:
		return true
	}
	return false
}

// contentType lets browsers, BigQuery and the console treat objects sensibly.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".json":
		return "application/json"
	case ".ndjson":
		return "application/x-ndjson"
	default:
		return "application/octet-stream"
	}
}

// List returns the names (relative to the store prefix) of the objects whose
// names start with prefix, sorted.
func (g *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := lake.CheckPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	q := &storage.Query{Prefix: g.prefix + prefix}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("list %s: %w", g.URL(prefix), err)
	}
	var names []string
	it := g.bucket.Objects(ctx, q)
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", g.URL(prefix), err)
		}
		// Names ending in "/" are folder placeholders made by the console.
		if !strings.HasSuffix(attrs.Name, "/") {
			names = append(names, strings.TrimPrefix(attrs.Name, g.prefix))
		}
	}
	sort.Strings(names)
	return names, nil
}

// Delete removes an object; deleting an absent object is not an error.
func (g *Store) Delete(ctx context.Context, name string) error {
	if err := lake.CheckName(name); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	err := g.bucket.Object(g.prefix + name).Delete(ctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("delete %s: %w", g.URL(name), err)
	}
	return nil
}

// Open returns the Store a lake URL names and a function that releases it:
//
//	file://PATH          a local directory; PATH may be relative (file://./data/lake)
//	PATH                 the same
//	gs://BUCKET[/PREFIX] a GCS bucket, with application default credentials
func Open(ctx context.Context, lakeURL string) (lake.Store, func() error, error) {
	loc, err := lake.ParseURL(lakeURL)
	if err != nil {
		return nil, nil, fmt.Errorf("open lake: %w", err)
	}
	if loc.Bucket != "" {
		client, err := storage.NewClient(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("open lake %q: create GCS client: %w", lakeURL, err)
		}
		return New(client, loc.Bucket, loc.Prefix), client.Close, nil
	}
	l, err := lake.NewLocal(loc.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open lake %q: %w", lakeURL, err)
	}
	return l, func() error { return nil }, nil
}
