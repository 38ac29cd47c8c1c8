package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Vars are the run's values; models and checks see them as query parameters.
type Vars struct {
	Source      string
	RunID       string
	DT          string // the run's partition date, YYYY-MM-DD
	RawRecords  int64
	ProcessedAt time.Time
}

// params are the standard parameters; a statement receives those it names.
func (v Vars) params(lookbackDays int) []warehouse.Param {
	dt, _ := time.Parse("2006-01-02", v.DT)
	return []warehouse.Param{
		{Name: "source", Value: v.Source},
		{Name: "run_id", Value: v.RunID},
		{Name: "dt", Value: warehouse.Date(v.DT)},
		{Name: "raw_records", Value: v.RawRecords},
		{Name: "processed_at", Value: v.ProcessedAt},
		{Name: "as_of", Value: v.ProcessedAt},
		{Name: "trailing_since", Value: v.ProcessedAt.Add(-7 * 24 * time.Hour)},
		{Name: "merge_since", Value: warehouse.Date(dt.AddDate(0, 0, -lookbackDays).Format("2006-01-02"))},
	}
}

var paramRef = regexp.MustCompile(`[@$]([A-Za-z_][A-Za-z0-9_]*)`)

// used keeps the parameters a statement names: engines reject unknown ones.
func used(sql string, all []warehouse.Param) []warehouse.Param {
	names := map[string]bool{}
	for _, m := range paramRef.FindAllStringSubmatch(sql, -1) {
		names[m[1]] = true
	}
	var out []warehouse.Param
	for _, p := range all {
		if names[p.Name] {
			out = append(out, p)
		}
	}
	return out
}

// Runner builds layers and runs their checks on one warehouse.
type Runner struct {
	WH      warehouse.Warehouse
	Project *Project
	Logger  *slog.Logger
	// CheckTimeout bounds each check; a check that runs out of time fails.
	CheckTimeout time.Duration
}

// LayerResult is one layer's build.
type LayerResult struct {
	Layer    string
	Models   []string
	Checks   []CheckResult
	Bytes    int64
	Duration time.Duration
}

// Blocked reports whether an error-severity check failed: the next layer must not run.
func (l LayerResult) Blocked() bool {
	for _, c := range l.Checks {
		if c.Blocking() {
			return true
		}
	}
	return false
}

// Check statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"  // violations found
	StatusError = "error" // the check itself failed: an error, a timeout or no result
)

// CheckResult is one check's outcome.
type CheckResult struct {
	Check    *Check
	Status   string
	Observed int64
	Message  string
	Sample   string // JSON array of up to 5 rows
	Bytes    int64
	Duration time.Duration
	At       time.Time
}

// Failed is true for anything but a pass: checks fail closed.
func (c CheckResult) Failed() bool { return c.Status != StatusPass }

// Blocking is a failed error-severity check.
func (c CheckResult) Blocking() bool { return c.Failed() && c.Check.Severity == SeverityError }

// BuildLayer materializes every model of layer that serves the run's source (seeds too,
// for meta), then runs the layer's checks for that source. The error is for a build that
// failed; failed checks are in the result.
func (r *Runner) BuildLayer(ctx context.Context, layer string, v Vars) (LayerResult, error) {
	start := time.Now()
	res := LayerResult{Layer: layer}
	if layer == "meta" {
		if err := r.WH.EnsureDatasets(ctx); err != nil {
			return res, err
		}
		for _, s := range r.Project.Seeds {
			st, err := r.WH.ReplaceTable(ctx, s.Table, s.Columns, s.Rows, warehouse.Options{Step: "seed_" + s.Table.Name, RunID: v.RunID})
			if err != nil {
				return res, fmt.Errorf("load seed %s: %w", s.Table, err)
			}
			res.Bytes += st.BytesProcessed
			res.Models = append(res.Models, s.Table.String())
		}
	}
	for _, m := range r.Project.Models {
		if m.Table.Dataset != layer {
			continue
		}
		if !m.ForSource(v.Source) {
			if err := r.ensure(ctx, m, v); err != nil {
				return res, err
			}
			continue
		}
		b, err := r.build(ctx, m, v)
		if err != nil {
			return res, err
		}
		res.Bytes += b
		res.Models = append(res.Models, m.Table.String())
	}
	res.Checks = r.RunChecks(ctx, layer, v)
	for _, c := range res.Checks {
		res.Bytes += c.Bytes
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (r *Runner) build(ctx context.Context, m *Model, v Vars) (int64, error) {
	stmts, err := m.Statements(r.WH)
	if err != nil {
		return 0, err
	}
	all := v.params(m.Config.MergeLookbackDays)
	if r.WH.Dialect() == warehouse.BigQuery && len(stmts) > 1 {
		// One script, one job: BigQuery jobs have seconds of overhead each.
		stmts = []string{strings.Join(stmts, ";\n") + ";"}
	}
	var bytes int64
	for _, q := range stmts {
		st, err := r.WH.Exec(ctx, q, used(q, all), warehouse.Options{Step: "build_" + m.Table.Dataset + "_" + m.Table.Name, RunID: v.RunID})
		if err != nil {
			return bytes, fmt.Errorf("build %s: %w", m.Table, err)
		}
		bytes += st.BytesProcessed
	}
	r.Logger.DebugContext(ctx, "model built", "model", m.Table.String(), "materialized", m.Config.Materialized)
	return bytes, nil
}

// ensure creates the (empty) table of a model that serves other sources.
func (r *Runner) ensure(ctx context.Context, m *Model, v Vars) error {
	for _, q := range m.EnsureStatements(r.WH) {
		if _, err := r.WH.Exec(ctx, q, nil, warehouse.Options{Step: "ensure_" + m.Table.Dataset + "_" + m.Table.Name, RunID: v.RunID}); err != nil {
			return fmt.Errorf("ensure %s: %w", m.Table, err)
		}
	}
	return nil
}

// RunChecks runs every check of layer that serves the run's source. A check never errors
// the run by itself: its failure is its result.
func (r *Runner) RunChecks(ctx context.Context, layer string, v Vars) []CheckResult {
	var out []CheckResult
	for _, c := range r.Project.Checks {
		if c.Layer == layer && c.ForSource(v.Source) {
			out = append(out, r.runCheck(ctx, c, v))
		}
	}
	return out
}

func (r *Runner) runCheck(ctx context.Context, c *Check, v Vars) (res CheckResult) {
	res = CheckResult{Check: c, At: time.Now().UTC()}
	start := time.Now()
	defer func() {
		res.Duration = time.Since(start)
		lvl := slog.LevelDebug
		if res.Failed() {
			lvl = slog.LevelWarn
		}
		r.Logger.Log(ctx, lvl, "check", "check", c.Name, "layer", c.Layer, "severity", c.Severity, "status", res.Status, "observed", res.Observed, "message", res.Message)
	}()
	q, err := c.SQL(r.WH)
	if err != nil {
		res.Status, res.Message = StatusError, "render: "+err.Error()
		return res
	}
	all := append(v.params(0), c.params...)
	if c.freshHours > 0 {
		all = append(all, warehouse.Param{Name: fmt.Sprintf("freshness_cutoff_%dh", c.freshHours), Value: v.ProcessedAt.Add(-time.Duration(c.freshHours) * time.Hour)})
	}
	opts := warehouse.Options{Step: "check_" + c.Name, RunID: v.RunID, Timeout: r.CheckTimeout}
	query := func(sql string) (*warehouse.Rows, error) {
		rows, st, err := r.WH.Query(ctx, sql, used(sql, all), opts)
		res.Bytes += st.BytesProcessed
		if errors.Is(err, context.DeadlineExceeded) || (err != nil && ctx.Err() == nil && strings.Contains(err.Error(), "context deadline exceeded")) {
			return nil, fmt.Errorf("timed out after %s: %w", r.CheckTimeout, err)
		}
		return rows, err
	}

	if c.Kind == KindAssert {
		rows, err := query(q)
		if err != nil {
			res.Status, res.Message = StatusError, err.Error()
			return res
		}
		if rows == nil || len(rows.Values) == 0 {
			res.Status, res.Message = StatusError, "no result: the assertion returned no row"
			return res
		}
		ok := -1
		for i, col := range rows.Columns {
			if strings.EqualFold(col, "ok") {
				ok = i
			}
		}
		if ok < 0 {
			res.Status, res.Message = StatusError, "no result: the assertion has no ok column"
			return res
		}
		for _, row := range rows.Values {
			if b, isBool := row[ok].(bool); !isBool || !b {
				res.Observed++ // NULL counts as false
			}
		}
		res.Sample = sample(rows)
		if res.Observed > 0 {
			res.Status, res.Message = StatusFail, fmt.Sprintf("%d of %d assertion rows are not ok", res.Observed, len(rows.Values))
			return res
		}
		res.Status = StatusPass
		return res
	}

	rows, err := query("SELECT COUNT(*) AS violations FROM (\n" + q + "\n) AS c")
	if err != nil {
		res.Status, res.Message = StatusError, err.Error()
		return res
	}
	if rows == nil || len(rows.Values) != 1 || len(rows.Values[0]) != 1 {
		res.Status, res.Message = StatusError, "no result: the count returned no row"
		return res
	}
	n, isInt := rows.Values[0][0].(int64)
	if !isInt {
		res.Status, res.Message = StatusError, fmt.Sprintf("no result: count is %T", rows.Values[0][0])
		return res
	}
	res.Observed = n
	if n == 0 {
		res.Status = StatusPass
		return res
	}
	res.Status, res.Message = StatusFail, fmt.Sprintf("%d violating rows", n)
	if s, err := query("SELECT * FROM (\n" + q + "\n) AS c LIMIT 5"); err == nil {
		res.Sample = sample(s)
	}
	return res
}

// sample renders up to 5 rows as a JSON array of objects.
func sample(rows *warehouse.Rows) string {
	var objs []map[string]any
	for i, row := range rows.Values {
		if i == 5 {
			break
		}
		o := map[string]any{}
		for j, col := range rows.Columns {
			if s, ok := row[j].(string); ok && len(s) > 300 {
				row[j] = s[:300] + "…"
			}
			o[col] = row[j]
		}
		objs = append(objs, o)
	}
	b, _ := json.Marshal(objs)
	return string(b)
}

// Insert is a parameterized INSERT of one row into an ensure/incremental model (the
// ledger tables): every declared column is a parameter of the same name.
func (m *Model) Insert(target Target) string {
	cols := m.columnNames()
	marks := make([]string, len(cols))
	for i, c := range cols {
		marks[i] = placeholder(target.Dialect() == warehouse.BigQuery, c)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", target.Ref(m.Table), strings.Join(cols, ", "), strings.Join(marks, ", "))
}
