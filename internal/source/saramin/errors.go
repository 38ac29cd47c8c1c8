package saramin

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Saramin error codes (reference/sources.md §1).
const (
	CodeKeyMissing   = 1
	CodeInvalidKey   = 2
	CodeInvalidParam = 3
	CodeQuota        = 4
	CodeUnknown      = 99
)

// ErrQuotaExhausted is returned (wrapped) when the API answers code 4: the key's daily
// calls are spent and collection must stop until tomorrow (KST).
var ErrQuotaExhausted = errors.New("saramin: daily quota exhausted")

// APIError is an error envelope returned by the API.
type APIError struct {
	Code       int
	Message    string
	HTTPStatus int
}

func (e *APIError) Error() string {
	hint := ""
	switch e.Code {
	case CodeKeyMissing:
		hint = ": the request carried no access key; set SARAMIN_ACCESS_KEY (or unset it to use the demo source)"
	case CodeInvalidKey:
		hint = ": the access key was rejected; check SARAMIN_ACCESS_KEY"
	case CodeInvalidParam:
		hint = ": a request parameter was rejected; check SARAMIN_QUERY and the window settings"
	case CodeQuota:
		hint = ": the key's daily calls are spent; collection resumes after midnight KST"
	}
	return fmt.Sprintf("saramin api error %d (HTTP %d) %q%s", e.Code, e.HTTPStatus, e.Message, hint)
}

// Permanent reports whether retrying the same request can never succeed.
func (e *APIError) Permanent() bool {
	switch e.Code {
	case CodeKeyMissing, CodeInvalidKey, CodeInvalidParam, CodeQuota:
		return true
	}
	return false
}

// Is makes errors.Is(err, ErrQuotaExhausted) true for code 4.
func (e *APIError) Is(target error) bool {
	return target == ErrQuotaExhausted && e.Code == CodeQuota
}

// HTTPError is a non-2xx answer without a recognizable error envelope.
type HTTPError struct {
	Status int
	Body   string // first bytes of the body, for the operator
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("saramin http status %d: %s", e.Status, e.Body)
}

// MalformedError is a response that is neither a page nor an error envelope (a
// truncated or corrupted body). Body keeps the exact bytes so the caller can quarantine them.
type MalformedError struct {
	Reason string
	Body   []byte
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("saramin malformed response (%d bytes): %s", len(e.Body), e.Reason)
}

// redactor removes the access key from URLs and error texts. net/http puts the full
// request URL, query string included, into every *url.Error, so every error that leaves
// this package goes through scrub.
type redactor struct{ secret string }

const redacted = "REDACTED"

func (r redactor) string(s string) string {
	if r.secret == "" {
		return s
	}
	s = strings.ReplaceAll(s, r.secret, redacted)
	// The key may also appear query-escaped.
	if esc := url.QueryEscape(r.secret); esc != r.secret {
		s = strings.ReplaceAll(s, esc, redacted)
	}
	return s
}

// rawURL returns the URL text with the access-key parameter replaced, falling back to
// plain text replacement when it does not parse.
func (r redactor) rawURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return r.string(s)
	}
	if q := u.Query(); q.Has("access-key") {
		q.Set("access-key", redacted)
		u.RawQuery = q.Encode()
	}
	return r.string(u.String())
}

// scrub returns err with the secret removed from its text while keeping errors.Is/As
// working for the types callers test (context errors, *APIError, *url.Error, …).
func (r redactor) scrub(err error) error {
	if err == nil || r.secret == "" {
		return err
	}
	// Our own error types are built from redacted text (see Client.once); rewriting them
	// would lose the type the retry and quota logic depend on.
	var (
		apiErr    *APIError
		httpErr   *HTTPError
		malformed *MalformedError
		limited   *rateLimitedError
	)
	if errors.As(err, &apiErr) || errors.As(err, &httpErr) || errors.As(err, &malformed) || errors.As(err, &limited) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if strings.Contains(inner.Error(), r.secret) {
			inner = &scrubbedError{msg: r.string(inner.Error()), cause: r.safeCause(inner)}
		}
		clean := &url.Error{Op: ue.Op, URL: r.rawURL(ue.URL), Err: inner}
		if ue == err {
			return clean
		}
		return &scrubbedError{msg: r.string(err.Error()), cause: clean}
	}
	if strings.Contains(err.Error(), r.secret) {
		return &scrubbedError{msg: r.string(err.Error()), cause: r.safeCause(err)}
	}
	return err
}

// scrubbedError carries a redacted message. Its cause is the innermost error of the
// original chain (a sentinel such as context.DeadlineExceeded or io.ErrUnexpectedEOF,
// whose text holds no URL) so errors.Is keeps working.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

func (r redactor) safeCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	if strings.Contains(err.Error(), r.secret) {
		return nil
	}
	return err
}
