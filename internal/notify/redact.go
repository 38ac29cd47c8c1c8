package notify

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// secretURL removes a webhook URL, whose path is the credential, from text and errors.
// slack-go's errors and net/http's *url.Error quote the whole URL.
type secretURL struct {
	// needles are the forms the URL may take in text, longest first, each with what
	// replaces it.
	needles []needle
}

type needle struct{ find, replace string }

func newSecretURL(raw string) secretURL {
	if raw == "" {
		return secretURL{}
	}
	var ns []needle
	safe := "[redacted webhook URL]"
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" {
		// The host helps to diagnose DNS and proxy problems and is no secret.
		safe = u.Scheme + "://" + u.Host + "/[redacted]"
	}
	ns = append(ns, needle{raw, safe})
	if q := strconv.Quote(raw); q[1:len(q)-1] != raw {
		ns = append(ns, needle{q[1 : len(q)-1], safe})
	}
	if err == nil {
		if s := u.String(); s != raw {
			ns = append(ns, needle{s, safe})
		}
		// The path and query hold the token; they must not survive alone either.
		for _, p := range []string{u.Path, u.EscapedPath(), u.RawQuery} {
			if len(strings.Trim(p, "/")) > 0 {
				ns = append(ns, needle{p, "/[redacted]"})
			}
		}
	}
	sort.SliceStable(ns, func(i, j int) bool { return len(ns[i].find) > len(ns[j].find) })
	return secretURL{needles: ns}
}

// String returns s without the URL.
func (sec secretURL) String(s string) string {
	for _, n := range sec.needles {
		s = strings.ReplaceAll(s, n.find, n.replace)
	}
	return s
}

func (sec secretURL) in(s string) bool {
	for _, n := range sec.needles {
		if strings.Contains(s, n.find) {
			return true
		}
	}
	return false
}

// Error returns err without the URL anywhere in its chain. Errors that do not mention
// the URL are kept as they are; *url.Error is rebuilt with the redacted URL, so
// errors.Is and errors.As keep working through it.
func (sec secretURL) Error(err error) error {
	if err == nil || !sec.in(err.Error()) {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: sec.String(ue.URL), Err: sec.Error(ue.Err)}
	}
	r := &redactedError{msg: sec.String(err.Error())}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			r.errs = append(r.errs, sec.Error(e))
		}
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			r.errs = []error{sec.Error(e)}
		}
	}
	return r
}

// redactedError is an error whose text had a secret removed; it wraps the redacted
// versions of what the original wrapped.
type redactedError struct {
	msg  string
	errs []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.errs }
