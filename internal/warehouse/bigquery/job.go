package bigquery

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// cancelGrace bounds the best-effort cancellation of a job whose caller gave up.
const cancelGrace = 10 * time.Second

// JobError is a BigQuery job that ran and failed.
type JobError struct {
	JobID string
	// Reason is BigQuery's error reason, e.g. invalidQuery, bytesBilledLimitExceeded.
	Reason  string
	Message string
	// Location names where in the query or input the error is, when BigQuery says.
	Location string
	err      *bq.Error
}

func (e *JobError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "job %s failed: %s", e.JobID, e.Message)
	if e.Reason != "" {
		fmt.Fprintf(&b, " (%s", e.Reason)
		if e.Location != "" {
			fmt.Fprintf(&b, " at %s", e.Location)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap gives errors.As access to the client's *bigquery.Error.
func (e *JobError) Unwrap() error { return e.err }

// Exec runs a statement or script and waits for it to finish.
func (w *Warehouse) Exec(ctx context.Context, sql string, params []warehouse.Param, opts warehouse.Options) (warehouse.Stats, error) {
	_, stats, err := w.runQuery(ctx, sql, params, opts, false)
	if err != nil {
		return stats, wrap("exec", opts.Step, err)
	}
	return stats, nil
}

// Query runs a query and reads every row. A dry run returns the result's columns and no
// rows.
func (w *Warehouse) Query(ctx context.Context, sql string, params []warehouse.Param, opts warehouse.Options) (*warehouse.Rows, warehouse.Stats, error) {
	rows, stats, err := w.runQuery(ctx, sql, params, opts, true)
	if err != nil {
		return nil, stats, wrap("query", opts.Step, err)
	}
	return rows, stats, nil
}

func (w *Warehouse) runQuery(ctx context.Context, sql string, params []warehouse.Param, opts warehouse.Options, read bool) (*warehouse.Rows, warehouse.Stats, error) {
	start := time.Now()
	qp, err := queryParams(params)
	if err != nil {
		return nil, warehouse.Stats{}, err
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}

	q := w.client.Query(sql)
	q.Parameters = qp
	q.Labels = labels(opts)
	q.MaxBytesBilled = w.cfg.MaxBytesBilled
	q.DryRun = opts.DryRun
	// Also a server-side deadline, so that BigQuery stops a job we stopped waiting for.
	q.JobTimeout = opts.Timeout
	q.JobIDConfig = w.jobIDConfig(opts.Step)

	job, err := q.Run(ctx)
	if err != nil {
		return nil, warehouse.Stats{}, fmt.Errorf("start job: %w", err)
	}
	if opts.DryRun {
		// A dry run returns its statistics with the insert; there is nothing to wait for.
		status := job.LastStatus()
		if status == nil || status.Statistics == nil {
			return nil, warehouse.Stats{}, fmt.Errorf("dry run %s returned no statistics", job.ID())
		}
		if err := jobFailure(job, status); err != nil {
			return nil, warehouse.Stats{}, err
		}
		stats := jobStats(job, status, start)
		var rows *warehouse.Rows
		if read {
			rows = &warehouse.Rows{Columns: []string{}}
			if qs, ok := status.Statistics.Details.(*bq.QueryStatistics); ok {
				rows.Columns = columnNames(qs.Schema)
			}
		}
		return rows, stats, nil
	}
	if err := jobFailure(job, job.LastStatus()); err != nil {
		return nil, warehouse.Stats{}, err
	}
	status, err := job.Wait(ctx)
	if err != nil {
		return nil, warehouse.Stats{}, waitFailure(ctx, job, err)
	}
	if err := jobFailure(job, status); err != nil {
		return nil, warehouse.Stats{}, err
	}
	stats := jobStats(job, status, start)
	if !read {
		return nil, stats, nil
	}
	rows, err := readRows(ctx, job)
	if err != nil {
		return nil, stats, fmt.Errorf("read results of job %s: %w", job.ID(), err)
	}
	return rows, stats, nil
}

// ReplaceTable loads rows into t, replacing its contents and schema, through a CSV load
// job (free, unlike DML). Empty cells load as NULL. A dry run only checks the schema and
// the rows, as BigQuery has no dry run for loads.
func (w *Warehouse) ReplaceTable(ctx context.Context, t warehouse.Table, schema []warehouse.Column, rows [][]string, opts warehouse.Options) (warehouse.Stats, error) {
	action := "load " + t.String()
	start := time.Now()
	bqSchema, err := seedSchema(schema)
	if err != nil {
		return warehouse.Stats{}, wrap(action, opts.Step, err)
	}
	data, err := seedCSV(schema, rows)
	if err != nil {
		return warehouse.Stats{}, wrap(action, opts.Step, err)
	}
	if opts.DryRun {
		return warehouse.Stats{}, nil
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}

	src := bq.NewReaderSource(bytes.NewReader(data))
	src.SourceFormat = bq.CSV
	src.SkipLeadingRows = 1 // the header, kept so the upload reads on its own
	src.AllowQuotedNewlines = true
	src.Schema = bqSchema
	loader := w.client.Dataset(w.dataset(t.Dataset)).Table(t.Name).LoaderFrom(src)
	loader.WriteDisposition = bq.WriteTruncate
	loader.CreateDisposition = bq.CreateIfNeeded
	loader.Labels = labels(opts)
	loader.JobTimeout = opts.Timeout
	loader.JobIDConfig = w.jobIDConfig(opts.Step)

	job, err := loader.Run(ctx)
	if err != nil {
		return warehouse.Stats{}, wrap(action, opts.Step, fmt.Errorf("start job: %w", err))
	}
	status, err := job.Wait(ctx)
	if err != nil {
		return warehouse.Stats{}, wrap(action, opts.Step, waitFailure(ctx, job, err))
	}
	if err := jobFailure(job, status); err != nil {
		return warehouse.Stats{}, wrap(action, opts.Step, err)
	}
	return jobStats(job, status, start), nil
}

func (w *Warehouse) jobIDConfig(step string) bq.JobIDConfig {
	prefix := "jobpulse"
	if s := sanitizeLabel(step); s != "" {
		prefix += "_" + s
	}
	return bq.JobIDConfig{JobID: prefix, AddJobIDSuffix: true, Location: w.cfg.Location}
}

// wrap adds the action and step, once, at the package boundary.
func wrap(action, step string, err error) error {
	if step == "" {
		return fmt.Errorf("bigquery %s: %w", action, err)
	}
	return fmt.Errorf("bigquery %s (step %s): %w", action, step, err)
}

// jobFailure returns the job's own error if it finished unsuccessfully.
func jobFailure(job *bq.Job, status *bq.JobStatus) error {
	if status == nil || status.Err() == nil {
		return nil
	}
	err := status.Err()
	var be *bq.Error
	if !errors.As(err, &be) {
		return fmt.Errorf("job %s failed: %w", job.ID(), err)
	}
	return &JobError{JobID: job.ID(), Reason: be.Reason, Message: be.Message, Location: be.Location, err: be}
}

// waitFailure explains why waiting for job failed. BigQuery answers getQueryResults for
// a failed query with an HTTP error, so the job's status is consulted for the real
// reason. If the caller gave up, the job is cancelled so it stops billing.
func waitFailure(ctx context.Context, job *bq.Job, err error) error {
	if ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
		defer cancel()
		if cerr := job.Cancel(cctx); cerr != nil {
			return fmt.Errorf("wait for job %s: %w (cancelling it also failed: %v)", job.ID(), err, cerr)
		}
		return fmt.Errorf("wait for job %s (cancelled): %w", job.ID(), err)
	}
	if status, serr := job.Status(ctx); serr == nil {
		if ferr := jobFailure(job, status); ferr != nil {
			return ferr
		}
	}
	return fmt.Errorf("wait for job %s: %w", job.ID(), err)
}

// jobStats reads a finished job's statistics. Duration is BigQuery's execution time
// when it reports one, else the time since the job was submitted.
func jobStats(job *bq.Job, status *bq.JobStatus, start time.Time) warehouse.Stats {
	stats := warehouse.Stats{JobID: job.ID(), Duration: time.Since(start)}
	js := status.Statistics
	if js == nil {
		return stats
	}
	stats.BytesProcessed = js.TotalBytesProcessed
	if !js.StartTime.IsZero() && !js.EndTime.IsZero() && js.EndTime.After(js.StartTime) {
		stats.Duration = js.EndTime.Sub(js.StartTime)
	}
	switch d := js.Details.(type) {
	case *bq.QueryStatistics:
		if stats.BytesProcessed == 0 {
			stats.BytesProcessed = d.TotalBytesProcessed
		}
		stats.RowsAffected = d.NumDMLAffectedRows
	case *bq.LoadStatistics:
		stats.RowsAffected = d.OutputRows
	}
	return stats
}

// labels attribute a job's cost to the app, the pipeline step and the run.
func labels(opts warehouse.Options) map[string]string {
	l := map[string]string{"app": "jobpulse"}
	if s := sanitizeLabel(opts.Step); s != "" {
		l["step"] = s
	}
	if s := sanitizeLabel(opts.RunID); s != "" {
		l["run_id"] = s
	}
	return l
}

// sanitizeLabel fits s to BigQuery's label value rules: at most 63 lowercase letters,
// digits, underscores and dashes. Anything else becomes an underscore.
func sanitizeLabel(s string) string {
	const maxLen = 63
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() == maxLen {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// queryParams converts the engine-neutral parameters, reporting every bad one.
func queryParams(params []warehouse.Param) ([]bq.QueryParameter, error) {
	var (
		out  []bq.QueryParameter
		errs []error
	)
	for _, p := range params {
		if p.Name == "" || strings.ContainsAny(p.Name[:1], "@$") {
			errs = append(errs, fmt.Errorf("parameter name %q: give the bare name, without @ or $", p.Name))
			continue
		}
		var v any
		switch pv := p.Value.(type) {
		case string, int64, float64, bool, time.Time, []string, []int64:
			v = pv
		case warehouse.Date:
			d, err := civil.ParseDate(string(pv))
			if err != nil {
				errs = append(errs, fmt.Errorf("parameter @%s: date %q is not YYYY-MM-DD", p.Name, string(pv)))
				continue
			}
			v = d
		case warehouse.Null:
			// A typed NULL: the client cannot infer a type from nil.
			null, ok := map[string]any{
				"STRING": bq.NullString{}, "INT64": bq.NullInt64{}, "INTEGER": bq.NullInt64{},
				"FLOAT64": bq.NullFloat64{}, "FLOAT": bq.NullFloat64{}, "BOOL": bq.NullBool{}, "BOOLEAN": bq.NullBool{},
				"TIMESTAMP": bq.NullTimestamp{}, "DATE": bq.NullDate{},
			}[strings.ToUpper(pv.Type)]
			if !ok {
				errs = append(errs, fmt.Errorf("parameter @%s: NULL of unsupported type %q", p.Name, pv.Type))
				continue
			}
			v = null
		default:
			errs = append(errs, fmt.Errorf("parameter @%s: unsupported type %T (want string, int64, float64, bool, time.Time, warehouse.Date, warehouse.Null, []string or []int64)", p.Name, p.Value))
			continue
		}
		out = append(out, bq.QueryParameter{Name: p.Name, Value: v})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// seedTypes maps the column types seeds may use (and their legacy aliases) to BigQuery.
var seedTypes = map[string]bq.FieldType{
	"STRING":    bq.StringFieldType,
	"INT64":     bq.IntegerFieldType,
	"INTEGER":   bq.IntegerFieldType,
	"FLOAT64":   bq.FloatFieldType,
	"FLOAT":     bq.FloatFieldType,
	"BOOL":      bq.BooleanFieldType,
	"BOOLEAN":   bq.BooleanFieldType,
	"TIMESTAMP": bq.TimestampFieldType,
	"DATE":      bq.DateFieldType,
	"JSON":      bq.JSONFieldType,
}

// seedSchema converts a seed's columns, reporting every problem.
func seedSchema(cols []warehouse.Column) (bq.Schema, error) {
	if len(cols) == 0 {
		return nil, errors.New("schema has no columns")
	}
	var (
		schema bq.Schema
		errs   []error
		seen   = map[string]bool{}
	)
	for i, c := range cols {
		if c.Name == "" {
			errs = append(errs, fmt.Errorf("column %d has no name", i+1))
			continue
		}
		// BigQuery column names are case-insensitive.
		if key := strings.ToLower(c.Name); seen[key] {
			errs = append(errs, fmt.Errorf("column %s appears twice", c.Name))
		} else {
			seen[key] = true
		}
		typ, ok := seedTypes[strings.ToUpper(c.Type)]
		if !ok {
			errs = append(errs, fmt.Errorf("column %s: type %q is not one of STRING, INT64, FLOAT64, BOOL, TIMESTAMP, DATE, JSON", c.Name, c.Type))
		}
		f := &bq.FieldSchema{Name: c.Name, Type: typ, Description: c.Description}
		switch strings.ToUpper(c.Mode) {
		case "", "NULLABLE":
		case "REQUIRED":
			f.Required = true
		case "REPEATED":
			errs = append(errs, fmt.Errorf("column %s: REPEATED is not allowed in a seed (CSV has no arrays)", c.Name))
		default:
			errs = append(errs, fmt.Errorf("column %s: mode %q is not NULLABLE, REQUIRED or REPEATED", c.Name, c.Mode))
		}
		schema = append(schema, f)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return schema, nil
}

// seedCSV renders a header and the rows. encoding/csv leaves empty cells unquoted,
// which BigQuery loads as NULL.
func seedCSV(cols []warehouse.Column, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	var errs []error
	for i, r := range rows {
		if len(r) != len(cols) {
			errs = append(errs, fmt.Errorf("row %d has %d cells, the schema %d columns", i+1, len(r), len(cols)))
			continue
		}
		if err := cw.Write(r); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
