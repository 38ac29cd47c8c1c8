package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Option configures a Slack or Console notifier.
type Option func(*options)

type options struct {
	renderer   Renderer
	client     *http.Client
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	jitter     func(time.Duration) time.Duration
	logger     *slog.Logger
	prefix     string
	attempts   int
	backoff    time.Duration
	maxBackoff time.Duration
	maxPending int
}

func newOptions(opts []Option) options {
	o := options{
		client:     &http.Client{Timeout: 30 * time.Second},
		now:        time.Now,
		sleep:      sleepContext,
		jitter:     equalJitter,
		logger:     slog.New(slog.DiscardHandler),
		prefix:     "outbox/",
		attempts:   4,
		backoff:    time.Second,
		maxBackoff: 30 * time.Second,
		maxPending: defaultMaxPending,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithRenderer sets how messages are rendered: runbook base URL, redaction, time zone.
func WithRenderer(r Renderer) Option { return func(o *options) { o.renderer = r } }

// WithHTTPClient sets the client that posts to the webhook (default: 30s timeout).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock replaces the wall clock and the waiting between posts, so that tests
// run fast and can assert on the waits. sleep must return early with ctx's error.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(o *options) { o.now, o.sleep = now, sleep }
}

// WithJitter replaces the randomization of retry backoffs (default: a uniform
// duration in [d/2, d]).
func WithJitter(jitter func(d time.Duration) time.Duration) Option {
	return func(o *options) { o.jitter = jitter }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithOutboxPrefix sets where in the store the outbox lives (default "outbox/"). An
// empty prefix uses the store's root, for a store that holds nothing else.
func WithOutboxPrefix(prefix string) Option { return func(o *options) { o.prefix = prefix } }

// WithMaxPending bounds how many messages may wait in the outbox (default 500; n < 1
// keeps the default). At the bound new messages are refused with ErrOutboxFull and
// the oldest are kept; a resolved alert still replaces its own queued messages.
func WithMaxPending(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.maxPending = n
		}
	}
}

// WithRetry sets how often a failing post is tried (attempts ≥ 1, default 4) and the
// exponential backoff between tries (default 1s doubling up to 30s).
func WithRetry(attempts int, backoff, maxBackoff time.Duration) Option {
	return func(o *options) { o.attempts, o.backoff, o.maxBackoff = max(attempts, 1), backoff, maxBackoff }
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// equalJitter spreads retries of many clients while keeping at least half the backoff.
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}
