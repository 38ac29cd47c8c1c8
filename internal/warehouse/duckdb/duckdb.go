// Package duckdb is the embedded warehouse: DuckDB in one file under the data
// directory, reading the lake's clean NDJSON in place. It speaks the models' BigQuery
// SQL through a compatibility prelude.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

//go:embed prelude.sql
var prelude string

// Warehouse is a DuckDB database file.
type Warehouse struct {
	db       *sql.DB
	lakeRoot string
	readOnly bool
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// Config opens a warehouse.
type Config struct {
	// Path is the database file; "" is an in-memory database (tests).
	Path string
	// LakeRoot is the local lake directory the staging views read.
	LakeRoot string
	// ReadOnly opens the file for queries only (jobpulse sql query).
	ReadOnly bool
}

// ParseURL reads duckdb://PATH (PATH relative or absolute).
func ParseURL(s string) (string, error) {
	path, ok := strings.CutPrefix(s, "duckdb://")
	if !ok || path == "" {
		return "", fmt.Errorf("warehouse %q: want duckdb://PATH", s)
	}
	return path, nil
}

// Open opens (creating if needed) the database and installs the prelude.
func Open(ctx context.Context, cfg Config) (*Warehouse, error) {
	dsn := cfg.Path
	if dsn != "" {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o755); err != nil {
			return nil, fmt.Errorf("open duckdb %s: %w", dsn, err)
		}
		if cfg.ReadOnly {
			dsn += "?access_mode=read_only"
		}
	}
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		// Session settings live per connection; the macros and types are catalog
		// entries, created once below.
		_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		// Another process holds the file (a running pipeline, or a reader while we
		// want to write). DuckDB's message names that process; keep it.
		var de *duckdb.Error
		if errors.As(err, &de) && de.Type == duckdb.ErrorTypeIO && strings.Contains(de.Msg, "Could not set lock on file") {
			return nil, fmt.Errorf("open duckdb %s: %w (%w)", cfg.Path, err, warehouse.ErrLocked)
		}
		return nil, fmt.Errorf("open duckdb %s: %w", cfg.Path, err)
	}
	db := sql.OpenDB(connector)
	w := &Warehouse{db: db, lakeRoot: cfg.LakeRoot, readOnly: cfg.ReadOnly}
	if !cfg.ReadOnly {
		if _, err := db.ExecContext(ctx, prelude); err != nil {
			db.Close()
			return nil, fmt.Errorf("install the BigQuery compatibility prelude: %w", err)
		}
	}
	return w, nil
}

// DB exposes the connection for tests and benchmarks.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Dialect implements warehouse.Warehouse.
func (w *Warehouse) Dialect() warehouse.Dialect { return warehouse.DuckDB }

// Ref implements warehouse.Warehouse: datasets are schemas.
func (w *Warehouse) Ref(t warehouse.Table) string { return t.Dataset + "." + t.Name }

// EnsureDatasets implements warehouse.Warehouse.
func (w *Warehouse) EnsureDatasets(ctx context.Context) error {
	for _, d := range warehouse.Datasets {
		if _, err := w.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+d); err != nil {
			return fmt.Errorf("create schema %s: %w", d, err)
		}
	}
	return nil
}

// Exec implements warehouse.Warehouse.
func (w *Warehouse) Exec(ctx context.Context, q string, params []warehouse.Param, opts warehouse.Options) (warehouse.Stats, error) {
	ctx, cancel := withTimeout(ctx, opts.Timeout)
	defer cancel()
	start := time.Now()
	if opts.DryRun {
		stmt, err := w.db.PrepareContext(ctx, q)
		if err != nil {
			return warehouse.Stats{}, fmt.Errorf("duckdb %s (dry run): %w", opts.Step, err)
		}
		return warehouse.Stats{Duration: time.Since(start)}, stmt.Close()
	}
	res, err := w.db.ExecContext(ctx, q, args(params)...)
	if err != nil {
		return warehouse.Stats{}, fmt.Errorf("duckdb %s: %w", opts.Step, err)
	}
	n, _ := res.RowsAffected()
	return warehouse.Stats{RowsAffected: n, Duration: time.Since(start)}, nil
}

// Query implements warehouse.Warehouse.
func (w *Warehouse) Query(ctx context.Context, q string, params []warehouse.Param, opts warehouse.Options) (*warehouse.Rows, warehouse.Stats, error) {
	ctx, cancel := withTimeout(ctx, opts.Timeout)
	defer cancel()
	start := time.Now()
	rows, err := w.db.QueryContext(ctx, q, args(params)...)
	if err != nil {
		return nil, warehouse.Stats{}, fmt.Errorf("duckdb %s: %w", opts.Step, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, warehouse.Stats{}, fmt.Errorf("duckdb %s: %w", opts.Step, err)
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, warehouse.Stats{}, fmt.Errorf("duckdb %s: %w", opts.Step, err)
	}
	out := &warehouse.Rows{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, warehouse.Stats{}, fmt.Errorf("duckdb %s: scan: %w", opts.Step, err)
		}
		for i, v := range vals {
			vals[i] = plain(v)
			// DATE arrives as a time.Time at midnight; Rows carries dates as strings,
			// as BigQuery's adapter does.
			if t, ok := vals[i].(time.Time); ok && types[i].DatabaseTypeName() == "DATE" {
				vals[i] = t.Format("2006-01-02")
			}
		}
		out.Values = append(out.Values, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, warehouse.Stats{}, fmt.Errorf("duckdb %s: %w", opts.Step, err)
	}
	return out, warehouse.Stats{Duration: time.Since(start)}, nil
}

// ReplaceTable implements warehouse.Warehouse with a typed table and one prepared
// INSERT per row (seeds are small).
func (w *Warehouse) ReplaceTable(ctx context.Context, t warehouse.Table, schema []warehouse.Column, rows [][]string, opts warehouse.Options) (warehouse.Stats, error) {
	start := time.Now()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return warehouse.Stats{}, fmt.Errorf("replace %s: %w", t, err)
	}
	defer tx.Rollback()
	cols := make([]string, len(schema))
	marks := make([]string, len(schema))
	for i, c := range schema {
		cols[i] = c.Name + " " + Type(c)
		marks[i] = fmt.Sprintf("CAST(? AS %s)", Type(c))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", w.Ref(t), strings.Join(cols, ", "))); err != nil {
		return warehouse.Stats{}, fmt.Errorf("replace %s: %w", t, err)
	}
	stmt, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (%s)", w.Ref(t), strings.Join(marks, ", ")))
	if err != nil {
		return warehouse.Stats{}, fmt.Errorf("replace %s: %w", t, err)
	}
	defer stmt.Close()
	for n, r := range rows {
		if len(r) != len(schema) {
			return warehouse.Stats{}, fmt.Errorf("replace %s: row %d has %d cells, want %d", t, n+1, len(r), len(schema))
		}
		vals := make([]any, len(r))
		for i, cell := range r {
			if cell != "" {
				vals[i] = cell
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return warehouse.Stats{}, fmt.Errorf("replace %s: row %d: %w", t, n+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return warehouse.Stats{}, fmt.Errorf("replace %s: %w", t, err)
	}
	return warehouse.Stats{RowsAffected: int64(len(rows)), Duration: time.Since(start)}, nil
}

// ExternalURIs implements warehouse.Warehouse for a local lake: a glob over the hive
// partitions dt=…/run=…/.
func (w *Warehouse) ExternalURIs(lakePrefix string) (string, string, error) {
	if w.lakeRoot == "" {
		return "", "", errors.New("the DuckDB warehouse reads a local lake: set JOBPULSE_LAKE=file://… (a gs:// lake needs the BigQuery warehouse)")
	}
	root := filepath.Join(w.lakeRoot, filepath.FromSlash(strings.Trim(lakePrefix, "/")))
	pattern := filepath.Join(root, "*", "*", "*.ndjson")
	if m, _ := filepath.Glob(pattern); len(m) == 0 {
		return pattern, root, warehouse.ErrNoExternalData
	}
	return pattern, root, nil
}

// Close implements warehouse.Warehouse.
func (w *Warehouse) Close() error { return w.db.Close() }

// Type maps a BigQuery column type to DuckDB's.
func Type(c warehouse.Column) string { return warehouse.EmbeddedType(c) }

func args(params []warehouse.Param) []any {
	out := make([]any, 0, len(params))
	for _, p := range params {
		v := p.Value
		switch x := v.(type) {
		case warehouse.Date:
			v = string(x)
		case warehouse.Null:
			v = nil
		}
		out = append(out, sql.Named(p.Name, v))
	}
	return out
}

// plain converts driver values to the plain Go values warehouse.Rows promises.
func plain(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		return x.Int64()
	case duckdb.Decimal:
		return x.Float64()
	}
	return v
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
