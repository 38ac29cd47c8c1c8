package pipeline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// Runbooks a run's message points at.
const (
	RunbookChecks  = "docs/runbooks/check-failed.md"
	RunbookCollect = "docs/runbooks/collect-failed.md"
)

// Summary maps a run's results onto its notification: the one message per run outcome
// that the CLI and the Cloud Functions send. cr and pr may be nil (nothing collected in
// this process, or nothing processed); top are the run's most named skills.
func Summary(rec RunRecord, cr *CollectResult, pr *ProcessResult, quotaLimit int, top []SkillCount, runErr error) notify.RunSummary {
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
		s.Kind, s.FailedStep, s.ErrorMessage = notify.KindFailure, rec.StepFailed, FirstLine(runErr.Error())
		s.ErrorClass, s.Runbook = ErrorClass(runErr, pr), RunbookCollect
		if pr != nil && pr.FailedStep != "" && pr.FailedStep != StepNormalize {
			s.Runbook = RunbookChecks
		}
	case rec.Status == lake.OutcomeNoNewPostings:
		s.Kind = notify.KindNoNewPostings
		if cr != nil {
			s.Since = cr.Window.From
		}
	case rec.Status == lake.OutcomeQuotaExhausted:
		s.Kind = notify.KindQuotaExhausted
		if rec.Source != SourceTrends { // Google's blocks have no reset time; the next run tries
			y, m, d := time.Now().In(saramin.KST).Date()
			s.ResumesAt = time.Date(y, m, d+1, 0, 0, 0, 0, saramin.KST)
		}
		if cr != nil && rec.Source == SourceTrends {
			s.ErrorMessage = "Google Trends is rate limiting; " + strconv.Itoa(len(cr.FailedItems)) + " keywords wait for the next run"
		}
	case rec.Source == SourceTrends && cr != nil && len(cr.FailedItems) > 0:
		// Some keywords failed even alone with the anchor; the rest landed.
		s.Kind = notify.KindFailedKeywords
		for i, item := range cr.FailedItems {
			key, reason, _ := strings.Cut(item, ": ")
			s.FailedKeywords = append(s.FailedKeywords, key)
			if i == 0 {
				s.ErrorMessage = FirstLine(reason)
			}
		}
		s.Runbook = RunbookCollect
	default:
		s.Kind = notify.KindSuccess
	}
	return s
}

// ErrorClass is a short machine-friendly word for why a run failed: check_failed,
// api_error, timeout, interrupted or error.
func ErrorClass(err error, pr *ProcessResult) string {
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

// FirstLine is the first line of an error text, at most 300 bytes and cut on a
// character boundary: what a message or an HTTP answer shows.
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if n := 300; len(line) > n {
		for n > 0 && !utf8.RuneStart(line[n]) {
			n--
		}
		line = line[:n] + "…"
	}
	return line
}
