package pipeline

import (
	"context"
	"fmt"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Status returns the status of the run's row in meta.pipeline_runs (success, failed,
// no_new_postings or quota_exhausted) and whether there is one. It creates the layer
// datasets and the ledger table when they are missing, so that the first run of a
// fresh project reads "no row" rather than an error.
func (l Ledger) Status(ctx context.Context, runID string) (status string, found bool, err error) {
	runs := l.Project.Model(warehouse.Table{Dataset: "meta", Name: "pipeline_runs"})
	if runs == nil {
		return "", false, fmt.Errorf("ledger: meta.pipeline_runs is not a model")
	}
	if err := l.WH.EnsureDatasets(ctx); err != nil {
		return "", false, fmt.Errorf("ledger: %w", err)
	}
	stmts, err := runs.Statements(l.WH)
	if err != nil {
		return "", false, err
	}
	opts := warehouse.Options{Step: "ledger_status", RunID: runID}
	for _, q := range stmts {
		if _, err := l.WH.Exec(ctx, q, nil, opts); err != nil {
			return "", false, fmt.Errorf("ledger: create %s: %w", runs.Table, err)
		}
	}
	q := fmt.Sprintf("SELECT status FROM %s WHERE run_id = %s ORDER BY recorded_at DESC LIMIT 1",
		l.WH.Ref(runs.Table), placeholder(l.WH, "run_id"))
	rows, _, err := l.WH.Query(ctx, q, []warehouse.Param{{Name: "run_id", Value: runID}}, opts)
	if err != nil {
		return "", false, fmt.Errorf("ledger: status of %s: %w", runID, err)
	}
	if len(rows.Values) == 0 || len(rows.Values[0]) == 0 {
		return "", false, nil
	}
	status, _ = rows.Values[0][0].(string)
	return status, true, nil
}
