package lake

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/storage"
)

// acceptedForms is what Open understands, for error messages.
const acceptedForms = `use "file://PATH", a plain directory path, or "gs://BUCKET[/PREFIX]"`

// Open returns the Store a lake URL names and a function that releases it:
//
//	file://PATH          a local directory; PATH may be relative (file://./data/lake)
//	PATH                 the same
//	gs://BUCKET[/PREFIX] a GCS bucket, with application default credentials
func Open(ctx context.Context, lakeURL string) (Store, func() error, error) {
	noop := func() error { return nil }
	switch {
	case strings.HasPrefix(lakeURL, "gs://"):
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(lakeURL, "gs://"), "/")
		if bucket == "" {
			return nil, nil, fmt.Errorf("open lake %q: missing bucket; %s", lakeURL, acceptedForms)
		}
		client, err := storage.NewClient(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("open lake %q: create GCS client: %w", lakeURL, err)
		}
		return NewGCS(client, bucket, prefix), client.Close, nil
	case strings.HasPrefix(lakeURL, "file://"):
		// Not url.Parse: it would read "file://./data/lake" as host "." and path
		// "/data/lake", turning a relative path into an absolute one.
		root := strings.TrimPrefix(lakeURL, "file://")
		if root == "" {
			return nil, nil, fmt.Errorf("open lake %q: missing path; %s", lakeURL, acceptedForms)
		}
		l, err := NewLocal(root)
		if err != nil {
			return nil, nil, fmt.Errorf("open lake %q: %w", lakeURL, err)
		}
		return l, noop, nil
	case lakeURL == "" || strings.Contains(lakeURL, "://"):
		return nil, nil, fmt.Errorf("open lake %q: unsupported location; %s", lakeURL, acceptedForms)
	default:
		l, err := NewLocal(lakeURL)
		if err != nil {
			return nil, nil, fmt.Errorf("open lake %q: %w", lakeURL, err)
		}
		return l, noop, nil
	}
}
