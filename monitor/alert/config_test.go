package alert

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse_applies_defaults(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`
rules:
  - name: disk_full
    metric: disk_used_ratio
    op: ">"
    threshold: 0.9
    runbook: docs/runbooks/host-disk-full.md
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Rule{{
		Name: "disk_full", Metric: "disk_used_ratio", Op: OpGreater, Threshold: 0.9, ResolveThreshold: 0.9,
		RepeatInterval: 4 * time.Hour, StaleAfter: time.Hour, Severity: SeverityWarning,
		Runbook: "docs/runbooks/host-disk-full.md",
	}}
	if diff := cmp.Diff(want, c.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestParse_explicit_zero_is_not_a_default(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`
rules:
  - name: probe
    metric: probe_success
    labels: {kind: https}
    op: "<"
    threshold: 1
    resolve_threshold: 1
    for: 90s
    resolve_for: 1m30s
    repeat_interval: 0s
    stale_after: 2h
    severity: critical
    summary: "{{.Labels.target}} down"
    runbook: https://wiki.example.com/probe
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Rule{{
		Name: "probe", Metric: "probe_success", Labels: map[string]string{"kind": "https"}, Op: OpLess,
		Threshold: 1, ResolveThreshold: 1, For: 90 * time.Second, ResolveFor: 90 * time.Second,
		RepeatInterval: 0, StaleAfter: 2 * time.Hour, Severity: SeverityCritical,
		Summary: "{{.Labels.target}} down", Runbook: "https://wiki.example.com/probe",
	}}
	if diff := cmp.Diff(want, c.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestParse_errors_name_the_line(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown_rule_key", `rules:
  - name: disk_full
    metric: disk_used_ratio
    op: ">"
    treshold: 0.9
`, []string{"line 5", "treshold", "in a rule"}},
		{"unknown_top_level_key", `rule:
  - name: x
`, []string{"line 1", "field rule not found", "at the top level"}},
		{"bad_duration", `rules:
  - name: disk_full
    metric: disk_used_ratio
    op: ">"
    threshold: 0.9
    for: 5
    resolve_for: soon
`, []string{"line 6", `"5" is not a duration`, "line 7", `"soon" is not a duration`}},
		{"threshold_not_a_number", `rules:
  - name: disk_full
    threshold: high
`, []string{"line 3", "high"}},
		{"repeated_key", `rules:
  - name: disk_full
    name: disk_full_again
`, []string{"line 3", "already defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse: no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParse_reports_every_problem_at_once(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`
rules:
  - name: Disk-Full
    metric: "disk used"
    labels: {"bad label": x}
    op: "=>"
    resolve_threshold: 2
    for: -1m
    stale_after: 0s
    severity: page
    summary: "{{.Nope}}"
    runbook: docs/runbooks/../secrets.md
  - name: cpu
    metric: cpu_utilisation_ratio
    op: ">"
    threshold: 0.9
    resolve_threshold: 0.95
    runbook: http://example.com/cpu
  - name: cpu
    metric: cpu_utilisation_ratio
    op: "<"
    threshold: 0.1
    resolve_threshold: 0.05
    info_labels: [cpu]
    labels: {cpu: "0"}
`))
	if err == nil {
		t.Fatal("Parse: no error")
	}
	for _, want := range []string{
		"rule 1 (Disk-Full): threshold is missing",
		`rule 1 (Disk-Full): name "Disk-Full" must be snake_case`,
		`rule 1 (Disk-Full): metric "disk used" is not a sample name`,
		`rule 1 (Disk-Full): labels: "bad label" is not a label name`,
		`rule 1 (Disk-Full): op "=>" must be one of`,
		"rule 1 (Disk-Full): for must not be negative",
		"rule 1 (Disk-Full): stale_after must be positive",
		`rule 1 (Disk-Full): severity "page" must be critical, warning or info`,
		"rule 1 (Disk-Full): summary:",
		`rule 1 (Disk-Full): runbook "docs/runbooks/../secrets.md" must be a repository path`,
		"rule 2 (cpu): resolve_threshold 0.95 must not be above threshold 0.9",
		`rule 2 (cpu): runbook "http://example.com/cpu" must be an https:// URL`,
		"rule 3 (cpu): the name is used by rule 2 too",
		"rule 3 (cpu): resolve_threshold 0.05 must not be below threshold 0.1",
		`rule 3 (cpu): info_labels: "cpu" is also matched in labels`,
		"rule 3 (cpu): runbook is missing",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("error:\n%v", err)
	}
}

func TestParse_rejects_files_without_rules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"empty_file", "", "the file is empty"},
		{"only_a_comment", "# nothing\n", "the file is empty"},
		{"empty_rule_list", "rules: []\n", "no alert rules"},
		{"two_documents", "rules: []\n---\nrules: []\n", "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "alerts.yaml")
	if err := os.WriteFile(path, []byte(ExampleYAML()), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(c.Rules) != len(DefaultRules()) {
		t.Errorf("%d rules, want %d", len(c.Rules), len(DefaultRules()))
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read alert rules") {
		t.Errorf("Load(missing) = %v, want a read error", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("rules:\n  - nme: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Load(bad) = %v, want an error naming the file and the line", err)
	}
}

func TestExampleYAML_equals_DefaultRules(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(ExampleYAML()))
	if err != nil {
		t.Fatalf("example.yaml does not parse: %v", err)
	}
	if diff := cmp.Diff(DefaultRules(), c.Rules); diff != "" {
		t.Errorf("example.yaml differs from DefaultRules (-DefaultRules +example.yaml):\n%s", diff)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig is invalid: %v", err)
	}
}

// The rule names, their metrics and runbooks are a contract with the collectors, the
// runbooks and the docs.
func TestDefaultRules_contract(t *testing.T) {
	t.Parallel()
	type contract struct {
		Metric    string
		Op        Op
		Threshold float64
		Resolve   float64
		For       time.Duration
		Runbook   string
	}
	want := map[string]contract{
		"host_cpu_high":             {"cpu_utilisation_ratio", OpGreater, 0.9, 0.75, 10 * time.Minute, "docs/runbooks/host-cpu-high.md"},
		"host_memory_high":          {"memory_used_ratio", OpGreater, 0.9, 0.8, 5 * time.Minute, "docs/runbooks/host-memory-high.md"},
		"host_disk_full":            {"disk_used_ratio", OpGreater, 0.9, 0.85, 5 * time.Minute, "docs/runbooks/host-disk-full.md"},
		"host_inodes_full":          {"disk_inodes_used_ratio", OpGreater, 0.9, 0.85, 5 * time.Minute, "docs/runbooks/host-inodes-full.md"},
		"host_disk_stat_hung":       {"disk_stat_timeout", OpGreater, 0, 0, 2 * time.Minute, "docs/runbooks/host-disk-stat-hung.md"},
		"host_load_high":            {"load1_per_cpu", OpGreater, 2, 1.5, 15 * time.Minute, "docs/runbooks/host-load-high.md"},
		"probe_failed":              {"probe_success", OpLess, 1, 1, 3 * time.Minute, "docs/runbooks/probe-failed.md"},
		"process_missing":           {"process_running", OpLess, 1, 1, 2 * time.Minute, "docs/runbooks/process-missing.md"},
		"collector_failed":          {"collector_success", OpLess, 1, 1, 10 * time.Minute, "docs/runbooks/collector-failed.md"},
		"pipeline_run_failed":       {"pipeline_last_run_failed", OpGreater, 0, 0, 0, "docs/runbooks/collect-failed.md"},
		"pipeline_stale":            {"pipeline_last_success_age_seconds", OpGreater, 10800, 10800, 0, "docs/runbooks/no-successful-run.md"},
		"pipeline_stale_trends":     {"pipeline_last_success_age_seconds", OpGreater, 172800, 172800, 0, "docs/runbooks/no-successful-run.md"},
		"pipeline_stale_qnet":       {"pipeline_last_success_age_seconds", OpGreater, 1296000, 1296000, 0, "docs/runbooks/no-successful-run.md"},
		"pipeline_check_failed":     {"pipeline_failed_error_checks", OpGreater, 0, 0, 0, "docs/runbooks/check-failed.md"},
		"cloud_function_not_active": {"cloud_function_active", OpLess, 1, 1, 5 * time.Minute, "docs/runbooks/function-failing.md"},
	}
	got := map[string]contract{}
	for _, r := range DefaultRules() {
		got[r.Name] = contract{r.Metric, r.Op, r.Threshold, r.ResolveThreshold, r.For, r.Runbook}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default rules (-want +got):\n%s", diff)
	}
}

func TestDefaultRules_summaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rule     string
		labels   map[string]string
		value    float64
		resolved bool
		want     string
	}{
		{"host_cpu_high", nil, 0.934, false, "CPU utilisation is 93% (alert above 90%)"},
		{"host_cpu_high", nil, 0.5, true, "CPU utilisation is 50% (alert above 90%)"},
		{"host_disk_full", map[string]string{"mountpoint": "/var"}, 0.951, false, "Disk /var is 95% full (alert above 90%)"},
		{"host_load_high", nil, 2.5, false, "Load is 2.50 per CPU (alert above 2)"},
		{"probe_failed", map[string]string{"kind": "https", "target": "saramin"}, 0, false, "The https probe of saramin fails"},
		{"probe_failed", map[string]string{"kind": "https", "target": "saramin"}, 1, true, "The https probe of saramin succeeds again"},
		{"process_missing", map[string]string{"name": "cron"}, 0, false, "No process matches cron"},
		{"process_missing", map[string]string{"name": "cron"}, 1, true, "A process matches cron again"},
		{"pipeline_run_failed", map[string]string{"source": "saramin", "run_id": "r1", "step": "collect", "error": "quota exhausted"}, 1, false,
			"The newest saramin run r1 failed in step collect: quota exhausted"},
		{"pipeline_run_failed", map[string]string{"source": "saramin", "run_id": "r1"}, 1, false, "The newest saramin run r1 failed"},
		{"pipeline_run_failed", map[string]string{"source": "saramin", "run_id": "", "step": "", "error": ""}, 0, true, "The newest saramin run succeeded"},
		{"pipeline_stale", map[string]string{"source": "saramin"}, 11000, false,
			"The last successful saramin run finished 3h 03m ago (alert after 3h 00m)"},
		{"pipeline_check_failed", map[string]string{"source": "saramin"}, 2, false, "2 error-severity check(s) failed in the newest saramin run"},
		{"cloud_function_not_active", map[string]string{"function": "ProcessRun", "state": "FAILED", "reason": "build failed"}, 0, false,
			"Cloud Function ProcessRun is FAILED: build failed"},
		{"cloud_function_not_active", map[string]string{"function": "ProcessRun"}, 0, false, "Cloud Function ProcessRun is not ACTIVE"},
		{"cloud_function_not_active", map[string]string{"function": "ProcessRun", "state": "ACTIVE"}, 1, true, "Cloud Function ProcessRun is ACTIVE again"},
	}
	rules := map[string]Rule{}
	for _, r := range DefaultRules() {
		rules[r.Name] = r
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_resolved_%v", tt.rule, tt.resolved), func(t *testing.T) {
			t.Parallel()
			r := rules[tt.rule]
			tmpl, err := parseSummary(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := render(tmpl, r, tt.labels, tt.value, tt.resolved)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHumanSeconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"seconds", 45, "45s"},
		{"minutes", 750, "12m 30s"},
		{"hours", 3*3600 + 5*60, "3h 05m"},
		{"days", 50 * 3600, "2d 02h"},
		{"negative", -90, "-1m 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := humanSeconds(tt.in); got != tt.want {
				t.Errorf("humanSeconds(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
