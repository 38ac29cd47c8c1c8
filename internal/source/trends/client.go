package trends

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/retry"
)

// Query asks for the interest over time of up to MaxTerms terms, compared in one request.
// Geo, language and time zone come from the client's Config.
type Query struct {
	Terms []string
	// Time is the time range; empty means Config.Time.
	Time string
}

// Response is one answered query: the exact bytes of both API answers (what the lake
// keeps) and the decoded timeline.
type Response struct {
	// Query is the query as sent: terms trimmed, time range resolved.
	Query     Query
	Explore   []byte
	Multiline []byte
	Timeline  Timeline
}

// Source answers interest-over-time queries. The web flow (*Client) implements it; the
// official Trends API can replace it behind the same seam.
type Source interface {
	InterestOverTime(ctx context.Context, q Query) (*Response, error)
}

var _ Source = (*Client)(nil)

// Client speaks the Google Trends web flow. It is safe for concurrent use; all its
// requests share one cookie and one pace.
type Client struct {
	cfg    Config
	http   *http.Client
	logger *slog.Logger
	now    func() time.Time
	// sleep waits for spacing and between attempts; tests replace it to run instantly.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a random duration in [0, d].
	jitter   func(d time.Duration) time.Duration
	attempts atomic.Int64
	red      redactor

	mu     sync.Mutex
	cookie string    // NID value; empty until one was issued
	next   time.Time // earliest start of the next request
	// cookieMu makes concurrent queries that need a cookie share one fetch.
	cookieMu sync.Mutex
}

// Option customizes a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a plain &http.Client{}).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithClock sets the clock used for spacing and Retry-After dates.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithSleep replaces the wait used for spacing and backoff; it must return early with
// an error when ctx is done.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = f }
}

// WithJitter replaces the random part of backoff: f(d) must return a duration in [0, d].
func WithJitter(f func(d time.Duration) time.Duration) Option {
	return func(c *Client) { c.jitter = f }
}

// NewClient returns a client after validating cfg.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:    cfg,
		http:   &http.Client{},
		logger: slog.New(slog.DiscardHandler),
		now:    time.Now,
		sleep:  retry.Sleep,
		jitter: func(d time.Duration) time.Duration { return rand.N(d + 1) },
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Attempts is the number of HTTP requests made, cookie requests and retries included.
func (c *Client) Attempts() int { return int(c.attempts.Load()) }

// Params are the parameters of q as the manifest records them (there is no secret in them).
func (c *Client) Params(q Query) map[string]string {
	t := q.Time
	if t == "" {
		t = c.cfg.Time
	}
	return map[string]string{
		"terms": strings.Join(q.Terms, ","),
		"time":  t,
		"geo":   c.cfg.Geo,
		"hl":    c.cfg.HL,
		"tz":    strconv.Itoa(c.cfg.TZ),
	}
}

// queryState is what one InterestOverTime call remembers across its requests.
type queryState struct {
	refreshed bool // the cookie was refreshed after a 429 already
}

// InterestOverTime runs the explore → multiline flow for q. Errors never contain the
// cookie; see ErrRateLimited, ErrPermanent and *MalformedError for what they mean.
func (c *Client) InterestOverTime(ctx context.Context, q Query) (*Response, error) {
	q, err := c.normalize(q)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("interest over time of %q (%s)", q.Terms, q.Time)
	if c.currentCookie() == "" {
		c.renewCookie(ctx, "")
	}
	st := &queryState{}

	var token string
	var widgetReq []byte
	explore, err := c.call(ctx, st, "explore", c.exploreURL(q), func(body []byte) error {
		var err error
		token, widgetReq, err = decodeExplore(body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}

	var tl Timeline
	multiline, err := c.call(ctx, st, "multiline", c.multilineURL(widgetReq, token), func(body []byte) error {
		var err error
		tl, err = DecodeMultiline(body, q.Terms)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &Response{Query: q, Explore: c.red.bytes(explore), Multiline: c.red.bytes(multiline), Timeline: tl}, nil
}

// normalize trims the terms and resolves the time range, refusing what Google would.
func (c *Client) normalize(q Query) (Query, error) {
	out := Query{Time: q.Time}
	if out.Time == "" {
		out.Time = c.cfg.Time
	}
	if err := ValidateTimeRange(out.Time); err != nil {
		return out, &QueryError{Problem: err.Error()}
	}
	if n := len(q.Terms); n < 1 || n > MaxTerms {
		return out, &QueryError{Problem: fmt.Sprintf("%d terms: want 1..%d per request", n, MaxTerms)}
	}
	seen := map[string]bool{}
	for _, t := range q.Terms {
		t = strings.TrimSpace(t)
		key := strings.ToLower(t)
		switch {
		case t == "":
			return out, &QueryError{Problem: "an empty term"}
		case seen[key]:
			return out, &QueryError{Problem: fmt.Sprintf("term %q twice: Google matches terms case-insensitively", t)}
		}
		seen[key] = true
		out.Terms = append(out.Terms, t)
	}
	return out, nil
}

func (c *Client) endpoint(path string, v url.Values) string {
	v.Set("hl", c.cfg.HL)
	v.Set("tz", strconv.Itoa(c.cfg.TZ))
	return strings.TrimRight(c.cfg.BaseURL, "/") + path + "?" + v.Encode()
}

func (c *Client) exploreURL(q Query) string {
	type item struct {
		Keyword string `json:"keyword"`
		Geo     string `json:"geo"`
		Time    string `json:"time"`
	}
	req := struct {
		ComparisonItem []item `json:"comparisonItem"`
		Category       int    `json:"category"`
		Property       string `json:"property"`
	}{}
	for _, t := range q.Terms {
		req.ComparisonItem = append(req.ComparisonItem, item{Keyword: t, Geo: c.cfg.Geo, Time: q.Time})
	}
	b, err := json.Marshal(req)
	if err != nil {
		panic(fmt.Sprintf("trends: marshal explore request: %v", err)) // strings only
	}
	return c.endpoint("/trends/api/explore", url.Values{"req": {string(b)}})
}

func (c *Client) multilineURL(widgetReq []byte, token string) string {
	return c.endpoint("/trends/api/widgetdata/multiline", url.Values{"req": {string(widgetReq)}, "token": {token}})
}

// call makes one API request with retries; check validates a 2xx body, and a body it
// rejects is retried like a transient failure.
func (c *Client) call(ctx context.Context, st *queryState, endpoint, u string, check func([]byte) error) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		sent := c.currentCookie()
		body, wait, err := c.once(ctx, endpoint, u, sent)
		if err == nil {
			err = check(body)
		}
		if err == nil {
			return body, nil
		}
		var mal *MalformedError
		if errors.As(err, &mal) {
			// The body goes to quarantine and the reason into logs: neither may carry a cookie.
			mal.Body, mal.Reason = c.red.body(mal.Body), c.red.string(mal.Reason)
		}
		err = c.red.scrub(err)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", endpoint, context.Cause(ctx))
		}
		if !retryable(err) {
			return nil, err
		}
		if attempt >= c.cfg.MaxAttempts {
			return nil, fmt.Errorf("%s: gave up after %d attempts: %w", endpoint, attempt, err)
		}
		if wait > c.cfg.MaxRetryAfter {
			return nil, fmt.Errorf("%s: asked to wait %s, longer than the %s this run waits (TRENDS_MAX_RETRY_AFTER): %w", endpoint, wait, c.cfg.MaxRetryAfter, err)
		}
		if errors.Is(err, ErrRateLimited) && !st.refreshed {
			// Google answers 429 to a missing or stale NID; a fresh cookie often is all
			// it takes, so the first 429 of a query retries at once with a new one.
			st.refreshed = true
			c.logger.WarnContext(ctx, "trends rate limited; refreshing the cookie", "endpoint", endpoint, "attempt", attempt)
			c.renewCookie(ctx, sent)
		} else if wait <= 0 {
			wait = c.backoff(attempt)
		}
		c.logger.WarnContext(ctx, "trends request failed; retrying",
			"endpoint", endpoint, "attempt", attempt, "retry_in", wait.String(), "err", c.red.string(err.Error()))
		if wait > 0 {
			if err := c.sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("%s: %w", endpoint, err)
			}
		}
	}
}

func retryable(err error) bool {
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return !httpErr.permanent()
	}
	var qe *QueryError
	// Malformed or truncated bodies, timeouts and connection errors are transient.
	return !errors.As(err, &qe)
}

// once makes one request of an API endpoint with the cookie; wait is the server's
// Retry-After.
func (c *Client) once(ctx context.Context, endpoint, u, cookie string) ([]byte, time.Duration, error) {
	status, header, body, err := c.get(ctx, u, cookie)
	if err != nil {
		return nil, 0, err
	}
	if status/100 != 2 {
		wait := retry.After(header.Get("Retry-After"), c.now())
		return nil, wait, &HTTPError{Endpoint: endpoint, Status: status, Body: c.red.string(snippet(body, 200)), RetryAfter: wait}
	}
	return body, 0, nil
}

// renewCookie fetches a cookie unless another query already replaced stale.
func (c *Client) renewCookie(ctx context.Context, stale string) {
	c.cookieMu.Lock()
	defer c.cookieMu.Unlock()
	if c.currentCookie() != stale {
		return
	}
	c.fetchCookie(ctx)
}

// fetchCookie asks the explore page for a fresh NID cookie. A refusal is logged and the
// flow goes on without one: the API then answers 429, which the retry loop handles.
func (c *Client) fetchCookie(ctx context.Context) {
	u := strings.TrimRight(c.cfg.BaseURL, "/") + "/trends/?" + url.Values{"geo": {c.cfg.Geo}}.Encode()
	status, header, body, err := c.get(ctx, u, "")
	if err != nil {
		c.logger.WarnContext(ctx, "trends cookie page failed; going on without a fresh cookie", "err", c.red.string(c.red.scrub(err).Error()))
		return
	}
	if status/100 != 2 {
		c.logger.WarnContext(ctx, "trends cookie page refused; going on without a fresh cookie", "status", status, "body", c.red.string(snippet(body, 120)))
		return
	}
	for _, ck := range (&http.Response{Header: header}).Cookies() {
		if ck.Name == "NID" && ck.Value != "" {
			c.red.remember(ck.Value)
			c.mu.Lock()
			c.cookie = ck.Value
			c.mu.Unlock()
			c.logger.DebugContext(ctx, "trends cookie issued")
			return
		}
	}
	c.logger.WarnContext(ctx, "trends cookie page set no NID cookie; going on without a fresh cookie", "status", status)
}

func (c *Client) currentCookie() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cookie
}

// get makes one paced GET, counted in Attempts, bounded by Config.Timeout, with the NID
// cookie when one is given.
func (c *Client) get(ctx context.Context, u, cookie string) (int, http.Header, []byte, error) {
	if err := c.pace(ctx); err != nil {
		return 0, nil, nil, err
	}
	c.attempts.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json, text/plain, */*")
	req.Header.Set("Accept-Language", c.cfg.HL)
	req.Header.Set("User-Agent", "jobpulse (+https://github.com/jobpulse/jobpulse)")
	if cookie != "" {
		// Set as received: http.Cookie would re-validate the value and log what it drops.
		req.Header.Set("Cookie", "NID="+cookie)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read body (%d bytes received): %w", len(body), err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// pace reserves the next request slot, at least Spacing after the previous one, and waits
// for it. Reserving under the lock makes concurrent callers take distinct slots.
func (c *Client) pace(ctx context.Context) error {
	if c.cfg.Spacing <= 0 {
		return ctx.Err() // a request the caller no longer wants is not made nor counted
	}
	c.mu.Lock()
	now := c.now()
	at := c.next
	if at.Before(now) {
		at = now
	}
	c.next = at.Add(c.cfg.Spacing)
	c.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return c.sleep(ctx, d)
	}
	return ctx.Err()
}

// backoff is exponential with "equal jitter": half fixed, half random, so retries of
// concurrent collectors spread out while still growing.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseDelay << (attempt - 1)
	if d > c.cfg.MaxDelay || d <= 0 {
		d = c.cfg.MaxDelay
	}
	half := d / 2
	return half + c.jitter(half)
}
