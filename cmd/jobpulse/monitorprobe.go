package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	functions "cloud.google.com/go/functions/apiv2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watch"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
)

// probeOptions are monitor-probe's flags.
type probeOptions struct {
	ledger           string
	sources          []string
	window           time.Duration
	ledgerTimeout    time.Duration
	since            string
	functionsProject string
	functionsRegion  string
	functions        []string
	functionsTimeout time.Duration
}

func newMonitorProbeCmd(a *app) *cobra.Command {
	var o probeOptions
	cmd := &cobra.Command{
		Use:   "monitor-probe [--ledger URL] [--functions-project ID]",
		Short: "Read the pipeline's ledger and Cloud Functions once and print what jobpulse-monitor sees, as JSON",
		Long: `monitor-probe is jobpulse-monitor's probe: the agent starts it every pipeline.interval
(1m) with flags generated from its configuration, and reads its stdout. It runs the
pipeline watchers once, concurrently — the run ledger (--ledger) and the Cloud
Functions' state (--functions-project) — and prints their results as one JSON object:

  {"results":[{"collector":"pipeline_ledger","duration_seconds":0.04,"no_data":false,
    "samples":[{"name":"pipeline_last_run_failed","labels":{"source":"saramin",…},"value":0},…]},…]}

The agent itself links no warehouse and no Google Cloud client, which keeps it small;
this command links them and holds them only while it runs. Run it by hand to see what
the agent sees, e.g.

  jobpulse monitor-probe --ledger duckdb:///var/lib/jobpulse/data/warehouse.duckdb

A watcher that fails (permission denied, the API unreachable) reports its error in its
result, and the command still exits 0; a locked or missing DuckDB file is "no_data".
Bad flags exit 2. Errors and labels carry no secrets (URL query strings are removed).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &usageError{err: fmt.Errorf("unexpected argument %q: monitor-probe takes only flags", args[0]),
					hint: fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return a.monitorProbe(cmd, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.ledger, "ledger", "", "the run ledger: duckdb://PATH (opened read-only) or bigquery://PROJECT?location=…&dataset_prefix=…; empty: no ledger watcher")
	fs.StringSliceVar(&o.sources, "sources", watchconfig.DefaultSources(), "sources expected in the ledger, comma-separated; one that never worked reports its age from --since")
	fs.DurationVar(&o.window, "window", watchconfig.DefaultWindow, "how long a source may go without a working run")
	fs.DurationVar(&o.ledgerTimeout, "ledger-timeout", watchconfig.DefaultLedgerTimeout, "bounds opening the ledger and its query")
	fs.StringVar(&o.since, "since", "", "when watching began, RFC 3339 (the agent passes its start); default: now")
	fs.StringVar(&o.functionsProject, "functions-project", "", "Google Cloud project of the pipeline's Cloud Functions; empty: no functions watcher")
	fs.StringVar(&o.functionsRegion, "functions-region", "asia-northeast3", "region of the Cloud Functions")
	fs.StringSliceVar(&o.functions, "functions", watchconfig.DefaultFunctions(), "function names or entry points, comma-separated")
	fs.DurationVar(&o.functionsTimeout, "functions-timeout", watchconfig.DefaultFunctionsTimeout, "bounds listing the Cloud Functions")
	return cmd
}

// monitorProbe validates every flag, then runs the configured watchers once and prints
// their report.
func (a *app) monitorProbe(cmd *cobra.Command, o probeOptions) error {
	// Only the logging settings of the global configuration apply: the probe reads the
	// ledger its flags name, not the CLI's warehouse.
	errs, _ := applyEnv(cmd.Flags(), []binding{{"log-format", "JOBPULSE_LOG_FORMAT"}, {"log-level", "JOBPULSE_LOG_LEVEL"}}, a.getenv)
	if err := logging.CheckFormat(a.cfg.LogFormat); err != nil {
		errs = append(errs, fmt.Errorf("JOBPULSE_LOG_FORMAT / --log-format: %w", err))
	}
	if _, err := logging.ParseLevel(a.cfg.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("JOBPULSE_LOG_LEVEL / --log-level: %w", err))
	}
	ledgerCfg, open, lerrs := o.ledgerWatcher(cmd.Flags())
	errs = append(errs, lerrs...)
	functionsCfg, ferrs := o.functionsWatcher(cmd.Flags())
	errs = append(errs, ferrs...)
	if len(errs) > 0 {
		return &usageError{err: fmt.Errorf("invalid flags:\n  - %w", joinLines(errs)),
			hint: fmt.Sprintf("Run '%s --help' for the flags.", cmd.CommandPath())}
	}
	logger := logging.New(a.stderr, a.cfg.LogFormat, a.cfg.logLevel())
	ctx := commandContext(cmd)

	var watchers []watch.Watcher
	if open != nil {
		l, err := watch.NewLedger(ledgerCfg, open, time.Now, logger)
		if err != nil {
			return err
		}
		watchers = append(watchers, l)
	}
	if functionsCfg.Enabled() {
		w, closeClient := newFunctionsWatcher(ctx, functionsCfg, logger)
		defer closeClient()
		watchers = append(watchers, w)
	}
	return watch.Probe(ctx, a.stdout, watchers...)
}

// ledgerWatcher is the ledger watcher's configuration and opener; a nil opener means
// no ledger watcher.
func (o probeOptions) ledgerWatcher(fs *pflag.FlagSet) (watch.LedgerConfig, watch.Opener, []error) {
	if o.ledger == "" {
		return watch.LedgerConfig{}, nil, nil
	}
	var errs []error
	open, err := watch.LedgerOpener(o.ledger)
	if err != nil {
		errs = append(errs, fmt.Errorf("--ledger: %w", err))
	}
	cfg := watch.LedgerConfig{Sources: o.sources, Window: o.window, Timeout: o.ledgerTimeout}
	if f := fs.Lookup("sources"); f.Changed && cfg.Sources == nil {
		cfg.Sources = []string{} // --sources= expects none; nil would mean the defaults
	}
	if o.since != "" {
		since, err := time.Parse(time.RFC3339Nano, o.since)
		if err != nil {
			errs = append(errs, fmt.Errorf("--since %q: want an RFC 3339 time such as 2026-11-21T12:00:00Z", o.since))
		}
		cfg.Since = since
	}
	if o.window <= 0 {
		errs = append(errs, fmt.Errorf("--window %s: want a positive duration such as 3h", o.window))
	}
	if o.ledgerTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--ledger-timeout %s: want a positive duration such as 10s", o.ledgerTimeout))
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, flatten([]error{err})...)
	}
	return cfg, open, errs
}

// functionsWatcher is the Cloud Functions watcher's configuration; it is not Enabled
// without --functions-project.
func (o probeOptions) functionsWatcher(fs *pflag.FlagSet) (watch.FunctionsConfig, []error) {
	if o.functionsProject == "" {
		return watch.FunctionsConfig{}, nil
	}
	cfg := watch.FunctionsConfig{Project: o.functionsProject, Region: o.functionsRegion, Functions: o.functions, Timeout: o.functionsTimeout}
	if f := fs.Lookup("functions"); f.Changed && cfg.Functions == nil {
		cfg.Functions = []string{} // refused by Validate: the list must not be empty
	}
	var errs []error
	if o.functionsTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--functions-timeout %s: want a positive duration such as 15s", o.functionsTimeout))
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, flatten([]error{err})...)
	}
	return cfg, errs
}

// newFunctionsWatcher creates the Cloud Functions client and its watcher. A client
// that cannot be created (no credentials) is the watcher's error in the report, not the
// command's: the agent then reports cloud_functions as failed and keeps the ledger.
func newFunctionsWatcher(ctx context.Context, cfg watch.FunctionsConfig, logger *slog.Logger) (watch.Watcher, func()) {
	client, err := functions.NewFunctionClient(ctx)
	if err != nil {
		return failedWatcher{name: "cloud_functions", err: fmt.Errorf(
			"create the Cloud Functions client: %w (set up Application Default Credentials for the agent's user, or leave functions.project empty)", err)}, func() {}
	}
	w, err := watch.NewFunctions(cfg, client, time.Now, logger)
	if err != nil {
		_ = client.Close()
		return failedWatcher{name: "cloud_functions", err: err}, func() {}
	}
	return w, func() {
		if err := client.Close(); err != nil {
			logger.Warn("close the Cloud Functions client", "err", err)
		}
	}
}

// failedWatcher reports an error it already has.
type failedWatcher struct {
	name string
	err  error
}

func (f failedWatcher) Name() string { return f.name }

func (f failedWatcher) Collect(context.Context) sample.Result {
	return sample.Result{Collector: f.name, Err: f.err}
}
