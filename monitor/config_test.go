package monitor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/alert"
	"github.com/jobpulse/jobpulse/monitor/host"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
)

func TestExampleYAML_parsesAndValidates(t *testing.T) {
	t.Parallel()
	c, err := monitor.Parse([]byte(monitor.ExampleYAML()))
	if err != nil {
		t.Fatalf("Parse(example.yaml): %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("example.yaml does not validate: %v", err)
	}
	// The example documents the defaults; the keys it sets otherwise say so.
	want := monitor.Default()
	want.RunbookBaseURL = "https://github.com/jobpulse/jobpulse/blob/main"
	want.Pipeline.Warehouse = "duckdb:///var/lib/jobpulse/data/warehouse.duckdb"
	if diff := cmp.Diff(want, c, cmp.Comparer(func(a, b alert.Config) bool { return cmp.Equal(a.Rules, b.Rules) }),
		cmp.FilterPath(func(p cmp.Path) bool {
			return p.Last().String() == ".MountPointExcludes" || p.Last().String() == ".Processes"
		}, cmp.Ignore())); diff != "" {
		t.Errorf("example.yaml differs from the defaults (-want +got):\n%s", diff)
	}
}

func TestDefault_valid(t *testing.T) {
	t.Parallel()
	if err := monitor.Default().Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := monitor.Parse([]byte("# nothing but a comment\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(monitor.Default(), c); diff != "" {
		t.Errorf("a file of comments is not the defaults (-want +got):\n%s", diff)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c monitor.Config)
	}{
		{
			name: "overrides_keep_other_defaults",
			yaml: "interval: 30s\nhost:\n  stat_timeout: 2s\n",
			check: func(t *testing.T, c monitor.Config) {
				want := monitor.Default()
				want.Interval, want.Host.StatTimeout = 30*time.Second, 2*time.Second
				if diff := cmp.Diff(want, c); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "empty_targets_disable_probes",
			yaml: "host:\n  targets: []\n",
			check: func(t *testing.T, c monitor.Config) {
				if len(c.Host.Targets) != 0 {
					t.Errorf("Targets = %v, want none", c.Host.Targets)
				}
			},
		},
		{
			name: "alerts_replace_the_defaults",
			yaml: `interval: 15s
alerts:
  rules:
    - name: disk_root
      metric: disk_used_ratio
      labels: {mountpoint: /}
      op: ">"
      threshold: 0.8
      for: 1m
      runbook: docs/runbooks/host-disk-full.md
slack:
  max_pending: 10
`,
			check: func(t *testing.T, c monitor.Config) {
				want := []alert.Rule{{
					Name: "disk_root", Metric: "disk_used_ratio", Labels: map[string]string{"mountpoint": "/"}, Op: alert.OpGreater,
					Threshold: 0.8, ResolveThreshold: 0.8, For: time.Minute, RepeatInterval: alert.DefaultRepeatInterval,
					StaleAfter: alert.DefaultStaleAfter, Severity: alert.DefaultSeverity, Runbook: "docs/runbooks/host-disk-full.md",
				}}
				if diff := cmp.Diff(want, c.Alerts.Rules); diff != "" {
					t.Errorf("rules (-want +got):\n%s", diff)
				}
				if c.Slack.MaxPending != 10 {
					t.Errorf("MaxPending = %d, want 10: the key after alerts was lost", c.Slack.MaxPending)
				}
			},
		},
		{
			name: "processes",
			yaml: "host:\n  processes:\n    - name: cron\n      comm: cron\n",
			check: func(t *testing.T, c monitor.Config) {
				if diff := cmp.Diff([]host.ProcessMatch{{Name: "cron", Comm: "cron"}}, c.Host.Processes); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := monitor.Parse([]byte(tc.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			tc.check(t, c)
		})
	}
}

func TestParse_errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string // every one must be in the error
	}{
		{
			name: "unknown_keys_name_their_lines",
			yaml: "interval: 15s\nintervall: 5s\nhost:\n  proc_pth: /proc\n",
			want: []string{"line 2: field intervall not found at the top level", "line 4: field proc_pth not found in host"},
		},
		{
			name: "unknown_key_in_an_alert_rule_names_the_file_line",
			yaml: "interval: 15s\nalerts:\n  rules:\n    - name: x\n      metric: m\n      op: \">\"\n      threshold: 1\n      runbok: docs/runbooks/x.md\nslack: {}\n",
			want: []string{"alerts:", "line 8: field runbok not found in a rule"},
		},
		{
			name: "bad_duration",
			yaml: "interval: soon\npipeline:\n  window: 3 hours\n",
			want: []string{`line 1: "soon" is not a duration`, `line 3: "3 hours" is not a duration`},
		},
		{
			name: "webhook_url_in_the_file",
			yaml: "slack:\n  webhook_url: https://hooks.slack.com/services/T/B/secret\n",
			want: []string{"line 2: field webhook_url not found in slack", "set webhook_url_env"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := monitor.Parse([]byte(tc.yaml))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "secret") && !strings.Contains(tc.yaml, "secret") {
				t.Errorf("error leaks text it should not:\n%v", err)
			}
		})
	}
}

func TestValidate_reportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := monitor.Default()
	c.Interval = 0
	c.Listen = "9464"
	c.StateDir = "state"
	c.RunbookBaseURL = "http://example.com"
	c.CollectorTimeout = -time.Second
	c.Host.ProcPath = "proc"
	c.Pipeline.Warehouse = "postgres://db"
	c.Pipeline.Ledger.Sources = []string{"Saramin"}
	c.Pipeline.Command = []string{""}
	c.Pipeline.Interval = time.Millisecond
	c.Functions.Project = "Bad Project"
	c.Alerts = alert.Config{}
	c.Slack.WebhookURLEnv = "https://hooks.slack.com/services/T0/B0/XXsecret"
	c.Slack.MaxPending = -1
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate succeeded")
	}
	for _, w := range []string{
		"interval 0s", `listen "9464"`, `state_dir "state"`, "runbook_base_url", "collector_timeout",
		"host: proc_path", "pipeline warehouse", "pipeline: ledger source", "pipeline command", "pipeline interval 1ms",
		"functions: functions project",
		"alerts: no alert rules", "slack webhook_url_env", "slack max_pending",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "XXsecret") {
		t.Errorf("the error leaks the webhook URL:\n%v", err)
	}
}

// TestDefaults_matchTheWatchers: the agent's defaults for the pipeline sections are the
// watchers' own, which the agent no longer imports.
func TestDefaults_matchTheWatchers(t *testing.T) {
	t.Parallel()
	d := monitor.Default()
	if diff := cmp.Diff(watchconfig.DefaultSources(), d.Pipeline.Ledger.Sources); diff != "" {
		t.Errorf("sources (-watch +agent):\n%s", diff)
	}
	if diff := cmp.Diff(watchconfig.DefaultFunctions(), d.Functions.Functions); diff != "" {
		t.Errorf("functions (-watch +agent):\n%s", diff)
	}
	for _, c := range []struct {
		name         string
		watch, agent time.Duration
	}{
		{"window", watchconfig.DefaultWindow, d.Pipeline.Ledger.Window},
		{"ledger timeout", watchconfig.DefaultLedgerTimeout, d.Pipeline.Ledger.Timeout},
		{"functions timeout", watchconfig.DefaultFunctionsTimeout, d.Functions.Timeout},
	} {
		if c.watch != c.agent {
			t.Errorf("%s: watch %s, agent %s", c.name, c.watch, c.agent)
		}
	}
}

func TestConfig_probeCommand(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 21, 12, 0, 0, 0, time.FixedZone("KST", 9*3600))
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{name: "no_pipeline_watcher_no_probe", yaml: "", want: nil},
		{
			name: "ledger",
			yaml: "pipeline:\n  warehouse: duckdb:///var/lib/jobpulse/data/warehouse.duckdb\n",
			want: []string{"jobpulse", "monitor-probe", "--ledger=duckdb:///var/lib/jobpulse/data/warehouse.duckdb",
				"--sources=saramin,trends,qnet", "--window=3h0m0s", "--ledger-timeout=10s", "--since=2026-11-21T03:00:00Z"},
		},
		{
			name: "functions_and_no_expected_sources",
			yaml: "pipeline:\n  warehouse: bigquery://jobpulse-prod?location=asia-northeast3\n  sources: []\n  timeout: 20s\n" +
				"  command: [/opt/jobpulse/bin/jobpulse, monitor-probe]\n" +
				"functions:\n  project: jobpulse-prod\n  names: [ProcessRun]\n  timeout: 30s\n",
			want: []string{"/opt/jobpulse/bin/jobpulse", "monitor-probe", "--ledger=bigquery://jobpulse-prod?location=asia-northeast3",
				"--sources=", "--window=3h0m0s", "--ledger-timeout=20s", "--since=2026-11-21T03:00:00Z",
				"--functions-project=jobpulse-prod", "--functions-region=asia-northeast3", "--functions=ProcessRun", "--functions-timeout=30s"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := monitor.Parse([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.ProbeCommand(since)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
