// Package watch holds jobpulse-monitor's pipeline watchers: the run ledger in the
// warehouse and the state of the deployed Cloud Functions, each reported once per tick
// as samples for the alert rules.
//
// A watcher is called from one goroutine per tick; Collect is safe for concurrent use
// all the same.
package watch

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Sample names. The alert rules refer to them by name: they are a contract.
const (
	// MetricLastSuccessAge is pipeline_last_success_age_seconds{source}: seconds since
	// the newest run that worked (success or no_new_postings) finished.
	MetricLastSuccessAge = "pipeline_last_success_age_seconds"
	// MetricLastRunFailed is pipeline_last_run_failed{source,run_id,step,error}: 1 if the
	// newest run failed, else 0.
	MetricLastRunFailed = "pipeline_last_run_failed"
	// MetricLastRunTimestamp is pipeline_last_run_timestamp_seconds{source,status}: when
	// the newest run finished, as Unix seconds.
	MetricLastRunTimestamp = "pipeline_last_run_timestamp_seconds"
	// MetricFailedErrorChecks is pipeline_failed_error_checks{source}: error-severity
	// checks of the newest run that did not pass.
	MetricFailedErrorChecks = "pipeline_failed_error_checks"
	// MetricFunctionActive is cloud_function_active{function,state,reason}: 1 if the
	// function is ACTIVE, else 0.
	MetricFunctionActive = "cloud_function_active"
)

// MaxReasonLen bounds free-text label values (a failed run's error, a function's state
// message) in runes: enough for an alert summary, and a label never grows with the text.
const MaxReasonLen = 200

// urlQuery matches a URL's query string: where API keys travel (Saramin's access-key).
var urlQuery = regexp.MustCompile(`(?i)(https?://[^\s?#"'<>]+)\?[^\s#"'<>]*`)

// labelText makes free text fit for a label value: its first line, without URL query
// strings, at most MaxReasonLen runes. Labels are exported on /metrics and copied into
// Slack, so they carry no secret even if the text they come from did.
func labelText(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSpace(urlQuery.ReplaceAllString(s, "$1?[redacted]"))
	if utf8.RuneCountInString(s) <= MaxReasonLen {
		return s
	}
	r := []rune(s)
	return string(r[:MaxReasonLen-1]) + "…"
}
