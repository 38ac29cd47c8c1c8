// Package notify tells the team how a run ended and what the monitor's alerts say: one
// message per run outcome or alert event, posted to a Slack webhook through a durable,
// bounded outbox, or printed to a console.
package notify

import (
	"context"
	"time"
)

// Kind is a run outcome that gets its own message.
type Kind string

// The run outcomes.
const (
	KindSuccess        Kind = "success"
	KindFailure        Kind = "failure"
	KindNoNewPostings  Kind = "no_new_postings"
	KindQuotaExhausted Kind = "quota_exhausted"
	KindFailedKeywords Kind = "failed_keywords"
)

// RunSummary is what a message says about one run. The pipeline maps its results into
// it; notify knows nothing about the pipeline's own types.
type RunSummary struct {
	Kind       Kind
	RunID      string
	Demo       bool // the run used the synthetic demo data
	StartedAt  time.Time
	FinishedAt time.Time

	Sources        []SourceStats
	ChecksPassed   int
	ChecksWarned   int
	ChecksFailed   int
	BytesProcessed int64 // by the warehouse (BigQuery bills these)
	TopNewSkills   []SkillCount

	// FailedStep, ErrorClass and ErrorMessage say what went wrong (failure, and the
	// cause of a quota or keyword problem when known). ErrorClass is a short
	// machine-friendly word such as "check_failed" or "timeout".
	FailedStep   string
	ErrorClass   string
	ErrorMessage string
	// Failures are the failing (and, on success, the warning) checks.
	Failures []CheckFailure
	// Runbook is what to read next: a repository-relative path such as
	// "docs/runbooks/check-failed.md", or an absolute URL.
	Runbook string

	Since          time.Time // no_new_postings: the start of the empty window
	ResumesAt      time.Time // quota_exhausted: when collection can continue
	FailedKeywords []string  // failed_keywords: the trend keywords that failed
}

// SourceStats are one source's numbers for the run.
type SourceStats struct {
	Source     string
	Collected  int // records received from the API
	New        int
	Updated    int
	Rejected   int
	Pages      int
	QuotaUsed  int // API calls used today
	QuotaLimit int // API calls allowed per day; 0 when the source has no quota
}

// CheckFailure is one check that did not pass.
type CheckFailure struct {
	Layer    string
	Name     string
	Severity string // "error" or "warn"
	Message  string
	Observed int64
	Sample   string // one failing row, as text
}

// SkillCount is a skill and the number of new postings asking for it.
type SkillCount struct {
	Skill    string
	Postings int
}

// Notifier delivers one run's message. An error means the message was not delivered
// (it may still wait in an outbox); it never changes the run's own outcome.
type Notifier interface {
	Notify(ctx context.Context, s RunSummary) error
}
