package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/jobpulse/jobpulse/monitor"
)

func TestRenderAgentConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  agentConfig
		want map[string]any
	}{
		{
			name: "no_ledger",
			cfg: agentConfig{Interval: "15s", Listen: "127.0.0.1:9999", StateDir: "/tmp/x y/state",
				ProbeAddr: "127.0.0.1:4000", AgentComm: "jobpulse-monito"},
			want: map[string]any{
				"interval":  "15s",
				"listen":    "127.0.0.1:9999",
				"state_dir": "/tmp/x y/state",
				"hostname":  "monitorbench",
				"host": map[string]any{
					"targets": []any{
						map[string]any{"name": "bench-dns", "kind": "dns", "address": "localhost"},
						map[string]any{"name": "bench-tcp", "kind": "tcp", "address": "127.0.0.1:4000"},
						map[string]any{"name": "bench-http", "kind": "https", "address": "http://127.0.0.1:4000/"},
					},
					"processes": []any{map[string]any{"name": "bench-agent", "comm": "jobpulse-monito"}},
				},
				"pipeline":  map[string]any{"warehouse": ""},
				"functions": map[string]any{"project": ""},
				"slack":     map[string]any{"webhook_url_env": "SLACK_WEBHOOK_URL"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			y, err := renderAgentConfig(tt.cfg)
			if err != nil {
				t.Fatalf("renderAgentConfig() error = %v", err)
			}
			var got map[string]any
			if err := yaml.Unmarshal([]byte(y), &got); err != nil {
				t.Fatalf("rendered config is not YAML: %v\n%s", err, y)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rendered config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderAgentConfigNoProbes: -probes=false gives host collectors only, and the
// agent accepts the file.
func TestRenderAgentConfigNoProbes(t *testing.T) {
	t.Parallel()
	y, err := renderAgentConfig(agentConfig{Interval: "15s", Listen: "127.0.0.1:9999", StateDir: t.TempDir(),
		ProbeAddr: "127.0.0.1:4000", AgentComm: "jobpulse-monito", NoProbes: true})
	if err != nil {
		t.Fatalf("renderAgentConfig() error = %v", err)
	}
	var got struct {
		Host struct {
			Targets   []any `yaml:"targets"`
			Processes []any `yaml:"processes"`
		} `yaml:"host"`
	}
	if err := yaml.Unmarshal([]byte(y), &got); err != nil {
		t.Fatalf("rendered config is not YAML: %v\n%s", err, y)
	}
	if got.Host.Targets == nil || len(got.Host.Targets) != 0 || len(got.Host.Processes) != 1 {
		t.Errorf("host = %+v, want targets: [] and the one process", got.Host)
	}
	if strings.Contains(y, "bench-dns") {
		t.Errorf("a probe is left in:\n%s", y)
	}
}

func TestRenderAgentConfigWarehouse(t *testing.T) {
	t.Parallel()
	y, err := renderAgentConfig(agentConfig{Interval: "1s", Warehouse: "duckdb:///data/warehouse.duckdb"})
	if err != nil {
		t.Fatalf("renderAgentConfig() error = %v", err)
	}
	var got struct {
		Pipeline struct {
			Warehouse string `yaml:"warehouse"`
		} `yaml:"pipeline"`
	}
	if err := yaml.Unmarshal([]byte(y), &got); err != nil {
		t.Fatalf("rendered config is not YAML: %v", err)
	}
	if got.Pipeline.Warehouse != "duckdb:///data/warehouse.duckdb" {
		t.Errorf("pipeline.warehouse = %q, want the -warehouse value", got.Pipeline.Warehouse)
	}
}

func TestCommOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, binary, want string
	}{
		{name: "long_name_is_cut_to_15", binary: "bin/jobpulse-monitor", want: "jobpulse-monito"},
		{name: "short_name_kept", binary: "/usr/bin/agent", want: "agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := commOf(tt.binary); got != tt.want {
				t.Errorf("commOf(%q) = %q, want %q", tt.binary, got, tt.want)
			}
		})
	}
}

// The benchmark must never post to Slack: the webhook variable is removed from the
// children's environment, and the secret appears nowhere the harness writes.
func TestChildEnvDropsWebhook(t *testing.T) {
	t.Parallel()
	const secret = "https://hooks.slack.com/services/T000/B000/s3cr3t-token"
	env := []string{"PATH=/usr/bin", webhookEnv + "=" + secret, "HOME=/root", "SLACK_WEBHOOK_URL_OTHER=keep"}
	got := childEnv(env)
	want := []string{"PATH=/usr/bin", "HOME=/root", "SLACK_WEBHOOK_URL_OTHER=keep"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("childEnv() mismatch (-want +got):\n%s", diff)
	}
	if strings.Contains(strings.Join(got, "\n"), secret) {
		t.Error("childEnv() kept the webhook secret")
	}
}

// TestRenderAgentConfig_validForTheAgent: the generated configuration is one the agent
// accepts, and without -warehouse it configures no pipeline watcher, so the agent
// starts no probe and the benchmark measures the host agent alone.
func TestRenderAgentConfig_validForTheAgent(t *testing.T) {
	t.Parallel()
	y, err := renderAgentConfig(agentConfig{Interval: "15s", Listen: "127.0.0.1:9999", StateDir: "/tmp/bench/state",
		ProbeAddr: "127.0.0.1:4000", AgentComm: "jobpulse-monito"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := monitor.Parse([]byte(y))
	if err != nil {
		t.Fatalf("the agent does not parse the generated config: %v\n%s", err, y)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the agent refuses the generated config: %v\n%s", err, y)
	}
	if argv := c.ProbeCommand(time.Now()); argv != nil {
		t.Errorf("the generated config starts the probe %q; want a host-only agent", argv)
	}
}
