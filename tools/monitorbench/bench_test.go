package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"gopkg.in/yaml.v3"
)

// fakeEnv makes the test binary act as node_exporter or jobpulse-monitor, chosen by the
// name it is started under (a symlink), so the harness runs real child processes that
// speak the real protocol: flags, --version, and /metrics over HTTP.
const fakeEnv = "MONITORBENCH_FAKE"

// fakeSlackEnv, when set, is the timer slack in ns the fakes must have inherited from
// the harness; they exit 1 otherwise.
const fakeSlackEnv = "MONITORBENCH_FAKE_WANT_SLACK"

// secret stands for a real Slack webhook in the harness's environment.
const secret = "https://hooks.slack.com/services/T0/B0/monitorbench-secret"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) == "1" {
		os.Exit(runFake(filepath.Base(os.Args[0]), os.Args[1:]))
	}
	os.Exit(m.Run())
}

func runFake(name string, args []string) int {
	switch name {
	case "prometheus-node-exporter":
		if len(args) == 1 && args[0] == "--version" {
			fmt.Fprintln(os.Stderr, "node_exporter, version 9.9.9 (fake)")
			return 0
		}
		var listen string
		disabled := false
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "--web.listen-address="); ok {
				listen = v
			}
			disabled = disabled || a == "--collector.disable-defaults"
		}
		if listen == "" || !disabled {
			fmt.Fprintf(os.Stderr, "fake node_exporter: bad flags %q\n", args)
			return 1
		}
		return serveMetrics(listen, "node_load1 0.5\n")
	case "jobpulse-monitor":
		if len(args) == 1 && args[0] == "version" {
			fmt.Println("jobpulse-monitor fake")
			return 0
		}
		return runFakeAgent(args)
	}
	fmt.Fprintf(os.Stderr, "fake: unknown program %q\n", name)
	return 1
}

// runFakeAgent checks what a real agent would depend on: its config parses, its probe
// target answers, and no webhook reached its environment.
func runFakeAgent(args []string) int {
	if len(args) != 7 || args[0] != "run" || args[1] != "--config" || args[3] != "--listen" || args[5] != "--interval" {
		fmt.Fprintf(os.Stderr, "fake agent: usage: run --config FILE --listen ADDR --interval D, got %q\n", args)
		return 2
	}
	if v, ok := os.LookupEnv(webhookEnv); ok {
		fmt.Fprintf(os.Stderr, "fake agent: %s is set (%d bytes): alerts would go to Slack\n", webhookEnv, len(v))
		return 1
	}
	b, err := os.ReadFile(args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake agent:", err)
		return 1
	}
	var cfg struct {
		Crash bool `yaml:"crash"`
		Host  struct {
			Targets []struct {
				Kind, Address string
			} `yaml:"targets"`
		} `yaml:"host"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fake agent: config:", err)
		return 1
	}
	if cfg.Crash {
		fmt.Fprintln(os.Stderr, "config: line 1: field crash not found in type monitor.Config")
		return 1
	}
	for _, t := range cfg.Host.Targets {
		if t.Kind != "https" {
			continue
		}
		resp, err := http.Get(t.Address)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake agent: probe:", err)
			return 1
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			fmt.Fprintln(os.Stderr, "fake agent: probe status", resp.Status)
			return 1
		}
	}
	return serveMetrics(args[4], "jobpulse_cpu_usage_ratio 0.1\n")
}

// serveMetrics is what both fakes do once started for measurement, which the harness
// does with the timer slack in fakeSlackEnv when that is set.
func serveMetrics(listen, body string) int {
	if want := os.Getenv(fakeSlackEnv); want != "" {
		// This thread's slack: every thread of the process inherited the main thread's,
		// and reading another process's /proc/<pid>/timerslack_ns needs CAP_SYS_NICE.
		got, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
		if err != nil || strconv.Itoa(got) != want {
			fmt.Fprintf(os.Stderr, "fake: timer slack %d ns (%v), want %s ns\n", got, err, want)
			return 1
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) })
	err := http.ListenAndServe(listen, mux)
	fmt.Fprintln(os.Stderr, "fake: serve:", err)
	return 1
}

// fakeBinaries links the test binary under both programs' names.
func fakeBinaries(t *testing.T) (nodeExporter, agent string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	nodeExporter = filepath.Join(dir, "prometheus-node-exporter")
	agent = filepath.Join(dir, "jobpulse-monitor")
	for _, p := range []string{nodeExporter, agent} {
		if err := os.Symlink(self, p); err != nil {
			t.Fatal(err)
		}
	}
	return nodeExporter, agent
}

func TestBenchmark(t *testing.T) {
	t.Parallel()
	nodeExporter, agent := fakeBinaries(t)
	crashConfig := filepath.Join(t.TempDir(), "crash.yaml")
	if err := os.WriteFile(crashConfig, []byte("crash: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The harness reads the children's slack from /proc, which needs CAP_SYS_NICE; the
	// fakes check theirs themselves (wantSlack).
	slackCell := "1ms"
	if _, err := os.ReadFile(fmt.Sprintf("/proc/%d/timerslack_ns", os.Getppid())); err != nil {
		slackCell = "n/a"
	}
	tests := []struct {
		name      string
		args      []string
		wantSlack time.Duration
		want      []string
		wantNone  []string
		wantErr   string
	}{
		{
			name:      "agent_beside_node_exporter",
			args:      []string{"-agent", agent, "-node-exporter", nodeExporter, "-interval", "1h", "-ticks", "3"},
			wantSlack: unitTimerSlack,
			want: []string{
				"| node_exporter | 9.9.9 (fake) | " + slackCell + " |",
				"| jobpulse-monitor | jobpulse-monitor fake | " + slackCell + " |",
				"3 ticks of 1h0m0s after one warm-up tick",
				"Below node_exporter:",
			},
			wantNone: []string{"was not measured"},
		},
		{
			name: "node_exporter_alone",
			args: []string{"-node-exporter", nodeExporter, "-interval", "1h", "-ticks", "2", "-timer-slack", "0"},
			want: []string{"| node_exporter | 9.9.9 (fake) |", "0 of 2 |", "each process started with the harness's own"},
			// Without the agent there are no targets to check; without -timer-slack
			// the child has the harness's slack, not the unit's.
			wantNone: []string{"| jobpulse-monitor |", "Targets:", "| 1ms |"},
		},
		{
			name: "agent_alone_when_node_exporter_is_missing",
			args: []string{"-agent", agent, "-node-exporter", "/nonexistent/node_exporter", "-install=false", "-interval", "1h", "-ticks", "2"},
			want: []string{
				"| jobpulse-monitor | jobpulse-monitor fake |",
				"node_exporter was not measured: /nonexistent/node_exporter not found and -install=false",
			},
			wantNone: []string{"| node_exporter |"},
		},
		{
			name:    "agent_that_exits_shows_its_output",
			args:    []string{"-agent", agent, "-agent-config", crashConfig, "-skip-node-exporter", "-interval", "1h", "-ticks", "2"},
			wantErr: "jobpulse-monitor exited early (exit status 1); end of its output:\nconfig: line 1: field crash not found",
		},
		{
			name:    "nothing_to_measure",
			args:    []string{"-node-exporter", "/nonexistent/node_exporter", "-install=false"},
			wantErr: "node_exporter unavailable and no -agent given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatalf("parseFlags() error = %v", err)
			}
			o.doc = filepath.Join(t.TempDir(), "benchmarks.md")
			// Race-enabled fakes would wait a second at every exit.
			environ := append(os.Environ(), fakeEnv+"=1", webhookEnv+"="+secret, "GORACE=atexit_sleep_ms=0")
			if tt.wantSlack > 0 {
				environ = append(environ, fmt.Sprintf("%s=%d", fakeSlackEnv, tt.wantSlack.Nanoseconds()))
			}
			env := environment{
				procRoot: "/proc",
				run:      execRunner(io.Discard, environ),
				quiet:    execRunner(io.Discard, environ),
				environ:  environ,
				euid:     1000,
				now:      time.Now,
				// Ticks of an hour pass at once: the figures are not the point here.
				sleep: func(ctx context.Context, _ time.Duration) error {
					return sleepCtx(ctx, time.Millisecond)
				},
			}
			var stdout, logs bytes.Buffer
			err = benchmark(context.Background(), o, tt.args, env, &stdout, slog.New(slog.NewTextHandler(&logs, nil)))
			doc, _ := os.ReadFile(o.doc)
			for what, s := range map[string]string{"stdout": stdout.String(), "log": logs.String(), "doc": string(doc)} {
				if strings.Contains(s, secret) || strings.Contains(s, "monitorbench-secret") {
					t.Errorf("the webhook secret appears in the %s", what)
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("benchmark() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("benchmark() error = %v\nlog:\n%s", err, logs.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("report has %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(string(doc), sectionHeading+"\n\n"+resultsBegin+"\n"+stdout.String()) {
				t.Errorf("doc does not hold the report in its results block:\n%s", doc)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{name: "defaults_measure_node_exporter", args: nil},
		{name: "quick_run", args: []string{"-interval", "1s", "-ticks", "30", "-agent", "bin/jobpulse-monitor"}},
		{
			name: "every_problem_at_once",
			args: []string{"-interval", "10ms", "-ticks", "0", "-timer-slack", "-1ms", "-skip-node-exporter", "-warehouse", "duckdb:///x", "extra"},
			wantErr: []string{
				"unexpected arguments",
				"-interval 10ms is too short",
				"-ticks 0",
				"-timer-slack -1ms is negative",
				"-skip-node-exporter without -agent",
				"-agent-config and -warehouse need -agent",
			},
		},
		{
			name:    "warehouse_with_own_config",
			args:    []string{"-agent", "a", "-agent-config", "c.yaml", "-warehouse", "duckdb:///x"},
			wantErr: []string{"-warehouse only applies to the generated config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseFlags(tt.args, io.Discard)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parseFlags() error = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("parseFlags() error = nil, want one")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("parseFlags() error lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestEnsureNodeExporter(t *testing.T) {
	t.Parallel()
	existing := filepath.Join(t.TempDir(), "node_exporter")
	if err := os.WriteFile(existing, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	// Only the branches that run nothing: installing is apt-get's business.
	tests := []struct {
		name    string
		path    string
		install bool
		euid    int
		wantErr string
	}{
		{name: "present_binary_is_used", path: existing, install: true, euid: 1000},
		{name: "missing_without_install", path: "/nonexistent/ne", install: false, euid: 0, wantErr: "-install=false: install it with apt-get install prometheus-node-exporter"},
		{name: "missing_elsewhere_than_debian_path", path: "/nonexistent/ne", install: true, euid: 0, wantErr: "give that path or an existing binary"},
	}
	if _, err := os.Stat(defaultNodeExporter); os.IsNotExist(err) {
		tests = append(tests, struct {
			name    string
			path    string
			install bool
			euid    int
			wantErr string
		}{name: "missing_and_not_root", path: defaultNodeExporter, install: true, euid: 1000, wantErr: "sudo apt-get install"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ensureNodeExporter(context.Background(), tt.path, tt.install, tt.euid, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ensureNodeExporter() error = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ensureNodeExporter() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNodeExporterArgs(t *testing.T) {
	t.Parallel()
	got := strings.Join(nodeExporterArgs("127.0.0.1:1234"), " ")
	want := "--web.listen-address=127.0.0.1:1234 --collector.disable-defaults --collector.cpu --collector.meminfo " +
		"--collector.filesystem --collector.loadavg --collector.netdev --collector.stat --collector.time --collector.processes"
	if got != want {
		t.Errorf("nodeExporterArgs() = %q, want %q", got, want)
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	got := commandLine([]string{"-agent", "bin/jobpulse-monitor", "-warehouse", "duckdb:///a b", "-doc", ""})
	want := "go run ./tools/monitorbench -agent bin/jobpulse-monitor -warehouse 'duckdb:///a b' -doc ''"
	if got != want {
		t.Errorf("commandLine() = %q, want %q", got, want)
	}
}

// TestTimerSlack_isTheUnits keeps -timer-slack's default equal to what the installed
// agent runs with, so the benchmark measures the agent as deployed.
func TestTimerSlack_isTheUnits(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../infra/systemd/jobpulse-monitor.service")
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "TimerSlackNSec="); ok {
			values = append(values, v)
		}
	}
	if len(values) != 1 {
		t.Fatalf("the unit sets TimerSlackNSec= %d times, want once: %q", len(values), values)
	}
	// systemd reads a bare number as nanoseconds; the unit writes a unit, as Go does.
	got, err := time.ParseDuration(values[0])
	if err != nil {
		t.Fatalf("TimerSlackNSec=%s: %v", values[0], err)
	}
	if got != unitTimerSlack {
		t.Errorf("the unit's TimerSlackNSec= is %s, -timer-slack's default %s: make them equal", got, unitTimerSlack)
	}
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.timerSlack != unitTimerSlack {
		t.Errorf("-timer-slack defaults to %s, want the unit's %s", o.timerSlack, unitTimerSlack)
	}
}
