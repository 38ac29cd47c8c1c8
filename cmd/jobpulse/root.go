package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/internal/pipeline"
)

// app is the state the commands share: configuration, output streams and the logger.
type app struct {
	cfg    config
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger
}

func newRootCmd(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	a := &app{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "jobpulse",
		Short: "jobpulse — a job-market data pipeline (Saramin, Google Trends, Q-Net → lake → warehouse)",
		Long: `jobpulse collects job postings, search interest and certification statistics into a
data lake and builds Looker-ready marts from them.

With no configuration it runs on embedded defaults: a lake under ./data and a built-in
demo source serving synthetic postings. Every flag also reads an environment variable,
shown in its description; a flag wins over its variable.`,
		Args:          cobra.ArbitraryArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          requireSubcommand,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, hint: fmt.Sprintf("Run '%s --help' for usage.", c.CommandPath())}
	})
	a.cfg.globalFlags(root.PersistentFlags())
	annotateEnv(root.PersistentFlags(), globalBindings)
	root.AddCommand(newRunCmd(a), newCollectCmd(a), newProcessCmd(a), newReplayCmd(a), newSQLCmd(a), newRunsCmd(a), newChecksCmd(a), newLookerLinkCmd(a), newFunctionsCmd(a), newVersionCmd(a))
	root.AddCommand(newMonitorProbeCmd(a))
	return root
}

// requireSubcommand is the RunE of commands that only group others.
func requireSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{err: fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()),
			hint: fmt.Sprintf("Run '%s --help' for the commands.", cmd.CommandPath())}
	}
	cmd.SetOut(cmd.ErrOrStderr())
	_ = cmd.Help()
	return &usageError{err: errors.New("a command is required")}
}

// prepare reads the environment into the flags the user did not set, validates every
// setting the command uses and reports all problems at once.
func (a *app) prepare(cmd *cobra.Command, sources ...string) error {
	bindings := append([]binding(nil), globalBindings...)
	var rules []error
	if cmd.Flags().Lookup("sources") != nil {
		bindings = append(bindings, runBindings...)
	}
	if len(sources) > 0 {
		// The Saramin key decides whether a lake is demo or real, for every source.
		a.cfg.Saramin.AccessKey = a.getenv("SARAMIN_ACCESS_KEY")
	}
	for _, src := range sources {
		switch src {
		case pipeline.SourceSaramin:
			bindings = append(bindings, saraminBindings...)
		case pipeline.SourceTrends:
			bindings = append(bindings, trendsBindings...)
		case pipeline.SourceQnet:
			bindings = append(bindings, qnetBindings...)
			a.cfg.Qnet.ServiceKey = a.getenv("QNET_SERVICE_KEY")
		}
	}
	errs, unparsed := applyEnv(cmd.Flags(), bindings, a.getenv)
	rules = append(rules, a.cfg.validateGlobal()...)
	for _, src := range sources {
		switch src {
		case pipeline.SourceSaramin:
			_, serrs := a.cfg.Saramin.ClientConfig()
			rules = append(rules, serrs...)
		case pipeline.SourceTrends:
			_, terrs := a.cfg.Trends.ClientConfig()
			rules = append(rules, terrs...)
		case pipeline.SourceQnet:
			_, qerrs := a.cfg.Qnet.ClientConfig()
			rules = append(rules, qerrs...)
		}
	}
	for _, src := range a.cfg.Sources {
		if !slices.Contains(allSources, src) {
			rules = append(rules, fmt.Errorf("JOBPULSE_SOURCES / --sources: unknown source %q (want %s)", src, strings.Join(allSources, ", ")))
		}
	}
	// A value that did not parse was left at its zero by the flag library: report the
	// parse error, not also the rule the zero breaks.
	for _, e := range flatten(rules) {
		if !mentionsAny(e.Error(), unparsed) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return &usageError{err: fmt.Errorf("invalid configuration:\n  - %w", joinLines(errs)),
			hint: fmt.Sprintf("Run '%s --help' for the settings.", cmd.CommandPath())}
	}
	a.logger = logging.New(a.stderr, a.cfg.LogFormat, a.cfg.logLevel())
	return nil
}

// flatten expands errors.Join results into their parts.
func flatten(errs []error) []error {
	var out []error
	for _, e := range errs {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			out = append(out, flatten(j.Unwrap())...)
			continue
		}
		out = append(out, e)
	}
	return out
}

func mentionsAny(s string, names []string) bool {
	for _, n := range names {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// joinLines joins errors one per line, indented as a list.
func joinLines(errs []error) error {
	lines := make([]string, 0, len(errs))
	for _, e := range flatten(errs) {
		lines = append(lines, e.Error())
	}
	return errors.New(strings.Join(lines, "\n  - "))
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			fmt.Fprintln(a.stdout, "jobpulse", v)
			return nil
		},
	}
}

// commandContext is the command's context, cancelled by SIGINT/SIGTERM in main.
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
