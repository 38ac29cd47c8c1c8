// Package alert turns the monitor's samples into alerts the way Prometheus and
// Alertmanager do: rules with thresholds and hold periods move each series through
// pending → firing → resolved, and the engine keeps that state on disk so that a
// restart neither pages again nor forgets an alert.
package alert

import (
	"fmt"
	"io"
	"maps"
	"math"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Op compares a sample's value with a rule's threshold.
type Op string

// The comparisons a rule can make.
const (
	OpGreater      Op = ">"
	OpGreaterEqual Op = ">="
	OpLess         Op = "<"
	OpLessEqual    Op = "<="
)

// holds reports whether "v op t" is true.
func (o Op) holds(v, t float64) bool {
	switch o {
	case OpGreater:
		return v > t
	case OpGreaterEqual:
		return v >= t
	case OpLess:
		return v < t
	case OpLessEqual:
		return v <= t
	}
	return false
}

// above reports whether the op alerts on high values (> and >=).
func (o Op) above() bool { return o == OpGreater || o == OpGreaterEqual }

func (o Op) valid() bool {
	switch o {
	case OpGreater, OpGreaterEqual, OpLess, OpLessEqual:
		return true
	}
	return false
}

// Severity says how urgent an alert is.
type Severity string

// The severities.
const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

func (s Severity) valid() bool {
	return s == SeverityCritical || s == SeverityWarning || s == SeverityInfo
}

// Defaults for the fields a rule may omit.
const (
	DefaultRepeatInterval = 4 * time.Hour
	DefaultStaleAfter     = time.Hour
	DefaultSeverity       = SeverityWarning
	// DefaultSummary is the summary of a rule that sets none.
	DefaultSummary = "{{.Metric}} is {{.Value}} (alert when {{.Op}} {{.Threshold}})"
)

// Rule is one alerting rule. Every series of Metric whose labels include Labels is
// one alert instance, evaluated on its own.
//
// An instance is pending while "value Op Threshold" holds, and fires once it has held
// for For. A firing instance resolves once "value Op ResolveThreshold" has not held
// for ResolveFor: with ResolveThreshold on the ok side of Threshold, a value that
// hovers between the two neither resolves nor fires again (hysteresis). For example
// "> 0.9, resolve 0.75" fires above 0.9 and resolves at or below 0.75.
type Rule struct {
	// Name identifies the rule in messages, state and runbooks, e.g. host_disk_full.
	Name string
	// Metric is the sample name, e.g. disk_used_ratio.
	Metric string
	// Labels selects series by exact label values; empty selects every series of Metric.
	Labels map[string]string
	// InfoLabels are labels that describe a series rather than identify it (a run id,
	// a state reason): they are left out of the alert's fingerprint, so that a new
	// value of them continues the same alert, and messages show their latest values.
	InfoLabels []string
	Op         Op
	Threshold  float64
	// ResolveThreshold is where a firing alert resolves: on the ok side of Threshold
	// (≤ it for > and >=, ≥ it for < and <=). Parse defaults it to Threshold.
	ResolveThreshold float64
	// For is how long the condition must hold before the alert fires (0: at once).
	For time.Duration
	// ResolveFor is how long the value must stay on the ok side of ResolveThreshold
	// before the alert resolves (0: at once).
	ResolveFor time.Duration
	// RepeatInterval is how often a still-firing alert is sent again; 0 never.
	RepeatInterval time.Duration
	// StaleAfter is how long a firing alert's series may be missing before the alert
	// resolves with a "no data" note instead of staying stuck.
	StaleAfter time.Duration
	Severity   Severity
	// Summary is a text/template over SummaryData; empty means DefaultSummary.
	Summary string
	// Runbook is a repository path "docs/runbooks/<name>.md" or an https URL.
	Runbook string
}

// SummaryData is what a rule's Summary template sees. Besides text/template's own
// functions it may call:
//
//	percent  a ratio as a percentage: {{percent .Value}} → "93%"
//	duration seconds as a duration: {{duration .Value}} → "3h 05m"
//
// A label the series does not have reads as "". The same template renders the firing,
// repeat and resolved messages: phrase it so that it reads right with any value
// ("Disk / is 80% full (alert above 90%)"), or tell the cases apart with .Resolved.
type SummaryData struct {
	Rule      string
	Metric    string
	Labels    map[string]string
	Value     float64
	Threshold float64
	Op        Op
	// Resolved is true in the message of an alert whose value is back on the ok
	// side; false while firing, and for a resolve for lack of data (nothing is known
	// to be better then).
	Resolved bool
}

var summaryFuncs = template.FuncMap{
	"percent":  percent,
	"duration": humanSeconds,
}

// parseSummary compiles a rule's summary template and runs it once on made-up data,
// so that a misspelt field fails at startup rather than when the alert fires.
func parseSummary(r Rule) (*template.Template, error) {
	text := r.Summary
	if text == "" {
		text = DefaultSummary
	}
	t, err := template.New(r.Name).Funcs(summaryFuncs).Option("missingkey=zero").Parse(text)
	if err != nil {
		return nil, err
	}
	probe := SummaryData{Rule: r.Name, Metric: r.Metric, Labels: map[string]string{}, Value: 1, Threshold: r.Threshold, Op: r.Op}
	if err := t.Execute(io.Discard, probe); err != nil {
		return nil, err
	}
	return t, nil
}

// render executes the summary; a failing template still yields a useful line.
func render(t *template.Template, r Rule, labels map[string]string, value float64, resolved bool) (string, error) {
	var b strings.Builder
	data := SummaryData{Rule: r.Name, Metric: r.Metric, Labels: maps.Clone(labels), Value: value, Threshold: r.Threshold, Op: r.Op, Resolved: resolved}
	if data.Labels == nil {
		data.Labels = map[string]string{}
	}
	if err := t.Execute(&b, data); err != nil {
		return fmt.Sprintf("%s is %s (alert when %s %s)", r.Metric, formatFloat(value), r.Op, formatFloat(r.Threshold)), err
	}
	return b.String(), nil
}

func percent(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "%" }

// humanSeconds formats a number of seconds for people: "45s", "12m 30s", "3h 05m",
// "2d 04h".
func humanSeconds(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return formatFloat(sec) + "s"
	}
	neg := ""
	if sec < 0 {
		neg, sec = "-", -sec
	}
	d := time.Duration(math.Round(sec)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", neg, int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%s%dm %02ds", neg, int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%s%dh %02dm", neg, int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%s%dd %02dh", neg, int(d.Hours())/24, int(d.Hours())%24)
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// matches reports whether a series' labels include every label of the rule's matcher.
func (r Rule) matches(labels map[string]string) bool {
	for k, v := range r.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// identity returns the labels that identify an instance: all but InfoLabels.
func (r Rule) identity(labels map[string]string) map[string]string {
	if len(r.InfoLabels) == 0 {
		return labels
	}
	out := maps.Clone(labels)
	for _, k := range r.InfoLabels {
		delete(out, k)
	}
	return out
}
