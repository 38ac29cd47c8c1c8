package alert

import (
	_ "embed"
	"time"
)

// exampleYAML is example.yaml: the default rules written as a commented rules file.
// A test holds it equal to DefaultRules.
//
//go:embed example.yaml
var exampleYAML string

// ExampleYAML returns a rules file holding DefaultRules, with every field explained:
// the starting point for an operator's own file.
func ExampleYAML() string { return exampleYAML }

// DefaultRules are the rules the monitor runs when the operator configures none. The
// names are a contract: runbooks, dashboards and the docs refer to them.
func DefaultRules() []Rule {
	rule := func(name, metric string, op Op, threshold, resolve float64, hold time.Duration, sev Severity, summary, runbook string) Rule {
		return Rule{
			Name: name, Metric: metric, Op: op, Threshold: threshold, ResolveThreshold: resolve, For: hold,
			RepeatInterval: DefaultRepeatInterval, StaleAfter: DefaultStaleAfter, Severity: sev,
			Summary: summary, Runbook: runbook,
		}
	}
	// Each source has its own cadence, so each has its own staleness window.
	stale := func(name, source string, window time.Duration) Rule {
		r := rule(name, "pipeline_last_success_age_seconds", OpGreater, window.Seconds(), window.Seconds(), 0, SeverityCritical,
			"The last successful {{.Labels.source}} run finished {{duration .Value}} ago (alert after {{duration .Threshold}})",
			"docs/runbooks/no-successful-run.md")
		r.Labels = map[string]string{"source": source}
		return r
	}
	runFailed := rule("pipeline_run_failed", "pipeline_last_run_failed", OpGreater, 0, 0, 0, SeverityCritical,
		"The newest {{.Labels.source}} run {{if .Resolved}}succeeded{{else}}{{.Labels.run_id}} failed{{with .Labels.step}} in step {{.}}{{end}}{{with .Labels.error}}: {{.}}{{end}}{{end}}",
		"docs/runbooks/collect-failed.md")
	runFailed.InfoLabels = []string{"run_id", "step", "error"}
	notActive := rule("cloud_function_not_active", "cloud_function_active", OpLess, 1, 1, 5*time.Minute, SeverityCritical,
		"Cloud Function {{.Labels.function}} is {{if .Resolved}}ACTIVE again{{else}}{{or .Labels.state \"not ACTIVE\"}}{{with .Labels.reason}}: {{.}}{{end}}{{end}}",
		"docs/runbooks/function-failing.md")
	notActive.InfoLabels = []string{"state", "reason"}
	return []Rule{
		rule("host_cpu_high", "cpu_utilisation_ratio", OpGreater, 0.9, 0.75, 10*time.Minute, SeverityWarning,
			"CPU utilisation is {{percent .Value}} (alert above {{percent .Threshold}})",
			"docs/runbooks/host-cpu-high.md"),
		rule("host_memory_high", "memory_used_ratio", OpGreater, 0.9, 0.8, 5*time.Minute, SeverityWarning,
			"Memory use is {{percent .Value}} (alert above {{percent .Threshold}})",
			"docs/runbooks/host-memory-high.md"),
		rule("host_disk_full", "disk_used_ratio", OpGreater, 0.9, 0.85, 5*time.Minute, SeverityCritical,
			"Disk {{.Labels.mountpoint}} is {{percent .Value}} full (alert above {{percent .Threshold}})",
			"docs/runbooks/host-disk-full.md"),
		rule("host_inodes_full", "disk_inodes_used_ratio", OpGreater, 0.9, 0.85, 5*time.Minute, SeverityCritical,
			"Disk {{.Labels.mountpoint}} has used {{percent .Value}} of its inodes (alert above {{percent .Threshold}})",
			"docs/runbooks/host-inodes-full.md"),
		rule("host_disk_stat_hung", "disk_stat_timeout", OpGreater, 0, 0, 2*time.Minute, SeverityWarning,
			"Reading the usage of {{.Labels.mountpoint}} {{if .Resolved}}works again{{else}}hangs: the filesystem does not answer statfs{{end}}",
			"docs/runbooks/host-disk-stat-hung.md"),
		rule("host_load_high", "load1_per_cpu", OpGreater, 2, 1.5, 15*time.Minute, SeverityWarning,
			"Load is {{printf \"%.2f\" .Value}} per CPU (alert above {{.Threshold}})",
			"docs/runbooks/host-load-high.md"),
		rule("probe_failed", "probe_success", OpLess, 1, 1, 3*time.Minute, SeverityWarning,
			"The {{.Labels.kind}} probe of {{.Labels.target}} {{if .Resolved}}succeeds again{{else}}fails{{end}}",
			"docs/runbooks/probe-failed.md"),
		rule("process_missing", "process_running", OpLess, 1, 1, 2*time.Minute, SeverityCritical,
			"{{if .Resolved}}A process matches {{.Labels.name}} again{{else}}No process matches {{.Labels.name}}{{end}}",
			"docs/runbooks/process-missing.md"),
		rule("collector_failed", "collector_success", OpLess, 1, 1, 10*time.Minute, SeverityWarning,
			"The {{.Labels.collector}} collector {{if .Resolved}}works again{{else}}fails{{end}}",
			"docs/runbooks/collector-failed.md"),
		runFailed,
		stale("pipeline_stale", "saramin", 3*time.Hour),        // collected every 30–60 min
		stale("pipeline_stale_trends", "trends", 48*time.Hour), // a pass a day at most
		stale("pipeline_stale_qnet", "qnet", 15*24*time.Hour),  // a pass a week at most
		rule("pipeline_check_failed", "pipeline_failed_error_checks", OpGreater, 0, 0, 0, SeverityWarning,
			"{{.Value}} error-severity check(s) failed in the newest {{.Labels.source}} run",
			"docs/runbooks/check-failed.md"),
		notActive,
	}
}
