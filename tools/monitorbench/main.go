// Command monitorbench measures the jobpulse-monitor agent beside Debian's
// prometheus-node-exporter: both run as child processes, both are scraped once per tick,
// and their RSS and CPU per tick are read from /proc and reported as a markdown table.
//
// Usage:
//
//	go run ./tools/monitorbench [-agent bin/jobpulse-monitor] [-interval 15s] [-ticks 20] [-doc docs/benchmarks.md]
//
// Without -agent it measures node_exporter alone; when node_exporter cannot be installed
// it says so and measures the agent alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Names of the measured processes in the report.
const (
	agentName        = "jobpulse-monitor"
	nodeExporterName = "node_exporter"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// unitTimerSlack is TimerSlackNSec= of infra/systemd/jobpulse-monitor.service, the
// default -timer-slack: the agent is measured as installed (a test keeps the two equal).
const unitTimerSlack = time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command-line flags.
type options struct {
	agent, agentConfig, warehouse string
	nodeExporter                  string
	skipNodeExporter, install     bool
	probes                        bool
	timerSlack                    time.Duration
	interval                      time.Duration
	ticks                         int
	doc                           string
	keep, verbose                 bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("monitorbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.agent, "agent", "", "path of the jobpulse-monitor binary; empty measures node_exporter alone")
	fs.StringVar(&o.agentConfig, "agent-config", "", "agent config file to use instead of the generated one (listen and interval are still set by flags)")
	fs.StringVar(&o.warehouse, "warehouse", "", "pipeline.warehouse of the generated agent config, e.g. duckdb:///abs/path/warehouse.duckdb; empty: no ledger watcher")
	fs.BoolVar(&o.probes, "probes", true, "give the generated agent config its three reachability probes (dns, tcp, http to a local target); false: host collectors only, node_exporter's kind of work")
	fs.StringVar(&o.nodeExporter, "node-exporter", defaultNodeExporter, "path of the node_exporter binary")
	fs.BoolVar(&o.skipNodeExporter, "skip-node-exporter", false, "measure the agent alone")
	fs.BoolVar(&o.install, "install", true, "install the "+nodeExporterPackage+" Debian package with apt-get when it is missing (root only)")
	fs.DurationVar(&o.timerSlack, "timer-slack", unitTimerSlack, "timer slack both processes start with, as systemd's TimerSlackNSec= sets it: by default the agent's unit's, so the agent runs as installed and node_exporter on the same terms; 0: the harness's own (the kernel's default is 50µs)")
	fs.DurationVar(&o.interval, "interval", 15*time.Second, "tick: the agent's interval and the scrape interval")
	fs.IntVar(&o.ticks, "ticks", 20, "measured ticks, after one warm-up tick")
	fs.StringVar(&o.doc, "doc", "", "markdown file whose monitorbench section gets the table, e.g. docs/benchmarks.md; empty: stdout only")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp dir with the agent config, state and both processes' logs")
	fs.BoolVar(&o.verbose, "v", false, "log every tick")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q: every option is a flag", fs.Args()))
	}
	if o.interval < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("-interval %s is too short: use at least 100ms (1s for a quick run, 15s for the record)", o.interval))
	}
	if o.timerSlack < 0 {
		errs = append(errs, fmt.Errorf("-timer-slack %s is negative: use 0 for the harness's own", o.timerSlack))
	}
	if o.ticks < 1 {
		errs = append(errs, fmt.Errorf("-ticks %d: measure at least one tick (20 for the record)", o.ticks))
	}
	if o.agent == "" && o.skipNodeExporter {
		errs = append(errs, errors.New("-skip-node-exporter without -agent leaves nothing to measure: give -agent PATH"))
	}
	if o.agent == "" && (o.agentConfig != "" || o.warehouse != "") {
		errs = append(errs, errors.New("-agent-config and -warehouse need -agent PATH"))
	}
	if o.agentConfig != "" && !o.probes {
		errs = append(errs, errors.New("-probes=false only applies to the generated config: set host.targets in -agent-config instead"))
	}
	if o.agentConfig != "" && o.warehouse != "" {
		errs = append(errs, errors.New("-warehouse only applies to the generated config: set pipeline.warehouse in -agent-config instead"))
	}
	return o, errors.Join(errs...)
}

// realMain runs the benchmark and maps errors to exit codes.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "monitorbench: %v\n", err)
		return exitUsage
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	environ := os.Environ()
	env := environment{
		procRoot: "/proc",
		run:      execRunner(stderr, environ),
		quiet:    execRunner(io.Discard, environ),
		environ:  environ,
		euid:     os.Geteuid(),
		now:      time.Now,
		sleep:    sleepCtx,
	}
	if err := benchmark(ctx, o, args, env, stdout, logger); err != nil {
		fmt.Fprintf(stderr, "monitorbench: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// environment is what benchmark takes from the machine; tests replace parts of it.
type environment struct {
	procRoot   string
	run, quiet runner
	environ    []string
	euid       int
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
}

// benchmark prepares, runs and reports one measurement.
func benchmark(ctx context.Context, o options, args []string, env environment, stdout io.Writer, logger *slog.Logger) (err error) {
	dir, err := os.MkdirTemp("", "monitorbench-")
	if err != nil {
		return fmt.Errorf("create temp dir: %w", err)
	}
	defer func() {
		if o.keep || err != nil {
			logger.Info("kept the temp dir with configs and logs", "dir", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	var notes []string
	var subjects []subject
	if !o.skipNodeExporter {
		s, err := nodeExporterSubject(ctx, o, env, dir, logger)
		if err != nil {
			// The agent's figures are still worth having; say why the comparison is missing.
			logger.Warn("node_exporter unavailable: measuring the agent alone", "err", err)
			notes = append(notes, "node_exporter was not measured: "+err.Error()+".")
			if o.agent == "" {
				return errors.New("node_exporter unavailable and no -agent given: nothing to measure")
			}
		} else {
			subjects = append(subjects, s)
		}
	}
	if o.agent != "" {
		s, stopProbe, err := agentSubject(ctx, o, env, dir)
		if err != nil {
			return err
		}
		defer stopProbe()
		subjects = append(subjects, s)
	}

	var started []*running
	defer func() {
		for _, r := range started {
			r.stop(5 * time.Second)
		}
	}()
	for _, s := range subjects {
		r, err := start(s)
		if err != nil {
			return err
		}
		started = append(started, r)
		logger.Info("started", "process", s.name, "pid", r.pid(), "metrics", s.metricsURL, "log", s.logPath)
	}

	clk, assumed := clockTicks(ctx, env.quiet)
	r := report{
		date:          env.now(),
		command:       commandLine(args),
		machine:       readMachine(env.procRoot),
		interval:      o.interval,
		ticks:         o.ticks,
		clkTck:        clk,
		clkTckAssumed: assumed,
		timerSlack:    o.timerSlack,
		notes:         notes,
	}
	b := &bench{
		proc:         procFS{root: env.procRoot},
		client:       &http.Client{Timeout: min(o.interval, 10*time.Second)},
		interval:     o.interval,
		ticks:        o.ticks,
		readyTimeout: 30 * time.Second,
		sleep:        env.sleep,
		now:          env.now,
		logger:       logger,
	}
	logger.Info("measuring", "ticks", o.ticks, "interval", o.interval, "expected", (time.Duration(o.ticks+1) * o.interval).String())
	r.results, err = b.run(ctx, started)
	if err != nil {
		return err
	}
	r.machine.loadEnd = readLoad(env.procRoot)

	md := r.markdown()
	if _, err := io.WriteString(stdout, md); err != nil {
		return fmt.Errorf("print report: %w", err)
	}
	if o.doc != "" {
		if err := writeDoc(o.doc, md); err != nil {
			return err
		}
		logger.Info("updated the results block", "doc", o.doc)
	}
	return nil
}

// nodeExporterSubject installs node_exporter if needed and describes how to run it.
func nodeExporterSubject(ctx context.Context, o options, env environment, dir string, logger *slog.Logger) (subject, error) {
	if err := ensureNodeExporter(ctx, o.nodeExporter, o.install, env.euid, env.run, logger); err != nil {
		return subject{}, err
	}
	version, err := programVersion(ctx, env.quiet, o.nodeExporter, "--version")
	if err != nil {
		logger.Warn("node_exporter version unknown", "err", err)
	}
	listen, err := freeAddr()
	if err != nil {
		return subject{}, err
	}
	return subject{
		name:       nodeExporterName,
		version:    strings.TrimPrefix(version, "node_exporter, version "),
		binary:     o.nodeExporter,
		args:       nodeExporterArgs(listen),
		env:        childEnv(env.environ),
		metricsURL: "http://" + listen + "/metrics",
		logPath:    logPathIn(dir, nodeExporterName),
		timerSlack: o.timerSlack,
	}, nil
}

// agentSubject writes the agent's config (unless one is given), starts the local probe
// target, and describes how to run the agent. stop closes the probe target.
func agentSubject(ctx context.Context, o options, env environment, dir string) (s subject, stop func(), err error) {
	if _, err := os.Stat(o.agent); err != nil {
		return subject{}, nil, fmt.Errorf("agent binary: %w (build it with go build -o bin/ ./cmd/jobpulse-monitor)", err)
	}
	listen, err := freeAddr()
	if err != nil {
		return subject{}, nil, err
	}
	probe, err := startProbeTarget()
	if err != nil {
		return subject{}, nil, err
	}
	cfgPath := o.agentConfig
	if cfgPath == "" {
		stateDir := dir + "/agent-state"
		if err := os.Mkdir(stateDir, 0o700); err != nil {
			probe.Close()
			return subject{}, nil, fmt.Errorf("create agent state dir: %w", err)
		}
		cfgPath, err = writeAgentConfig(dir, agentConfig{
			Interval:  o.interval.String(),
			Listen:    listen,
			StateDir:  stateDir,
			ProbeAddr: probe.Addr().String(),
			AgentComm: commOf(o.agent),
			Warehouse: o.warehouse,
			NoProbes:  !o.probes,
		})
		if err != nil {
			probe.Close()
			return subject{}, nil, err
		}
	}
	// The version is informative only: an agent without the subcommand still runs.
	version, _ := programVersion(ctx, env.quiet, o.agent, "version")
	return subject{
		name:       agentName,
		version:    version,
		binary:     o.agent,
		args:       agentArgs(cfgPath, listen, o.interval.String()),
		env:        childEnv(env.environ),
		metricsURL: "http://" + listen + "/metrics",
		logPath:    logPathIn(dir, agentName),
		timerSlack: o.timerSlack,
	}, func() { probe.Close() }, nil
}

// clockTicks returns USER_HZ from getconf CLK_TCK, or 100 (Linux's value on every
// common architecture) with assumed set when getconf is missing.
func clockTicks(ctx context.Context, run runner) (hz int, assumed bool) {
	out, err := run(ctx, "getconf", "CLK_TCK")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && n > 0 {
			return n, false
		}
	}
	return 100, true
}

// commandLine is the command that reproduces the run, for the report.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./tools/monitorbench"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$`\\|&;<>()*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
