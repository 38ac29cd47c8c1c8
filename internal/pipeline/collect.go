package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// SourceSaramin names the Saramin source in the lake and the ledger.
const SourceSaramin = "saramin"

// OutcomeFailed is the outcome of a run that stopped on an error. Failed runs write no
// manifest: their pages stay in the lake, uncommitted, and the next run starts from the
// same watermark.
const OutcomeFailed = "failed"

// OutcomeNotDue is the outcome of a collect that had nothing to do: the source was
// collected less than its minimum interval ago and left no backlog. No run is recorded.
const OutcomeNotDue = "not_due"

// SaraminCollect is the collect step for Saramin: it pages through everything published
// since the watermark and lands the exact response bytes in the lake.
type SaraminCollect struct {
	Store  lake.Store
	Client *saramin.Client
	Budget *lake.Budget
	// MaxPages is the deepest page the API serves for one query (see saramin.Crawler).
	MaxPages int
	// Overlap re-reads this much before the watermark, so postings indexed late at the
	// boundary are not lost; the external layer de-duplicates them.
	Overlap time.Duration
	// Lookback is the window of the very first run.
	Lookback time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// CollectResult is what one collect run did.
type CollectResult struct {
	Source  string
	RunID   string
	DT      string
	Outcome string
	Window  lake.Window
	Calls   int
	Pages   int
	Records int
	// DistinctIDs can be below Records: window splits and boundaries re-serve postings.
	DistinctIDs int
	// RunURL is where the run's pages landed; ManifestURL is empty when no manifest
	// was written. Both are for people: lake names come from lake.RawManifest.
	RunURL            string
	ManifestURL       string
	Watermark         time.Time
	WatermarkAdvanced bool
	Warnings          []string
	// FailedItems are the keywords or exams the run could not fetch, as "key: reason";
	// they wait in the source's backlog for the next run.
	FailedItems []string
	// NextDue is when a not_due source is next collected.
	NextDue time.Time
}

// Run collects one window. A quota stop is an outcome, not an error: the manifest
// commits what was collected and the watermark moves to where the next run resumes.
func (c *SaraminCollect) Run(ctx context.Context) (CollectResult, error) {
	now := c.Now().UTC().Truncate(time.Second)
	res := newCollectResult(c.Store, SourceSaramin, now)
	log := c.Logger.With("source", res.Source, "run_id", res.RunID)

	wm, gen, err := lake.ReadWatermark(ctx, c.Store, res.Source)
	if err != nil {
		return failRun(res, fmt.Errorf("read watermark: %w", err))
	}
	res.Watermark = wm.Through
	from := now.Add(-c.Lookback)
	if !wm.Through.IsZero() {
		from = wm.Through.Add(-c.Overlap)
	}
	from = minTime(from, now)
	res.Window = lake.Window{From: from, To: now}
	log.InfoContext(ctx, "collecting", "from", from, "to", now, "first_run", wm.Through.IsZero())

	m := lake.Manifest{
		Source: res.Source, RunID: res.RunID, DT: res.DT, StartedAt: now,
		Window: &res.Window,
		Params: c.Client.Params(saramin.Request{Window: saramin.Window{From: from, To: now}}),
	}
	delete(m.Params, "start")
	ids := map[string]struct{}{}
	sink := func(ctx context.Context, r saramin.Request, p *saramin.Page) error {
		n := len(m.Pages) + 1
		name := lake.RawPage(res.Source, res.DT, res.RunID, n)
		if _, err := c.Store.Put(ctx, name, p.Raw, lake.IfAbsent()); err != nil {
			return fmt.Errorf("store page %d: %w", n, err)
		}
		m.Pages = append(m.Pages, lake.NewPageEntry(path.Base(name), p.Raw, len(p.Jobs), c.Client.Params(r)))
		for _, j := range p.Jobs {
			if j.ID != "" {
				ids[j.ID] = struct{}{}
			}
		}
		return nil
	}
	crawler := saramin.Crawler{Client: c.Client.WithBudget(c.Budget, log), MaxPages: c.MaxPages, Logger: log}
	cr, err := crawler.Crawl(ctx, saramin.Window{From: from, To: now}, sink)
	res.Calls, res.Pages, res.Records, res.DistinctIDs = cr.Calls, cr.Pages, cr.Records, len(ids)
	res.Warnings = cr.Warnings

	switch {
	case err == nil && cr.Records == 0:
		res.Outcome = lake.OutcomeNoNewPostings
	case err == nil:
		res.Outcome = lake.OutcomeSuccess
	case errors.Is(err, lake.ErrQuotaExhausted) || errors.Is(err, saramin.ErrQuotaExhausted):
		res.Outcome = lake.OutcomeQuotaExhausted
		if errors.Is(err, saramin.ErrQuotaExhausted) {
			// The API knows better than our count (another client may share the key).
			if xerr := c.Budget.Exhaust(ctx); xerr != nil {
				log.WarnContext(ctx, "could not record the exhausted quota", "err", xerr)
			}
		}
		log.WarnContext(ctx, "daily quota exhausted; collection resumes after midnight KST", "pages", cr.Pages)
		if cr.Pages == 0 {
			return res, nil
		}
	default:
		c.quarantine(ctx, res, len(m.Pages)+1, err)
		return failRun(res, err)
	}

	m.Outcome, m.Calls, m.Records, m.DistinctIDs, m.Warnings = res.Outcome, cr.Calls, cr.Records, len(ids), cr.Warnings
	m.FinishedAt = c.Now().UTC()
	if !cr.Covered.IsZero() {
		m.CoveredThrough = &cr.Covered
	}
	if res.ManifestURL, err = lake.WriteManifest(ctx, c.Store, m); err != nil {
		return failRun(res, fmt.Errorf("write manifest: %w", err))
	}
	res.ManifestURL = c.Store.URL(res.ManifestURL)

	// The manifest is the commit; only now may the watermark move, and only if no other
	// run moved it since we read it.
	if cr.Covered.After(wm.Through) {
		next := lake.Watermark{Source: res.Source, Through: cr.Covered, RunID: res.RunID, UpdatedAt: c.Now().UTC()}
		switch err := lake.WriteWatermark(ctx, c.Store, next, gen); {
		case errors.Is(err, lake.ErrPrecondition):
			msg := "another run advanced the watermark first; keeping its value (the next run re-reads from there)"
			log.WarnContext(ctx, msg)
			res.Warnings = append(res.Warnings, msg)
		case err != nil:
			return failRun(res, fmt.Errorf("advance watermark: %w", err))
		default:
			res.Watermark, res.WatermarkAdvanced = cr.Covered, true
		}
	}
	log.InfoContext(ctx, "collected", "outcome", res.Outcome, "pages", res.Pages, "records", res.Records,
		"distinct_ids", res.DistinctIDs, "calls", res.Calls, "manifest", res.ManifestURL)
	return res, nil
}

// newCollectResult starts the result of a run of source at now: its id, partition and
// where its pages land.
func newCollectResult(store lake.Store, source string, now time.Time) CollectResult {
	res := CollectResult{Source: source, RunID: NewRunID(source, now), DT: now.Format("2006-01-02")}
	res.RunURL = store.URL(lake.RawRunPrefix(res.Source, res.DT, res.RunID))
	return res
}

// failRun marks a run failed and wraps err with it.
func failRun(res CollectResult, err error) (CollectResult, error) {
	res.Outcome = OutcomeFailed
	return res, fmt.Errorf("collect %s run %s: %w", res.Source, res.RunID, err)
}

// quarantine keeps the bytes of a response that never parsed, with the reason, so
// nothing the API sent is lost even when the run fails on it.
func (c *SaraminCollect) quarantine(ctx context.Context, res CollectResult, page int, err error) {
	var bad *saramin.MalformedError
	if !errors.As(err, &bad) {
		return
	}
	name := fmt.Sprintf("page-%05d", page)
	body := lake.Quarantine(res.Source, res.DT, res.RunID, name+".json")
	reason := lake.Quarantine(res.Source, res.DT, res.RunID, name+".reason.txt")
	if _, perr := c.Store.Put(ctx, body, bad.Body, lake.IfAbsent()); perr != nil {
		c.Logger.ErrorContext(ctx, "could not quarantine a malformed page", "err", perr)
		return
	}
	_, _ = c.Store.Put(ctx, reason, []byte(err.Error()+"\n"), lake.IfAbsent())
	c.Logger.WarnContext(ctx, "malformed page quarantined", "object", c.Store.URL(body))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
