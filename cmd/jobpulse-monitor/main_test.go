package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(ctx, args, func(k string) string { return env[k] }, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// fixtureConfig writes a configuration over monitor/host's fixture tree: no probes, no
// pipeline, and the given processes and rules.
func fixtureConfig(t *testing.T, extra string) string {
	t.Helper()
	fixtures, err := filepath.Abs("../../monitor/host/testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`state_dir: %s
host:
  proc_path: %s/proc
  sys_path: %s/sys
  targets: []
%s`, filepath.Join(dir, "state"), fixtures, fixtures, extra)
	path := filepath.Join(dir, "monitor.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const processRule = `alerts:
  rules:
    - name: process_missing
      metric: process_running
      op: "<"
      threshold: 1
      for: 2m
      severity: critical
      runbook: docs/runbooks/process-missing.md
`

func TestCLI_check(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		processes string
		viaEnv    bool
		wantCode  int
		want      []string
	}{
		{
			name:      "nothing_fires",
			processes: "  processes:\n    - name: cron\n      comm: cron\n",
			wantCode:  exitOK,
			want:      []string{"memory (", "  memory_used_ratio 0.75", `  process_running{name="cron"} 2`, `collector_success{collector="processes"} 1`, "Nothing would fire."},
		},
		{
			name:      "a_missing_process_would_fire",
			processes: "  processes:\n    - name: nginx\n      comm: nginx\n",
			viaEnv:    true,
			wantCode:  exitFailed,
			want:      []string{`  process_running{name="nginx"} 0`, "Would fire (1):", "process_missing [critical]", "docs/runbooks/process-missing.md"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := fixtureConfig(t, tc.processes+processRule)
			args, env := []string{"check", "--config", path}, map[string]string{}
			if tc.viaEnv {
				args, env = []string{"check"}, map[string]string{configEnv: path}
			}
			r := runCLI(t, env, args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), "state")); !os.IsNotExist(err) {
				t.Errorf("check touched the state directory: %v", err)
			}
		})
	}
}

func TestCLI_configExample(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "config", "example")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != monitor.ExampleYAML() {
		t.Error("config example does not print monitor/example.yaml")
	}
	c, err := monitor.Parse([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCLI_version(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "jobpulse-monitor ") {
		t.Errorf("version: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestCLI_usageErrors(t *testing.T) {
	t.Parallel()
	badFile := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badFile, []byte("interval: 15s\nlisten: 127.0.0.1:9464\nstate_dri: /tmp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{name: "unknown_command", args: []string{"watch"}, want: []string{`unknown command or argument "watch"`}},
		{name: "unknown_flag", args: []string{"run", "--bogus"}, want: []string{"flag provided but not defined: -bogus"}},
		{name: "bad_flag_value", args: []string{"run", "--interval", "often"}, want: []string{`invalid value "often" for flag -interval: time: invalid duration`}},
		{name: "run_flag_on_check", args: []string{"check", "--state-dir", "/tmp"}, want: []string{"flag provided but not defined: -state-dir"}},
		{name: "stray_argument", args: []string{"run", "--interval", "15s", "extra"}, want: []string{`unknown command or argument "extra" for "jobpulse-monitor run"`}},
		{name: "argument_after_double_dash", args: []string{"run", "--", "extra"}, want: []string{`unknown command or argument "extra"`}},
		{name: "command_named_twice", args: []string{"check", "check"}, want: []string{`unknown command or argument "check" for "jobpulse-monitor check"`}},
		{name: "unknown_config_subcommand", args: []string{"config", "foo"}, want: []string{`unknown command or argument "foo" for "jobpulse-monitor config"`, "Run 'jobpulse-monitor config --help' for usage."}},
		{name: "unknown_help_topic", args: []string{"help", "watch"}, want: []string{`unknown help topic "watch"`}},
		{name: "config_without_subcommand", args: []string{"config"}, want: []string{"Commands:\n  example", "a subcommand is required: example"}},
		{name: "missing_config_file", args: []string{"check", "--config", "/nonexistent/monitor.yaml"}, want: []string{"/nonexistent/monitor.yaml"}},
		{name: "unknown_key_names_its_line", args: []string{"run", "--config", badFile}, want: []string{"line 3: field state_dri not found at the top level"}},
		{
			name: "every_problem_at_once",
			env:  map[string]string{configEnv: badFile},
			args: []string{"run", "--listen", "nowhere", "--interval", "0s", "--state-dir", "relative", "--log-level", "loud"},
			want: []string{"line 3: field state_dri"},
		},
		{
			name: "flags_validated_together",
			args: []string{"run", "--listen", "nowhere", "--interval", "0s", "--state-dir", "relative", "--log-level", "loud"},
			want: []string{"--log-level", `listen "nowhere"`, "interval 0s", `state_dir "relative"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Cancelled: should validation ever let a case through, the agent it starts
			// returns at once and the exit code fails the test instead of hanging it.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			r := runCLIContext(t, ctx, tc.env, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitUsage, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("a usage error wrote to stdout:\n%s", r.stdout)
			}
		})
	}
}

// TestCLI_runStopsAndKeepsTheWebhookSecret runs the agent with a context that is
// already cancelled (SIGTERM at once): it starts, stops cleanly with exit 0, logs JSON
// with Cloud Logging's severity, and never prints the webhook URL.
func TestCLI_runStopsAndKeepsTheWebhookSecret(t *testing.T) {
	t.Parallel()
	const secret = "XXmonitorSECRETtoken42"
	path := fixtureConfig(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	env := map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.example/services/T0/B0/" + secret}
	code := realMain(ctx, []string{"run", "--config", path, "--listen", "127.0.0.1:0"}, func(k string) string { return env[k] }, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
	}
	for _, w := range []string{`"message":"alerts go to Slack"`, `"severity":"INFO"`, `"message":"monitor agent stopped"`} {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("stderr lacks %s:\n%s", w, errb.String())
		}
	}
	if strings.Contains(errb.String()+out.String(), secret) {
		t.Errorf("the output holds the webhook secret:\n%s\n%s", out.String(), errb.String())
	}
}

func TestCLI_help(t *testing.T) {
	t.Parallel()
	runFlags := []string{"--config file", "--log-level level", "--log-format format", `(default "json")`, "--listen address", "--interval duration", "--state-dir directory", "-h, --help"}
	checkFlags := []string{"--config file", "--log-level level", `(default "info")`, "--log-format format", "-h, --help"}
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{name: "root_double_dash", args: []string{"--help"}, want: append([]string{"Without a command it runs the agent", "jobpulse-monitor [flags]", "  check  ", "  config  ", "  version  "}, runFlags...)},
		{name: "root_short", args: []string{"-h"}, want: append([]string{"Without a command it runs the agent"}, runFlags...)},
		{name: "help_command", args: []string{"help"}, want: append([]string{"Without a command it runs the agent"}, runFlags...)},
		{name: "run", args: []string{"run", "-help"}, want: append([]string{"Run the agent until SIGINT", "jobpulse-monitor run [flags]"}, runFlags...)},
		{name: "check_double_dash", args: []string{"check", "--help"}, want: append([]string{"check runs every collector once", "jobpulse-monitor check [flags]"}, checkFlags...), notWant: []string{"--listen", "--interval", "--state-dir"}},
		{name: "check_short", args: []string{"check", "-h"}, want: checkFlags, notWant: []string{"--listen"}},
		{name: "help_check", args: []string{"help", "check"}, want: append([]string{"check runs every collector once"}, checkFlags...), notWant: []string{"--listen"}},
		{name: "help_wins_over_an_invalid_config", args: []string{"--config", "/nonexistent/monitor.yaml", "check", "--help"}, want: checkFlags},
		{name: "config", args: []string{"config", "--help"}, want: []string{"Configuration helpers", "  example  Print a complete"}, notWant: []string{"--config"}},
		{name: "help_config_example", args: []string{"help", "config", "example"}, want: []string{"Print a complete, commented example configuration", "jobpulse-monitor config example [flags]", "-h, --help"}, notWant: []string{"--config"}},
		{name: "version", args: []string{"version", "--help"}, want: []string{"Print the version", "jobpulse-monitor version [flags]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tc.args...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitOK, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(r.stdout, w) {
					t.Errorf("help holds %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

// TestCLI_flagErrorsOnce: the flag package's own message reaches stderr once (it would
// print it, and its usage, a second time if its output were not discarded), followed by
// the hint.
func TestCLI_flagErrorsOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "unknown_flag_on_run",
			args: []string{"run", "--bogus"},
			want: "jobpulse-monitor: flag provided but not defined: -bogus\nRun 'jobpulse-monitor run --help' for usage.\n",
		},
		{
			name: "unknown_flag_on_root",
			args: []string{"-bogus=1"},
			want: "jobpulse-monitor: flag provided but not defined: -bogus\nRun 'jobpulse-monitor --help' for usage.\n",
		},
		{
			name: "unknown_flag_before_the_command",
			args: []string{"--bogus", "check"},
			want: "jobpulse-monitor: flag provided but not defined: -bogus\nRun 'jobpulse-monitor check --help' for usage.\n",
		},
		{
			name: "missing_value",
			args: []string{"check", "--config"},
			want: "jobpulse-monitor: flag needs an argument: -config\nRun 'jobpulse-monitor check --help' for usage.\n",
		},
		{
			name: "flag_on_a_command_without_flags",
			args: []string{"version", "--config", "x"},
			want: "jobpulse-monitor: flag provided but not defined: -config\nRun 'jobpulse-monitor version --help' for usage.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			if diff := cmp.Diff(tc.want, r.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q, want nothing", r.stdout)
			}
		})
	}
}

// TestCLI_explicitFlagsOverrideTheFile: a flag given on the command line replaces the
// file's value even when it is empty or zero, so the value reaches validation and its
// error, rather than the file's valid value silently winning. The context is already
// cancelled: should a flag be ignored, the agent stops at once and the test fails on
// exit 0 instead of running it.
func TestCLI_explicitFlagsOverrideTheFile(t *testing.T) {
	t.Parallel()
	path := fixtureConfig(t, "listen: 127.0.0.1:0\n") // should a flag be ignored, no fixed port
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "empty_state_dir", args: []string{"run", "--config", path, "--state-dir", ""}, want: []string{`state_dir ""`}},
		{name: "empty_state_dir_with_equals", args: []string{"run", "--config", path, "--state-dir="}, want: []string{`state_dir ""`}},
		{name: "zero_interval", args: []string{"run", "--config", path, "--interval", "0s"}, want: []string{"interval 0s"}},
		{name: "empty_listen_single_dash", args: []string{"run", "-config", path, "-listen="}, want: []string{`listen ""`}},
		{name: "relative_state_dir", args: []string{"run", "--config=" + path, "--state-dir", "relative"}, want: []string{`state_dir "relative"`}},
		{name: "on_the_root", args: []string{"--config", path, "--interval=0s", "--state-dir", ""}, want: []string{"interval 0s", `state_dir ""`}},
		{name: "before_the_command", args: []string{"--state-dir", "", "run", "--config", path}, want: []string{`state_dir ""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errb bytes.Buffer
			code := realMain(ctx, tc.args, func(string) string { return "" }, &out, &errb)
			r := result{code, out.String(), errb.String()}
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitUsage, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if n := strings.Count(r.stderr, "\n  - "); n != len(tc.want) {
				t.Errorf("%d problems reported, want %d (only the overridden values are invalid):\n%s", n, len(tc.want), r.stderr)
			}
		})
	}
}

// TestCLI_flagForms: every spelling of a flag the standard flag package accepts, and
// flags before the command name as cobra allowed, reach the command; the flag wins over
// the environment.
func TestCLI_flagForms(t *testing.T) {
	t.Parallel()
	path := fixtureConfig(t, "  processes:\n    - name: cron\n      comm: cron\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{name: "double_dash_space", args: []string{"check", "--config", path}},
		{name: "double_dash_equals", args: []string{"check", "--config=" + path}},
		{name: "single_dash_space", args: []string{"check", "-config", path}},
		{name: "single_dash_equals", args: []string{"check", "-config=" + path}},
		{name: "before_the_command", args: []string{"--config", path, "--log-format", "text", "check"}},
		{name: "flag_over_env", env: map[string]string{configEnv: "/nonexistent/monitor.yaml"}, args: []string{"check", "--config", path}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, tc.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitOK, r.stderr)
			}
			if !strings.Contains(r.stdout, `process_running{name="cron"} 2`) {
				t.Errorf("check did not read %s:\n%s", path, r.stdout)
			}
		})
	}
}
