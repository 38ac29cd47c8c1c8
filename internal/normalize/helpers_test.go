package normalize

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

var (
	timestampRE = regexp.MustCompile(`^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$`)
	dateRE      = regexp.MustCompile(`^"\d{4}-\d\d-\d\d"$`)
)

const (
	testDT    = "2026-11-21"
	testRunID = "20261121T103000Z-saramin-3f9a1c"
)

// realPage reads one of the real API responses kept by the Saramin client's tests.
func realPage(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../source/saramin/testdata/" + name)
	if err != nil {
		t.Fatalf("read real sample: %v", err)
	}
	return data
}

const (
	sample2021 = "saramin-job-search-2021-09-27.json"
	sample2024 = "saramin-job-2024-09.json"
)

// rawPage is one raw page to land in a test lake, with the record count the collector
// would have put in the manifest.
type rawPage struct {
	data    []byte
	records int
}

// writeRun lands pages as a committed collect run, as pipeline.SaraminCollect does,
// and returns the raw manifest's name.
func writeRun(t testing.TB, store lake.Store, runID string, pages ...rawPage) string {
	t.Helper()
	ctx := context.Background()
	started := time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
	m := lake.Manifest{
		Source: SaraminSource, RunID: runID, DT: testDT,
		StartedAt: started, FinishedAt: started.Add(time.Minute), Outcome: lake.OutcomeSuccess,
	}
	for i, p := range pages {
		name := lake.RawPage(SaraminSource, testDT, runID, i+1)
		if _, err := store.Put(ctx, name, p.data, lake.IfAbsent()); err != nil {
			t.Fatalf("put raw page: %v", err)
		}
		m.Pages = append(m.Pages, lake.NewPageEntry(fmt.Sprintf("page-%05d.json", i+1), p.data, p.records, nil))
		m.Records += p.records
		m.Calls++
	}
	name, err := lake.WriteManifest(ctx, store, m)
	if err != nil {
		t.Fatalf("write manifest: %v", err)
	}
	return name
}

// pageOf wraps jobs in a job-search envelope.
func pageOf(jobs ...json.RawMessage) []byte {
	list, err := json.Marshal(jobs)
	if err != nil {
		panic(err)
	}
	return fmt.Appendf(nil, `{"jobs":{"count":%d,"start":0,"total":"%d","job":%s}}`, len(jobs), len(jobs), list)
}

// syntheticPages renders postings as pages of up to size jobs.
func syntheticPages(ps []saramintest.Posting, size int, now time.Time) []rawPage {
	var out []rawPage
	for start := 0; start < len(ps); start += size {
		chunk := ps[start:min(start+size, len(ps))]
		out = append(out, rawPage{data: saramintest.PageJSON(chunk, start/size, len(ps), now), records: len(chunk)})
	}
	return out
}

var testNow = time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)

// sampleJob renders one synthetic posting as the API would, then lets mutate change the
// decoded job (numbers stay json.Number, so they re-encode exactly).
func sampleJob(t testing.TB, id string, mutate func(job map[string]any)) json.RawMessage {
	t.Helper()
	p := saramintest.Sample(id, testNow.Add(-2*time.Hour))
	jobs, err := splitPage(saramintest.PageJSON([]saramintest.Posting{p}, 0, 1, testNow))
	if err != nil || len(jobs) != 1 {
		t.Fatalf("render sample: %v (%d jobs)", err, len(jobs))
	}
	if mutate == nil {
		return jobs[0]
	}
	dec := json.NewDecoder(bytes.NewReader(jobs[0]))
	dec.UseNumber()
	var job map[string]any
	if err := dec.Decode(&job); err != nil {
		t.Fatal(err)
	}
	mutate(job)
	out, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// position returns the job's position object, for mutations.
func position(job map[string]any) map[string]any { return job["position"].(map[string]any) }

// readRows decodes an NDJSON part.
func readRows(t testing.TB, data []byte) []SaraminRow {
	t.Helper()
	var rows []SaraminRow
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	for dec.More() {
		var r SaraminRow
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decode clean row %d: %v", len(rows), err)
		}
		rows = append(rows, r)
	}
	return rows
}

// snapshot returns every object under prefix with its bytes.
func snapshot(t testing.TB, store lake.Store, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	names, err := store.List(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		obj, err := store.Get(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(obj.Data)
	}
	return out
}
