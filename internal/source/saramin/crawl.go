package saramin

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// PageSink receives every page as it arrives, before the crawler pages on. The
// collector stores the exact bytes there.
type PageSink func(ctx context.Context, r Request, p *Page) error

// Crawler walks a posting-time window page by page in ascending posting order, so that
// postings published during the run append to the end instead of shifting pages.
type Crawler struct {
	// Client makes the requests; give it a budget (Client.WithBudget) to meter quota.
	Client *Client
	// MaxPages is the deepest page the API serves for one query. A window whose total
	// exceeds MaxPages*PageSize is split in two by time until each part fits.
	MaxPages int
	Logger   *slog.Logger
}

// CrawlResult accounts for one crawl. It is filled in even when Crawl fails.
type CrawlResult struct {
	Calls   int
	Pages   int
	Records int
	// Covered is the time through which every posting of the window was collected:
	// the window's end after a complete crawl; the zero time when nothing was.
	Covered time.Time
	// Warnings are conditions an operator should know about (e.g. a window that could
	// not be split any further).
	Warnings []string
	// gap is set once postings may be missing: Covered no longer advances.
	gap bool
}

// cover moves Covered forward unless a gap was found earlier in time.
func (r *CrawlResult) cover(t time.Time) {
	if !r.gap && t.After(r.Covered) {
		r.Covered = t
	}
}

// Crawl collects window w. Sub-windows are visited in time order, so after a failure
// (quota, error, cancellation) Covered says where the next run can resume.
func (c *Crawler) Crawl(ctx context.Context, w Window, sink PageSink) (CrawlResult, error) {
	if c.MaxPages < 1 {
		return CrawlResult{}, fmt.Errorf("crawl: max pages %d: want ≥ 1", c.MaxPages)
	}
	var res CrawlResult
	before := c.Client.Attempts()
	err := c.crawl(ctx, w, sink, &res)
	res.Calls = c.Client.Attempts() - before
	return res, err
}

func (c *Crawler) crawl(ctx context.Context, w Window, sink PageSink, res *CrawlResult) error {
	size := c.Client.PageSize()
	var newest time.Time // newest posting time seen in w; pages are ascending
	for start := 0; ; start++ {
		req := Request{Window: w, Start: start}
		page, err := c.Client.Search(ctx, req)
		if err != nil {
			return err
		}
		if err := sink(ctx, req, page); err != nil {
			return err
		}
		res.Pages++
		res.Records += len(page.Jobs)
		for _, j := range page.Jobs {
			if j.PostedAt.After(newest) && !j.PostedAt.After(w.To) {
				newest = j.PostedAt
			}
		}
		// Postings published in the second of `newest` may continue on the next page,
		// so only the second before it is known complete.
		if done := newest.Add(-time.Second); !done.Before(w.From) {
			res.cover(done)
		}

		if start == 0 && page.Total > c.MaxPages*size {
			if span := w.To.Sub(w.From); span >= 2*time.Second {
				mid := w.From.Add(span / 2).Truncate(time.Second)
				c.Logger.InfoContext(ctx, "window exceeds the pages the API serves; splitting",
					"window", w.String(), "total", page.Total, "max_pages", c.MaxPages)
				if err := c.crawl(ctx, Window{From: w.From, To: mid}, sink, res); err != nil {
					return err
				}
				return c.crawl(ctx, Window{From: mid.Add(time.Second), To: w.To}, sink, res)
			}
		}
		short, more := len(page.Jobs) < size, (start+1)*size < page.Total
		if short && more {
			// The API stopped serving before its own total: a depth cap lower than
			// MaxPages, or postings closed mid-run. Keep what arrived, but claim
			// coverage only up to the newest posting seen.
			msg := fmt.Sprintf("window %s: page %d held %d postings but the total is %d; coverage stops at the newest posting seen (lower SARAMIN_MAX_PAGES if the API caps page depth)", w, start, len(page.Jobs), page.Total)
			c.Logger.WarnContext(ctx, "short page before the total", "window", w.String(), "start", start, "jobs", len(page.Jobs), "total", page.Total)
			res.Warnings = append(res.Warnings, msg)
			res.gap = true
			return nil
		}
		last := short || !more
		if !last && start+1 >= c.MaxPages {
			msg := fmt.Sprintf("window %s holds %d postings, more than %d pages of %d; the rest of this second was not collected", w, page.Total, c.MaxPages, size)
			c.Logger.WarnContext(ctx, "window truncated", "window", w.String(), "total", page.Total)
			res.Warnings = append(res.Warnings, msg)
			last = true
		}
		if last {
			res.cover(w.To)
			return nil
		}
	}
}
