// Package qnet is the client of HRDK's Q-Net certification statistics on data.go.kr
// (InquiryStatSVC): yearly applicants and passers per exam stage, decoded from XML or
// JSON, with bounded retries and a ServiceKey that never leaves the request.
package qnet

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

// DefaultBaseURL is the production service; operations are appended to it.
const DefaultBaseURL = "http://openapi.q-net.or.kr/api/service/rest/InquiryStatSVC/"

// Formats the client can ask for.
const (
	FormatXML  = "xml"  // the service's default and documented format
	FormatJSON = "json" // _type=json, reported to work
)

// maxBody bounds what one answer may be; a real one is about a kilobyte.
const maxBody = 4 << 20

// Config configures a Client. Each field names the environment variable that sets it
// in the CLI and the Cloud Functions.
type Config struct {
	// BaseURL is the service root (QNET_API_URL).
	BaseURL string
	// ServiceKey is the data.go.kr key (QNET_SERVICE_KEY), a secret. The Encoding
	// (percent-encoded) and the Decoding form both work; it is escaped exactly once.
	ServiceKey string
	// Format is FormatXML or FormatJSON (QNET_FORMAT).
	Format string
	// Timeout bounds one attempt, body included (QNET_TIMEOUT).
	Timeout time.Duration
	// MaxAttempts bounds the tries of one request, 1 = no retry (QNET_MAX_ATTEMPTS).
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential backoff between attempts
	// (QNET_BASE_DELAY, QNET_MAX_DELAY).
	BaseDelay, MaxDelay time.Duration
}

// DefaultConfig returns the production settings without a key.
func DefaultConfig() Config {
	return Config{
		BaseURL:     DefaultBaseURL,
		Format:      FormatXML,
		Timeout:     30 * time.Second,
		MaxAttempts: 4,
		BaseDelay:   2 * time.Second,
		MaxDelay:    30 * time.Second,
	}
}

// Validate reports every problem at once, naming the environment variables; it never
// repeats the key.
func (c Config) Validate() error {
	var errs []error
	// A pasted URL may carry a ServiceKey in its query: never repeat the query.
	shown, _, hasQuery := strings.Cut(c.BaseURL, "?")
	if u, err := url.Parse(shown); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("QNET_API_URL %q: want an http(s) URL such as %s", shown, DefaultBaseURL))
	} else if hasQuery {
		errs = append(errs, fmt.Errorf("QNET_API_URL %s?…: remove the query string; the client adds the parameters and reads the key from QNET_SERVICE_KEY", shown))
	}
	if _, err := decodeServiceKey(c.ServiceKey); err != nil {
		errs = append(errs, err)
	}
	if c.Format != FormatXML && c.Format != FormatJSON {
		errs = append(errs, fmt.Errorf("QNET_FORMAT %q: want %q or %q", c.Format, FormatXML, FormatJSON))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("QNET_TIMEOUT %s: want > 0", c.Timeout))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("QNET_MAX_ATTEMPTS %d: want ≥ 1", c.MaxAttempts))
	}
	if c.BaseDelay < 0 || c.MaxDelay < c.BaseDelay {
		errs = append(errs, fmt.Errorf("QNET_BASE_DELAY %s, QNET_MAX_DELAY %s: want 0 ≤ base ≤ max", c.BaseDelay, c.MaxDelay))
	}
	return errors.Join(errs...)
}

// Client calls InquiryStatSVC. It is safe for concurrent use.
type Client struct {
	cfg    Config
	key    string // decoded ServiceKey
	http   *http.Client
	logger *slog.Logger
	red    redactor
	now    func() time.Time
	// sleep waits between attempts; tests replace it to run fault suites instantly.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a random duration in [0, d]; tests make it deterministic.
	jitter   func(d time.Duration) time.Duration
	attempts atomic.Int64
}

// Option customizes a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a plain &http.Client{}; the per-attempt
// timeout comes from Config.Timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithLogger sets where retries are logged (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithSleep replaces the context-aware wait between attempts.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = f }
}

// WithJitter replaces the random part of the backoff; f returns a duration in [0, d].
func WithJitter(f func(d time.Duration) time.Duration) Option {
	return func(c *Client) { c.jitter = f }
}

// WithClock sets the clock that picks the default base year.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// NewClient validates cfg and returns a client.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("qnet config: %w", err)
	}
	key, _ := decodeServiceKey(cfg.ServiceKey) // Validate checked it
	c := &Client{
		cfg:    cfg,
		key:    key,
		http:   &http.Client{},
		logger: slog.New(slog.DiscardHandler),
		red:    newRedactor(cfg.ServiceKey, key),
		now:    time.Now,
		sleep:  retry.Sleep,
		jitter: func(d time.Duration) time.Duration { return rand.N(d + 1) },
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Attempts is the number of HTTP requests made so far (retries included): what the
// key's daily quota is charged.
func (c *Client) Attempts() int { return int(c.attempts.Load()) }

// DefaultBaseYear is last year in KST by the client's clock.
func (c *Client) DefaultBaseYear() int { return DefaultBaseYear(c.now()) }

// Response is one answer: the bytes received and what Decode made of them.
type Response struct {
	// Raw is the body exactly as received, for the lake. (Were the server ever to echo
	// the ServiceKey, that text alone is replaced: secrets are never stored.)
	Raw      []byte
	BaseYear int
	Stats    []YearStat // BaseYear-4 … BaseYear, ascending
	ExamName string     // "" when the answer does not carry it
}

// Params are the request's parameters without the ServiceKey, for the run manifest;
// "operation" names the endpoint. A baseYear of 0 means DefaultBaseYear.
func (c *Client) Params(stage Stage, examCode string, baseYear int) map[string]string {
	out := map[string]string{"operation": stage.Operation()}
	for k, v := range c.values(examCode, c.baseYear(baseYear)) {
		out[k] = strings.Join(v, ",")
	}
	return out
}

func (c *Client) baseYear(y int) int {
	if y == 0 {
		return c.DefaultBaseYear()
	}
	return y
}

// values are the query parameters other than the key.
func (c *Client) values(examCode string, baseYear int) url.Values {
	v := url.Values{"jmCd": {examCode}, "baseYY": {strconv.Itoa(baseYear)}}
	if c.cfg.Format == FormatJSON {
		v.Set("_type", "json")
	}
	return v
}

// EventYear fetches one stage's five-year window ending at baseYear (0 = last year in
// KST) for an exam, retrying transient failures. Errors never contain the key.
//
// When the service has no statistics for the exam the error matches ErrNotCovered and
// the Response is returned too, with Raw, so the answer can be kept as evidence.
func (c *Client) EventYear(ctx context.Context, stage Stage, examCode string, baseYear int) (*Response, error) {
	baseYear = c.baseYear(baseYear)
	action := fmt.Sprintf("qnet %s statistics of exam %s for %d", stage, examCode, baseYear)
	if err := c.checkRequest(stage, examCode, baseYear); err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	q := c.values(examCode, baseYear)
	q.Set("ServiceKey", c.key) // Encode escapes it once: '+' → %2B, '=' → %3D, '/' → %2F
	u := strings.TrimRight(c.cfg.BaseURL, "/") + "/" + stage.Operation() + "?" + q.Encode()

	for attempt := 1; ; attempt++ {
		c.attempts.Add(1)
		resp, err := c.once(ctx, u, stage, examCode, baseYear)
		if err == nil {
			return resp, nil
		}
		err = c.red.scrub(err)
		if errors.Is(err, ErrNotCovered) {
			c.logger.DebugContext(ctx, "qnet has no statistics for the exam",
				"stage", string(stage), "exam_code", examCode, "base_year", baseYear)
			return resp, fmt.Errorf("%s: %w", action, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", action, context.Cause(ctx))
		}
		if !retryable(err) || attempt >= c.cfg.MaxAttempts {
			return nil, fmt.Errorf("%s (attempt %d of %d): %w", action, attempt, c.cfg.MaxAttempts, err)
		}
		wait := c.backoff(attempt)
		c.logger.WarnContext(ctx, "qnet request failed; retrying",
			"stage", string(stage), "exam_code", examCode, "base_year", baseYear,
			"attempt", attempt, "retry_in", wait.String(), "err", err.Error())
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", action, err)
		}
	}
}

func (c *Client) checkRequest(stage Stage, examCode string, baseYear int) error {
	var errs []error
	if !stage.Valid() {
		errs = append(errs, fmt.Errorf("unknown stage %q: want %q or %q", stage, StageWritten, StagePractical))
	}
	if examCode == "" || strings.TrimFunc(examCode, func(r rune) bool { return '0' <= r && r <= '9' }) != "" {
		errs = append(errs, fmt.Errorf("exam code %q: want Q-Net's numeric jmCd, e.g. 1320 for 정보처리기사", examCode))
	}
	// The current year is allowed (its counts come back empty); later ones are typos.
	if current := c.now().In(KST).Year(); baseYear < minBaseYear || baseYear > current {
		errs = append(errs, fmt.Errorf("base year %d: want %d..%d, usually last year (0 picks it)", baseYear, minBaseYear, current))
	}
	return errors.Join(errs...)
}

// once makes one attempt. Every error it returns is already redacted or is a transport
// error that the caller scrubs.
func (c *Client) once(ctx context.Context, u string, stage Stage, examCode string, baseYear int) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if c.cfg.Format == FormatJSON {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "application/xml")
	}
	req.Header.Set("User-Agent", "jobpulse (+https://github.com/jobpulse/jobpulse)")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body (%d bytes received): %w", len(body), err)
	}
	body = c.red.bytes(body)
	if len(body) > maxBody {
		return nil, &MalformedError{Reason: fmt.Sprintf("body larger than %d bytes", maxBody), Body: body}
	}

	stats, name, err := Decode(body, stage, examCode, baseYear)
	var (
		apiErr    *APIError
		malformed *MalformedError
	)
	switch {
	case errors.As(err, &apiErr):
		apiErr.Message = c.red.string(apiErr.Message)
		apiErr.HTTPStatus = resp.StatusCode
		return nil, apiErr
	case resp.StatusCode/100 != 2:
		// Redact before cutting, so no prefix of the key survives the cut.
		return nil, &HTTPError{Status: resp.StatusCode, Body: truncate([]byte(c.red.string(string(body))), 200)}
	case errors.Is(err, ErrNotCovered):
		return &Response{Raw: body, BaseYear: baseYear}, err
	case errors.As(err, &malformed):
		malformed.Reason = c.red.string(malformed.Reason)
		return nil, malformed
	case err != nil:
		return nil, err
	}
	return &Response{Raw: body, BaseYear: baseYear, Stats: stats, ExamName: name}, nil
}

func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return !apiErr.Permanent()
	}
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		s := httpErr.Status
		return s >= 500 || s == http.StatusRequestTimeout || s == http.StatusTooManyRequests
	}
	// Malformed or truncated bodies (a proxy's page, a dropped connection), timeouts
	// and connection errors are transient.
	return true
}

// backoff is exponential with "equal jitter": half fixed, half random, so the waits
// grow while concurrent collectors spread out.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseDelay << (attempt - 1)
	if d > c.cfg.MaxDelay || d <= 0 || attempt > 32 {
		d = c.cfg.MaxDelay
	}
	half := d / 2
	return half + min(max(c.jitter(d-half), 0), d-half)
}
