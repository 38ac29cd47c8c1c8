// Package alert turns the monitor's samples into alerts the way Prometheus and
// Alertmanager do: rules with thresholds and hold periods move each series through
// pending → firing → resolved, and the engine keeps that state on disk so that a
// restart neither pages again nor forgets an alert.
package alert

import (
	"maps"
	"strconv"
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
	// Summary is a template over SummaryData (see SummaryData); empty means
	// DefaultSummary.
	Summary string
	// Runbook is a repository path "docs/runbooks/<name>.md" or an https URL.
	Runbook string
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
