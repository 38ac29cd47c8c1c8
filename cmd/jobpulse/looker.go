package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/looker"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// defaultReportName is the name of the report a looker-link URL creates.
const defaultReportName = "jobpulse · job market"

func newLookerLinkCmd(a *app) *cobra.Command {
	var reportName, template string
	var tables []string
	cmd := &cobra.Command{
		Use:   "looker-link [--report-name NAME] [--template REPORT_ID] [--table core.recruit …]",
		Short: "Print a Looker Studio link that creates a report over the BigQuery core marts",
		Long: `looker-link prints a Looker Studio Linking API URL. Opened in a browser, it creates a
report whose data sources are the core marts of the BigQuery warehouse named by
JOBPULSE_WAREHOUSE (bigquery://PROJECT?dataset_prefix=…). Nothing is called: the command
only builds the URL.

Without --table the report gets every core mart, as ds0, ds1, … in a fixed order; with
--table only the marts named, under the same aliases. --template copies an existing
report instead of starting from a blank one; its data sources must carry those aliases.
See docs/looker.md for permissions and a suggested report.`,
		// cobra.NoArgs alone fails with a plain error, which would exit 1.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &usageError{err: fmt.Errorf("looker-link takes no arguments, got %q; name marts with --table", args),
					hint: fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			wh := a.cfg.warehouseURL()
			if !strings.HasPrefix(wh, "bigquery://") {
				return &usageError{
					err:  fmt.Errorf("looker-link needs the BigQuery warehouse, and the warehouse is %s: Looker Studio reads the core marts from BigQuery", wh),
					hint: "Set JOBPULSE_WAREHOUSE=bigquery://PROJECT (or --warehouse) to the project that holds the marts.",
				}
			}
			bq, err := bigquery.ParseURL(wh) // validated by prepare
			if err != nil {
				return &usageError{err: err}
			}
			sources, err := lookerSources(tables)
			if err != nil {
				return &usageError{err: err, hint: fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())}
			}
			link, err := looker.ReportURL(bq.Project, bq.DatasetPrefix, reportName, template, sources)
			if err != nil {
				return &usageError{err: fmt.Errorf("cannot build the Looker Studio link:\n  - %w", joinLines([]error{err})),
					hint: fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())}
			}
			fmt.Fprintln(a.stdout, link)
			fmt.Fprintf(a.stderr, "Open the link signed in as someone with roles/bigquery.dataViewer on %s.%score and roles/bigquery.jobUser on %s, then save the report (docs/looker.md).\n",
				bq.Project, bq.DatasetPrefix, bq.Project)
			return nil
		},
	}
	cmd.Flags().StringVar(&reportName, "report-name", defaultReportName, "name of the report the link creates")
	cmd.Flags().StringVar(&template, "template", "", "ID of a Looker Studio report to copy (the part after /reporting/ in its address); default a blank report")
	cmd.Flags().StringSliceVar(&tables, "table", nil, "core mart to link, repeatable or comma-separated (default every mart: "+strings.Join(defaultTables(), ", ")+")")
	return cmd
}

// lookerSources picks the default data sources of the tables named, in the default
// order and under their default aliases, so that a table keeps its alias whichever
// others are linked with it. "recruit" means "core.recruit".
func lookerSources(tables []string) ([]looker.DataSource, error) {
	all := looker.DefaultSources()
	if len(tables) == 0 {
		return all, nil
	}
	known := make(map[string]bool, len(all))
	for _, s := range all {
		known[s.Table] = true
	}
	want := make(map[string]bool, len(tables))
	var errs []error
	for _, t := range tables {
		name := strings.TrimSpace(t)
		if !strings.Contains(name, ".") {
			name = "core." + name
		}
		if !known[name] {
			errs = append(errs, fmt.Errorf("--table %q is not a core mart looker-link knows (known: %s)", t, strings.Join(defaultTables(), ", ")))
		}
		want[name] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []looker.DataSource
	for _, s := range all {
		if want[s.Table] {
			out = append(out, s)
		}
	}
	return out, nil
}

func defaultTables() []string {
	var names []string
	for _, s := range looker.DefaultSources() {
		names = append(names, s.Table)
	}
	return names
}
