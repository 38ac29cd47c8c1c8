package alert

import (
	"github.com/jobpulse/jobpulse/internal/notify"
)

// Alert maps the event into the message notify delivers; host names the machine the
// monitor runs on.
func (e Event) Alert(host string) notify.Alert {
	return notify.Alert{
		Status: notify.AlertStatus(e.Status), Rule: e.Rule, Severity: string(e.Severity), Summary: e.Summary,
		Labels: e.Labels, Value: e.Value, Threshold: e.Threshold, Host: host,
		StartedAt: e.StartedAt, FiredAt: e.FiredAt, ResolvedAt: e.ResolvedAt, At: e.At,
		Runbook: e.Runbook, Fingerprint: e.Fingerprint, Note: e.Note,
	}
}
