// Package saramin is the client of the Saramin Open API job-search endpoint: tolerant
// decoding of every response variant seen in the wild, bounded retries, and an access key
// that never leaves the request.
package saramin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/retry"
)

// DefaultBaseURL is the production API.
const DefaultBaseURL = "https://oapi.saramin.co.kr"

// MaxPageSize is the largest count the API accepts.
const MaxPageSize = 110

// Fields asks for the optional output the normalizer needs.
const Fields = "posting-date,expiration-date,keyword-code,count"

// reservedParams are set by the client; SARAMIN_QUERY may not override them.
var reservedParams = []string{"access-key", "start", "count", "sort", "fields", "published", "published_min", "published_max"}

// KST is Korea Standard Time, which the API uses for its time filters and its day.
var KST = time.FixedZone("KST", 9*60*60)

// Config configures a Client.
type Config struct {
	BaseURL   string
	AccessKey string
	// Query holds extra search parameters (job_mid_cd, loc_mcd, keywords, …).
	Query    url.Values
	PageSize int
	// Timeout bounds one attempt, body included.
	Timeout time.Duration
	// MaxAttempts bounds the tries of one request (1 = no retry).
	MaxAttempts int
	// BaseDelay and MaxDelay shape exponential backoff with jitter.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; longer ones fail
	// the request instead of stalling the run.
	MaxRetryAfter time.Duration
}

// DefaultConfig returns the production settings without a key.
func DefaultConfig() Config {
	return Config{
		BaseURL:       DefaultBaseURL,
		Query:         url.Values{"job_mid_cd": {"2"}},
		PageSize:      MaxPageSize,
		Timeout:       30 * time.Second,
		MaxAttempts:   5,
		BaseDelay:     time.Second,
		MaxDelay:      30 * time.Second,
		MaxRetryAfter: 2 * time.Minute,
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SARAMIN_API_URL %q: want an http(s) URL such as %s", c.BaseURL, DefaultBaseURL))
	}
	if c.PageSize < 1 || c.PageSize > MaxPageSize {
		errs = append(errs, fmt.Errorf("page size %d: want 1..%d", c.PageSize, MaxPageSize))
	}
	for _, p := range reservedParams {
		if c.Query.Has(p) {
			errs = append(errs, fmt.Errorf("SARAMIN_QUERY sets %q, which the collector controls; remove it", p))
		}
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("SARAMIN_TIMEOUT %s: want > 0", c.Timeout))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("SARAMIN_MAX_ATTEMPTS %d: want ≥ 1", c.MaxAttempts))
	}
	if c.BaseDelay < 0 || c.MaxDelay < c.BaseDelay {
		errs = append(errs, fmt.Errorf("backoff %s..%s: want 0 ≤ base ≤ max", c.BaseDelay, c.MaxDelay))
	}
	return errors.Join(errs...)
}

// Budget meters API calls; Take fails once the day's quota is spent.
type Budget interface {
	Take(ctx context.Context) error
}

// Client calls job-search. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *http.Client
	logger *slog.Logger
	red    redactor
	// sleep waits between attempts; tests replace it to run fault suites instantly.
	sleep func(ctx context.Context, d time.Duration) error
	// budget, when set, is charged before every attempt: retries spend quota too.
	budget   Budget
	attempts *atomic.Int64
}

// Option customizes a Client.
type Option func(*Client)

// WithSleep replaces the wait between attempts.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = f }
}

// NewClient returns a client; httpClient may be nil for http.DefaultClient's transport.
func NewClient(cfg Config, httpClient *http.Client, logger *slog.Logger, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	c := &Client{cfg: cfg, http: httpClient, logger: logger, red: redactor{secret: cfg.AccessKey}, sleep: retry.Sleep, attempts: &atomic.Int64{}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// WithBudget returns a client that charges b before every request attempt and counts
// its attempts from zero; the original is unchanged.
func (c *Client) WithBudget(b Budget, logger *slog.Logger) *Client {
	cp := *c
	cp.budget, cp.attempts, cp.logger = b, &atomic.Int64{}, logger
	return &cp
}

// Attempts is the number of HTTP requests made (retries included).
func (c *Client) Attempts() int { return int(c.attempts.Load()) }

// PageSize is the count the client asks for.
func (c *Client) PageSize() int { return c.cfg.PageSize }

// Window is a closed interval of posting times, second precision.
type Window struct {
	From, To time.Time
}

func (w Window) String() string {
	return w.From.In(KST).Format(timeLayout) + ".." + w.To.In(KST).Format(timeLayout)
}

// timeLayout is the published_min/max format public clients use, read as KST.
const timeLayout = "2006-01-02 15:04:05"

// Request is one page of a window, in ascending posting order.
type Request struct {
	Window Window
	Start  int // 0-based page number
}

// Params are the request's parameters without the access key: what manifests record.
func (c *Client) Params(r Request) map[string]string {
	out := map[string]string{}
	for k, v := range c.values(r) {
		if k != "access-key" {
			out[k] = strings.Join(v, ",")
		}
	}
	return out
}

func (c *Client) values(r Request) url.Values {
	v := url.Values{}
	for k, vs := range c.cfg.Query {
		v[k] = append([]string(nil), vs...)
	}
	v.Set("access-key", c.cfg.AccessKey)
	v.Set("published_min", r.Window.From.In(KST).Format(timeLayout))
	v.Set("published_max", r.Window.To.In(KST).Format(timeLayout))
	v.Set("sort", "pa")
	v.Set("start", strconv.Itoa(r.Start))
	v.Set("count", strconv.Itoa(c.cfg.PageSize))
	v.Set("fields", Fields)
	return v
}

// Search fetches one page, retrying transient failures. Errors never contain the key.
func (c *Client) Search(ctx context.Context, r Request) (*Page, error) {
	u, err := url.Parse(strings.TrimRight(c.cfg.BaseURL, "/") + "/job-search")
	if err != nil {
		return nil, fmt.Errorf("saramin base url: %w", err)
	}
	u.RawQuery = c.values(r).Encode()

	for attempt := 1; ; attempt++ {
		if c.budget != nil {
			if err := c.budget.Take(ctx); err != nil {
				return nil, fmt.Errorf("search %s page %d: %w", r.Window, r.Start, err)
			}
		}
		c.attempts.Add(1)
		page, wait, err := c.once(ctx, u)
		if err == nil {
			return page, nil
		}
		err = c.red.scrub(err)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search %s page %d: %w", r.Window, r.Start, context.Cause(ctx))
		}
		if !retryable(err) || attempt >= c.cfg.MaxAttempts {
			return nil, fmt.Errorf("search %s page %d (attempt %d): %w", r.Window, r.Start, attempt, err)
		}
		if wait > c.cfg.MaxRetryAfter {
			return nil, fmt.Errorf("search %s page %d: rate limited for %s, longer than the %s this run waits: %w", r.Window, r.Start, wait, c.cfg.MaxRetryAfter, err)
		}
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		c.logger.WarnContext(ctx, "saramin request failed; retrying",
			"attempt", attempt, "retry_in", wait.String(), "start", r.Start, "err", err.Error())
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("search %s page %d: %w", r.Window, r.Start, err)
		}
	}
}

// rateLimitedError is a 429; wait is the server's Retry-After (0 when absent).
type rateLimitedError struct {
	wait time.Duration
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("saramin http status 429 (retry after %s)", e.wait)
}

func (c *Client) once(ctx context.Context, u *url.URL) (*Page, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "jobpulse (+https://github.com/jobpulse/jobpulse)")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("read body (%d bytes received): %w", len(body), err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := retry.After(resp.Header.Get("Retry-After"), time.Now())
		return nil, wait, &rateLimitedError{wait: wait}
	}
	page, err := decodeBody(body, resp.StatusCode)
	var apiErr *APIError
	var malformed *MalformedError
	switch {
	case errors.As(err, &apiErr):
		apiErr.Message = c.red.string(apiErr.Message)
		return nil, 0, apiErr
	case errors.As(err, &malformed):
		malformed.Reason = c.red.string(malformed.Reason)
	}
	if resp.StatusCode/100 != 2 {
		return nil, 0, &HTTPError{Status: resp.StatusCode, Body: truncate([]byte(c.red.string(string(body))), 200)}
	}
	if err != nil {
		return nil, 0, err
	}
	return page, 0, nil
}

func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return !apiErr.Permanent()
	}
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.Status >= 500 || httpErr.Status == http.StatusRequestTimeout
	}
	// 429s, malformed or truncated bodies, timeouts and connection errors are transient.
	return true
}

// backoff is exponential with "equal jitter": half fixed, half random, so retries of
// concurrent collectors spread out while still growing.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseDelay << (attempt - 1)
	if d > c.cfg.MaxDelay || d <= 0 {
		d = c.cfg.MaxDelay
	}
	half := d / 2
	return half + rand.N(half+1)
}
