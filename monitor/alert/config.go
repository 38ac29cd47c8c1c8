package alert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the monitor's alert rules file (see example.yaml, which documents every
// field). The rules in a file replace DefaultRules entirely.
type Config struct {
	Rules []Rule
}

// DefaultConfig is the configuration used when the operator provides none.
func DefaultConfig() Config { return Config{Rules: DefaultRules()} }

// Load reads and validates the rules file at path.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read alert rules: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("alert rules %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a YAML rules file strictly (an unknown or repeated key is an error
// naming its line), fills in the defaults of omitted fields and validates the result,
// reporting every problem at once.
func Parse(data []byte) (Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw rawConfig
	switch err := dec.Decode(&raw); {
	case errors.Is(err, io.EOF):
		return Config{}, errors.New("the file is empty: list the rules under \"rules:\" (see monitor/alert/example.yaml)")
	case err != nil:
		return Config{}, fmt.Errorf("decode YAML (fix the key or value on the line named; monitor/alert/example.yaml documents every key): %w", friendlyYAML(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, errors.New("the file holds more than one YAML document: keep only one")
	}
	c, missing := raw.config()
	if err := errors.Join(missing, c.Validate()); err != nil {
		return Config{}, err
	}
	return c, nil
}

// friendlyYAML names our types the way the file's reader knows them.
func friendlyYAML(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	r := strings.NewReplacer("in type alert.rawRule", "in a rule", "in type alert.rawConfig", "at the top level")
	errs := make([]error, len(te.Errors))
	for i, e := range te.Errors {
		errs[i] = errors.New(r.Replace(e))
	}
	return errors.Join(errs...)
}

// rawConfig is the file as written: pointers tell an omitted field from a zero one.
type rawConfig struct {
	Rules []rawRule `yaml:"rules"`
}

type rawRule struct {
	Name             string            `yaml:"name"`
	Metric           string            `yaml:"metric"`
	Labels           map[string]string `yaml:"labels"`
	InfoLabels       []string          `yaml:"info_labels"`
	Op               string            `yaml:"op"`
	Threshold        *float64          `yaml:"threshold"`
	ResolveThreshold *float64          `yaml:"resolve_threshold"`
	For              *duration         `yaml:"for"`
	ResolveFor       *duration         `yaml:"resolve_for"`
	RepeatInterval   *duration         `yaml:"repeat_interval"`
	StaleAfter       *duration         `yaml:"stale_after"`
	Severity         string            `yaml:"severity"`
	Summary          string            `yaml:"summary"`
	Runbook          string            `yaml:"runbook"`
}

// config applies the defaults. The problems only the raw file shows (a missing
// threshold reads as 0 afterwards) come back as errors.
func (rc rawConfig) config() (Config, error) {
	var c Config
	var errs []error
	for i, rr := range rc.Rules {
		r := Rule{
			Name: rr.Name, Metric: rr.Metric, Labels: rr.Labels, InfoLabels: rr.InfoLabels, Op: Op(rr.Op),
			RepeatInterval: DefaultRepeatInterval, StaleAfter: DefaultStaleAfter, Severity: Severity(rr.Severity),
			Summary: rr.Summary, Runbook: rr.Runbook,
		}
		if rr.Threshold == nil {
			errs = append(errs, fmt.Errorf("%s: threshold is missing: set the value the metric is compared with", ruleRef(i, r)))
		} else {
			r.Threshold = *rr.Threshold
		}
		r.ResolveThreshold = r.Threshold
		if rr.ResolveThreshold != nil {
			r.ResolveThreshold = *rr.ResolveThreshold
		}
		for _, d := range []struct {
			from *duration
			to   *time.Duration
		}{{rr.For, &r.For}, {rr.ResolveFor, &r.ResolveFor}, {rr.RepeatInterval, &r.RepeatInterval}, {rr.StaleAfter, &r.StaleAfter}} {
			if d.from != nil {
				*d.to = time.Duration(*d.from)
			}
		}
		if r.Severity == "" {
			r.Severity = DefaultSeverity
		}
		c.Rules = append(c.Rules, r)
	}
	return c, errors.Join(errs...)
}

// duration is a time.Duration written as a Go duration string ("5m", "1h30m").
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		// A TypeError lets the decoder go on and report the file's other problems.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration: write it like 90s, 5m or 1h30m", n.Line, n.Value)}}
	}
	*d = duration(v)
	return nil
}

var (
	ruleNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	metricRE    = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	runbookRE   = regexp.MustCompile(`^docs/runbooks/[a-z0-9][a-z0-9._-]*\.md$`)
)

func ruleRef(i int, r Rule) string {
	if r.Name == "" {
		return fmt.Sprintf("rule %d", i+1)
	}
	return fmt.Sprintf("rule %d (%s)", i+1, r.Name)
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	if len(c.Rules) == 0 {
		return errors.New("no alert rules: list at least one under \"rules:\" (monitor/alert/example.yaml has the defaults)")
	}
	var errs []error
	seen := map[string]int{}
	for i, r := range c.Rules {
		if j, dup := seen[r.Name]; dup && r.Name != "" {
			errs = append(errs, fmt.Errorf("%s: the name is used by rule %d too: names must be unique", ruleRef(i, r), j+1))
		}
		seen[r.Name] = i
		for _, err := range r.problems() {
			errs = append(errs, fmt.Errorf("%s: %w", ruleRef(i, r), err))
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem of the rule at once.
func (r Rule) Validate() error { return errors.Join(r.problems()...) }

func (r Rule) problems() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !ruleNameRE.MatchString(r.Name) {
		bad("name %q must be snake_case (a-z, 0-9, _), e.g. host_disk_full", r.Name)
	}
	if !metricRE.MatchString(r.Metric) {
		bad("metric %q is not a sample name such as disk_used_ratio", r.Metric)
	}
	for k := range r.Labels {
		if !labelNameRE.MatchString(k) {
			bad("labels: %q is not a label name", k)
		}
	}
	for _, k := range r.InfoLabels {
		if !labelNameRE.MatchString(k) {
			bad("info_labels: %q is not a label name", k)
		}
		if _, ok := r.Labels[k]; ok {
			bad("info_labels: %q is also matched in labels; a label cannot both select and describe a series", k)
		}
	}
	if !r.Op.valid() {
		bad("op %q must be one of >, >=, <, <=", r.Op)
	}
	if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
		bad("threshold must be a finite number")
	}
	switch {
	case math.IsNaN(r.ResolveThreshold) || math.IsInf(r.ResolveThreshold, 0):
		bad("resolve_threshold must be a finite number")
	case r.Op.valid() && r.Op.above() && r.ResolveThreshold > r.Threshold:
		bad("resolve_threshold %s must not be above threshold %s: the alert fires above the threshold and resolves below it",
			formatFloat(r.ResolveThreshold), formatFloat(r.Threshold))
	case r.Op.valid() && !r.Op.above() && r.ResolveThreshold < r.Threshold:
		bad("resolve_threshold %s must not be below threshold %s: the alert fires below the threshold and resolves above it",
			formatFloat(r.ResolveThreshold), formatFloat(r.Threshold))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"for", r.For}, {"resolve_for", r.ResolveFor}, {"repeat_interval", r.RepeatInterval}} {
		if d.v < 0 {
			bad("%s must not be negative", d.name)
		}
	}
	if r.StaleAfter <= 0 {
		bad("stale_after must be positive, e.g. 1h: a firing alert without data resolves after it")
	}
	if !r.Severity.valid() {
		bad("severity %q must be critical, warning or info", r.Severity)
	}
	if _, err := parseSummary(r); err != nil {
		bad("summary: %v", err)
	}
	if err := checkRunbook(r.Runbook); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// checkRunbook accepts a runbook in this repository or on an https page: every alert
// must tell its reader what to do.
func checkRunbook(rb string) error {
	switch {
	case rb == "":
		return errors.New("runbook is missing: every alert links what to do, e.g. docs/runbooks/host-disk-full.md")
	case strings.Contains(rb, "://"):
		u, err := url.Parse(rb)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("runbook %q must be an https:// URL or a path docs/runbooks/<name>.md", rb)
		}
	case !runbookRE.MatchString(rb) || path.Clean(rb) != rb:
		return fmt.Errorf("runbook %q must be a repository path docs/runbooks/<name>.md (lower case) or an https:// URL", rb)
	}
	return nil
}
