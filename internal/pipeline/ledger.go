package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Ledger writes meta.pipeline_runs and meta.check_results. Rows of a run are replaced
// when the run is processed again, so the ledger shows each run's latest outcome.
type Ledger struct {
	WH      warehouse.Warehouse
	Project *models.Project
}

// RunRecord is one meta.pipeline_runs row.
type RunRecord struct {
	RunID, Source, Status, StepFailed, Error string
	StartedAt, FinishedAt                    time.Time
	Demo                                     bool
	Window                                   *[2]time.Time
	Pages, APICalls, RawRecords, DistinctIDs int64
	Quarantined                              int64
	Counts                                   RunCounts
	ChecksPassed, ChecksWarned, ChecksFailed int64
	BytesProcessed                           int64
}

// Record replaces the run's ledger rows with r and its check results.
func (l Ledger) Record(ctx context.Context, r RunRecord, checks []models.CheckResult) error {
	runs := l.Project.Model(warehouse.Table{Dataset: "meta", Name: "pipeline_runs"})
	results := l.Project.Model(warehouse.Table{Dataset: "meta", Name: "check_results"})
	if runs == nil || results == nil {
		return fmt.Errorf("ledger: meta.pipeline_runs or meta.check_results is not a model")
	}
	opts := warehouse.Options{Step: "ledger", RunID: r.RunID}
	for _, t := range []*models.Model{runs, results} {
		// The ledger tables must exist even when the run failed before the meta layer.
		stmts, err := t.Statements(l.WH)
		if err != nil {
			return err
		}
		for _, q := range stmts {
			if _, err := l.WH.Exec(ctx, q, nil, opts); err != nil {
				return fmt.Errorf("ledger: create %s: %w", t.Table, err)
			}
		}
		del := fmt.Sprintf("DELETE FROM %s WHERE run_id = %s", l.WH.Ref(t.Table), placeholder(l.WH, "run_id"))
		if _, err := l.WH.Exec(ctx, del, []warehouse.Param{{Name: "run_id", Value: r.RunID}}, opts); err != nil {
			return fmt.Errorf("ledger: replace %s rows of %s: %w", t.Table, r.RunID, err)
		}
	}
	windowFrom, windowTo := any(warehouse.Null{Type: "TIMESTAMP"}), any(warehouse.Null{Type: "TIMESTAMP"})
	if r.Window != nil {
		windowFrom, windowTo = r.Window[0], r.Window[1]
	}
	row := []warehouse.Param{
		{Name: "run_id", Value: r.RunID}, {Name: "source", Value: r.Source}, {Name: "status", Value: r.Status},
		{Name: "step_failed", Value: nullString(r.StepFailed)}, {Name: "error", Value: nullString(r.Error)},
		{Name: "started_at", Value: r.StartedAt}, {Name: "finished_at", Value: r.FinishedAt},
		{Name: "duration_ms", Value: r.FinishedAt.Sub(r.StartedAt).Milliseconds()}, {Name: "demo", Value: r.Demo},
		{Name: "window_from", Value: windowFrom}, {Name: "window_to", Value: windowTo},
		{Name: "pages", Value: r.Pages}, {Name: "api_calls", Value: r.APICalls}, {Name: "raw_records", Value: r.RawRecords},
		{Name: "distinct_ids", Value: r.DistinctIDs}, {Name: "quarantined_pages", Value: r.Quarantined},
		{Name: "staging_rows", Value: r.Counts.StagingRows}, {Name: "external_upserts", Value: r.Counts.ExternalUpserts},
		{Name: "rejected_rows", Value: r.Counts.RejectedRows}, {Name: "duplicate_rows", Value: r.Counts.DuplicateRows},
		{Name: "core_rows", Value: r.Counts.CoreRows}, {Name: "checks_passed", Value: r.ChecksPassed},
		{Name: "checks_warned", Value: r.ChecksWarned}, {Name: "checks_failed", Value: r.ChecksFailed},
		{Name: "bytes_processed", Value: r.BytesProcessed}, {Name: "recorded_at", Value: time.Now().UTC()},
	}
	if _, err := l.WH.Exec(ctx, runs.Insert(l.WH), row, opts); err != nil {
		return fmt.Errorf("ledger: record run %s: %w", r.RunID, err)
	}
	for _, c := range checks {
		p := []warehouse.Param{
			{Name: "run_id", Value: r.RunID}, {Name: "layer", Value: c.Check.Layer}, {Name: "check_name", Value: c.Check.Name},
			{Name: "model", Value: nullString(c.Check.Model)}, {Name: "severity", Value: c.Check.Severity},
			{Name: "status", Value: c.Status}, {Name: "observed", Value: c.Observed}, {Name: "description", Value: c.Check.Description},
			{Name: "message", Value: nullString(c.Message)}, {Name: "sample_json", Value: nullString(c.Sample)},
			{Name: "duration_ms", Value: c.Duration.Milliseconds()}, {Name: "bytes_processed", Value: c.Bytes},
			{Name: "checked_at", Value: c.At},
		}
		if _, err := l.WH.Exec(ctx, results.Insert(l.WH), p, opts); err != nil {
			return fmt.Errorf("ledger: record check %s: %w", c.Check.Name, err)
		}
	}
	return nil
}

// Tally counts passed, warned and failed checks; a failed warn check is "warned".
func Tally(checks []models.CheckResult) (passed, warned, failed int64) {
	for _, c := range checks {
		switch {
		case !c.Failed():
			passed++
		case c.Check.Severity == models.SeverityWarn:
			warned++
		default:
			failed++
		}
	}
	return passed, warned, failed
}

func nullString(s string) any {
	if s == "" {
		return warehouse.Null{Type: "STRING"}
	}
	return s
}

func placeholder(wh warehouse.Warehouse, name string) string {
	if wh.Dialect() == warehouse.BigQuery {
		return "@" + name
	}
	return "$" + name
}
