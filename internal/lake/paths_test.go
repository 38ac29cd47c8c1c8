package lake_test

import (
	"testing"

	"github.com/jobpulse/jobpulse/internal/lake"
)

func TestPaths(t *testing.T) {
	t.Parallel()
	const dt, run = "2026-11-21", "20261121T103000Z-saramin-3f9a1c"
	tests := []struct{ name, got, want string }{
		{name: "raw_run_prefix", got: lake.RawRunPrefix("saramin", dt, run), want: "raw/saramin/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/"},
		{name: "raw_page", got: lake.RawPage("saramin", dt, run, 1), want: "raw/saramin/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/page-00001.json"},
		{name: "raw_page_wide", got: lake.RawPage("saramin", dt, run, 123456), want: "raw/saramin/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/page-123456.json"},
		{name: "raw_manifest", got: lake.RawManifest("saramin", dt, run), want: "raw/saramin/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/_MANIFEST.json"},
		{name: "clean_part", got: lake.CleanPart("postings", dt, run, 7), want: "clean/postings/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/part-00007.ndjson"},
		{name: "clean_manifest", got: lake.CleanManifest("postings", dt, run), want: "clean/postings/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/_MANIFEST.json"},
		{name: "quarantine", got: lake.Quarantine("saramin", dt, run, "page-00003.json"), want: "quarantine/saramin/dt=2026-11-21/run=20261121T103000Z-saramin-3f9a1c/page-00003.json"},
		{name: "watermark", got: lake.WatermarkPath("saramin"), want: "state/saramin/watermark.json"},
		{name: "quota", got: lake.QuotaPath("saramin", dt), want: "state/saramin/quota-2026-11-21.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestParseRunPath(t *testing.T) {
	t.Parallel()
	const dt, run = "2026-11-21", "20261121T103000Z-saramin-3f9a1c"
	tests := []struct {
		name       string
		path       string
		wantSource string
		wantOK     bool
	}{
		{name: "raw_prefix", path: lake.RawRunPrefix("saramin", dt, run), wantSource: "saramin", wantOK: true},
		{name: "raw_prefix_no_slash", path: "raw/saramin/dt=2026-11-21/run=" + run, wantSource: "saramin", wantOK: true},
		{name: "raw_page", path: lake.RawPage("saramin", dt, run, 2), wantSource: "saramin", wantOK: true},
		{name: "raw_manifest", path: lake.RawManifest("saramin", dt, run), wantSource: "saramin", wantOK: true},
		{name: "clean_part", path: lake.CleanPart("postings", dt, run, 1), wantSource: "postings", wantOK: true},
		{name: "clean_manifest", path: lake.CleanManifest("postings", dt, run), wantSource: "postings", wantOK: true},
		{name: "quarantine", path: lake.Quarantine("saramin", dt, run, "x.json")},
		{name: "state", path: lake.WatermarkPath("saramin")},
		{name: "no_run", path: "raw/saramin/dt=2026-11-21/"},
		{name: "empty_run", path: "raw/saramin/dt=2026-11-21/run=/page-00001.json"},
		{name: "bad_dt", path: "raw/saramin/dt=2026-13-01/run=r/page-00001.json"},
		{name: "swapped_keys", path: "raw/saramin/run=r/dt=2026-11-21/page-00001.json"},
		{name: "empty_source", path: "raw//dt=2026-11-21/run=r/"},
		{name: "empty", path: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			source, gotDT, gotRun, ok := lake.ParseRunPath(tc.path)
			if ok != tc.wantOK {
				t.Fatalf("ParseRunPath(%q) ok = %v, want %v", tc.path, ok, tc.wantOK)
			}
			if !ok {
				if source != "" || gotDT != "" || gotRun != "" {
					t.Errorf("ParseRunPath(%q) = %q, %q, %q on failure, want empty", tc.path, source, gotDT, gotRun)
				}
				return
			}
			if source != tc.wantSource || gotDT != dt || gotRun != run {
				t.Errorf("ParseRunPath(%q) = %q, %q, %q; want %q, %q, %q", tc.path, source, gotDT, gotRun, tc.wantSource, dt, run)
			}
		})
	}
}
