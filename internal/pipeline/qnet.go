package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

// SourceQnet names the Q-Net certification statistics source in the lake and the ledger.
const SourceQnet = "qnet"

// QnetCollect is the collect step for Q-Net: for every configured exam and both stages it
// asks for the five-year window ending last year and lands each response's exact bytes
// in the lake, one page per request.
//
// The statistics change once a year, so a run is due only MinInterval after the last
// complete pass; exams that failed wait in the backlog and are retried first. An exam the
// service does not cover is a warning, not a failure: its answer is kept as evidence.
type QnetCollect struct {
	Store  lake.Store
	Client *qnet.Client
	Exams  []string
	// Windows is the number of five-year windows asked per exam and stage, newest
	// first (1 = the last five tallied years).
	Windows     int
	MinInterval time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// qnetStages are collected for every exam.
var qnetStages = []qnet.Stage{qnet.StageWritten, qnet.StagePractical}

// Run collects one pass (or the backlog of the last one).
func (c *QnetCollect) Run(ctx context.Context) (CollectResult, error) {
	now := c.Now().UTC().Truncate(time.Second)
	res := newCollectResult(c.Store, SourceQnet, now)
	log := c.Logger.With("source", res.Source, "run_id", res.RunID)

	ps, err := openPass(ctx, c.Store, res.Source, now, c.MinInterval)
	if err != nil {
		return failRun(res, err)
	}
	res.Watermark = ps.wm.Through
	exams := ps.keys(c.Exams)
	if len(exams) == 0 {
		res.Outcome, res.NextDue = OutcomeNotDue, ps.wm.Through.Add(c.MinInterval)
		log.InfoContext(ctx, "certification statistics are fresh; nothing to collect", "collected_at", ps.wm.Through, "next_due", res.NextDue)
		return res, nil
	}
	baseYear := c.Client.DefaultBaseYear()
	windows := max(c.Windows, 1)
	log.InfoContext(ctx, "collecting", "exams", len(exams), "base_year", baseYear, "windows", windows, "full_pass", ps.due)

	m := lake.Manifest{
		Source: res.Source, RunID: res.RunID, DT: res.DT, StartedAt: now,
		Params: map[string]string{"base_year": fmt.Sprint(baseYear), "windows": fmt.Sprint(windows), "exams": strings.Join(exams, ",")},
	}
	failed := map[string]string{}
	var notAttempted []string
	var stop error
	calls := c.Client.Attempts()
exams:
	for i, exam := range exams {
		for _, stage := range qnetStages {
			for w := range windows {
				year := baseYear - w*qnet.WindowYears
				if err := ctx.Err(); err != nil {
					return failRun(res, err)
				}
				r, err := c.Client.EventYear(ctx, stage, exam, year)
				var notCovered *qnet.NotCoveredError
				switch {
				case errors.As(err, &notCovered):
					msg := fmt.Sprintf("exam %s (%s, %d): not covered by Q-Net statistics (%s)", exam, stage, year, notCovered.Reason)
					log.WarnContext(ctx, "exam not covered", "exam", exam, "stage", stage, "base_year", year)
					res.Warnings = append(res.Warnings, msg)
				case errors.Is(err, qnet.ErrQuotaExhausted):
					stop = err
					notAttempted = append(notAttempted, exams[i:]...)
					break exams
				case isAccessError(err):
					return failRun(res, err)
				case err != nil:
					failed[exam] = err.Error()
					var bad *qnet.MalformedError
					if errors.As(err, &bad) {
						c.quarantine(ctx, res, len(m.Pages)+1, bad.Body, err)
					}
					log.WarnContext(ctx, "exam failed; it is retried next run", "exam", exam, "stage", stage, "err", err)
					continue exams
				}
				if r == nil || r.Raw == nil {
					continue
				}
				n := len(m.Pages) + 1
				name := lake.RawPage(res.Source, res.DT, res.RunID, n)
				if _, err := c.Store.Put(ctx, name, r.Raw, lake.IfAbsent()); err != nil {
					return failRun(res, fmt.Errorf("store page %d: %w", n, err))
				}
				m.Pages = append(m.Pages, lake.NewPageEntry(path.Base(name), r.Raw, len(r.Stats), c.Client.Params(stage, exam, year)))
				res.Records += len(r.Stats)
			}
		}
	}
	res.Calls, res.Pages = c.Client.Attempts()-calls, len(m.Pages)
	res.DistinctIDs = len(exams) - len(failed) - len(notAttempted)
	left := leftover{failed: failed, notAttempted: notAttempted, stopReason: "daily quota exhausted"}
	res.FailedItems = left.items()

	switch {
	case stop != nil:
		res.Outcome = lake.OutcomeQuotaExhausted
		log.WarnContext(ctx, "Q-Net daily quota exhausted; the exams not fetched wait in the backlog", "not_attempted", len(notAttempted))
	case res.Pages == 0:
		res.Outcome = lake.OutcomeNoNewPostings
	default:
		res.Outcome = lake.OutcomeSuccess
	}
	if err := ps.commit(ctx, &res, m, left, stop != nil, c.Now); err != nil {
		return failRun(res, err)
	}
	log.InfoContext(ctx, "collected", "outcome", res.Outcome, "pages", res.Pages, "records", res.Records,
		"failed", len(failed), "not_attempted", len(notAttempted), "manifest", res.ManifestURL)
	return res, nil
}

// isAccessError is a permanent gateway refusal (key, registration, access): every
// request would fail the same way, so the run stops.
func isAccessError(err error) bool {
	var api *qnet.APIError
	return errors.As(err, &api) && api.Gateway && api.Permanent()
}

// quarantine keeps the bytes of a response that never parsed, with the reason.
func (c *QnetCollect) quarantine(ctx context.Context, res CollectResult, page int, body []byte, err error) {
	name := fmt.Sprintf("page-%05d", page)
	obj := lake.Quarantine(res.Source, res.DT, res.RunID, name+".body")
	if _, perr := c.Store.Put(ctx, obj, body, lake.IfAbsent()); perr != nil {
		c.Logger.ErrorContext(ctx, "could not quarantine a malformed response", "err", perr)
		return
	}
	_, _ = c.Store.Put(ctx, lake.Quarantine(res.Source, res.DT, res.RunID, name+".reason.txt"), []byte(err.Error()+"\n"), lake.IfAbsent())
}
