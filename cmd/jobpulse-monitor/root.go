package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/sample"
)

// configEnv names the configuration file when --config is not given.
const configEnv = "JOBPULSE_MONITOR_CONFIG"

// app is what the commands share.
type app struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer

	configPath string
	listen     string
	interval   time.Duration
	stateDir   string
	logLevel   string
	logFormat  string
}

// newRootCmd returns the command line: the root runs the agent, like run.
func newRootCmd(getenv func(string) string, stdout, stderr io.Writer) *command {
	a := &app{getenv: getenv, stdout: stdout, stderr: stderr}
	root := newCommand("jobpulse-monitor", "jobpulse-monitor — watches this host and the jobpulse pipeline, alerts Slack",
		`jobpulse-monitor collects host metrics (CPU, memory, disks, network probes,
processes) every interval, and the pipeline's state (run ledger, Cloud Functions)
through its probe, "jobpulse monitor-probe", a child process it starts every
pipeline.interval; it evaluates alert rules on them and delivers firing and resolved
alerts to Slack through an outbox on disk. It serves /metrics and /healthz on
127.0.0.1:9464 by default.

Without a command it runs the agent, like "run". The configuration file comes from
--config or $`+configEnv+`; without either the defaults apply
("config example" prints them, documented). The Slack webhook URL comes from the
environment variable the file names (default SLACK_WEBHOOK_URL); without it alerts are
printed to stdout.`)
	root.run = a.runAgent
	a.runFlags(root.flags)
	root.add(newRunCmd(a), newCheckCmd(a), newConfigCmd(a), newVersionCmd(a), newHelpCmd(a, root))
	return root
}

func (a *app) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.configPath, "config", "", "configuration `file` (env "+configEnv+"; default: built-in defaults)")
	fs.StringVar(&a.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&a.logFormat, "log-format", logging.FormatJSON, "log `format` on stderr: json (Cloud Logging fields), text or auto")
}

func (a *app) runFlags(fs *flag.FlagSet) {
	a.commonFlags(fs)
	fs.StringVar(&a.listen, "listen", "", "`address` of /metrics and /healthz (overrides the file's listen)")
	fs.Var(durationFlag{&a.interval}, "interval", "collection interval, a `duration` such as 15s (overrides the file's interval)")
	fs.StringVar(&a.stateDir, "state-dir", "", "`directory` of the alert state and the Slack outbox (overrides the file's state_dir)")
}

func newRunCmd(a *app) *command {
	cmd := newCommand("run", "Run the agent until SIGINT or SIGTERM (the default command)", "")
	cmd.run = a.runAgent
	a.runFlags(cmd.flags)
	return cmd
}

func newCheckCmd(a *app) *command {
	cmd := newCommand("check", "Run one tick: print every sample and the alerts that would fire now (exit 1 if any)",
		`check runs every collector once, and the pipeline probe when a ledger or a functions
project is configured (waiting for it up to its timeout), and evaluates the rules with
their hold periods ignored, so it shows what is wrong right now. It neither reads nor writes the
alert state and sends nothing. Exit status: 0 nothing would fire, 1 something would,
2 the configuration is invalid. The CPU collector needs two readings, so it reports no
data here.`)
	cmd.run = a.check
	a.commonFlags(cmd.flags)
	return cmd
}

func newConfigCmd(a *app) *command {
	cmd := newCommand("config", "Configuration helpers", "")
	example := newCommand("example", "Print a complete, commented example configuration", "")
	example.run = func(context.Context, *command, []string) error {
		_, err := io.WriteString(a.stdout, monitor.ExampleYAML())
		return err
	}
	cmd.add(example)
	return cmd
}

func newVersionCmd(a *app) *command {
	cmd := newCommand("version", "Print the version", "")
	cmd.run = func(context.Context, *command, []string) error {
		v := "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		fmt.Fprintln(a.stdout, "jobpulse-monitor", v)
		return nil
	}
	return cmd
}

// newHelpCmd returns "help [command]", which prints the help of root or of the command
// named, like that command's --help.
func newHelpCmd(a *app, root *command) *command {
	cmd := newCommand("help", "Print the help of any command", "")
	cmd.args = "[command]"
	cmd.takesArgs = true
	cmd.run = func(_ context.Context, _ *command, args []string) error {
		target, rest, err := root.Find(args)
		if err != nil || len(rest) > 0 {
			return root.usageError(fmt.Errorf("unknown help topic %q", strings.Join(args, " ")))
		}
		target.writeHelp(a.stdout)
		return nil
	}
	return cmd
}

// prepare loads the configuration, applies the flags that override it and validates
// everything, reporting every problem at once as a usage error.
func (a *app) prepare(c *command) (monitor.Config, *slog.Logger, error) {
	var errs []error
	level, err := logging.ParseLevel(a.logLevel)
	if err != nil {
		errs = append(errs, fmt.Errorf("--log-level: %w", err))
	}
	if err := logging.CheckFormat(a.logFormat); err != nil {
		errs = append(errs, fmt.Errorf("--log-format: %w", err))
	}
	path := a.configPath
	if path == "" {
		path = a.getenv(configEnv)
	}
	cfg := monitor.Default()
	if path != "" {
		loaded, err := monitor.Load(path)
		if err != nil {
			return cfg, nil, usage(c, append(errs, err))
		}
		cfg = loaded
	}
	// Visit sees the flags given on the command line whatever their value, so that
	// --state-dir "" or --interval 0s overrides the file and meets validation instead of
	// being mistaken for an absent flag.
	c.flags.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			cfg.Listen = a.listen
		case "interval":
			cfg.Interval = a.interval
		case "state-dir":
			cfg.StateDir = a.stateDir
		}
	})
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return cfg, nil, usage(c, errs)
	}
	logger := logging.New(a.stderr, a.logFormat, level)
	if path == "" {
		logger.Info("no configuration file (--config, " + configEnv + "): running on the defaults")
	} else {
		logger.Info("configuration loaded", "config", path)
	}
	return cfg, logger, nil
}

func usage(c *command, errs []error) error {
	var lines []string
	for _, e := range errs {
		lines = append(lines, strings.Split(e.Error(), "\n")...)
	}
	return &usageError{err: fmt.Errorf("invalid configuration:\n  - %s", strings.Join(lines, "\n  - ")),
		hint: fmt.Sprintf("Run '%s --help' for the flags and 'jobpulse-monitor config example' for the file.", c.CommandPath())}
}

func (a *app) deps(logger *slog.Logger) monitor.Deps {
	return monitor.Deps{Logger: logger, Getenv: a.getenv, Stdout: a.stdout}
}

// runAgent runs the agent until the context (SIGINT/SIGTERM) ends.
func (a *app) runAgent(ctx context.Context, c *command, _ []string) error {
	cfg, logger, err := a.prepare(c)
	if err != nil {
		return err
	}
	agent, err := monitor.New(ctx, cfg, a.deps(logger))
	if err != nil {
		return err
	}
	defer agent.Close()
	return agent.Run(ctx)
}

// check runs one tick and prints what it saw.
func (a *app) check(ctx context.Context, c *command, _ []string) error {
	cfg, logger, err := a.prepare(c)
	if err != nil {
		return err
	}
	report, err := monitor.Check(ctx, cfg, a.deps(logger))
	if err != nil {
		return err
	}
	writeReport(a.stdout, report)
	if n := len(report.Firing); n > 0 {
		return &firingError{n: n}
	}
	return nil
}

// writeReport prints each collector's outcome and samples, then the alerts that would
// fire.
func writeReport(w io.Writer, r monitor.Report) {
	for _, res := range r.Results {
		status := "ok"
		switch {
		case res.Err != nil:
			status = "FAILED: " + res.Err.Error()
		case res.NoData:
			status = "ok, no data"
		}
		fmt.Fprintf(w, "%s (%s): %s\n", res.Collector, res.Duration.Round(time.Microsecond), status)
		keys := make([]string, 0, len(res.Samples))
		byKey := map[string]sample.Sample{}
		for _, s := range res.Samples {
			k := s.Key()
			keys = append(keys, k)
			byKey[k] = s
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s %g\n", k, byKey[k].Value)
		}
	}
	fmt.Fprintln(w)
	if len(r.Firing) == 0 {
		fmt.Fprintln(w, "Nothing would fire.")
		return
	}
	fmt.Fprintf(w, "Would fire (%d):\n", len(r.Firing))
	for _, e := range r.Firing {
		fmt.Fprintf(w, "  %s [%s] %s (runbook %s)\n", e.Rule, e.Severity, e.Summary, e.Runbook)
	}
}
