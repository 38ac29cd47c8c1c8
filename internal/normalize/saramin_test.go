package normalize

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// TestSaraminRun_realSamples normalizes both real responses as one run, on both lake
// implementations.
func TestSaraminRun_realSamples(t *testing.T) {
	t.Parallel()
	for _, s := range laketest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			name := writeRun(t, s.Store, testRunID,
				rawPage{data: realPage(t, sample2021), records: 110},
				rawPage{data: realPage(t, sample2024), records: 1})
			res, err := SaraminRun(ctx, s.Store, name, Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 111 || len(res.Parts) != 2 || len(res.Quarantined) != 0 || len(res.Drift) != 0 || res.RawRecords != 111 {
				t.Errorf("result: rows %d parts %d quarantined %d drift %v raw %d", res.Rows, len(res.Parts), len(res.Quarantined), res.Drift, res.RawRecords)
			}
			wantPrefix := "clean/saramin_postings/dt=" + testDT + "/run=" + testRunID + "/"
			if res.CleanPrefix != wantPrefix || res.Manifest != wantPrefix+"_MANIFEST.json" {
				t.Errorf("prefix %q manifest %q", res.CleanPrefix, res.Manifest)
			}

			obj, err := s.Store.Get(ctx, lake.CleanPart(SaraminTable, testDT, testRunID, 2))
			if err != nil {
				t.Fatal(err)
			}
			rows := readRows(t, obj.Data)
			if len(rows) != 1 || *rows[0].PostingID != "48954525" || rows[0].Page != 2 || rows[0].ExpiresAt != nil ||
				*rows[0].PostingDate != *date("2024-09-04") || rows[0].LocationNames[5] != "세종 > 세종특별자치시" {
				t.Errorf("2024 row: %+v", rows)
			}
			obj, err = s.Store.Get(ctx, lake.CleanPart(SaraminTable, testDT, testRunID, 1))
			if err != nil {
				t.Fatal(err)
			}
			if rows := readRows(t, obj.Data); len(rows) != 110 || rows[109].RowInPage != 109 {
				t.Errorf("2021 part: %d rows", len(rows))
			}

			cm, err := ReadCleanManifest(ctx, s.Store, res.Manifest)
			if err != nil {
				t.Fatal(err)
			}
			want := CleanManifest{
				Table: SaraminTable, RunID: testRunID, DT: testDT, SourceManifest: name, NormalizerVersion: SaraminVersion,
				Parts: res.Parts, Rows: 111, Quarantined: []QuarantinedPage{}, Drift: []Drift{}, RawRecords: 111,
			}
			if diff := cmp.Diff(want, cm); diff != "" {
				t.Errorf("clean manifest (-want +got):\n%s", diff)
			}
			if res.Parts[0].Name != "part-00001.ndjson" || res.Parts[0].Rows != 110 || res.Parts[1].Name != "part-00002.ndjson" {
				t.Errorf("parts: %+v", res.Parts)
			}
		})
	}
}

// TestSaraminRun_defectsAndQuarantine: broken jobs still become rows, a malformed page
// is quarantined with its exact bytes while the other pages normalize, empty pages
// write no part.
func TestSaraminRun_defectsAndQuarantine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := laketest.NewLocal(t)
	good := syntheticPages(mustGenerate(t, 1, 24*time.Hour, 300), 50, testNow)[0]
	defects := pageOf(
		sampleJob(t, "1", func(j map[string]any) { delete(j, "id") }),
		sampleJob(t, "2", func(j map[string]any) { j["posting-timestamp"] = "abc" }),
		sampleJob(t, "3", func(j map[string]any) { j["active"] = "1" }),
		sampleJob(t, "4", func(j map[string]any) { position(j)["new-field"] = json.Number("1") }),
		sampleJob(t, "5", func(j map[string]any) { delete(position(j), "title") }),
		sampleJob(t, "6", func(j map[string]any) { j["active"] = "0" }),
	)
	malformed := []byte(`{"jobs":{"count":1,"job":[{"id":"7"`)
	empty := []byte(`{"jobs":{"count":0,"start":9,"total":"300"}}`)
	name := writeRun(t, store, testRunID,
		good,
		rawPage{data: malformed, records: 1},
		rawPage{data: defects, records: 6},
		rawPage{data: empty, records: 0})

	res, err := SaraminRun(ctx, store, name, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != good.records+6 {
		t.Errorf("rows %d, want %d: no job may be dropped", res.Rows, good.records+6)
	}
	wantQ := []QuarantinedPage{{
		Page: 2, Object: lake.Quarantine("saramin", testDT, testRunID, "clean-page-00002.json"), Records: 1,
		Reason: "invalid JSON: unexpected end of JSON input",
	}}
	if diff := cmp.Diff(wantQ, res.Quarantined); diff != "" {
		t.Errorf("quarantined (-want +got):\n%s", diff)
	}
	q, err := store.Get(ctx, wantQ[0].Object)
	if err != nil || string(q.Data) != string(malformed) {
		t.Errorf("quarantined bytes %q, %v; want the exact raw page", q.Data, err)
	}
	reason, err := store.Get(ctx, lake.Quarantine("saramin", testDT, testRunID, "clean-page-00002.reason.txt"))
	if err != nil || !strings.Contains(string(reason.Data), "invalid JSON") || !strings.Contains(string(reason.Data), "page-00002.json") {
		t.Errorf("reason %q, %v", reason.Data, err)
	}
	var partNames []string
	for _, p := range res.Parts {
		partNames = append(partNames, p.Name)
	}
	if diff := cmp.Diff([]string{"part-00001.ndjson", "part-00003.ndjson"}, partNames); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	names, err := store.List(ctx, res.CleanPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{res.CleanPrefix + "_MANIFEST.json", res.CleanPrefix + "part-00001.ndjson", res.CleanPrefix + "part-00003.ndjson"}, names); diff != "" {
		t.Errorf("clean objects (-want +got):\n%s", diff)
	}

	wantDrift := []Drift{
		{Field: "active", Kind: DriftRetyped, Rows: 2, ExampleType: "string"},
		{Field: "id", Kind: DriftMissing, Rows: 1},
		{Field: "position.new-field", Kind: DriftUnknown, Rows: 1, ExampleType: "number"},
		{Field: "position.title", Kind: DriftMissing, Rows: 1},
	}
	if diff := cmp.Diff(wantDrift, res.Drift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}

	obj, err := store.Get(ctx, lake.CleanPart(SaraminTable, testDT, testRunID, 3))
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		ID     *string
		Active *bool
		Title  bool
		Errors []string
	}
	var got []summary
	for _, r := range readRows(t, obj.Data) {
		got = append(got, summary{r.PostingID, r.Active, r.Title != nil, r.ParseErrors})
	}
	want := []summary{
		{nil, ptr(true), true, []string{"id: missing"}},
		{ptr("2"), ptr(true), true, []string{`posting-timestamp: not unix seconds: "abc"`}},
		{ptr("3"), ptr(true), true, []string{}},
		{ptr("4"), ptr(true), true, []string{}},
		{ptr("5"), ptr(true), false, []string{}},
		{ptr("6"), ptr(false), true, []string{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defect rows (-want +got):\n%s", diff)
	}

	cm, err := ReadCleanManifest(ctx, store, res.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantQ, cm.Quarantined); diff != "" {
		t.Errorf("manifest quarantined (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDrift, cm.Drift); diff != "" {
		t.Errorf("manifest drift (-want +got):\n%s", diff)
	}
	if cm.RawRecords != cm.Rows+cm.Quarantined[0].Records {
		t.Errorf("raw_records %d != rows %d + quarantined %d", cm.RawRecords, cm.Rows, cm.Quarantined[0].Records)
	}
}

func mustGenerate(t testing.TB, seed uint64, span time.Duration, perDay int) []saramintest.Posting {
	t.Helper()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: seed, From: testNow.Add(-span), To: testNow, PerDay: perDay})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestSaraminRun_deterministic: the same raw gives the same bytes, whether the clean
// output is overwritten, deleted first, or polluted with stale objects.
func TestSaraminRun_deterministic(t *testing.T) {
	t.Parallel()
	for _, s := range laketest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pages := syntheticPages(mustGenerate(t, 3, 3*24*time.Hour, 400), 110, testNow)
			pages = append(pages, rawPage{data: []byte("<html>502</html>"), records: 0})
			pages = append(pages, rawPage{data: pageOf(sampleJob(t, "9", func(j map[string]any) {
				j["x-new"] = map[string]any{"a": 1}
				j["active"] = "1"
			})), records: 1})
			name := writeRun(t, s.Store, testRunID, pages...)

			run := func() map[string]string {
				t.Helper()
				if _, err := SaraminRun(ctx, s.Store, name, Options{}); err != nil {
					t.Fatal(err)
				}
				out := snapshot(t, s.Store, "clean/")
				for k, v := range snapshot(t, s.Store, "quarantine/") {
					out[k] = v
				}
				return out
			}
			first := run()
			if len(first) < 4 {
				t.Fatalf("only %d objects written", len(first))
			}
			if diff := cmp.Diff(first, run()); diff != "" {
				t.Errorf("second run differs:\n%s", diff)
			}

			for n := range first {
				if err := s.Store.Delete(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(first, run()); diff != "" {
				t.Errorf("run after deleting clean/ differs:\n%s", diff)
			}

			// Stale output of an earlier normalizer version must not survive a re-run.
			prefix := lake.CleanRunPrefix(SaraminTable, testDT, testRunID)
			for _, stale := range []string{prefix + "part-00099.ndjson", lake.Quarantine("saramin", testDT, testRunID, "clean-page-00042.json")} {
				if _, err := s.Store.Put(ctx, stale, []byte("stale\n"), lake.Precondition{}); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(first, run()); diff != "" {
				t.Errorf("run over stale objects differs:\n%s", diff)
			}
		})
	}
}

// TestSaraminRun_otherRunsUntouched: a re-run replaces only its own run's output.
func TestSaraminRun_otherRunsUntouched(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := laketest.NewLocal(t)
	const otherRun = "20261121T110000Z-saramin-aaaaaa"
	page := rawPage{data: realPage(t, sample2024), records: 1}
	a := writeRun(t, store, testRunID, page)
	b := writeRun(t, store, otherRun, page)
	if _, err := SaraminRun(ctx, store, b, Options{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, store, lake.CleanRunPrefix(SaraminTable, testDT, otherRun))
	if _, err := SaraminRun(ctx, store, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snapshot(t, store, lake.CleanRunPrefix(SaraminTable, testDT, otherRun))); diff != "" {
		t.Errorf("other run's clean output changed:\n%s", diff)
	}
}

// TestSaraminRun_errors: an unreadable or inconsistent raw run fails the run, with no
// clean manifest left behind.
func TestSaraminRun_errors(t *testing.T) {
	t.Parallel()
	page := realPage(t, sample2024)
	tests := []struct {
		name    string
		setup   func(t *testing.T, store lake.Store) string
		wantErr string
	}{
		{
			name:    "no_manifest",
			setup:   func(t *testing.T, store lake.Store) string { return lake.RawManifest("saramin", testDT, testRunID) },
			wantErr: "does not exist",
		},
		{
			name: "page_missing",
			setup: func(t *testing.T, store lake.Store) string {
				name := writeRun(t, store, testRunID, rawPage{data: page, records: 1})
				if err := store.Delete(context.Background(), lake.RawPage("saramin", testDT, testRunID, 1)); err != nil {
					t.Fatal(err)
				}
				return name
			},
			wantErr: "read raw page",
		},
		{
			name: "page_damaged",
			setup: func(t *testing.T, store lake.Store) string {
				name := writeRun(t, store, testRunID, rawPage{data: page, records: 1})
				if _, err := store.Put(context.Background(), lake.RawPage("saramin", testDT, testRunID, 1), []byte("{}"), lake.Precondition{}); err != nil {
					t.Fatal(err)
				}
				return name
			},
			wantErr: "differs from its manifest entry",
		},
		{
			name: "manifest_of_another_run",
			setup: func(t *testing.T, store lake.Store) string {
				name := writeRun(t, store, testRunID, rawPage{data: page, records: 1})
				obj, err := store.Get(context.Background(), name)
				if err != nil {
					t.Fatal(err)
				}
				other := lake.RawManifest("saramin", testDT, "20261121T120000Z-saramin-bbbbbb")
				if _, err := store.Put(context.Background(), other, obj.Data, lake.IfAbsent()); err != nil {
					t.Fatal(err)
				}
				return other
			},
			wantErr: "whose manifest is",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := laketest.NewLocal(t)
			name := tt.setup(t, store)
			_, err := SaraminRun(context.Background(), store, name, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			_, err = store.Get(context.Background(), lake.CleanManifest(SaraminTable, testDT, testRunID))
			if !errors.Is(err, lake.ErrNotExist) {
				t.Errorf("clean manifest after a failed run: %v", err)
			}
		})
	}
}
