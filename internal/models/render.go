package models

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Target is what rendering needs from an engine. A warehouse.Warehouse is one; so is
// StaticTarget, for rendering without a connection (sql render, golden files).
type Target interface {
	Dialect() warehouse.Dialect
	Ref(t warehouse.Table) string
	ExternalURIs(lakePrefix string) (pattern, hivePrefix string, err error)
}

// StaticTarget renders for a dialect without an engine.
type StaticTarget struct {
	D             warehouse.Dialect
	Project       string // BigQuery
	DatasetPrefix string // BigQuery
	LakeURL       string // gs://bucket/prefix (BigQuery) or a local directory (DuckDB)
}

// Dialect implements Target.
func (s StaticTarget) Dialect() warehouse.Dialect { return s.D }

// Ref implements Target.
func (s StaticTarget) Ref(t warehouse.Table) string {
	if s.D == warehouse.BigQuery {
		return warehouse.BigQueryRef(s.Project, s.DatasetPrefix, t)
	}
	return t.String()
}

// ExternalURIs implements Target.
func (s StaticTarget) ExternalURIs(prefix string) (string, string, error) {
	root := strings.TrimRight(s.LakeURL, "/") + "/" + strings.Trim(prefix, "/")
	if s.D == warehouse.BigQuery {
		return root + "/*.ndjson", root, nil
	}
	return root + "/*/*/*.ndjson", root, nil
}

// recorder is the Target used once at load time to collect references.
type recorder struct{ refs map[warehouse.Table]bool }

func (r recorder) Dialect() warehouse.Dialect { return warehouse.BigQuery }
func (r recorder) Ref(t warehouse.Table) string {
	r.refs[t] = true
	return t.String()
}
func (r recorder) ExternalURIs(string) (string, string, error) { return "", "", nil }

// parseTemplate parses a model or check body. The helpers exist only where BigQuery
// and DuckDB syntax differs; they name identifiers and types, never values.
func parseTemplate(name, body string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"ref": func(string) string { return "" }, "this": func() string { return "" },
		"param": func(string) string { return "" }, "safe_cast": func(string, string) string { return "" },
		"date_trunc": func(string, string) string { return "" }, "except": func(...string) string { return "" },
		"first": func(string) string { return "" }, "in_array": func(string, string) string { return "" },
		"unnest": func(string, string) string { return "" },
	}).Parse(body)
	if err != nil {
		return nil, fmt.Errorf("%s: template: %w", name, err)
	}
	return t, nil
}

func funcs(target Target, self warehouse.Table) template.FuncMap {
	bq := target.Dialect() == warehouse.BigQuery
	return template.FuncMap{
		// ref "layer.table" names another model or seed.
		"ref": func(name string) (string, error) {
			layer, table, ok := strings.Cut(name, ".")
			if !ok {
				return "", fmt.Errorf("ref %q: want layer.table", name)
			}
			return target.Ref(warehouse.Table{Dataset: layer, Name: table}), nil
		},
		"this": func() string { return target.Ref(self) },
		// param "name" is a query parameter placeholder.
		"param": func(name string) string {
			if bq {
				return "@" + name
			}
			return "$" + name
		},
		"safe_cast": func(expr, typ string) string {
			if bq {
				return fmt.Sprintf("SAFE_CAST(%s AS %s)", expr, typ)
			}
			return fmt.Sprintf("TRY_CAST(%s AS %s)", expr, warehouse.EmbeddedType(warehouse.Column{Type: typ}))
		},
		// date_trunc "expr" "ISOWEEK" truncates a DATE; ISOWEEK starts on Monday on
		// both engines (BigQuery's WEEK starts on Sunday, DuckDB's 'week' on Monday).
		"date_trunc": func(expr, part string) (string, error) {
			if strings.EqualFold(part, "WEEK") {
				return "", fmt.Errorf("date_trunc %s WEEK starts on Sunday in BigQuery and Monday in DuckDB: use ISOWEEK", expr)
			}
			if bq {
				return fmt.Sprintf("DATE_TRUNC(%s, %s)", expr, strings.ToUpper(part)), nil
			}
			p := strings.ToLower(part)
			if p == "isoweek" {
				p = "week"
			}
			return fmt.Sprintf("CAST(date_trunc('%s', %s) AS DATE)", p, expr), nil
		},
		// unnest "array" "alias" is a FROM item yielding one row per element.
		"unnest": func(expr, alias string) string {
			if bq {
				return fmt.Sprintf("UNNEST(%s) AS %s", expr, alias)
			}
			return fmt.Sprintf("UNNEST(%s) AS _%s(%s)", expr, alias, alias)
		},
		"except": func(cols ...string) string {
			if bq {
				return "EXCEPT(" + strings.Join(cols, ", ") + ")"
			}
			return "EXCLUDE(" + strings.Join(cols, ", ") + ")"
		},
		// in_array tests membership in an ARRAY query parameter.
		"in_array": func(expr, param string) string {
			if bq {
				return fmt.Sprintf("%s IN UNNEST(@%s)", expr, param)
			}
			return fmt.Sprintf("list_contains($%s, %s)", param, expr)
		},
		// first is an array's first element, NULL when empty.
		"first": func(expr string) string {
			if bq {
				return expr + "[SAFE_OFFSET(0)]"
			}
			return expr + "[1]"
		},
	}
}

func (m *Model) renderBody(target Target) (string, error) {
	return execTemplate(m.body, target, m.Table)
}

func execTemplate(t *template.Template, target Target, self warehouse.Table) (string, error) {
	var b bytes.Buffer
	t2, err := t.Clone()
	if err != nil {
		return "", err
	}
	if err := t2.Funcs(funcs(target, self)).Execute(&b, nil); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// Statements returns the DDL/DML that builds the model on target, in order. Incremental
// models take the parameters run_id, dt and (merge with lookback) merge_since.
func (m *Model) Statements(target Target) ([]string, error) {
	body, err := m.renderBody(target)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", m.Table, err)
	}
	bq := target.Dialect() == warehouse.BigQuery
	ref := target.Ref(m.Table)
	c := m.Config
	var out []string
	switch c.Materialized {
	case External:
		return m.external(target)
	case View:
		if bq {
			return []string{fmt.Sprintf("CREATE OR REPLACE VIEW %s\nOPTIONS (description = %s)\nAS\n%s", ref, lit(bq, c.Description), body)}, nil
		}
		return []string{fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", ref, body), fmt.Sprintf("COMMENT ON VIEW %s IS %s", ref, lit(bq, c.Description))}, nil
	case Table:
		if bq && m.typed() {
			// One statement: column descriptions inline. Separate ALTER COLUMN statements
			// would run into BigQuery's limit on table metadata updates.
			return []string{fmt.Sprintf("CREATE OR REPLACE TABLE %s (\n%s\n)%s\nOPTIONS (description = %s)\nAS\n%s", ref, m.columnDefs(target), m.layout(), lit(bq, c.Description), body)}, nil
		}
		if bq {
			out = append(out, fmt.Sprintf("CREATE OR REPLACE TABLE %s%s\nOPTIONS (description = %s)\nAS\n%s", ref, m.layout(), lit(bq, c.Description), body))
		} else {
			out = append(out, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", ref, body))
		}
		return append(out, m.describe(target)...), nil
	case Ensure:
		return append(append([]string{m.create(target)}, m.addColumns(target)...), m.describe(target)...), nil
	case Incremental:
		out = append(out, m.create(target))
		out = append(out, m.addColumns(target)...)
		if !bq {
			out = append(out, m.describe(target)...)
		}
		if c.Strategy == "delete_insert" {
			cols := m.columnNames()
			return append(out,
				fmt.Sprintf("DELETE FROM %s WHERE %s = %s", ref, c.DeleteBy, placeholder(bq, "run_id")),
				fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s FROM (\n%s\n) AS s", ref, strings.Join(cols, ", "), strings.Join(cols, ", "), body)), nil
		}
		return append(out, m.merge(target, body)), nil
	}
	return nil, fmt.Errorf("render %s: unknown materialization %q", m.Table, c.Materialized)
}

// EnsureStatements create the model's table when it is absent, without filling it: a
// table of another source's run, so that models reading it (core.market_signals reads
// every source's marts) build on a fresh warehouse whatever source ran first. Views,
// external tables and untyped tables have none.
func (m *Model) EnsureStatements(target Target) []string {
	switch {
	case m.Config.Materialized == Incremental || m.Config.Materialized == Ensure:
		return append([]string{m.create(target)}, m.addColumns(target)...)
	case m.Config.Materialized == Table && m.typed():
		return []string{m.create(target)}
	}
	return nil
}

func (m *Model) layout() string {
	s := ""
	if m.Config.PartitionBy != "" {
		s += "\nPARTITION BY " + m.Config.PartitionBy
	}
	if len(m.Config.ClusterBy) > 0 {
		s += "\nCLUSTER BY " + strings.Join(m.Config.ClusterBy, ", ")
	}
	return s
}

func (m *Model) columnNames() []string {
	out := make([]string, len(m.Config.Columns))
	for i, c := range m.Config.Columns {
		out[i] = c.Name
	}
	return out
}

// typed reports whether every declared column has a type.
func (m *Model) typed() bool {
	for _, c := range m.Config.Columns {
		if c.Type == "" {
			return false
		}
	}
	return len(m.Config.Columns) > 0
}

// columnDefs is the column list of a CREATE TABLE (described inline in BigQuery).
func (m *Model) columnDefs(target Target) string {
	bq := target.Dialect() == warehouse.BigQuery
	cols := make([]string, len(m.Config.Columns))
	for i, c := range m.Config.Columns {
		if bq {
			cols[i] = fmt.Sprintf("  %s %s OPTIONS (description = %s)", c.Name, bqType(c), lit(true, c.Description))
		} else {
			cols[i] = fmt.Sprintf("  %s %s", c.Name, warehouse.EmbeddedType(c))
		}
	}
	return strings.Join(cols, ",\n")
}

// create is CREATE TABLE IF NOT EXISTS with the declared columns.
func (m *Model) create(target Target) string {
	bq := target.Dialect() == warehouse.BigQuery
	s := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n%s\n)", target.Ref(m.Table), m.columnDefs(target))
	if bq {
		s += m.layout() + "\nOPTIONS (description = " + lit(true, m.Config.Description) + ")"
	}
	return s
}

// addColumns adds declared columns an existing table lacks, so a table created by an
// older version of a model gains new columns without a rebuild (additive changes only;
// a changed type needs a replay into a fresh warehouse).
func (m *Model) addColumns(target Target) []string {
	ref := target.Ref(m.Table)
	if target.Dialect() == warehouse.BigQuery {
		adds := make([]string, len(m.Config.Columns))
		for i, c := range m.Config.Columns {
			adds[i] = fmt.Sprintf("  ADD COLUMN IF NOT EXISTS %s %s OPTIONS (description = %s)", c.Name, bqType(c), lit(true, c.Description))
		}
		return []string{fmt.Sprintf("ALTER TABLE %s\n%s", ref, strings.Join(adds, ",\n"))}
	}
	out := make([]string, len(m.Config.Columns))
	for i, c := range m.Config.Columns {
		out[i] = fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", ref, c.Name, warehouse.EmbeddedType(c))
	}
	return out
}

// describe documents the table and its columns (BigQuery: ALTER … SET OPTIONS; DuckDB:
// COMMENT ON), so every column reaches Looker's field list with its meaning.
func (m *Model) describe(target Target) []string {
	bq := target.Dialect() == warehouse.BigQuery
	ref := target.Ref(m.Table)
	var out []string
	if !bq {
		out = append(out, fmt.Sprintf("COMMENT ON TABLE %s IS %s", ref, lit(false, m.Config.Description)))
	}
	if bq && m.Config.Materialized != Table {
		return out // created with column OPTIONS already
	}
	for _, c := range m.Config.Columns {
		if bq {
			out = append(out, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET OPTIONS (description = %s)", ref, c.Name, lit(true, c.Description)))
		} else {
			out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", ref, c.Name, lit(false, c.Description)))
		}
	}
	return out
}

func (m *Model) merge(target Target, body string) string {
	bq := target.Dialect() == warehouse.BigQuery
	c := m.Config
	var on []string
	for _, k := range c.UniqueKey {
		on = append(on, fmt.Sprintf("T.%s = S.%s", k, k))
	}
	if c.PartitionBy != "" && c.MergeLookbackDays > 0 {
		// Keeps BigQuery's target scan to recent partitions; a key older than the
		// lookback would be inserted again, which the unique check catches.
		on = append(on, fmt.Sprintf("T.%s >= %s", c.PartitionBy, placeholder(bq, "merge_since")))
	}
	cols := m.columnNames()
	sets := make([]string, len(cols))
	vals := make([]string, len(cols))
	for i, col := range cols {
		sets[i] = fmt.Sprintf("%s = S.%s", col, col)
		vals[i] = "S." + col
	}
	return fmt.Sprintf("MERGE INTO %s AS T\nUSING (\n%s\n) AS S\nON %s\nWHEN MATCHED AND (%s) THEN\n  UPDATE SET %s\nWHEN NOT MATCHED THEN\n  INSERT (%s)\n  VALUES (%s)",
		target.Ref(m.Table), body, strings.Join(on, " AND "), c.UpdateWhen,
		strings.Join(sets, ", "), strings.Join(cols, ", "), strings.Join(vals, ", "))
}

// external reads the lake's hive-partitioned NDJSON in place.
func (m *Model) external(target Target) ([]string, error) {
	bq := target.Dialect() == warehouse.BigQuery
	ref := target.Ref(m.Table)
	pattern, hive, err := target.ExternalURIs(m.Config.Source)
	if errors.Is(err, warehouse.ErrNoExternalData) && !bq {
		// DuckDB cannot read an empty glob: an empty view with the same columns.
		cols := []string{}
		for _, c := range m.Config.Columns {
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", warehouse.EmbeddedType(c), c.Name))
		}
		cols = append(cols, "CAST(NULL AS DATE) AS dt", "CAST(NULL AS VARCHAR) AS run")
		return []string{fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\nSELECT %s\nWHERE false", ref, strings.Join(cols, ", "))}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", m.Table, err)
	}
	if bq {
		cols := make([]string, len(m.Config.Columns))
		for i, c := range m.Config.Columns {
			cols[i] = fmt.Sprintf("  %s %s", c.Name, bqType(c))
		}
		return []string{fmt.Sprintf(`CREATE OR REPLACE EXTERNAL TABLE %s (
%s
)
WITH PARTITION COLUMNS (dt DATE, run STRING)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = [%s],
  hive_partition_uri_prefix = %s,
  require_hive_partition_filter = false,
  description = %s
)`, ref, strings.Join(cols, ",\n"), lit(bq, pattern), lit(bq, hive), lit(bq, m.Config.Description))}, nil
	}
	cols := make([]string, len(m.Config.Columns))
	for i, c := range m.Config.Columns {
		cols[i] = fmt.Sprintf("%s: '%s'", c.Name, warehouse.EmbeddedType(c))
	}
	return []string{fmt.Sprintf(`CREATE OR REPLACE VIEW %s AS
SELECT * FROM read_json(%s,
  format = 'newline_delimited',
  hive_partitioning = true,
  hive_types = {'dt': 'DATE', 'run': 'VARCHAR'},
  union_by_name = true,
  columns = {%s})`, ref, lit(false, pattern), strings.Join(cols, ", "))}, nil
}

func bqType(c warehouse.Column) string {
	t := strings.ToUpper(c.Type)
	if strings.EqualFold(c.Mode, "REPEATED") {
		return "ARRAY<" + t + ">"
	}
	return t
}

func placeholder(bq bool, name string) string {
	if bq {
		return "@" + name
	}
	return "$" + name
}

// lit quotes a string literal of our own text (descriptions, lake URIs) for the dialect.
func lit(bq bool, s string) string {
	if bq {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
		return `"` + r.Replace(s) + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
