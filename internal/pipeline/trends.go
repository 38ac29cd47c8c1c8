package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/trends"
)

// SourceTrends names the Google Trends source in the lake and the ledger.
const SourceTrends = "trends"

// TrendsCollect is the collect step for Google Trends: it asks for the interest over
// time of every keyword, in batches that share one anchor term, and lands each
// multiline response's exact bytes in the lake, one page per batch.
//
// A run refreshes every keyword over the whole time range (Google rescales the window
// on every request, so partial refreshes would mix scales) at most once per
// MinInterval. Keywords a run could not fetch — Google blocked it, or a keyword keeps
// failing — go to the source's backlog; the next run asks for them first, even before
// the interval is up, and the run's message lists them.
type TrendsCollect struct {
	Store  lake.Store
	Source trends.Source
	// Params describes a query for the manifest (the client's parameters; no secrets).
	Params    func(trends.Query) map[string]string
	Keywords  []string
	Anchor    string
	TimeRange string
	// BatchSize is the number of terms per request, the anchor included (2..5).
	BatchSize   int
	MinInterval time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// Run collects one pass (or the backlog of the last one).
func (c *TrendsCollect) Run(ctx context.Context) (CollectResult, error) {
	now := c.Now().UTC().Truncate(time.Second)
	res := newCollectResult(c.Store, SourceTrends, now)
	log := c.Logger.With("source", res.Source, "run_id", res.RunID)

	ps, err := openPass(ctx, c.Store, res.Source, now, c.MinInterval)
	if err != nil {
		return failRun(res, err)
	}
	res.Watermark = ps.wm.Through
	keywords := ps.keys(c.Keywords)
	if len(keywords) == 0 {
		res.Outcome, res.NextDue = OutcomeNotDue, ps.wm.Through.Add(c.MinInterval)
		log.InfoContext(ctx, "trends are fresh; nothing to collect", "collected_at", ps.wm.Through, "next_due", res.NextDue)
		return res, nil
	}
	batches, err := trends.Batches(keywords, c.Anchor, c.BatchSize)
	if err != nil {
		return failRun(res, err)
	}
	log.InfoContext(ctx, "collecting", "keywords", len(keywords), "batches", len(batches), "backlog", len(ps.backlog.Items), "full_pass", ps.due)

	m := lake.Manifest{
		Source: res.Source, RunID: res.RunID, DT: res.DT, StartedAt: now,
		Params: map[string]string{"anchor": c.Anchor, "time": c.TimeRange, "batch_size": fmt.Sprint(c.BatchSize), "keywords": fmt.Sprint(len(keywords))},
	}
	sink := func(ctx context.Context, q trends.Query, r *trends.Response) error {
		n := len(m.Pages) + 1
		name := lake.RawPage(res.Source, res.DT, res.RunID, n)
		if _, err := c.Store.Put(ctx, name, r.Multiline, lake.IfAbsent()); err != nil {
			return fmt.Errorf("store page %d: %w", n, err)
		}
		params := c.Params(r.Query)
		terms, err := json.Marshal(r.Query.Terms) // the normalizer reads the terms back
		if err != nil {
			return fmt.Errorf("encode terms: %w", err)
		}
		params["terms"], params["anchor"] = string(terms), c.Anchor
		m.Pages = append(m.Pages, lake.NewPageEntry(path.Base(name), r.Multiline, len(r.Query.Terms)*len(r.Timeline.Points), params))
		return nil
	}
	crawler := trends.Crawler{Source: c.Source, Logger: log}
	cr, cerr := crawler.Crawl(ctx, batches, c.TimeRange, sink)
	res.Calls, res.Pages, res.Warnings = cr.Requests, len(m.Pages), cr.Warnings
	for _, p := range m.Pages {
		res.Records += p.Records
	}
	left := leftover{failed: cr.Failed, notAttempted: cr.NotAttempted, stopReason: "rate limited"}
	res.FailedItems = left.items()
	res.DistinctIDs = len(cr.Fetched)

	blocked := errors.Is(cerr, trends.ErrRateLimited)
	switch {
	case cerr != nil && !blocked:
		return failRun(res, cerr)
	case blocked:
		res.Outcome = lake.OutcomeQuotaExhausted
		log.WarnContext(ctx, "Google Trends is rate limiting; the keywords not fetched wait in the backlog", "not_attempted", len(cr.NotAttempted))
	case res.Pages == 0:
		res.Outcome = lake.OutcomeNoNewPostings
	default:
		res.Outcome = lake.OutcomeSuccess
	}

	if err := ps.commit(ctx, &res, m, left, blocked, c.Now); err != nil {
		return failRun(res, err)
	}
	log.InfoContext(ctx, "collected", "outcome", res.Outcome, "pages", res.Pages, "records", res.Records,
		"keywords", len(cr.Fetched), "failed", len(cr.Failed), "not_attempted", len(cr.NotAttempted), "manifest", res.ManifestURL)
	return res, nil
}
