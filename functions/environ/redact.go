package environ

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"sort"
	"strings"
)

// SecretVars are the environment variables whose values are secrets: Terraform maps
// each from Secret Manager.
func SecretVars() []string {
	return []string{"SARAMIN_ACCESS_KEY", "QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"}
}

// redacted replaces a secret in logs, messages and HTTP answers.
const redacted = "[redacted]"

// Redactor removes the environment's secrets from text.
type Redactor struct {
	// needles are the forms a secret may take in text, longest first.
	needles []string
}

// NewRedactor collects the values of SecretVars in the forms they take in text: as
// set and trimmed, inside JSON strings, percent-encoded in a query (how a client sends
// a key, and how an error quoting its URL shows it), decoded when the value is itself
// percent-encoded (data.go.kr hands out an Encoding form of the Q-Net key), and, for
// URLs, their secret path alone.
func NewRedactor(getenv func(string) string) Redactor {
	seen := map[string]bool{}
	var ns []string
	add := func(s string) {
		// Very short values would redact ordinary words; no real key is that short.
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			ns = append(ns, s)
		}
	}
	for _, k := range SecretVars() {
		v := getenv(k)
		if v == "" {
			continue
		}
		forms := []string{v, strings.TrimSpace(v)}
		if d, err := url.PathUnescape(strings.TrimSpace(v)); err == nil {
			forms = append(forms, d)
		}
		for _, f := range forms {
			add(f)
			if b, err := json.Marshal(f); err == nil {
				add(string(b[1 : len(b)-1]))
			}
			add(url.QueryEscape(f))
			add(url.PathEscape(f))
		}
		if u, err := url.Parse(strings.TrimSpace(v)); err == nil && u.Host != "" && len(strings.Trim(u.Path, "/")) > 0 {
			add(u.Path)
			add(u.EscapedPath())
		}
	}
	sort.SliceStable(ns, func(i, j int) bool { return len(ns[i]) > len(ns[j]) })
	return Redactor{needles: ns}
}

// String returns s without secrets.
func (r Redactor) String(s string) string {
	for _, n := range r.needles {
		s = strings.ReplaceAll(s, n, redacted)
	}
	return s
}

// Writer returns w behind the redactor. slog handlers write one whole record per
// Write, so a secret never straddles two calls.
func (r Redactor) Writer(w io.Writer) io.Writer {
	if len(r.needles) == 0 {
		return w
	}
	return redactWriter{w: w, r: r}
}

type redactWriter struct {
	w io.Writer
	r Redactor
}

func (rw redactWriter) Write(p []byte) (int, error) {
	out := p
	for _, n := range rw.r.needles {
		if bytes.Contains(out, []byte(n)) {
			out = bytes.ReplaceAll(out, []byte(n), []byte(redacted))
		}
	}
	if _, err := rw.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
