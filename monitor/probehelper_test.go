package monitor_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/monitor/watch"
)

// The test binary doubles as the agent's probe: with probeModeEnv set, TestMain behaves
// as `jobpulse monitor-probe` (the agent binary must not link DuckDB; this test binary
// may) or as a broken probe, and exits.
const (
	// probeModeEnv selects the helper: ledger, canned, exit1, garbage or hang.
	probeModeEnv = "JOBPULSE_MONITOR_TEST_PROBE"
	// probeCountEnv names a file the helper appends one line to per start.
	probeCountEnv = "JOBPULSE_MONITOR_TEST_PROBE_COUNT"
	// probeJSONEnv is what the canned helper prints.
	probeJSONEnv = "JOBPULSE_MONITOR_TEST_PROBE_JSON"
	// probeSecret is in the exit1 helper's stderr, in a URL's query string: the agent
	// must redact it from its errors and logs.
	probeSecret = "XXprobeSECRETkey77"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(probeModeEnv); mode != "" {
		os.Exit(probeHelper(mode, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// probeHelper is the probe process of the tests.
func probeHelper(mode string, args []string, stdout, stderr io.Writer) int {
	if path := os.Getenv(probeCountEnv); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 4
		}
		fmt.Fprintln(f, strings.Join(args, " "))
		f.Close()
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SLACK_WEBHOOK_URL=") {
			fmt.Fprintln(stderr, "the probe was given the Slack webhook")
			return 3
		}
	}
	switch mode {
	case "ledger":
		return ledgerProbe(args, stdout, stderr)
	case "canned":
		fmt.Fprintln(stdout, os.Getenv(probeJSONEnv))
		return 0
	case "exit1":
		fmt.Fprintf(stderr, "jobpulse: read the ledger: Get \"https://bigquery.example/q?key=%s\": connection refused\n", probeSecret)
		return 1
	case "garbage":
		fmt.Fprintln(stdout, "Usage: jobpulse [command]")
		return 0
	case "hang":
		time.Sleep(time.Hour)
		return 0
	}
	fmt.Fprintf(stderr, "unknown helper mode %q\n", mode)
	return 5
}

// ledgerProbe is `jobpulse monitor-probe --ledger …` over the real ledger watcher, with
// the flags the agent passes.
func ledgerProbe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("monitor-probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ledger := fs.String("ledger", "", "")
	sources := fs.String("sources", "", "")
	window := fs.Duration("window", 0, "")
	timeout := fs.Duration("ledger-timeout", 0, "")
	since := fs.String("since", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := watch.LedgerConfig{Window: *window, Timeout: *timeout}
	if *sources != "" {
		cfg.Sources = strings.Split(*sources, ",")
	}
	var err error
	if cfg.Since, err = time.Parse(time.RFC3339Nano, *since); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	open, err := watch.LedgerOpener(*ledger)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	l, err := watch.NewLedger(cfg, open, time.Now, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := watch.Probe(context.Background(), stdout, l); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
