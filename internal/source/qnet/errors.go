package qnet

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// ErrQuotaExhausted matches (errors.Is) the gateway's code 22: the key's daily requests
// are spent and collection must stop until tomorrow (KST).
var ErrQuotaExhausted = errors.New("qnet: daily request quota exhausted")

// ErrNotCovered matches (errors.Is) an answer without statistics for the exam: result
// code 03, or 00 with no items. Exams outside HRDK's Q-Net (빅데이터분석기사 is run by
// K-DATA; ADsP and SQLD are private certifications) are answered that way. It is a
// warning for the run, not a failure.
var ErrNotCovered = errors.New("qnet: exam not covered by the statistics service")

// NotCoveredError says which request had no statistics; it matches ErrNotCovered.
type NotCoveredError struct {
	ExamCode string
	Stage    Stage
	BaseYear int
	Reason   string // "no items" or the 03 result message
}

func (e *NotCoveredError) Error() string {
	return fmt.Sprintf("qnet has no %s statistics for exam %s in %d-%d (%s): Q-Net covers HRDK's national technical qualifications only "+
		"(not K-DATA's 빅데이터분석기사 or private ones such as ADsP and SQLD); check the exam code, or drop the exam from the list",
		e.Stage, e.ExamCode, e.BaseYear-(WindowYears-1), e.BaseYear, e.Reason)
}

// Is makes errors.Is(err, ErrNotCovered) true.
func (e *NotCoveredError) Is(target error) bool { return target == ErrNotCovered }

// APIError is an error envelope: the service's response/header with a result code
// other than 00 and 03, or the data.go.kr gateway's OpenAPI_ServiceResponse.
type APIError struct {
	Code       string // two digits: "05", "22", "30", …
	Message    string // resultMsg, or returnAuthMsg (errMsg) of the gateway
	Gateway    bool   // from the gateway envelope (key, quota, access problems)
	HTTPStatus int    // 0 when the error came from Decode alone
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "qnet api error %s %q", e.Code, e.Message)
	if e.Gateway {
		b.WriteString(" from the data.go.kr gateway")
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if h := e.Hint(); h != "" {
		b.WriteString(": ")
		b.WriteString(h)
	}
	return b.String()
}

// Permanent reports whether retrying the same request cannot help. Codes this client
// does not know are permanent: retrying an unknown failure only spends quota.
func (e *APIError) Permanent() bool {
	switch e.Code {
	case CodeApplicationError, CodeDBError, CodeHTTPError, CodeServiceTimeout, CodeRateExceeded, CodeUnknownError:
		return false
	}
	return true
}

// Hint says what to do about the error, or "" for transient ones.
func (e *APIError) Hint() string {
	switch e.Code {
	case CodeInvalidParameter:
		return "a request parameter was rejected; check the exam codes (jmCd) and the base year"
	case CodeMissingParameter:
		return "a mandatory parameter is missing; check the configured exam codes"
	case CodeNoService:
		return "no such service or operation; check QNET_API_URL (default " + DefaultBaseURL + ")"
	case CodeAccessDenied:
		return "access denied; apply for 한국산업인력공단 국가자격 종목별 자격통계 (InquiryStatSVC) with this key on data.go.kr, or wait for the approval"
	case CodeKeyDisabled:
		return "the key is temporarily disabled; check its status on data.go.kr (마이페이지)"
	case CodeQuotaExceeded:
		return "the key's daily requests are spent; collection resumes tomorrow (KST), or ask data.go.kr for a larger quota"
	case CodeKeyNotRegistered:
		return "the ServiceKey is not registered; check QNET_SERVICE_KEY (the Encoding or the Decoding key from data.go.kr 마이페이지, unchanged); a new key can take an hour or two to become active"
	case CodeKeyExpired:
		return "the key's usage period has expired; extend the application (활용기간 연장) on data.go.kr"
	case CodeUnregisteredIP:
		return "this machine's IP address is not registered for the key; add it to the application on data.go.kr or remove the IP restriction"
	case CodeUnsignedCall:
		return "the call was not signed as the service requires; check the application on data.go.kr"
	}
	if e.Permanent() {
		return "unknown result code; see the service's documentation on data.go.kr"
	}
	return ""
}

// Is makes errors.Is(err, ErrQuotaExhausted) true for code 22.
func (e *APIError) Is(target error) bool {
	return target == ErrQuotaExhausted && e.Code == CodeQuotaExceeded
}

// HTTPError is a non-2xx answer without an error envelope.
type HTTPError struct {
	Status int
	Body   string // the first bytes of the body, for the operator
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("qnet http status %d: %s", e.Status, e.Body)
}

// MalformedError is an answer that is neither statistics nor an error envelope: a
// truncated document, a proxy's HTML page, an unreadable count. Body holds the bytes
// so the caller can quarantine them.
type MalformedError struct {
	Reason string
	Body   []byte
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("qnet malformed response (%d bytes): %s", len(e.Body), e.Reason)
}

// decodeServiceKey accepts the key in either form data.go.kr hands out — "Encoding"
// (percent-encoded, e.g. …%2B…%3D%3D) or "Decoding" (…+…==) — and returns the decoded
// form, which the client escapes exactly once. Keys are base64 and never contain '%',
// so a '%' means the encoded form. Messages never repeat the key.
func decodeServiceKey(v string) (string, error) {
	v = strings.TrimSpace(v) // secret stores often keep a trailing newline
	if v == "" {
		return "", errors.New("QNET_SERVICE_KEY is empty: set it to the data.go.kr key (the Encoding or the Decoding form)")
	}
	if strings.Contains(v, "%") {
		d, err := url.PathUnescape(v) // not QueryUnescape: a decoded '+' must stay '+'
		if err != nil {
			return "", errors.New("QNET_SERVICE_KEY contains '%' but is not valid percent-encoding: paste the Encoding key from data.go.kr unchanged, or the Decoding key")
		}
		v = d
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", errors.New("QNET_SERVICE_KEY contains white space: paste the key on one line, unchanged (a '+' that became a space means it was decoded twice)")
	}
	return v, nil
}

// redacted replaces the key wherever it appears.
const redacted = "REDACTED"

// redactor removes the ServiceKey from text. net/http puts the request URL, query
// string included, into every *url.Error, and servers echo URLs in error pages, so
// every error, log line and stored byte that leaves this package goes through it.
type redactor struct {
	// needles are the forms the key takes in text, longest first so a form that
	// contains another is replaced whole.
	needles []string
}

func newRedactor(configured, decoded string) redactor {
	forms := []string{strings.TrimSpace(configured), decoded}
	for _, esc := range []string{url.QueryEscape(decoded), url.PathEscape(decoded), url.QueryEscape(url.QueryEscape(decoded))} {
		forms = append(forms, esc, lowerHex(esc))
	}
	// A decoded key passed through a query decoder turns '+' into ' '.
	forms = append(forms, strings.ReplaceAll(decoded, "+", " "))
	var needles []string
	for _, f := range forms {
		if f != "" && !slices.Contains(needles, f) {
			needles = append(needles, f)
		}
	}
	slices.SortStableFunc(needles, func(a, b string) int { return len(b) - len(a) })
	return redactor{needles: needles}
}

// lowerHex writes percent-escapes with lower-case hex digits (%2b), as some servers do.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func (r redactor) contains(s string) bool {
	for _, n := range r.needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

func (r redactor) string(s string) string {
	for _, n := range r.needles {
		s = strings.ReplaceAll(s, n, redacted)
	}
	return s
}

// bytes returns b itself when it holds no form of the key, so the common case keeps
// the exact bytes and allocates nothing.
func (r redactor) bytes(b []byte) []byte {
	for _, n := range r.needles {
		if bytes.Contains(b, []byte(n)) {
			return []byte(r.string(string(b)))
		}
	}
	return b
}

// rawURL returns the URL with the ServiceKey parameter replaced, falling back to plain
// text replacement when it does not parse.
func (r redactor) rawURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return r.string(s)
	}
	q := u.Query()
	changed := false
	for _, name := range []string{"ServiceKey", "serviceKey", "servicekey"} {
		if q.Has(name) {
			q.Set(name, redacted)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return r.string(u.String())
}

// scrub returns err with the key removed from its text while errors.Is/As keep working
// for the types callers test (context errors, *APIError, *url.Error, …).
func (r redactor) scrub(err error) error {
	if err == nil || len(r.needles) == 0 {
		return err
	}
	// Our own error types are built from redacted text (see Client.once); rewriting
	// them would lose the types the retry, quota and quarantine logic depend on.
	var (
		apiErr     *APIError
		httpErr    *HTTPError
		malformed  *MalformedError
		notCovered *NotCoveredError
	)
	if errors.As(err, &apiErr) || errors.As(err, &httpErr) || errors.As(err, &malformed) || errors.As(err, &notCovered) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if inner != nil && r.contains(inner.Error()) {
			inner = &scrubbedError{msg: r.string(inner.Error()), cause: r.safeCause(inner)}
		}
		clean := &url.Error{Op: ue.Op, URL: r.rawURL(ue.URL), Err: inner}
		if ue == err {
			return clean
		}
		return &scrubbedError{msg: r.string(err.Error()), cause: clean}
	}
	if r.contains(err.Error()) {
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
	if r.contains(err.Error()) {
		return nil
	}
	return err
}
