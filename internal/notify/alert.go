package notify

import (
	"context"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// AlertStatus is what an alert message says about an alert.
type AlertStatus string

// The alert messages.
const (
	AlertFiring   AlertStatus = "firing"
	AlertRepeat   AlertStatus = "repeat" // still firing: a reminder
	AlertResolved AlertStatus = "resolved"
)

func (s AlertStatus) valid() bool {
	return s == AlertFiring || s == AlertRepeat || s == AlertResolved
}

// Alert is one message about a monitor alert. The monitor maps its alert events into
// it; notify knows nothing about how alerts are evaluated.
type Alert struct {
	Status   AlertStatus
	Rule     string // e.g. "host_disk_full"
	Severity string // "critical", "warning" or "info"
	Summary  string // one line for people, e.g. "Disk / is 93% full, above 90%"
	Labels   map[string]string
	Value    float64
	// Threshold is the value the rule compares with.
	Threshold float64
	// Host is the machine the monitor runs on.
	Host string
	// StartedAt is when the condition began to hold, FiredAt when the alert fired,
	// ResolvedAt when it resolved (resolved messages only).
	StartedAt  time.Time
	FiredAt    time.Time
	ResolvedAt time.Time
	// At is when the monitor raised this message. It tells reminders apart: two
	// repeats of one alert differ only in it.
	At time.Time
	// Runbook is what to read: a repository-relative path such as
	// "docs/runbooks/host-disk-full.md", or an absolute URL.
	Runbook string
	// Fingerprint identifies the alert across its messages. A resolved message
	// replaces the undelivered firing and repeat messages with the same fingerprint.
	Fingerprint string
	// Note explains an unusual message, e.g. a resolve for lack of data.
	Note string
}

// AlertNotifier delivers alert messages.
type AlertNotifier interface {
	NotifyAlert(ctx context.Context, a Alert) error
}

// What fits on a phone screen.
const (
	maxLabelsShown  = 20
	maxSummaryRunes = 1000
	maxNoteRunes    = 500
	maxLabelRunes   = 200
)

// RenderAlert builds the Block Kit message for a: a header, a context line and
// sections, within Slack's limits, with Text set to a plain fallback.
func (r Renderer) RenderAlert(a Alert) slack.WebhookMessage {
	a = r.redactAlert(a)
	d := r.composeAlert(a, mrkdwn)
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(r.redact(d.header), maxHeaderText), true, false)),
	}
	if d.context != "" {
		blocks = append(blocks, slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, truncate(r.redact(d.context), maxSectionText), false, false)))
	}
	for _, text := range d.sections {
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, truncate(r.redact(text), maxSectionText), false, false), nil, nil))
	}
	return slack.WebhookMessage{
		Text:   r.alertText(a, slackText),
		Blocks: &slack.Blocks{BlockSet: blocks},
	}
}

// AlertText renders a as plain text: the same content as the Slack message, for a
// console.
func (r Renderer) AlertText(a Alert) string {
	return r.alertText(r.redactAlert(a), plain)
}

func (r Renderer) alertText(a Alert, st style) string {
	d := r.composeAlert(a, st)
	parts := []string{st.esc(d.header)}
	if d.context != "" {
		parts = append(parts, d.context)
	}
	text := strings.Join(parts, "\n")
	if len(d.sections) > 0 {
		text += "\n\n" + strings.Join(d.sections, "\n\n")
	}
	return truncate(r.redact(text), maxTextRunes)
}

func (r Renderer) composeAlert(a Alert, st style) draft {
	d := draft{header: alertTitle(a)}
	var ctx []string
	if a.Severity != "" {
		ctx = append(ctx, st.bold(strings.ToUpper(truncate(oneLine(a.Severity), maxNameRunes))))
	}
	if a.Host != "" {
		ctx = append(ctx, "host "+st.code(truncate(a.Host, maxNameRunes)))
	}
	if a.Fingerprint != "" {
		ctx = append(ctx, "alert "+st.code(truncate(a.Fingerprint, maxNameRunes)))
	}
	d.context = strings.Join(ctx, " · ")
	add := func(text string) {
		if text != "" {
			d.sections = append(d.sections, text)
		}
	}
	if a.Summary != "" {
		add(st.esc(truncate(strings.TrimSpace(a.Summary), maxSummaryRunes)))
	}
	if a.Note != "" {
		add(st.quote(truncate(oneLine(a.Note), maxNoteRunes)))
	}
	add(r.alertDetails(a, st))
	if a.Runbook != "" {
		heading := "What to do next"
		if a.Status == AlertResolved {
			heading = "Runbook"
		}
		add(st.bold(heading) + "\n📖 Read " + st.link(r.runbookURL(a.Runbook), a.Runbook))
	}
	return d
}

func alertTitle(a Alert) string {
	rule := truncate(oneLine(a.Rule), maxNameRunes)
	var t string
	switch a.Status {
	case AlertFiring:
		t = severityEmoji(a.Severity) + " Firing: " + rule
	case AlertRepeat:
		t = "🔁 Still firing: " + rule
	case AlertResolved:
		t = "✅ Resolved: " + rule
	default:
		t = "ℹ️ Alert " + truncate(oneLine(string(a.Status)), maxNameRunes) + ": " + rule
	}
	if a.Host != "" {
		t += " on " + truncate(oneLine(a.Host), maxNameRunes)
	}
	return t
}

func severityEmoji(sev string) string {
	switch strings.ToLower(sev) {
	case "critical":
		return "🔴"
	case "warning":
		return "🟠"
	}
	return "🔵"
}

func (r Renderer) alertDetails(a Alert, st style) string {
	lines := []string{st.bold("Value:") + " " + formatValue(a.Value) + " · " + st.bold("threshold:") + " " + formatValue(a.Threshold)}
	if len(a.Labels) > 0 {
		keys := slices.Sorted(maps.Keys(a.Labels))
		items := make([]string, len(keys))
		for i, k := range keys {
			items[i] = st.code(truncate(k+"="+a.Labels[k], maxLabelRunes))
		}
		shown, more := fit(items, maxLabelsShown, len(" "))
		line := st.bold("Labels:") + " " + strings.Join(shown, " ")
		if more > 0 {
			line += " " + andMore(more, plural(more, "label", "labels"))
		}
		lines = append(lines, line)
	}
	switch a.Status {
	case AlertResolved:
		var parts []string
		if !a.FiredAt.IsZero() {
			parts = append(parts, st.bold("Fired:")+" "+r.time(a.FiredAt))
		}
		if !a.ResolvedAt.IsZero() {
			parts = append(parts, st.bold("resolved:")+" "+r.time(a.ResolvedAt))
		}
		if !a.FiredAt.IsZero() && a.ResolvedAt.After(a.FiredAt) {
			parts = append(parts, "lasted "+formatDuration(a.ResolvedAt.Sub(a.FiredAt)))
		}
		if len(parts) > 0 {
			lines = append(lines, strings.Join(parts, " · "))
		}
	default:
		var parts []string
		if !a.FiredAt.IsZero() {
			parts = append(parts, st.bold("Firing since:")+" "+r.time(a.FiredAt))
			if a.At.After(a.FiredAt) {
				parts = append(parts, "for "+formatDuration(a.At.Sub(a.FiredAt)))
			}
		}
		if !a.StartedAt.IsZero() && (a.FiredAt.IsZero() || a.StartedAt.Before(a.FiredAt)) {
			parts = append(parts, "condition true since "+r.time(a.StartedAt))
		}
		if len(parts) > 0 {
			lines = append(lines, strings.Join(parts, " · "))
		}
	}
	return strings.Join(lines, "\n")
}

// formatValue shows a sample value with the digits that matter: 0.9312, 1.5, 10800.
func formatValue(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	decimals := 4
	switch abs := math.Abs(v); {
	case abs >= 1000:
		decimals = 0
	case abs >= 1:
		decimals = 2
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// redactAlert passes every text of a through Redact before formatting.
func (r Renderer) redactAlert(a Alert) Alert {
	if r.Redact == nil {
		return a
	}
	a.Rule = r.Redact(a.Rule)
	a.Severity = r.Redact(a.Severity)
	a.Summary = r.Redact(a.Summary)
	a.Host = r.Redact(a.Host)
	a.Runbook = r.Redact(a.Runbook)
	a.Fingerprint = r.Redact(a.Fingerprint)
	a.Note = r.Redact(a.Note)
	if a.Labels != nil {
		labels := make(map[string]string, len(a.Labels))
		for k, v := range a.Labels {
			labels[r.Redact(k)] = r.Redact(v)
		}
		a.Labels = labels
	}
	return a
}
