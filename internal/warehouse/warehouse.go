// Package warehouse is the SQL engine the models run on: one small interface with a
// DuckDB adapter (the embedded default) and a BigQuery adapter (production).
package warehouse

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Dialect names the SQL flavour an engine speaks.
type Dialect string

// Dialects.
const (
	BigQuery Dialect = "bigquery"
	DuckDB   Dialect = "duckdb"
)

// Datasets are the layers (BigQuery datasets, DuckDB schemas), in build order.
var Datasets = []string{"meta", "staging", "external", "core"}

// Param is a named query parameter (@name in BigQuery, $name in DuckDB). Value is one
// of string, int64, float64, bool, time.Time (TIMESTAMP), Date, Null, []string or
// []int64.
type Param struct {
	Name  string
	Value any
}

// Null is a typed NULL parameter (BigQuery needs the type): Null{Type: "STRING"}.
type Null struct{ Type string }

// Date is a calendar date parameter (BigQuery DATE), e.g. "2026-11-21".
type Date string

// Options shape one job.
type Options struct {
	// Step and RunID become job labels (BigQuery) for cost attribution.
	Step  string
	RunID string
	// Timeout bounds the job; 0 means the engine's default.
	Timeout time.Duration
	// DryRun validates and estimates bytes without running (BigQuery); DuckDB only
	// prepares the statement.
	DryRun bool
}

// Stats describe a finished job.
type Stats struct {
	JobID          string
	BytesProcessed int64
	RowsAffected   int64
	Duration       time.Duration
}

// Rows is a fully read result. Values are plain Go values, the same on every engine:
// nil, string, int64, float64, bool, time.Time (TIMESTAMP, UTC), "YYYY-MM-DD" strings
// (DATE) and []any (ARRAY).
type Rows struct {
	Columns []string
	Values  [][]any
}

// Column is one column of a table schema, in BigQuery's terms.
type Column struct {
	Name        string
	Type        string // STRING, INT64, FLOAT64, BOOL, TIMESTAMP, DATE, JSON
	Mode        string // NULLABLE, REQUIRED or REPEATED
	Description string
}

// EmbeddedType is the embedded (DuckDB) type of a BigQuery column. It lives here, in
// pure Go, so that rendering the embedded dialect never needs the cgo adapter.
func EmbeddedType(c Column) string {
	t := map[string]string{
		"STRING": "VARCHAR", "INT64": "BIGINT", "INTEGER": "BIGINT", "FLOAT64": "DOUBLE", "FLOAT": "DOUBLE",
		"BOOL": "BOOLEAN", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMPTZ", "DATE": "DATE", "JSON": "JSON",
	}[strings.ToUpper(c.Type)]
	if t == "" {
		t = c.Type
	}
	if strings.EqualFold(c.Mode, "REPEATED") {
		t += "[]"
	}
	return t
}

// Table names a table in a dataset (layer).
type Table struct {
	Dataset string
	Name    string
}

func (t Table) String() string { return t.Dataset + "." + t.Name }

// BigQueryRef is the quoted BigQuery reference of t in project, with datasets named
// prefix+layer: `project.jobpulse_core.recruit`.
func BigQueryRef(project, prefix string, t Table) string {
	return "`" + project + "." + prefix + t.Dataset + "." + t.Name + "`"
}

// Warehouse is what the model runner, the ledger and the CLI need from an engine.
type Warehouse interface {
	Dialect() Dialect
	// Ref renders a table reference in the engine's syntax (quoted, project- and
	// prefix-qualified in BigQuery).
	Ref(t Table) string
	// EnsureDatasets creates the layer datasets/schemas if missing.
	EnsureDatasets(ctx context.Context) error
	// Exec runs a statement or script.
	Exec(ctx context.Context, sql string, params []Param, opts Options) (Stats, error)
	// Query runs a query and reads every row.
	Query(ctx context.Context, sql string, params []Param, opts Options) (*Rows, Stats, error)
	// ReplaceTable creates or replaces t with schema and rows (seeds; string cells, ""
	// is NULL).
	ReplaceTable(ctx context.Context, t Table, schema []Column, rows [][]string, opts Options) (Stats, error)
	// ExternalURIs returns the URI pattern and hive prefix under which the engine reads a
	// lake prefix, e.g. gs://bucket/clean/saramin_postings/* (BigQuery) or a local glob.
	ExternalURIs(lakePrefix string) (pattern, hivePrefix string, err error)
	Close() error
}

// ErrNoExternalData is returned by ExternalURIs when the lake prefix holds no files
// yet (DuckDB cannot define a view over an empty glob).
var ErrNoExternalData = errors.New("warehouse: no files under the lake prefix yet")

// ErrReadOnly is returned by engines opened read-only for statements that write.
var ErrReadOnly = errors.New("warehouse: read-only")
