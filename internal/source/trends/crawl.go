package trends

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Sink receives every answered query as it arrives, before the crawl goes on. The
// collector stores the exact bytes there.
type Sink func(ctx context.Context, q Query, r *Response) error

// Crawler fetches many batches in order. Spacing and retries are the Source's business;
// the crawler decides what a failure means for the rest of the run.
type Crawler struct {
	Source Source
	Logger *slog.Logger
}

// CrawlResult accounts for one crawl. It is filled in even when Crawl fails.
type CrawlResult struct {
	// Requests is the number of HTTP requests made, when the Source counts them
	// (Attempts() int, as *Client does).
	Requests int
	// Batches is the number of answered queries handed to the sink, isolation
	// requests included.
	Batches int
	// Fetched are the keywords (anchors aside) whose interest was handed to the sink.
	Fetched []string
	// Failed maps the keywords that failed even alone with the anchor to the reason.
	Failed map[string]string
	// NotAttempted are the keywords not fetched because the crawl stopped (rate limit,
	// cancellation, a failing sink or anchor): the next run should ask for them first.
	NotAttempted []string
	// Warnings are conditions an operator should know about.
	Warnings []string
}

// attemptCounter is what Crawl needs to report Requests.
type attemptCounter interface{ Attempts() int }

// sinkError marks a failure of the sink, which stops the crawl: nothing more can be stored.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// Crawl asks for each batch in order; the first term of every batch is the anchor (as
// Batches makes them) and must be the same in all. A batch that fails with anything but a
// rate limit is retried keyword by keyword with the anchor, so one bad keyword costs only
// itself. A rate limit that outlasted the retries stops the crawl: asking a blocked client
// for more only prolongs the block.
func (c *Crawler) Crawl(ctx context.Context, batches [][]string, timeRange string, sink Sink) (res CrawlResult, err error) {
	res = CrawlResult{Failed: map[string]string{}}
	if err := checkBatches(batches); err != nil {
		return res, err
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if counter, ok := c.Source.(attemptCounter); ok {
		before := counter.Attempts()
		// res is a named result, so this counts every return.
		defer func() { res.Requests = counter.Attempts() - before }()
	}
	fetched := map[string]bool{}

	// fetch asks for terms and hands the answer to the sink.
	fetch := func(terms []string) error {
		q := Query{Terms: terms, Time: timeRange}
		r, err := c.Source.InterestOverTime(ctx, q)
		if err != nil {
			return err
		}
		if err := sink(ctx, r.Query, r); err != nil {
			return &sinkError{err: err}
		}
		res.Batches++
		for _, k := range terms[1:] {
			if !fetched[strings.ToLower(k)] {
				fetched[strings.ToLower(k)] = true
				res.Fetched = append(res.Fetched, k)
			}
		}
		return nil
	}
	// stop lists every keyword of pending that was neither fetched nor failed.
	stop := func(pending ...[]string) {
		seen := map[string]bool{}
		for _, b := range pending {
			for _, k := range b {
				key := strings.ToLower(k)
				if _, failed := res.Failed[k]; fetched[key] || failed || seen[key] {
					continue
				}
				seen[key] = true
				res.NotAttempted = append(res.NotAttempted, k)
			}
		}
	}
	rest := func(i int) [][]string {
		var out [][]string
		for _, b := range batches[i:] {
			out = append(out, b[1:])
		}
		return out
	}
	// halt decides whether err ends the crawl, and with which error.
	halt := func(n int, err error) error {
		var se *sinkError
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("crawl trends: stopped at batch %d of %d: %w", n, len(batches), context.Cause(ctx))
		case errors.As(err, &se):
			return fmt.Errorf("crawl trends: store batch %d: %w", n, se.err)
		case errors.Is(err, ErrRateLimited):
			logger.ErrorContext(ctx, "trends rate limit outlasted the retries; stopping the crawl", "batch", n, "batches", len(batches))
			return fmt.Errorf("crawl trends: stopped at batch %d of %d; the keywords not fetched are listed for the next run: %w", n, len(batches), err)
		}
		return nil
	}

	for i, b := range batches {
		anchor, n := b[0], i+1
		err := fetch(b)
		if err == nil {
			continue
		}
		if stopErr := halt(n, err); stopErr != nil {
			stop(rest(i)...)
			return res, stopErr
		}
		if len(b) == 2 {
			logger.WarnContext(ctx, "trends keyword failed", "keyword", b[1], "err", err.Error())
			res.Failed[b[1]] = err.Error()
			continue
		}
		logger.WarnContext(ctx, "trends batch failed; asking for each keyword alone with the anchor",
			"batch", n, "terms", b, "err", err.Error())
		ok := 0
		var last error
		for j, k := range b[1:] {
			err := fetch([]string{anchor, k})
			if err == nil {
				ok++
				continue
			}
			if stopErr := halt(n, err); stopErr != nil {
				stop(append([][]string{b[1+j:]}, rest(i+1)...)...)
				return res, stopErr
			}
			logger.WarnContext(ctx, "trends keyword failed", "keyword", k, "err", err.Error())
			res.Failed[k] = err.Error()
			last = err
		}
		if ok == 0 {
			// When no keyword works even alone with the anchor, the anchor or the service
			// is what fails; the other batches would fail the same way, slowly.
			msg := fmt.Sprintf("every keyword of batch %d failed even alone with the anchor %q: the anchor or the service is failing; check the anchor term and rerun", n, anchor)
			res.Warnings = append(res.Warnings, msg)
			logger.ErrorContext(ctx, "trends crawl stopped: "+msg)
			stop(rest(i + 1)...)
			return res, fmt.Errorf("crawl trends: %s: %w", msg, last)
		}
	}
	return res, nil
}

// checkBatches refuses batches that cannot be rescaled together.
func checkBatches(batches [][]string) error {
	var errs []error
	for i, b := range batches {
		switch {
		case len(b) < 2 || len(b) > MaxTerms:
			errs = append(errs, fmt.Errorf("batch %d has %d terms: want the anchor plus 1..%d keywords (use Batches)", i+1, len(b), MaxTerms-1))
		case !strings.EqualFold(strings.TrimSpace(b[0]), strings.TrimSpace(batches[0][0])):
			errs = append(errs, fmt.Errorf("batch %d starts with %q, not the anchor %q: batches with different anchors are not on one scale", i+1, b[0], batches[0][0]))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("crawl trends: %w", err)
	}
	return nil
}
