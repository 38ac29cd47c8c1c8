package watch_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watch"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// collector is what the monitor's agent loop needs from a watcher.
type collector interface {
	Name() string
	Collect(ctx context.Context) sample.Result
}

var (
	_ collector = (*watch.Ledger)(nil)
	_ collector = (*watch.Functions)(nil)
)

// now is the test clock's reading at every tick; watchers start an hour earlier.
var (
	now     = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	started = now.Add(-time.Hour)
)

// run is one meta.pipeline_runs row.
type run struct {
	id, source, status, step, err string
	finished                      time.Time
}

// check is one meta.check_results row.
type check struct {
	runID, name, severity, status string
}

// ledger writes runs and checks into a fresh DuckDB warehouse file the way the
// pipeline's ledger does (the meta models' own DDL, then their INSERT with every column
// a parameter) and returns the file's path. The file is closed again.
func ledger(t testing.TB, runs []run, checks []check) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warehouse.duckdb")
	wh, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	runsModel, checksModel := ensureLedger(t, wh)
	for _, r := range runs {
		insert(t, wh, runsModel, map[string]any{
			"run_id": r.id, "source": r.source, "status": r.status, "step_failed": r.step, "error": r.err,
			"started_at": r.finished.Add(-time.Minute), "finished_at": r.finished, "duration_ms": int64(60000),
			"recorded_at": r.finished,
		})
	}
	for i, c := range checks {
		insert(t, wh, checksModel, map[string]any{
			"run_id": c.runID, "layer": "core", "check_name": c.name, "severity": c.severity, "status": c.status,
			"observed": int64(i), "checked_at": now.Add(-time.Hour),
		})
	}
	return path
}

// ensureLedger creates the ledger tables with their models' statements.
func ensureLedger(t testing.TB, wh warehouse.Warehouse) (runs, checks *models.Model) {
	t.Helper()
	ctx := context.Background()
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.EnsureDatasets(ctx); err != nil {
		t.Fatal(err)
	}
	runs = project.Model(warehouse.Table{Dataset: "meta", Name: "pipeline_runs"})
	checks = project.Model(warehouse.Table{Dataset: "meta", Name: "check_results"})
	for _, m := range []*models.Model{runs, checks} {
		stmts, err := m.Statements(wh)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if _, err := wh.Exec(ctx, q, nil, warehouse.Options{}); err != nil {
				t.Fatalf("create %s: %v", m.Table, err)
			}
		}
	}
	return runs, checks
}

// insert adds one row; columns without a value (or with "") are NULL.
func insert(t testing.TB, wh warehouse.Warehouse, m *models.Model, values map[string]any) {
	t.Helper()
	var params []warehouse.Param
	for _, c := range m.Config.Columns {
		v, ok := values[c.Name]
		if !ok || v == "" {
			v = warehouse.Null{Type: c.Type}
		}
		params = append(params, warehouse.Param{Name: c.Name, Value: v})
	}
	if _, err := wh.Exec(context.Background(), m.Insert(wh), params, warehouse.Options{}); err != nil {
		t.Fatalf("insert into %s: %v", m.Table, err)
	}
}

// clock reads started until set to now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newLedgerWatcher returns a watcher over the DuckDB file at path that started at
// started; its clock reads now from then on.
func newLedgerWatcher(t *testing.T, cfg watch.LedgerConfig, path string, logger *slog.Logger) *watch.Ledger {
	t.Helper()
	c := &clock{t: started}
	w, err := watch.NewLedger(cfg, watch.ReadOnlyDuckDB(path), c.now, logger)
	if err != nil {
		t.Fatal(err)
	}
	c.t = now
	return w
}

// sorted orders samples by series so that diffs do not depend on emission order.
func sorted(s []sample.Sample) []sample.Sample {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b sample.Sample) int { return strings.Compare(a.Key(), b.Key()) })
	return s
}

func age(source string, d time.Duration) sample.Sample {
	return sample.Sample{Name: watch.MetricLastSuccessAge, Labels: map[string]string{"source": source}, Value: d.Seconds()}
}

func failed(source string, v float64, runID, step, errText string) sample.Sample {
	return sample.Sample{Name: watch.MetricLastRunFailed, Labels: map[string]string{"source": source, "run_id": runID, "step": step, "error": errText}, Value: v}
}

func lastRun(source, status string, at time.Time) sample.Sample {
	return sample.Sample{Name: watch.MetricLastRunTimestamp, Labels: map[string]string{"source": source, "status": status}, Value: float64(at.Unix())}
}

func errorChecks(source string, n float64) sample.Sample {
	return sample.Sample{Name: watch.MetricFailedErrorChecks, Labels: map[string]string{"source": source}, Value: n}
}

func TestLedger_collect(t *testing.T) {
	t.Parallel()
	const (
		okRun     = "20261121T080000Z-saramin-aaaaaa"
		failedRun = "20261121T110000Z-saramin-bbbbbb"
		laterRun  = "20261121T114500Z-saramin-cccccc"
	)
	tests := []struct {
		name    string
		sources []string
		runs    []run
		checks  []check
		since   time.Time
		want    []sample.Sample
	}{
		{
			name:    "stale",
			sources: []string{"saramin"},
			runs:    []run{{id: okRun, source: "saramin", status: "success", finished: now.Add(-4 * time.Hour)}},
			want: []sample.Sample{
				age("saramin", 4*time.Hour), failed("saramin", 0, "", "", ""), errorChecks("saramin", 0),
				lastRun("saramin", "success", now.Add(-4*time.Hour)),
			},
		},
		{
			name:    "failed_newest_run",
			sources: []string{"saramin"},
			runs: []run{
				{id: okRun, source: "saramin", status: "success", finished: now.Add(-2 * time.Hour)},
				{id: failedRun, source: "saramin", status: "failed", step: "collect", err: "fetch page 3: HTTP 503\nretries exhausted", finished: now.Add(-30 * time.Minute)},
			},
			want: []sample.Sample{
				age("saramin", 2*time.Hour), failed("saramin", 1, failedRun, "collect", "fetch page 3: HTTP 503"),
				errorChecks("saramin", 0), lastRun("saramin", "failed", now.Add(-30*time.Minute)),
			},
		},
		{
			// The series keeps the failed run's labels and turns to 0: that resolves it.
			name:    "recovered",
			sources: []string{"saramin"},
			runs: []run{
				{id: failedRun, source: "saramin", status: "failed", step: "core", err: "check failed", finished: now.Add(-2 * time.Hour)},
				{id: laterRun, source: "saramin", status: "success", finished: now.Add(-10 * time.Minute)},
			},
			want: []sample.Sample{
				age("saramin", 10*time.Minute), failed("saramin", 0, failedRun, "core", "check failed"),
				errorChecks("saramin", 0), lastRun("saramin", "success", now.Add(-10*time.Minute)),
			},
		},
		{
			name:    "error_checks_of_the_newest_run_counted_warn_not",
			sources: []string{"saramin"},
			runs: []run{
				{id: okRun, source: "saramin", status: "failed", step: "external", finished: now.Add(-3 * time.Hour)},
				{id: laterRun, source: "saramin", status: "failed", step: "external", finished: now.Add(-time.Minute)},
			},
			checks: []check{
				{laterRun, "recruit_not_null_id", "error", "fail"},
				{laterRun, "reconcile_staging_external", "error", "error"}, // the check itself failed: fails closed
				{laterRun, "recruit_unique_id", "error", "pass"},
				{laterRun, "volume_vs_trailing_7_days", "warn", "fail"},
				{okRun, "recruit_not_null_id", "error", "fail"}, // an older run
			},
			want: []sample.Sample{
				age("saramin", time.Hour), failed("saramin", 1, laterRun, "external", ""),
				errorChecks("saramin", 2), lastRun("saramin", "failed", now.Add(-time.Minute)),
			},
		},
		{
			name:    "no_new_postings_works_quota_exhausted_neither_works_nor_fails",
			sources: []string{"saramin", "trends"},
			runs: []run{
				{id: "20261121T070000Z-saramin-000001", source: "saramin", status: "success", finished: now.Add(-5 * time.Hour)},
				{id: "20261121T115500Z-saramin-000002", source: "saramin", status: "no_new_postings", finished: now.Add(-5 * time.Minute)},
				{id: "20261121T090000Z-trends-000001", source: "trends", status: "success", finished: now.Add(-3 * time.Hour)},
				{id: "20261121T110000Z-trends-000002", source: "trends", status: "quota_exhausted", finished: now.Add(-time.Hour)},
			},
			want: []sample.Sample{
				age("saramin", 5*time.Minute), failed("saramin", 0, "", "", ""), errorChecks("saramin", 0),
				lastRun("saramin", "no_new_postings", now.Add(-5*time.Minute)),
				age("trends", 3*time.Hour), failed("trends", 0, "", "", ""), errorChecks("trends", 0),
				lastRun("trends", "quota_exhausted", now.Add(-time.Hour)),
			},
		},
		{
			// Configured sources that never worked count from the watcher's start; a
			// source in the ledger is reported even if not configured.
			name:    "never_ran_and_unconfigured_sources",
			sources: []string{"saramin", "trends"},
			runs: []run{
				{id: failedRun, source: "saramin", status: "failed", step: "collect", err: "timeout", finished: now.Add(-time.Minute)},
				{id: "20261121T100000Z-qnet-000001", source: "qnet", status: "success", finished: now.Add(-2 * time.Hour)},
			},
			want: []sample.Sample{
				age("qnet", 2*time.Hour), failed("qnet", 0, "", "", ""), errorChecks("qnet", 0),
				lastRun("qnet", "success", now.Add(-2*time.Hour)),
				age("saramin", time.Hour), failed("saramin", 1, failedRun, "collect", "timeout"), errorChecks("saramin", 0),
				lastRun("saramin", "failed", now.Add(-time.Minute)),
				age("trends", time.Hour), failed("trends", 0, "", "", ""), errorChecks("trends", 0),
			},
		},
		{
			name:    "empty_ledger_is_data",
			sources: []string{"saramin"},
			want:    []sample.Sample{age("saramin", time.Hour), failed("saramin", 0, "", "", ""), errorChecks("saramin", 0)},
		},
		{
			// The agent's probe is a fresh process each time: it passes the agent's
			// start as Since, and a source that never worked counts from there.
			name:    "never_ran_counts_from_since",
			sources: []string{"qnet"},
			since:   now.Add(-4 * time.Hour),
			want:    []sample.Sample{age("qnet", 4*time.Hour), failed("qnet", 0, "", "", ""), errorChecks("qnet", 0)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := ledger(t, tc.runs, tc.checks)
			w := newLedgerWatcher(t, watch.LedgerConfig{Sources: tc.sources, Since: tc.since}, path, nil)
			res := w.Collect(context.Background())
			if res.Err != nil || res.NoData {
				t.Fatalf("Collect: err %v, no data %v", res.Err, res.NoData)
			}
			if res.Collector != "pipeline_ledger" {
				t.Errorf("Collector = %q", res.Collector)
			}
			if diff := cmp.Diff(sorted(tc.want), sorted(res.Samples)); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLedger_releasesTheFile: the pipeline must be able to write as soon as a tick is
// over. In one process DuckDB refuses a read-write open while a read-only one is live.
func TestLedger_releasesTheFile(t *testing.T) {
	t.Parallel()
	path := ledger(t, []run{{id: "r1", source: "saramin", status: "success", finished: now}}, nil)
	w := newLedgerWatcher(t, watch.LedgerConfig{}, path, nil)
	if res := w.Collect(context.Background()); res.Err != nil || res.NoData {
		t.Fatalf("Collect: err %v, no data %v", res.Err, res.NoData)
	}
	wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
	if err != nil {
		t.Fatalf("open for writing after a tick: %v", err)
	}
	wh.Close()
}

func TestLedger_lockedByAWriterIsNoData(t *testing.T) {
	t.Parallel()
	path := ledger(t, []run{{id: "r1", source: "saramin", status: "success", finished: now}}, nil)
	var logs bytes.Buffer
	w := newLedgerWatcher(t, watch.LedgerConfig{Sources: []string{"saramin"}}, path, slog.New(slog.NewTextHandler(&logs, nil)))

	writer := holdWriteLock(t, path)
	_, err := watch.ReadOnlyDuckDB(path)(context.Background())
	if !errors.Is(err, warehouse.ErrLocked) || !strings.Contains(err.Error(), "Could not set lock on file") {
		t.Fatalf("read-only open while a writer holds the file: %v; want warehouse.ErrLocked with DuckDB's message", err)
	}
	for range 2 {
		res := w.Collect(context.Background())
		if !res.NoData || res.Err != nil || len(res.Samples) != 0 {
			t.Fatalf("Collect while locked = %+v; want NoData, no error", res)
		}
	}
	if n := strings.Count(logs.String(), "level=INFO"); n != 1 || !strings.Contains(logs.String(), "locked") {
		t.Errorf("want the reason logged once at info, got:\n%s", logs.String())
	}

	writer.release(t)
	res := w.Collect(context.Background())
	if res.NoData || res.Err != nil || len(res.Samples) == 0 {
		t.Fatalf("Collect after the writer left = %+v; want samples", res)
	}
}

func TestLedger_noDataAndFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(t *testing.T, path string)
		wantNoData bool
		wantLog    string // the NoData reason, as logged
		wantErr    string
	}{
		{name: "missing_file", setup: func(*testing.T, string) {}, wantNoData: true, wantLog: "no ledger database yet"},
		{
			name: "missing_ledger_tables",
			setup: func(t *testing.T, path string) {
				wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				wh.Close()
			},
			wantNoData: true,
			wantLog:    "the ledger tables do not exist yet",
		},
		{
			name: "missing_check_results",
			setup: func(t *testing.T, path string) {
				wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				defer wh.Close()
				runs, _ := ensureLedger(t, wh)
				if _, err := wh.Exec(context.Background(), "DROP TABLE meta.check_results", nil, warehouse.Options{}); err != nil {
					t.Fatal(err)
				}
				insert(t, wh, runs, map[string]any{"run_id": "r1", "source": "saramin", "status": "success", "started_at": now, "finished_at": now})
			},
			wantNoData: true,
			wantLog:    "the ledger tables do not exist yet",
		},
		{
			name: "not_a_database",
			setup: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("this is not a DuckDB file, but a mistake"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "open the ledger",
		},
		{
			// A ledger table of another shape is a real problem, unlike a missing one.
			name: "ledger_of_another_shape",
			setup: func(t *testing.T, path string) {
				wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				defer wh.Close()
				for _, q := range []string{
					"CREATE SCHEMA meta",
					"CREATE TABLE meta.pipeline_runs (run_id VARCHAR, source VARCHAR)",
					"CREATE TABLE meta.check_results (run_id VARCHAR)",
				} {
					if _, err := wh.Exec(context.Background(), q, nil, warehouse.Options{}); err != nil {
						t.Fatal(err)
					}
				}
			},
			wantErr: "read the ledger",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "data", "warehouse.duckdb")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, path)
			_, statErr := os.Stat(path)
			var logs bytes.Buffer
			w := newLedgerWatcher(t, watch.LedgerConfig{}, path, slog.New(slog.NewTextHandler(&logs, nil)))
			res := w.Collect(context.Background())
			if !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log %q does not give the reason %q", logs.String(), tc.wantLog)
			}
			if res.NoData != tc.wantNoData || len(res.Samples) != 0 {
				t.Errorf("NoData = %v with %d samples, want NoData %v and none", res.NoData, len(res.Samples), tc.wantNoData)
			}
			switch {
			case tc.wantErr == "" && res.Err != nil:
				t.Errorf("Err = %v, want none", res.Err)
			case tc.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tc.wantErr)):
				t.Errorf("Err = %v, want one saying %q", res.Err, tc.wantErr)
			}
			// A read-only watcher leaves no trace: no file where there was none.
			if _, err := os.Stat(path); errors.Is(statErr, fs.ErrNotExist) && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the watcher created %s", path)
			}
		})
	}
}

// TestLedger_labelsCarryNoSecret: a run's error lands in a label, which /metrics exports
// and Slack shows; a key in a URL's query string must not come along.
func TestLedger_labelsCarryNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "SecretAccessKey0123456789abcdef"
	errText := "fetch https://oapi.saramin.co.kr/job-search?access-key=" + secret + "&start=3 answered 401 Unauthorized " + strings.Repeat("x", 400)
	path := ledger(t, []run{{id: "r1", source: "saramin", status: "failed", step: "collect", err: errText, finished: now}}, nil)
	var logs bytes.Buffer
	w := newLedgerWatcher(t, watch.LedgerConfig{Sources: []string{"saramin"}}, path, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	res := w.Collect(context.Background())
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var got string
	for _, s := range res.Samples {
		if strings.Contains(s.Key(), secret) {
			t.Errorf("series %s carries the secret", s.Key())
		}
		if s.Name == watch.MetricLastRunFailed {
			got = s.Labels["error"]
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the log carries the secret:\n%s", logs.String())
	}
	want := "fetch https://oapi.saramin.co.kr/job-search?[redacted] answered 401 Unauthorized x"
	if !strings.HasPrefix(got, want) || len([]rune(got)) != watch.MaxReasonLen || !strings.HasSuffix(got, "…") {
		t.Errorf("error label = %q (%d runes); want it to start %q and be cut to %d runes", got, len([]rune(got)), want, watch.MaxReasonLen)
	}
}

func TestLedgerConfig_validate(t *testing.T) {
	t.Parallel()
	if err := (watch.LedgerConfig{}).Validate(); err != nil {
		t.Errorf("zero config (defaults): %v", err)
	}
	err := watch.LedgerConfig{Sources: []string{"saramin", "Trends", "saramin", ""}, Window: -time.Hour, Timeout: -time.Second}.Validate()
	if err == nil {
		t.Fatal("bad config validated")
	}
	for _, want := range []string{`"Trends"`, `"saramin" is listed twice`, `""`, "window -1h0m0s", "timeout -1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := watch.NewLedger(watch.LedgerConfig{Window: -1}, watch.ReadOnlyDuckDB("x"), time.Now, nil); err == nil {
		t.Error("NewLedger accepted an invalid config")
	}
}
