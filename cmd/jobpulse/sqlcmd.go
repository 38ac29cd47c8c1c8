package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

func newSQLCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "sql", Short: "Render the models or query the warehouse", Args: cobra.ArbitraryArgs, RunE: requireSubcommand}
	var dialect, model string
	render := &cobra.Command{
		Use:   "render",
		Short: "Print the SQL every model runs, for BigQuery or DuckDB",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			target, err := a.staticTarget(warehouse.Dialect(dialect))
			if err != nil {
				return err
			}
			project, err := loadProject()
			if err != nil {
				return err
			}
			return renderProject(a.stdout, project, target, model)
		},
	}
	render.Flags().StringVar(&dialect, "dialect", "bigquery", "bigquery or duckdb")
	render.Flags().StringVar(&model, "model", "", "only this model (layer.table)")

	var format string
	query := &cobra.Command{
		Use:   `query "SELECT …"`,
		Short: "Run a read-only query against the warehouse",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			if !readOnlySQL(args[0]) {
				return &usageError{err: errors.New("sql query runs one read-only statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)")}
			}
			ctx := commandContext(cmd)
			wh, err := a.openWarehouse(ctx, true)
			if err != nil {
				return err
			}
			defer wh.Close()
			rows, _, err := wh.Query(ctx, args[0], nil, warehouse.Options{Step: "sql_query"})
			if err != nil {
				return err
			}
			return writeRows(a.stdout, rows, format)
		},
	}
	query.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.AddCommand(render, query)
	return cmd
}

// staticTarget renders without connecting: BigQuery names come from JOBPULSE_WAREHOUSE
// when it is a bigquery:// URL, else placeholders.
func (a *app) staticTarget(d warehouse.Dialect) (models.StaticTarget, error) {
	switch d {
	case warehouse.BigQuery:
		t := models.StaticTarget{D: d, Project: "PROJECT", DatasetPrefix: "jobpulse_", LakeURL: "gs://BUCKET"}
		if u := a.cfg.warehouseURL(); strings.HasPrefix(u, "bigquery://") {
			cfg, err := bigquery.ParseURL(u)
			if err != nil {
				return t, err
			}
			t.Project, t.DatasetPrefix = cfg.Project, cfg.DatasetPrefix
		}
		if strings.HasPrefix(a.cfg.lakeURL(), "gs://") {
			t.LakeURL = strings.TrimRight(a.cfg.lakeURL(), "/")
		}
		return t, nil
	case warehouse.DuckDB:
		loc, err := lake.ParseURL(a.cfg.lakeURL())
		if err != nil {
			return models.StaticTarget{}, err
		}
		return models.StaticTarget{D: d, LakeURL: loc.Dir}, nil
	}
	return models.StaticTarget{}, &usageError{err: fmt.Errorf("--dialect %q: want bigquery or duckdb", d)}
}

func renderProject(w io.Writer, p *models.Project, target models.Target, only string) error {
	found := false
	for _, m := range p.Models {
		if only != "" && m.Table.String() != only {
			continue
		}
		found = true
		stmts, err := m.Statements(target)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "-- %s (%s) from sql/%s\n", m.Table, m.Config.Materialized, m.Path)
		for _, s := range stmts {
			fmt.Fprintf(w, "%s;\n\n", s)
		}
	}
	if !found {
		return &usageError{err: fmt.Errorf("no model %q", only)}
	}
	return nil
}

// readOnlySQL admits one read statement. DuckDB also opens the file read-only; on
// BigQuery this is the guard, so a second statement after a SELECT is refused too.
func readOnlySQL(q string) bool {
	if strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";") {
		return false
	}
	f := strings.Fields(strings.ToUpper(q))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "SELECT", "WITH", "DESCRIBE", "SHOW", "EXPLAIN", "FROM", "SUMMARIZE":
		return true
	}
	return false
}

func checkFormat(f string) error {
	switch f {
	case "table", "csv", "json":
		return nil
	}
	return &usageError{err: fmt.Errorf("--format %q: want table, csv or json", f)}
}

func writeRows(w io.Writer, rows *warehouse.Rows, format string) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(rows.Columns)
		for _, r := range rows.Values {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cell(v)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		out := make([]map[string]any, 0, len(rows.Values))
		for _, r := range rows.Values {
			o := map[string]any{}
			for i, c := range rows.Columns {
				o[c] = r[i]
			}
			out = append(out, o)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(rows.Columns, "\t"))
	for _, r := range rows.Values {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cell(v)
			if len(cells[i]) > 60 {
				cells[i] = cells[i][:57] + "..."
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	fmt.Fprintf(tw, "(%d rows)\n", len(rows.Values))
	return tw.Flush()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format(time.RFC3339)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cell(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func newRunsCmd(a *app) *cobra.Command {
	var limit int64
	var format string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the latest runs from the ledger (meta.pipeline_runs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			return a.ledgerQuery(commandContext(cmd), "runs", []warehouse.Param{{Name: "max_runs", Value: limit}}, format)
		},
	}
	cmd.Flags().Int64Var(&limit, "limit", 20, "number of runs")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

func newChecksCmd(a *app) *cobra.Command {
	var runID, format string
	cmd := &cobra.Command{
		Use:   "checks [--run RUN_ID]",
		Short: "Show a run's check results (default: the latest run)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			if err := checkFormat(format); err != nil {
				return err
			}
			ctx := commandContext(cmd)
			if runID == "" {
				wh, project, err := a.openReader(ctx)
				if err != nil {
					return err
				}
				q, err := project.Query("latest_run", wh)
				if err == nil {
					var rows *warehouse.Rows
					if rows, _, err = wh.Query(ctx, q, nil, warehouse.Options{Step: "latest_run"}); err == nil && len(rows.Values) == 1 {
						runID, _ = rows.Values[0][0].(string)
					}
				}
				wh.Close()
				if err != nil {
					return err
				}
				if runID == "" {
					return errors.New("the ledger holds no run yet")
				}
				fmt.Fprintf(a.stdout, "run %s\n", runID)
			}
			return a.ledgerQuery(ctx, "checks", []warehouse.Param{{Name: "run_id", Value: runID}}, format)
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "run id")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

func (a *app) openReader(ctx context.Context) (warehouse.Warehouse, *models.Project, error) {
	project, err := loadProject()
	if err != nil {
		return nil, nil, err
	}
	wh, err := a.openWarehouse(ctx, true)
	return wh, project, err
}

func (a *app) ledgerQuery(ctx context.Context, name string, params []warehouse.Param, format string) error {
	wh, project, err := a.openReader(ctx)
	if err != nil {
		return err
	}
	defer wh.Close()
	q, err := project.Query(name, wh)
	if err != nil {
		return err
	}
	rows, _, err := wh.Query(ctx, q, params, warehouse.Options{Step: name})
	if err != nil {
		return err
	}
	return writeRows(a.stdout, rows, format)
}
