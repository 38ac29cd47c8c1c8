package lake

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
)

// GCS is a Store in a Google Cloud Storage bucket, under an optional name prefix.
// Conditional writes map to GCS generation preconditions.
type GCS struct {
	bucket     *storage.BucketHandle
	bucketName string
	prefix     string // "" or ends with "/"
}

var _ Store = (*GCS)(nil)

// NewGCS returns a GCS store for the bucket. Object names are stored under prefix
// (e.g. "lake" puts "raw/…" at "lake/raw/…"); an empty prefix uses the bucket root.
// The caller owns the client and closes it.
func NewGCS(client *storage.Client, bucket, prefix string) *GCS {
	return &GCS{bucket: client.Bucket(bucket), bucketName: bucket, prefix: normalizePrefix(prefix)}
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
func (g *GCS) URL(name string) string {
	return "gs://" + g.bucketName + "/" + g.prefix + name
}

// Get reads an object; the generation comes from the same response as the data.
func (g *GCS) Get(ctx context.Context, name string) (Object, error) {
	if err := checkName(name); err != nil {
		return Object{}, fmt.Errorf("get: %w", err)
	}
	r, err := g.bucket.Object(g.prefix + name).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return Object{}, fmt.Errorf("get %s: %w", g.URL(name), ErrNotExist)
	}
	if err != nil {
		return Object{}, fmt.Errorf("get %s: %w", g.URL(name), err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return Object{}, fmt.Errorf("get %s: %w", g.URL(name), err)
	}
	return Object{Name: name, Data: data, Generation: r.Attrs.Generation}, nil
}

// Put writes an object under the precondition and returns its new generation.
func (g *GCS) Put(ctx context.Context, name string, data []byte, pre Precondition) (int64, error) {
	if err := checkName(name); err != nil {
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
		return 0, fmt.Errorf("put %s: %w: %w", g.URL(name), ErrPrecondition, err)
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
func (g *GCS) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
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
func (g *GCS) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	err := g.bucket.Object(g.prefix + name).Delete(ctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("delete %s: %w", g.URL(name), err)
	}
	return nil
}
