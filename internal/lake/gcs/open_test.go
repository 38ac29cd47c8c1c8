package gcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpen_RelativeFileURL changes the working directory, so it cannot run in
// parallel with other tests.
func TestOpen_RelativeFileURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, lakeURL := range []string{"file://./data/lake", "./data/lake", "data/lake"} {
		s, closeFn, err := Open(t.Context(), lakeURL)
		if err != nil {
			t.Fatalf("Open(%q): %v", lakeURL, err)
		}
		if err := closeFn(); err != nil {
			t.Errorf("close: %v", err)
		}
		// t.TempDir may sit behind a symlink (macOS /var → /private/var); compare
		// against the directory as the process sees it.
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(wd, "data", "lake", "x.json")
		if got := s.URL("x.json"); got != want {
			t.Errorf("Open(%q).URL = %q, want %q", lakeURL, got, want)
		}
		if info, err := os.Stat(filepath.Join(dir, "data", "lake")); err != nil || !info.IsDir() {
			t.Errorf("Open(%q) did not create the lake directory: %v", lakeURL, err)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	abs := t.TempDir()
	tests := []struct {
		name    string
		lakeURL string
		wantURL string
		wantErr string
	}{
		{name: "absolute_file_url", lakeURL: "file://" + abs, wantURL: filepath.Join(abs, "x.json")},
		{name: "absolute_path", lakeURL: abs, wantURL: filepath.Join(abs, "x.json")},
		{name: "gs_without_bucket", lakeURL: "gs://", wantErr: "missing bucket"},
		{name: "file_without_path", lakeURL: "file://", wantErr: "missing path"},
		{name: "empty", lakeURL: "", wantErr: `use "file://PATH"`},
		{name: "other_scheme", lakeURL: "s3://bucket/lake", wantErr: `"gs://BUCKET[/PREFIX]"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, closeFn, err := Open(t.Context(), tc.lakeURL)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open(%q) error = %v, want it to contain %q", tc.lakeURL, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tc.lakeURL, err)
			}
			defer closeFn()
			if got := s.URL("x.json"); got != tc.wantURL {
				t.Errorf("URL = %q, want %q", got, tc.wantURL)
			}
		})
	}
}

func TestGCS_URL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
		want   string
	}{
		{name: "no_prefix", prefix: "", want: "gs://b/raw/x.json"},
		{name: "prefix", prefix: "lake", want: "gs://b/lake/raw/x.json"},
		{name: "prefix_with_slashes", prefix: "/lake/v1/", want: "gs://b/lake/v1/raw/x.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// URL needs no client calls; a nil client would panic in Bucket, so
			// build the struct the way New would.
			g := &Store{bucketName: "b", prefix: normalizePrefix(tc.prefix)}
			if got := g.URL("raw/x.json"); got != tc.want {
				t.Errorf("URL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, object, want string }{
		{name: "json", object: "raw/s/page-00001.json", want: "application/json"},
		{name: "ndjson", object: "clean/t/part-00001.ndjson", want: "application/x-ndjson"},
		{name: "other", object: "raw/s/page.xml", want: "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := contentType(tc.object); got != tc.want {
				t.Errorf("contentType(%q) = %q, want %q", tc.object, got, tc.want)
			}
		})
	}
}
