// Package slacktest is a fake Slack incoming webhook for tests: an httptest server
// that decodes every posted message, enforces Slack's message limits and answers as
// scripted (accepted, 500s, 429 with Retry-After, refused connections).
package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Token is the secret part of the fake webhook's path. Tests assert that it never
// leaks into errors, logs or stored files.
const Token = "XXsecretWEBHOOKtoken0123456789"

// Mode is how the fake answers posts that have no scripted response.
type Mode int

// Modes.
const (
	Up      Mode = iota // 200 "ok"
	Down                // 500 for every post
	Refused             // the connection is refused (for clients from Client)
)

// Response is one scripted answer.
type Response struct {
	Status     int
	RetryAfter string // the Retry-After header, if any
	Body       string // default: "ok" for 200, "error" otherwise
}

// Post is one message the fake received.
type Post struct {
	At       time.Time // by the server's clock
	Status   int       // what the fake answered
	Message  slack.WebhookMessage
	Raw      []byte
	Accepted bool
}

// Server is a fake incoming webhook.
type Server struct {
	// URL is the webhook URL, secret path included.
	URL string

	srv *httptest.Server
	now func() time.Time

	mu     sync.Mutex
	mode   Mode
	script []Response
	posts  []Post
}

// Option configures a Server.
type Option func(*Server)

// WithClock makes the server time-stamp posts with now (default time.Now), so tests
// with a fake clock can assert on the rate of posts.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake webhook, closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + Path
	return s
}

// Path is the webhook's path on the server.
const Path = "/services/T0FAKE/B0FAKE/" + Token

// SetMode sets how unscripted posts are answered.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
}

// Respond queues answers for the next posts, before the mode applies.
func (s *Server) Respond(rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, rs...)
}

// Received returns every post that reached the server, accepted or not.
func (s *Server) Received() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Messages returns the messages the server accepted, in order.
func (s *Server) Messages() []slack.WebhookMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []slack.WebhookMessage
	for _, p := range s.posts {
		if p.Accepted {
			out = append(out, p.Message)
		}
	}
	return out
}

// Accepted returns the accepted posts, in order.
func (s *Server) Accepted() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, p := range s.posts {
		if p.Accepted {
			out = append(out, p)
		}
	}
	return out
}

// Client returns an HTTP client for the server that also honours the Refused mode.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: transport{s}, Timeout: 10 * time.Second}
}

type transport struct{ s *Server }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.s.mu.Lock()
	refused := t.s.mode == Refused && len(t.s.script) == 0
	t.s.mu.Unlock()
	if refused {
		if req.Body != nil {
			req.Body.Close()
		}
		// What the dialer reports when nothing listens; http.Client wraps it in a
		// *url.Error that quotes the URL.
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: t.s.srv.Listener.Addr(),
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return t.s.srv.Client().Transport.RoundTrip(req)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != Path {
		http.Error(w, "no_service", http.StatusNotFound)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	post := Post{Raw: raw}
	s.mu.Lock()
	defer s.mu.Unlock()
	post.At = s.now()
	resp := Response{Status: http.StatusOK}
	switch {
	case len(s.script) > 0:
		resp, s.script = s.script[0], s.script[1:]
	case s.mode == Down:
		resp = Response{Status: http.StatusInternalServerError}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&post.Message); err != nil {
		resp = Response{Status: http.StatusBadRequest, Body: "invalid_payload"}
	} else if problem := checkLimits(raw); problem != "" && resp.Status == http.StatusOK {
		resp = Response{Status: http.StatusBadRequest, Body: problem}
	}
	post.Status = resp.Status
	post.Accepted = resp.Status == http.StatusOK
	s.posts = append(s.posts, post)
	if resp.RetryAfter != "" {
		w.Header().Set("Retry-After", resp.RetryAfter)
	}
	body := resp.Body
	if body == "" {
		body = "error"
		if resp.Status == http.StatusOK {
			body = "ok"
		}
	}
	w.WriteHeader(resp.Status)
	fmt.Fprint(w, body)
}

// Slack's documented limits for a message.
const (
	MaxBlocks      = 50
	MaxSectionText = 3000
	MaxHeaderText  = 150
)

// checkLimits returns Slack's error for a message over its limits, or "".
func checkLimits(raw []byte) string {
	var m struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
			Elements []struct {
				Text string `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "invalid_payload"
	}
	if m.Text == "" && len(m.Blocks) == 0 {
		return "no_text"
	}
	if len(m.Blocks) > MaxBlocks {
		return "invalid_blocks"
	}
	for _, b := range m.Blocks {
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || utf8.RuneCountInString(b.Text.Text) > MaxHeaderText {
				return "invalid_blocks"
			}
		case "section":
			if b.Text == nil || utf8.RuneCountInString(b.Text.Text) > MaxSectionText {
				return "invalid_blocks"
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				return "invalid_blocks"
			}
		}
	}
	return ""
}
