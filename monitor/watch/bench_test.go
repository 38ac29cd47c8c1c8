package watch_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	"github.com/jobpulse/jobpulse/monitor/watch"
)

// BenchmarkLedgerTick is one tick of the ledger watcher on a DuckDB ledger of 10,000
// runs over three sources with 5 checks each: open the file read-only, run the query,
// close. The monitor ticks every 15–60 s and the pipeline cannot write meanwhile.
func BenchmarkLedgerTick(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "warehouse.duckdb")
	wh, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	ensureLedger(b, wh)
	for _, q := range []string{
		`INSERT INTO meta.pipeline_runs (run_id, source, status, step_failed, error, started_at, finished_at, duration_ms, demo, recorded_at)
		SELECT
		  printf('run-%06d', i),
		  ['saramin', 'trends', 'qnet'][i % 3 + 1],
		  CASE WHEN i % 10 = 0 THEN 'failed' WHEN i % 7 = 0 THEN 'no_new_postings' ELSE 'success' END,
		  CASE WHEN i % 10 = 0 THEN 'collect' END,
		  CASE WHEN i % 10 = 0 THEN 'fetch page 1: HTTP 503' END,
		  TIMESTAMPTZ '2026-06-01 00:00:00+00' + i * INTERVAL 20 MINUTE,
		  TIMESTAMPTZ '2026-06-01 00:01:00+00' + i * INTERVAL 20 MINUTE,
		  60000, false,
		  TIMESTAMPTZ '2026-06-01 00:01:00+00' + i * INTERVAL 20 MINUTE
		FROM range(10000) AS t(i)`,
		`INSERT INTO meta.check_results (run_id, layer, check_name, severity, status, observed, description, checked_at)
		SELECT
		  printf('run-%06d', i // 5),
		  'core',
		  printf('check_%d', i % 5),
		  CASE WHEN i % 5 = 4 THEN 'warn' ELSE 'error' END,
		  CASE WHEN i % 50 = 0 THEN 'fail' ELSE 'pass' END,
		  0, 'a check',
		  TIMESTAMPTZ '2026-06-01 00:01:00+00' + (i // 5) * INTERVAL 20 MINUTE
		FROM range(50000) AS t(i)`,
	} {
		if _, err := wh.Exec(ctx, q, nil, warehouse.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := wh.Close(); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)
	w, err := watch.NewLedger(watch.LedgerConfig{}, watch.ReadOnlyDuckDB(path), func() time.Time { return at }, nil)
	if err != nil {
		b.Fatal(err)
	}
	if res := w.Collect(ctx); res.Err != nil || res.NoData || len(res.Samples) != 12 {
		b.Fatalf("Collect = %+v; want 4 samples for each of 3 sources", res)
	}
	for b.Loop() {
		if res := w.Collect(ctx); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}
