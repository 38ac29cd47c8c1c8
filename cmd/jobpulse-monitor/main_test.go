package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobpulse/jobpulse/monitor"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
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
		{name: "unknown_flag", args: []string{"run", "--bogus"}, want: []string{"unknown flag: --bogus"}},
		{name: "bad_flag_value", args: []string{"run", "--interval", "often"}, want: []string{"--interval"}},
		{name: "config_without_subcommand", args: []string{"config"}, want: []string{"a subcommand is required"}},
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
			r := runCLI(t, tc.env, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitUsage, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
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
