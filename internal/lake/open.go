package lake

import (
	"fmt"
	"strings"
)

// acceptedForms is what ParseURL understands, for error messages.
const acceptedForms = `use "file://PATH", a plain directory path, or "gs://BUCKET[/PREFIX]"`

// Location is a parsed lake URL: a local Dir, or a GCS Bucket with an optional Prefix.
type Location struct {
	Dir            string
	Bucket, Prefix string
}

// ParseURL checks a lake URL without touching storage.
func ParseURL(lakeURL string) (Location, error) {
	switch {
	case strings.HasPrefix(lakeURL, "gs://"):
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(lakeURL, "gs://"), "/")
		if bucket == "" {
			return Location{}, fmt.Errorf("lake %q: missing bucket; %s", lakeURL, acceptedForms)
		}
		return Location{Bucket: bucket, Prefix: strings.Trim(prefix, "/")}, nil
	case strings.HasPrefix(lakeURL, "file://"):
		// Not url.Parse: it would read "file://./data/lake" as host "." and path
		// "/data/lake", turning a relative path into an absolute one.
		root := strings.TrimPrefix(lakeURL, "file://")
		if root == "" {
			return Location{}, fmt.Errorf("lake %q: missing path; %s", lakeURL, acceptedForms)
		}
		return Location{Dir: root}, nil
	case lakeURL == "" || strings.Contains(lakeURL, "://"):
		return Location{}, fmt.Errorf("lake %q: unsupported location; %s", lakeURL, acceptedForms)
	}
	return Location{Dir: lakeURL}, nil
}
