package trends

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrRateLimited is in the chain of an error after Google kept answering 429 through every
// retry (or asked for a longer Retry-After than the run waits). Blocks can last hours:
// stop asking and resume the remaining keywords on a later run.
var ErrRateLimited = errors.New("trends: rate limited")

// ErrPermanent is in the chain of an error that retrying the same request cannot fix: a
// 4xx other than 408/429, or a query the client refuses to send.
var ErrPermanent = errors.New("trends: permanent error")

// HTTPError is a non-2xx answer.
type HTTPError struct {
	// Endpoint is "cookie", "explore" or "multiline".
	Endpoint string
	Status   int
	// Body is the start of the body, compacted and with cookie values removed.
	Body string
	// RetryAfter is the server's Retry-After (0 when absent).
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	hint := ""
	switch {
	case e.Status == http.StatusTooManyRequests:
		hint = "; Google is rate limiting this address: raise TRENDS_SPACING or resume later (blocks can last hours)"
	case e.permanent():
		hint = "; the request was refused: check the keywords, TRENDS_TIME, TRENDS_GEO and TRENDS_HL"
	}
	return fmt.Sprintf("trends %s: http status %d: %s%s", e.Endpoint, e.Status, e.Body, hint)
}

func (e *HTTPError) permanent() bool {
	return e.Status/100 == 4 && e.Status != http.StatusTooManyRequests && e.Status != http.StatusRequestTimeout
}

// Is makes errors.Is(err, ErrRateLimited) true for 429 and errors.Is(err, ErrPermanent)
// true for 4xx answers that retrying cannot fix.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrPermanent:
		return e.permanent()
	}
	return false
}

// MalformedError is a 2xx response that cannot be interpreted: not JSON, truncated, no
// TIMESERIES widget, or values that do not match the terms. Body keeps the bytes received
// so the caller can quarantine them.
type MalformedError struct {
	Endpoint string
	Reason   string
	Body     []byte
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("trends %s: malformed response (%d bytes): %s", e.Endpoint, len(e.Body), e.Reason)
}

// QueryError is a query the client refuses to send; it is permanent.
type QueryError struct {
	Problem string
}

func (e *QueryError) Error() string { return "trends query: " + e.Problem }

// Is makes errors.Is(err, ErrPermanent) true.
func (e *QueryError) Is(target error) bool { return target == ErrPermanent }

const redacted = "REDACTED"

// nidPattern finds a cookie assignment in any text: headers echoed in a body, a dumped
// request, a proxy's error page.
var nidPattern = regexp.MustCompile(`NID=[^;\s"'&<>,]+`)

// redactor removes cookie values from text. Trends has no API key, but the NID cookie
// identifies the client to Google and must not end up in logs, errors or the lake.
type redactor struct {
	mu     sync.Mutex
	values []string // the cookie values this client has held, newest last
}

// minSecretLen keeps a degenerate value (one letter) from shredding every message.
const minSecretLen = 8

func (r *redactor) remember(v string) {
	if len(v) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.values = append(r.values, v)
	// An old cookie can still be echoed back by a slow answer; a few are enough.
	if len(r.values) > 8 {
		r.values = r.values[len(r.values)-8:]
	}
}

func (r *redactor) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, v := range r.values {
		out = append(out, v)
		if esc := url.QueryEscape(v); esc != v {
			out = append(out, esc)
		}
	}
	return out
}

// string redacts any NID assignment and any known cookie value.
func (r *redactor) string(s string) string {
	s = nidPattern.ReplaceAllString(s, "NID="+redacted)
	for _, v := range r.secrets() {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// bytes redacts known cookie values from a body, returning b itself when it holds none,
// so exact bytes stay exact in the normal case.
func (r *redactor) bytes(b []byte) []byte {
	for _, v := range r.secrets() {
		if bytes.Contains(b, []byte(v)) {
			b = bytes.ReplaceAll(b, []byte(v), []byte(redacted))
		}
	}
	return b
}

// body redacts a body kept for quarantine: known values and any NID assignment. Unlike
// bytes it may rewrite text that merely looks like a cookie, which is fine for a body that
// is kept only to be looked at.
func (r *redactor) body(b []byte) []byte {
	b = r.bytes(b)
	if nidPattern.Match(b) {
		b = nidPattern.ReplaceAll(b, []byte("NID="+redacted))
	}
	return b
}

// leaks reports whether s holds a cookie value.
func (r *redactor) leaks(s string) bool {
	return r.string(s) != s
}

// scrub returns err unchanged when its text is clean, and otherwise a redacted error
// whose cause is the innermost error of the chain (a sentinel such as
// context.DeadlineExceeded), so errors.Is keeps working without exposing the original.
func (r *redactor) scrub(err error) error {
	if err == nil || !r.leaks(err.Error()) {
		return err
	}
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	if r.leaks(inner.Error()) {
		inner = nil
	}
	return &scrubbedError{msg: r.string(err.Error()), cause: inner}
}

type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// snippet is the start of a body for an error message: whitespace collapsed, cut at n bytes
// on a rune boundary.
func snippet(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
