package lake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
)

// forEachStore runs test against a fresh store of each implementation.
func forEachStore(t *testing.T, test func(t *testing.T, s lake.Store)) {
	t.Helper()
	for _, n := range laketest.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			t.Parallel()
			test(t, n.Store)
		})
	}
}

func put(t *testing.T, s lake.Store, name, data string, pre lake.Precondition) int64 {
	t.Helper()
	gen, err := s.Put(t.Context(), name, []byte(data), pre)
	if err != nil {
		t.Fatalf("Put(%q): %v", name, err)
	}
	return gen
}

func TestStore_RoundTrip(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		name := "raw/saramin/dt=2026-11-21/run=r1/page-00001.json"
		gen := put(t, s, name, `{"a":1}`, lake.Precondition{})
		if gen == 0 {
			t.Fatal("Put returned generation 0")
		}
		got, err := s.Get(ctx, name)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		want := lake.Object{Name: name, Data: []byte(`{"a":1}`), Generation: gen}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get (-want +got):\n%s", diff)
		}

		gen2 := put(t, s, name, `{"a":2}`, lake.Precondition{})
		if gen2 == gen {
			t.Errorf("overwrite kept generation %d", gen)
		}
		got, err = s.Get(ctx, name)
		if err != nil {
			t.Fatalf("Get after overwrite: %v", err)
		}
		if string(got.Data) != `{"a":2}` || got.Generation != gen2 {
			t.Errorf("Get after overwrite = %q gen %d, want {\"a\":2} gen %d", got.Data, got.Generation, gen2)
		}
	})
}

func TestStore_EmptyObject(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		gen := put(t, s, "state/x/empty.json", "", lake.IfAbsent())
		got, err := s.Get(t.Context(), "state/x/empty.json")
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if len(got.Data) != 0 || got.Generation != gen || gen == 0 {
			t.Errorf("Get = %q gen %d, want empty gen %d (non-zero)", got.Data, got.Generation, gen)
		}
	})
}

func TestStore_IfAbsent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		name := "raw/saramin/dt=2026-11-21/run=r1/_MANIFEST.json"
		gen := put(t, s, name, "first", lake.IfAbsent())

		_, err := s.Put(ctx, name, []byte("second"), lake.IfAbsent())
		if !errors.Is(err, lake.ErrPrecondition) {
			t.Fatalf("second IfAbsent Put error = %v, want ErrPrecondition", err)
		}
		got, err := s.Get(ctx, name)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if string(got.Data) != "first" || got.Generation != gen {
			t.Errorf("after losing write: %q gen %d, want %q gen %d", got.Data, got.Generation, "first", gen)
		}
	})
}

func TestStore_IfGeneration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pre     func(first, second int64) lake.Precondition
		wantErr error
	}{
		{name: "current_generation_wins", pre: func(_, second int64) lake.Precondition { return lake.IfGeneration(second) }},
		{name: "stale_generation_loses", pre: func(first, _ int64) lake.Precondition { return lake.IfGeneration(first) }, wantErr: lake.ErrPrecondition},
		{name: "absent_expected_loses", pre: func(_, _ int64) lake.Precondition { return lake.IfGeneration(0) }, wantErr: lake.ErrPrecondition},
		{name: "made_up_generation_loses", pre: func(_, _ int64) lake.Precondition { return lake.IfGeneration(42) }, wantErr: lake.ErrPrecondition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, s lake.Store) {
				name := "state/saramin/watermark.json"
				first := put(t, s, name, "v1", lake.IfGeneration(0))
				second := put(t, s, name, "v2", lake.IfGeneration(first))
				if second <= first {
					t.Errorf("generation went from %d to %d, want it to grow", first, second)
				}
				_, err := s.Put(t.Context(), name, []byte("v3"), tc.pre(first, second))
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Put error = %v, want %v", err, tc.wantErr)
				}
				want := "v3"
				if tc.wantErr != nil {
					want = "v2"
				}
				got, err := s.Get(t.Context(), name)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if string(got.Data) != want {
					t.Errorf("content = %q, want %q", got.Data, want)
				}
			})
		})
	}
}

func TestStore_List(t *testing.T) {
	t.Parallel()
	objects := []string{
		"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
		"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
		"raw/saramin/dt=2026-11-21/run=a/_MANIFEST.json",
		"raw/saramin/dt=2026-11-22/run=c/page-00001.json",
		"raw/saramin/dt=2025-01-01/run=z/page-00001.json",
		"raw/trends/dt=2026-11-21/run=d/page-00001.json",
		"raw/saramin-old/x.json",
		"state/saramin/watermark.json",
	}
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{name: "everything", prefix: "", want: []string{
			"raw/saramin-old/x.json",
			"raw/saramin/dt=2025-01-01/run=z/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=a/_MANIFEST.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
			"raw/saramin/dt=2026-11-22/run=c/page-00001.json",
			"raw/trends/dt=2026-11-21/run=d/page-00001.json",
			"state/saramin/watermark.json",
		}},
		{name: "directory_prefix", prefix: "raw/saramin/", want: []string{
			"raw/saramin/dt=2025-01-01/run=z/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=a/_MANIFEST.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
			"raw/saramin/dt=2026-11-22/run=c/page-00001.json",
		}},
		{name: "partial_segment_prefix", prefix: "raw/saramin/dt=2026", want: []string{
			"raw/saramin/dt=2026-11-21/run=a/_MANIFEST.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
			"raw/saramin/dt=2026-11-22/run=c/page-00001.json",
		}},
		{name: "prefix_without_slash_matches_siblings", prefix: "raw/saramin", want: []string{
			"raw/saramin-old/x.json",
			"raw/saramin/dt=2025-01-01/run=z/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=a/_MANIFEST.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
			"raw/saramin/dt=2026-11-22/run=c/page-00001.json",
		}},
		{name: "run_prefix", prefix: lake.RawRunPrefix("saramin", "2026-11-21", "b"), want: []string{
			"raw/saramin/dt=2026-11-21/run=b/page-00001.json",
			"raw/saramin/dt=2026-11-21/run=b/page-00002.json",
		}},
		{name: "exact_object", prefix: "state/saramin/watermark.json", want: []string{"state/saramin/watermark.json"}},
		{name: "missing_directory", prefix: "clean/", want: nil},
		{name: "prefix_through_a_file", prefix: "state/saramin/watermark.json/", want: nil},
	}
	forEachStore(t, func(t *testing.T, s lake.Store) {
		for _, name := range objects {
			put(t, s, name, name, lake.IfAbsent())
		}
		// Overwrites and failed writes leave temp and lock files behind on disk
		// stores; none may be listed.
		put(t, s, "state/saramin/watermark.json", "again", lake.Precondition{})
		if _, err := s.Put(t.Context(), objects[0], nil, lake.IfAbsent()); !errors.Is(err, lake.ErrPrecondition) {
			t.Fatalf("Put over existing: %v, want ErrPrecondition", err)
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				got, err := s.List(t.Context(), tc.prefix)
				if err != nil {
					t.Fatalf("List(%q): %v", tc.prefix, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("List(%q) (-want +got):\n%s", tc.prefix, diff)
				}
			})
		}
	})
}

func TestStore_GetMissing(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		put(t, s, "state/saramin/watermark.json", "{}", lake.IfAbsent())
		for _, name := range []string{"state/saramin/nope.json", "nope/at/all.json", "state/saramin", "state/saramin/watermark.json/x"} {
			_, err := s.Get(t.Context(), name)
			if !errors.Is(err, lake.ErrNotExist) {
				t.Errorf("Get(%q) error = %v, want ErrNotExist", name, err)
			}
		}
	})
}

func TestStore_Delete(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		name := "clean/postings/dt=2026-11-21/run=r1/part-00001.ndjson"
		put(t, s, name, "{}\n", lake.IfAbsent())
		if err := s.Delete(ctx, name); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get(ctx, name); !errors.Is(err, lake.ErrNotExist) {
			t.Errorf("Get after Delete error = %v, want ErrNotExist", err)
		}
		if err := s.Delete(ctx, name); err != nil {
			t.Errorf("Delete of missing object: %v", err)
		}
		if err := s.Delete(ctx, "never/was.json"); err != nil {
			t.Errorf("Delete in missing directory: %v", err)
		}
		// A deleted object can be created again as new.
		put(t, s, name, "{}\n", lake.IfAbsent())
		got, err := s.List(ctx, "clean/")
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if diff := cmp.Diff([]string{name}, got); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
	})
}

func TestStore_URL(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		name := "raw/saramin/dt=2026-11-21/run=r1/page-00001.json"
		url := s.URL(name)
		if !strings.HasSuffix(url, "/"+name) {
			t.Errorf("URL(%q) = %q, want it to end in the name", name, url)
		}
		if !strings.HasPrefix(url, "/") && !strings.HasPrefix(url, "gs://"+laketest.Bucket+"/"+laketest.Prefix+"/") {
			t.Errorf("URL(%q) = %q, want an absolute path or gs://%s/%s/…", name, url, laketest.Bucket, laketest.Prefix)
		}
	})
}

func TestStore_RejectsBadNames(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		for _, name := range []string{"", "/etc/passwd", "../escape", "raw/../../x", "raw//x", "raw/x/", "raw/.hidden"} {
			if _, err := s.Put(ctx, name, []byte("x"), lake.Precondition{}); err == nil {
				t.Errorf("Put(%q) succeeded, want an error", name)
			}
			if _, err := s.Get(ctx, name); err == nil || errors.Is(err, lake.ErrNotExist) {
				t.Errorf("Get(%q) error = %v, want an invalid-name error", name, err)
			}
		}
	})
}
