package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
)

// agentConfigTemplate is the jobpulse-monitor configuration the benchmark runs when no
// -agent-config is given. It is the one place that knows the agent's config keys: keep
// it aligned with monitor/example.yaml (the agent's documented example).
//
// What it selects, and why:
//   - every host collector on the real host (cpu, memory, load, uptime, disk + inodes,
//     netdev, processes), which is what node_exporter's collector set covers;
//   - reachability probes of all three kinds, pointed at a listener inside the harness
//     (dns: localhost from /etc/hosts, tcp and http to 127.0.0.1), because the benchmark
//     must not depend on the outside network yet should pay for probing; with NoProbes
//     (-probes=false) none, which is node_exporter's kind of work: host collectors only;
//   - one named process (the agent itself, so the rule never fires);
//   - no pipeline watcher, so no probe (host-only, comparable to node_exporter): no
//     ledger unless -warehouse is given, no Cloud Functions. With -warehouse the agent
//     starts `jobpulse monitor-probe` (from PATH or beside the agent) every
//     pipeline.interval; the probe is a process of its own, and its memory and CPU are
//     not in the agent's figures;
//   - no Slack: webhook_url_env names a variable the harness removes from the agent's
//     environment, so alerts go to the console notifier (the agent's stdout log).
const agentConfigTemplate = `# Written by tools/monitorbench for one benchmark run; not an operator example
# (see monitor/example.yaml for that).
interval: {{.Interval}}
listen: {{quote .Listen}}
state_dir: {{quote .StateDir}}
hostname: monitorbench
host:
{{- if .NoProbes}}
  targets: []
{{- else}}
  targets:
    - name: bench-dns
      kind: dns
      address: localhost
    - name: bench-tcp
      kind: tcp
      address: {{quote .ProbeAddr}}
    - name: bench-http
      kind: https
      address: {{quote (print "http://" .ProbeAddr "/")}}
{{- end}}
  processes:
    - name: bench-agent
      comm: {{quote .AgentComm}}
pipeline:
  warehouse: {{quote .Warehouse}}
functions:
  project: ""
slack:
  webhook_url_env: {{.WebhookEnv}}
`

// webhookEnv is the variable the template names for the Slack webhook. The harness
// removes it from the agent's environment so a benchmark can never post to Slack.
const webhookEnv = "SLACK_WEBHOOK_URL"

// agentConfig holds the values of agentConfigTemplate.
type agentConfig struct {
	Interval  string
	Listen    string
	StateDir  string
	ProbeAddr string
	AgentComm string
	Warehouse string
	// NoProbes leaves host.targets empty.
	NoProbes bool
	// WebhookEnv is always webhookEnv; it is a field so the template has no literal to
	// drift from the constant.
	WebhookEnv string
}

// agentArgs is how the harness starts the agent: the run subcommand with the config, and
// the listen address and interval repeated as flags so a config given with -agent-config
// still serves where the harness scrapes and ticks as often as it scrapes.
func agentArgs(configPath, listen, interval string) []string {
	return []string{"run", "--config", configPath, "--listen", listen, "--interval", interval}
}

// renderAgentConfig returns the YAML of agentConfigTemplate for c.
func renderAgentConfig(c agentConfig) (string, error) {
	c.WebhookEnv = webhookEnv
	t, err := template.New("agent").Funcs(template.FuncMap{
		// A double-quoted Go string of printable ASCII is a valid YAML double-quoted
		// scalar; paths and addresses here are that.
		"quote": strconv.Quote,
	}).Option("missingkey=error").Parse(agentConfigTemplate)
	if err != nil {
		return "", fmt.Errorf("parse agent config template: %w", err)
	}
	var b strings.Builder
	if err := t.Execute(&b, c); err != nil {
		return "", fmt.Errorf("render agent config: %w", err)
	}
	return b.String(), nil
}

// writeAgentConfig renders c into dir/agent.yaml and returns its path.
func writeAgentConfig(dir string, c agentConfig) (string, error) {
	y, err := renderAgentConfig(c)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		return "", fmt.Errorf("write agent config: %w", err)
	}
	return path, nil
}

// commOf is the name /proc/<pid>/comm shows for a binary: its base name cut to the
// kernel's 15 characters.
func commOf(binary string) string {
	c := filepath.Base(binary)
	if len(c) > 15 {
		c = c[:15]
	}
	return c
}

// childEnv is env without the webhook variable, so the agent cannot find a webhook.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, webhookEnv+"=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
