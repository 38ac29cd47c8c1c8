package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// Runbooks a message points at.
const (
	runbookChecks  = "docs/runbooks/check-failed.md"
	runbookCollect = "docs/runbooks/collect-failed.md"
)

// notifier is Slack when SLACK_WEBHOOK_URL is set (undelivered messages wait in an
// outbox: <data-dir>/outbox locally, outbox/ in a gs:// lake), else the console.
func (a *app) notifier(store lake.Store) (notify.Notifier, error) {
	renderer := notify.Renderer{Redact: a.redactSecrets, Location: saramin.KST}
	url := a.getenv("SLACK_WEBHOOK_URL")
	if url == "" {
		return notify.NewConsole(a.stdout, notify.WithRenderer(renderer)), nil
	}
	outbox := store
	if loc, err := lake.ParseURL(a.cfg.lakeURL()); err == nil && loc.Bucket == "" {
		local, err := lake.NewLocal(a.cfg.DataDir)
		if err != nil {
			return nil, err
		}
		outbox = local
	}
	return notify.NewSlack(url, outbox, notify.WithLogger(a.logger), notify.WithRenderer(renderer)), nil
}

// redactSecrets removes every configured secret from text bound for Slack.
func (a *app) redactSecrets(s string) string {
	for _, k := range []string{"SARAMIN_ACCESS_KEY", "SLACK_WEBHOOK_URL"} {
		if v := a.getenv(k); len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// announce sends the run's one message. A delivery problem is logged, never fatal:
// the message waits in the outbox and the run's outcome stands.
func (a *app) announce(n notify.Notifier, s notify.RunSummary) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := n.Notify(ctx, s); err != nil {
		a.logger.Warn("run notification not delivered; it waits in the outbox", "err", err.Error())
	}
}

// summary maps a run's results onto the notification model.
func summary(rec pipeline.RunRecord, cr *pipeline.CollectResult, pr *pipeline.ProcessResult, quotaLimit int, top []pipeline.SkillCount, runErr error) notify.RunSummary {
	s := notify.RunSummary{RunID: rec.RunID, Demo: rec.Demo, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt,
		ChecksPassed: int(rec.ChecksPassed), ChecksWarned: int(rec.ChecksWarned), ChecksFailed: int(rec.ChecksFailed),
		BytesProcessed: rec.BytesProcessed}
	src := notify.SourceStats{Source: rec.Source, Collected: int(rec.RawRecords), Pages: int(rec.Pages), QuotaUsed: int(rec.APICalls), QuotaLimit: quotaLimit,
		New: int(rec.Counts.NewPostings), Updated: int(max(0, rec.Counts.ExternalUpserts-rec.Counts.NewPostings)), Rejected: int(rec.Counts.RejectedRows)}
	s.Sources = []notify.SourceStats{src}
	for _, t := range top {
		s.TopNewSkills = append(s.TopNewSkills, notify.SkillCount{Skill: t.Skill, Postings: int(t.Postings)})
	}
	if pr != nil {
		for _, c := range pr.Checks() {
			if c.Failed() {
				s.Failures = append(s.Failures, notify.CheckFailure{Layer: c.Check.Layer, Name: c.Check.Name, Severity: c.Check.Severity,
					Message: c.Message, Observed: c.Observed, Sample: c.Sample})
			}
		}
	}
	switch {
	case runErr != nil:
		s.Kind, s.FailedStep, s.ErrorMessage = notify.KindFailure, rec.StepFailed, firstLine(runErr.Error())
		s.ErrorClass, s.Runbook = errorClass(runErr, pr), runbookCollect
		if pr != nil && pr.FailedStep != "" && pr.FailedStep != pipeline.StepNormalize {
			s.Runbook = runbookChecks
		}
	case rec.Status == lake.OutcomeNoNewPostings:
		s.Kind = notify.KindNoNewPostings
		if cr != nil {
			s.Since = cr.Window.From
		}
	case rec.Status == lake.OutcomeQuotaExhausted:
		s.Kind = notify.KindQuotaExhausted
		y, m, d := time.Now().In(saramin.KST).Date()
		s.ResumesAt = time.Date(y, m, d+1, 0, 0, 0, 0, saramin.KST)
	default:
		s.Kind = notify.KindSuccess
	}
	return s
}

func errorClass(err error, pr *pipeline.ProcessResult) string {
	var apiErr *saramin.APIError
	switch {
	case pr != nil && len(pr.Layers) > 0 && pr.Layers[len(pr.Layers)-1].Blocked():
		return "check_failed"
	case errors.As(err, &apiErr):
		return "api_error"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return "error"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	return line
}
