package monitor

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/jobpulse/jobpulse/monitor/alert"
	"github.com/jobpulse/jobpulse/monitor/host"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
)

// Defaults of the fields a configuration file may omit.
const (
	DefaultInterval         = 15 * time.Second
	DefaultListen           = "127.0.0.1:9464"
	DefaultStateDir         = "/var/lib/jobpulse-monitor"
	DefaultCollectorTimeout = 10 * time.Second
	DefaultWebhookURLEnv    = "SLACK_WEBHOOK_URL"
	DefaultFunctionsRegion  = "asia-northeast3"
	// DefaultProbeInterval is how often the agent starts the pipeline probe: the ledger
	// changes a few times an hour, a DuckDB read costs tens of milliseconds of CPU and a
	// BigQuery one is billed, so not every host tick.
	DefaultProbeInterval = time.Minute
)

// DefaultProbeCommand is the probe's command line without its flags: the jobpulse CLI,
// found in PATH or beside the agent's own binary.
func DefaultProbeCommand() []string { return []string{"jobpulse", "monitor-probe"} }

// exampleYAML is example.yaml: every key with its default, explained. A test keeps it
// parsing and valid.
//
//go:embed example.yaml
var exampleYAML string

// ExampleYAML returns the documented example configuration file.
func ExampleYAML() string { return exampleYAML }

// Config is the agent's configuration: one YAML file (see example.yaml), every field
// defaulted (see Default).
type Config struct {
	// Interval is how often the agent collects and evaluates the rules.
	Interval time.Duration
	// Listen is the address of /metrics and /healthz; loopback by default, because the
	// metrics name the host's mounts, processes and pipeline errors.
	Listen string
	// StateDir holds the alert state file and the Slack outbox.
	StateDir string
	// Hostname names this machine in alert messages; empty means os.Hostname.
	Hostname string
	// RunbookBaseURL turns a runbook's repository path into a link, e.g.
	// https://github.com/jobpulse/jobpulse/blob/main; empty shows the path.
	RunbookBaseURL string
	// CollectorTimeout bounds each host collector in a tick (the pipeline watchers have
	// their own timeouts).
	CollectorTimeout time.Duration
	// Host configures the host collectors.
	Host host.Config
	// Pipeline configures the ledger watcher and the probe that runs the watchers.
	Pipeline PipelineConfig
	// Functions configures the Cloud Functions watcher; an empty Project disables it.
	Functions FunctionsConfig
	// Alerts are the alert rules.
	Alerts alert.Config
	// Slack configures delivery.
	Slack SlackConfig
}

// PipelineConfig says where the pipeline's run ledger is, and how the agent reads it and
// the Cloud Functions: not itself, but through the probe, a child process (`jobpulse
// monitor-probe`) started at most once per Interval. Linking DuckDB, BigQuery and the
// Cloud Functions client would triple the agent's memory; the probe pays for them only
// while it runs.
type PipelineConfig struct {
	// Warehouse is duckdb:///path/warehouse.duckdb, bigquery://PROJECT?location=…&dataset_prefix=…,
	// or empty for no ledger watcher.
	Warehouse string
	// Ledger is what the ledger watcher expects: sources, window, timeout.
	Ledger LedgerConfig
	// Command is the probe's command line, without the flags the agent adds. A bare
	// name is looked up in PATH, then beside the agent's own binary.
	Command []string
	// Interval is how often the probe runs; every tick in between reuses its results.
	Interval time.Duration
}

// LedgerConfig is what the ledger watcher expects: sources, window, timeout (Since is
// set by the agent when it starts the probe).
type LedgerConfig = watchconfig.Ledger

// FunctionsConfig configures the Cloud Functions watcher. An empty Project disables it.
type FunctionsConfig = watchconfig.Functions

// SlackConfig configures alert delivery. The webhook URL is a secret and never lives in
// the file: the file names the environment variable that holds it.
type SlackConfig struct {
	// WebhookURLEnv is the name of the environment variable holding the webhook URL.
	// When the variable is unset or empty, alerts are printed to stdout instead.
	WebhookURLEnv string
	// MaxPending bounds the outbox (0: notify's default, 500).
	MaxPending int
}

// DefaultTargets are the reachability probes of the default configuration: the two
// services the pipeline and the agent cannot work without.
func DefaultTargets() []host.Target {
	return []host.Target{
		{Name: "slack", Kind: host.KindHTTPS, Address: "https://hooks.slack.com:443/"},
		{Name: "bigquery-dns", Kind: host.KindDNS, Address: "bigquery.googleapis.com"},
		{Name: "bigquery", Kind: host.KindHTTPS, Address: "https://bigquery.googleapis.com/"},
	}
}

// Default returns the configuration of an empty file.
func Default() Config {
	return Config{
		Interval:         DefaultInterval,
		Listen:           DefaultListen,
		StateDir:         DefaultStateDir,
		CollectorTimeout: DefaultCollectorTimeout,
		Host: host.Config{
			Paths:        host.Paths{ProcPath: host.DefaultProcPath, SysPath: host.DefaultSysPath, RootFS: host.DefaultRootFS},
			StatTimeout:  host.DefaultStatTimeout,
			ProbeTimeout: host.DefaultProbeTimeout,
			Targets:      DefaultTargets(),
		},
		Pipeline: PipelineConfig{
			Ledger:  LedgerConfig{Sources: watchconfig.DefaultSources(), Window: watchconfig.DefaultWindow, Timeout: watchconfig.DefaultLedgerTimeout},
			Command: DefaultProbeCommand(), Interval: DefaultProbeInterval,
		},
		Functions: FunctionsConfig{
			Region: DefaultFunctionsRegion, Functions: watchconfig.DefaultFunctions(), Timeout: watchconfig.DefaultFunctionsTimeout,
		},
		Alerts: alert.DefaultConfig(),
		Slack:  SlackConfig{WebhookURLEnv: DefaultWebhookURLEnv},
	}
}

// Load reads the configuration file at path; see Parse.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read monitor config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("monitor config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a configuration file strictly (an unknown key is an error naming its
// line) over Default. It checks the alert rules, which only make sense whole, but not
// the rest: apply command-line overrides, then call Validate.
func Parse(data []byte) (Config, error) {
	c := Default()
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	raw := newRawConfig(c)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []error
	switch err := dec.Decode(&raw); {
	case errors.Is(err, io.EOF):
		return c, nil // only comments
	case err != nil:
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return Config{}, fmt.Errorf("decode YAML (fix the line named; monitor/example.yaml documents every key): %w", err)
		}
		errs = append(errs, friendlyYAML(te))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		errs = append(errs, errors.New("the file holds more than one YAML document: keep only one"))
	}
	c = raw.config(c)
	if raw.Alerts.Kind != 0 && raw.Alerts.Tag != "!!null" {
		ac, err := alert.Parse(alertsDocument(data))
		if err != nil {
			errs = append(errs, fmt.Errorf("alerts: %w", err))
		}
		c.Alerts = ac
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// alertsDocument cuts the alerts section out of the file as a document of its own for
// alert.Parse, with every other line blanked rather than removed, so that the line
// numbers in its errors are those of the operator's file. The section runs from the
// alerts key to the line before the next top-level key.
func alertsDocument(data []byte) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	root := doc.Content[0]
	lines := bytes.Split(data, []byte("\n"))
	var key *yaml.Node
	first, last := 0, len(lines)-1
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if key != nil {
			last = k.Line - 2
			break
		}
		if k.Value == "alerts" {
			key, first = k, k.Line-1
		}
	}
	if key == nil {
		return nil
	}
	for i := range lines {
		switch {
		case i < first || i > last:
			lines[i] = nil
		case i == first:
			// Blank out "alerts:" itself, keeping the columns of a flow value after it.
			l := lines[i]
			start := min(key.Column-1, len(l))
			if colon := bytes.IndexByte(l[start:], ':'); colon >= 0 {
				end := start + colon + 1
				lines[i] = append(bytes.Repeat([]byte(" "), end), l[end:]...)
			}
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// friendlyYAML names the sections the way the file's reader knows them, and says where
// a webhook URL goes instead of the file.
func friendlyYAML(te *yaml.TypeError) error {
	r := strings.NewReplacer(
		"in type monitor.rawConfig", "at the top level",
		"in type monitor.rawHost", "in host",
		"in type host.Target", "in a host target",
		"in type host.ProcessMatch", "in a host process",
		"in type monitor.rawPipeline", "in pipeline",
		"in type monitor.rawFunctions", "in functions",
		"in type monitor.rawSlack", "in slack",
	)
	errs := make([]error, len(te.Errors))
	for i, e := range te.Errors {
		msg := r.Replace(e)
		if strings.Contains(msg, "field webhook_url ") {
			msg += ": the webhook URL is a secret and never lives in the file; set webhook_url_env to the name of the environment variable holding it"
		}
		errs[i] = errors.New(msg)
	}
	return errors.Join(errs...)
}

// rawConfig is the file as written. It starts out holding the defaults, so that the
// decoder overwrites only the keys the file has.
type rawConfig struct {
	Interval         duration     `yaml:"interval"`
	Listen           string       `yaml:"listen"`
	StateDir         string       `yaml:"state_dir"`
	Hostname         string       `yaml:"hostname"`
	RunbookBaseURL   string       `yaml:"runbook_base_url"`
	CollectorTimeout duration     `yaml:"collector_timeout"`
	Host             rawHost      `yaml:"host"`
	Pipeline         rawPipeline  `yaml:"pipeline"`
	Functions        rawFunctions `yaml:"functions"`
	// Alerts is decoded by alert.Parse, from the file's own lines.
	Alerts yaml.Node `yaml:"alerts"`
	Slack  rawSlack  `yaml:"slack"`
}

type rawHost struct {
	ProcPath           string              `yaml:"proc_path"`
	SysPath            string              `yaml:"sys_path"`
	RootFS             string              `yaml:"root_fs"`
	MountPointExcludes []string            `yaml:"mount_point_excludes"`
	StatTimeout        duration            `yaml:"stat_timeout"`
	ProbeTimeout       duration            `yaml:"probe_timeout"`
	Targets            []host.Target       `yaml:"targets"`
	Processes          []host.ProcessMatch `yaml:"processes"`
}

type rawPipeline struct {
	Warehouse string   `yaml:"warehouse"`
	Sources   []string `yaml:"sources"`
	Window    duration `yaml:"window"`
	Timeout   duration `yaml:"timeout"`
	Command   []string `yaml:"command"`
	Interval  duration `yaml:"interval"`
}

type rawFunctions struct {
	Project string   `yaml:"project"`
	Region  string   `yaml:"region"`
	Names   []string `yaml:"names"`
	Timeout duration `yaml:"timeout"`
}

type rawSlack struct {
	WebhookURLEnv string `yaml:"webhook_url_env"`
	MaxPending    int    `yaml:"max_pending"`
}

func newRawConfig(c Config) rawConfig {
	return rawConfig{
		Interval: duration(c.Interval), Listen: c.Listen, StateDir: c.StateDir, Hostname: c.Hostname,
		RunbookBaseURL: c.RunbookBaseURL, CollectorTimeout: duration(c.CollectorTimeout),
		Host: rawHost{
			ProcPath: c.Host.ProcPath, SysPath: c.Host.SysPath, RootFS: c.Host.RootFS,
			MountPointExcludes: c.Host.MountPointExcludes, StatTimeout: duration(c.Host.StatTimeout),
			ProbeTimeout: duration(c.Host.ProbeTimeout), Targets: c.Host.Targets, Processes: c.Host.Processes,
		},
		Pipeline: rawPipeline{
			Warehouse: c.Pipeline.Warehouse, Sources: c.Pipeline.Ledger.Sources,
			Window: duration(c.Pipeline.Ledger.Window), Timeout: duration(c.Pipeline.Ledger.Timeout),
			Command: c.Pipeline.Command, Interval: duration(c.Pipeline.Interval),
		},
		Functions: rawFunctions{
			Project: c.Functions.Project, Region: c.Functions.Region, Names: c.Functions.Functions,
			Timeout: duration(c.Functions.Timeout),
		},
		Slack: rawSlack{WebhookURLEnv: c.Slack.WebhookURLEnv, MaxPending: c.Slack.MaxPending},
	}
}

func (rc rawConfig) config(c Config) Config {
	c.Interval, c.Listen, c.StateDir, c.Hostname = time.Duration(rc.Interval), rc.Listen, rc.StateDir, rc.Hostname
	c.RunbookBaseURL, c.CollectorTimeout = rc.RunbookBaseURL, time.Duration(rc.CollectorTimeout)
	c.Host = host.Config{
		Paths:              host.Paths{ProcPath: rc.Host.ProcPath, SysPath: rc.Host.SysPath, RootFS: rc.Host.RootFS},
		MountPointExcludes: rc.Host.MountPointExcludes, StatTimeout: time.Duration(rc.Host.StatTimeout),
		ProbeTimeout: time.Duration(rc.Host.ProbeTimeout), Targets: rc.Host.Targets, Processes: rc.Host.Processes,
	}
	c.Pipeline = PipelineConfig{
		Warehouse: rc.Pipeline.Warehouse,
		Ledger: LedgerConfig{
			Sources: rc.Pipeline.Sources, Window: time.Duration(rc.Pipeline.Window), Timeout: time.Duration(rc.Pipeline.Timeout),
		},
		Command: rc.Pipeline.Command, Interval: time.Duration(rc.Pipeline.Interval),
	}
	c.Functions = FunctionsConfig{
		Project: rc.Functions.Project, Region: rc.Functions.Region, Functions: rc.Functions.Names,
		Timeout: time.Duration(rc.Functions.Timeout),
	}
	c.Slack = SlackConfig{WebhookURLEnv: rc.Slack.WebhookURLEnv, MaxPending: rc.Slack.MaxPending}
	return c
}

// duration is a time.Duration written as a Go duration string ("15s", "1h30m").
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		// A TypeError lets the decoder go on and report the file's other problems.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration: write it like 15s, 5m or 1h30m", n.Line, n.Value)}}
	}
	*d = duration(v)
	return nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports every problem of the configuration at once, each saying what to set.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Interval < time.Second {
		bad("interval %s: want at least 1s, e.g. 15s", c.Interval)
	}
	if err := checkListen(c.Listen); err != nil {
		bad("listen %q: %v", c.Listen, err)
	}
	if !filepath.IsAbs(c.StateDir) {
		bad("state_dir %q: want an absolute directory for the alert state and the outbox, e.g. %s", c.StateDir, DefaultStateDir)
	}
	if c.RunbookBaseURL != "" {
		if u, err := url.Parse(c.RunbookBaseURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("runbook_base_url %q: want an https:// URL such as https://github.com/jobpulse/jobpulse/blob/main, or leave it empty", c.RunbookBaseURL)
		}
	}
	if c.CollectorTimeout <= 0 {
		bad("collector_timeout %s: want a positive duration such as 10s", c.CollectorTimeout)
	}
	for _, e := range flatten(c.Host.Validate()) {
		bad("host: %w", e)
	}
	if err := checkWarehouse(c.Pipeline.Warehouse); err != nil {
		bad("pipeline warehouse: %w", err)
	}
	for _, e := range flatten(c.Pipeline.Ledger.Validate()) {
		bad("pipeline: %w", e)
	}
	if len(c.Pipeline.Command) == 0 || strings.TrimSpace(c.Pipeline.Command[0]) == "" {
		bad("pipeline command %q: want the probe's command line, e.g. [jobpulse, monitor-probe] (the default)", c.Pipeline.Command)
	}
	if c.Pipeline.Interval < time.Second {
		bad("pipeline interval %s: want how often the probe reads the pipeline, at least 1s, e.g. 1m", c.Pipeline.Interval)
	}
	if c.Functions.Project != "" {
		for _, e := range flatten(c.Functions.Validate()) {
			bad("functions: %w", e)
		}
	}
	for _, e := range flatten(c.Alerts.Validate()) {
		bad("alerts: %w", e)
	}
	if !envNameRE.MatchString(c.Slack.WebhookURLEnv) {
		bad("slack webhook_url_env %q: want the NAME of the environment variable holding the webhook URL, e.g. %s (the URL itself never goes in the file)",
			redactURL(c.Slack.WebhookURLEnv), DefaultWebhookURLEnv)
	}
	if c.Slack.MaxPending < 0 {
		bad("slack max_pending %d: want how many messages may wait in the outbox (0 for the default, 500)", c.Slack.MaxPending)
	}
	return errors.Join(errs...)
}

// redactURL keeps a webhook URL pasted where its variable's name belongs out of errors.
func redactURL(s string) string {
	if strings.Contains(s, "://") {
		return "<a URL, redacted>"
	}
	return s
}

func checkListen(addr string) error {
	h, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, e.g. 127.0.0.1:9464")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("the port must be a number from 0 to 65535")
	}
	if h == "" {
		return errors.New("give the address to listen on, e.g. 127.0.0.1:9464; to expose the metrics on every interface write 0.0.0.0:9464 explicitly")
	}
	return nil
}

// checkWarehouse checks the shape of the ledger's URL. The probe, which links the
// warehouse adapters, checks the rest and says so in its error.
func checkWarehouse(u string) error {
	const want = "want duckdb:///path/warehouse.duckdb, bigquery://PROJECT?location=…&dataset_prefix=…, or empty for no ledger watcher"
	switch {
	case u == "":
		return nil
	case strings.HasPrefix(u, "duckdb://"):
		if strings.TrimPrefix(u, "duckdb://") == "" {
			return fmt.Errorf("%q names no file: %s", u, want)
		}
		return nil
	case strings.HasPrefix(u, "bigquery://"):
		p, err := url.Parse(u)
		if err != nil || p.Hostname() == "" || p.User != nil {
			return fmt.Errorf("%q: want bigquery://PROJECT?location=…&dataset_prefix=…, without credentials (the probe uses Application Default Credentials)", redactURL(u))
		}
		return nil
	}
	return fmt.Errorf("%q: %s", redactURL(u), want)
}

// flatten expands errors.Join results into their parts.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
