package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
)

// fakeClock is a clock whose sleeps return at once and move it forward.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: started} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// harness is a Slack notifier on a fake webhook, a fake clock and a local outbox.
type harness struct {
	srv   *slacktest.Server
	clock *fakeClock
	store lake.Store
	logs  *syncBuffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clock := newFakeClock()
	return &harness{
		srv:   slacktest.New(t, slacktest.WithClock(clock.Now)),
		clock: clock,
		store: laketest.NewLocal(t),
		logs:  &syncBuffer{},
	}
}

// notifier returns a new Slack on the harness: a new one stands for a new process.
func (h *harness) notifier(opts ...Option) *Slack {
	base := []Option{
		WithHTTPClient(h.srv.Client()),
		WithClock(h.clock.Now, h.clock.Sleep),
		WithJitter(func(d time.Duration) time.Duration { return d }),
		WithLogger(slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	return NewSlack(h.srv.URL, h.store, append(base, opts...)...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// normalize turns messages into JSON values, so that a sent message and a decoded one
// compare equal when Slack would see the same thing.
func normalize(t *testing.T, msgs []slack.WebhookMessage) []any {
	t.Helper()
	out := make([]any, 0, len(msgs))
	for _, m := range msgs {
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func rendered(ss ...RunSummary) []slack.WebhookMessage {
	out := make([]slack.WebhookMessage, len(ss))
	for i, s := range ss {
		out[i] = Render(s)
	}
	return out
}

func summaries(n int) []RunSummary {
	out := make([]RunSummary, n)
	for i := range out {
		s := successSummary()
		s.RunID = started.Add(time.Duration(i)*time.Hour).Format("20060102T150405Z") + "-saramin-abc"
		out[i] = s
	}
	return out
}

func pending(t *testing.T, s *Slack) int {
	t.Helper()
	n, _, err := s.Pending(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSlack_delivers_each_kind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    RunSummary
	}{
		{"success", successSummary()},
		{"failure", failureSummary()},
		{"no_new_postings", noNewPostingsSummary()},
		{"quota_exhausted", quotaSummary()},
		{"failed_keywords", failedKeywordsSummary()},
		{"failure_with_200_checks_within_slack_limits", manyFailures(200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			n := h.notifier()
			if err := n.Notify(t.Context(), tt.s); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			got := h.srv.Messages()
			if diff := cmp.Diff(normalize(t, rendered(tt.s)), normalize(t, got)); diff != "" {
				t.Errorf("posted messages (-want +got):\n%s", diff)
			}
			if len(got) == 1 && got[0].Text == "" {
				t.Error("Text fallback is empty")
			}
			if p := pending(t, n); p != 0 {
				t.Errorf("%d messages left in the outbox, want 0", p)
			}
		})
	}
}

func manyFailures(n int) RunSummary {
	s := failureSummary()
	s.Failures = nil
	for i := range n {
		s.Failures = append(s.Failures, CheckFailure{
			Layer: "external", Name: "check_" + strings.Repeat("x", i%50), Severity: "error",
			Message: strings.Repeat("message <&> ", 100), Observed: int64(i), Sample: strings.Repeat(`{"a":"<b>"}`, 100),
		})
	}
	return s
}

func TestSlack_retries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses []slacktest.Response
		// wantSleeps are the waits before each retry (jitter is off in tests).
		wantSleeps   []time.Duration
		wantReceived int
	}{
		{
			name:         "429_honours_retry_after",
			responses:    []slacktest.Response{{Status: 429, RetryAfter: "7"}},
			wantSleeps:   []time.Duration{7 * time.Second},
			wantReceived: 2,
		},
		{
			name:         "429_retry_after_zero_still_waits_a_second",
			responses:    []slacktest.Response{{Status: 429, RetryAfter: "0"}},
			wantSleeps:   []time.Duration{0, time.Second},
			wantReceived: 2,
		},
		{
			name:         "429_without_retry_after_backs_off",
			responses:    []slacktest.Response{{Status: 429}},
			wantSleeps:   []time.Duration{time.Second},
			wantReceived: 2,
		},
		{
			name:         "5xx_exponential_backoff",
			responses:    []slacktest.Response{{Status: 500}, {Status: 503}, {Status: 502}},
			wantSleeps:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			wantReceived: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.Respond(tt.responses...)
			if err := h.notifier().Notify(t.Context(), successSummary()); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if diff := cmp.Diff(tt.wantSleeps, h.clock.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if got := len(h.srv.Received()); got != tt.wantReceived {
				t.Errorf("server received %d posts, want %d", got, tt.wantReceived)
			}
			if got := len(h.srv.Messages()); got != 1 {
				t.Errorf("server accepted %d messages, want 1", got)
			}
		})
	}
}

func TestSlack_down_for_a_whole_run_then_back(t *testing.T) {
	t.Parallel()
	type store struct {
		name string
		new  func(t *testing.T) lake.Store
	}
	stores := []store{
		{"local", func(t *testing.T) lake.Store { return laketest.NewLocal(t) }},
		{"gcs", func(t *testing.T) lake.Store { return laketest.NewGCS(t) }},
	}
	modes := []struct {
		name string
		mode slacktest.Mode
	}{{"server_errors", slacktest.Down}, {"connection_refused", slacktest.Refused}}
	recoveries := []string{"next_notify", "flush_in_a_new_process"}
	for _, st := range stores {
		for _, m := range modes {
			for _, rec := range recoveries {
				t.Run(st.name+"_"+m.name+"_"+rec, func(t *testing.T) {
					t.Parallel()
					h := newHarness(t)
					h.store = st.new(t)
					ss := summaries(4)
					down := h.notifier()
					h.srv.SetMode(m.mode)
					for i, s := range ss[:3] {
						if err := down.Notify(t.Context(), s); err == nil {
							t.Fatalf("Notify %d while Slack is down: no error", i)
						}
						h.clock.Advance(30 * time.Minute)
					}
					if p := pending(t, down); p != 3 {
						t.Fatalf("%d messages in the outbox, want 3", p)
					}
					h.srv.SetMode(slacktest.Up)
					next := h.notifier()
					want := ss[:3]
					switch rec {
					case "next_notify":
						want = ss
						if err := next.Notify(t.Context(), ss[3]); err != nil {
							t.Fatalf("Notify after recovery: %v", err)
						}
					default:
						if err := next.Flush(t.Context()); err != nil {
							t.Fatalf("Flush after recovery: %v", err)
						}
					}
					if diff := cmp.Diff(normalize(t, rendered(want...)), normalize(t, h.srv.Messages())); diff != "" {
						t.Errorf("delivered messages (-want +got):\n%s", diff)
					}
					if p := pending(t, next); p != 0 {
						t.Errorf("%d messages left in the outbox, want 0", p)
					}
					// Another flush sends nothing again.
					if err := h.notifier().Flush(t.Context()); err != nil {
						t.Fatalf("second Flush: %v", err)
					}
					if got := len(h.srv.Messages()); got != len(want) {
						t.Errorf("%d messages delivered after a second flush, want %d", got, len(want))
					}
				})
			}
		}
	}
}

func TestSlack_same_message_queued_twice_arrives_once(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"notify_twice", func(t *testing.T, h *harness) {
			n := h.notifier()
			for range 2 {
				if err := n.Notify(t.Context(), failureSummary()); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"notify_twice_while_down_then_flush", func(t *testing.T, h *harness) {
			n := h.notifier()
			h.srv.SetMode(slacktest.Down)
			for range 2 {
				_ = n.Notify(t.Context(), failureSummary())
				h.clock.Advance(time.Minute)
			}
			if p := pending(t, n); p != 1 {
				t.Errorf("%d messages queued, want 1", p)
			}
			h.srv.SetMode(slacktest.Up)
			if err := n.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
		{"two_processes_queue_it_then_both_flush", func(t *testing.T, h *harness) {
			a, b := h.notifier(), h.notifier()
			h.srv.SetMode(slacktest.Refused)
			_ = a.Notify(t.Context(), failureSummary())
			h.clock.Advance(time.Minute)
			_ = b.Notify(t.Context(), failureSummary())
			h.srv.SetMode(slacktest.Up)
			for _, n := range []*Slack{a, b} {
				if err := n.Flush(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"queued_again_after_delivery_by_a_new_process", func(t *testing.T, h *harness) {
			if err := h.notifier().Notify(t.Context(), failureSummary()); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(time.Hour)
			if err := h.notifier().Notify(t.Context(), failureSummary()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			tt.run(t, h)
			if diff := cmp.Diff(normalize(t, rendered(failureSummary())), normalize(t, h.srv.Messages())); diff != "" {
				t.Errorf("delivered messages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlack_at_most_one_post_per_second(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"notify_back_to_back", func(t *testing.T, h *harness) {
			n := h.notifier()
			for _, s := range summaries(5) {
				if err := n.Notify(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"flush_a_backlog", func(t *testing.T, h *harness) {
			n := h.notifier(WithRetry(1, time.Second, time.Second))
			h.srv.SetMode(slacktest.Down)
			for _, s := range summaries(5) {
				_ = n.Notify(t.Context(), s)
			}
			h.srv.SetMode(slacktest.Up)
			if err := n.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
		{"processes_one_after_another", func(t *testing.T, h *harness) {
			// Each process is new; the lease carries the time of the last post.
			for _, s := range summaries(5) {
				if err := h.notifier().Notify(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"concurrent_notify", func(t *testing.T, h *harness) {
			n := h.notifier()
			var wg sync.WaitGroup
			for _, s := range summaries(5) {
				wg.Go(func() {
					if err := n.Notify(t.Context(), s); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := len(h.srv.Messages()); got != 5 {
				t.Errorf("%d messages delivered, want 5", got)
			}
		}},
		{"retries_count_as_posts", func(t *testing.T, h *harness) {
			h.srv.Respond(slacktest.Response{Status: 429, RetryAfter: "0"}, slacktest.Response{Status: 500})
			n := h.notifier(WithRetry(4, time.Millisecond, time.Millisecond))
			for _, s := range summaries(3) {
				if err := n.Notify(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			tt.run(t, h)
			var posts []time.Time
			for _, p := range h.srv.Received() {
				posts = append(posts, p.At)
			}
			if len(posts) < 3 {
				t.Fatalf("only %d posts", len(posts))
			}
			for i := 1; i < len(posts); i++ {
				if gap := posts[i].Sub(posts[i-1]); gap < time.Second {
					t.Errorf("posts %d and %d are %s apart, want ≥ 1s", i-1, i, gap)
				}
			}
		})
	}
}

func TestSlack_webhook_url_never_leaks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(h *harness)
		check func(t *testing.T, err error)
	}{
		{"server_errors", func(h *harness) { h.srv.SetMode(slacktest.Down) }, func(t *testing.T, err error) {
			var sc slack.StatusCodeError
			if !errors.As(err, &sc) || sc.Code != 500 {
				t.Errorf("errors.As(StatusCodeError) = %v, %v; want code 500", errors.As(err, &sc), sc)
			}
		}},
		{"connection_refused", func(h *harness) { h.srv.SetMode(slacktest.Refused) }, func(t *testing.T, err error) {
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Errorf("errors.As(*url.Error) failed for %v", err)
			}
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("errors.Is(ECONNREFUSED) failed for %v", err)
			}
		}},
		{"webhook_revoked", func(h *harness) { h.srv.Respond(slacktest.Response{Status: 404, Body: "no_service"}) }, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "create a new incoming webhook") {
				t.Errorf("error does not say what to do: %v", err)
			}
		}},
		{"rate_limited_for_an_hour", func(h *harness) { h.srv.Respond(slacktest.Response{Status: 429, RetryAfter: "3600"}) }, func(t *testing.T, err error) {
			var rl *slack.RateLimitedError
			if !errors.As(err, &rl) || rl.RetryAfter != time.Hour {
				t.Errorf("errors.As(RateLimitedError) failed for %v", err)
			}
		}},
		{"bad_retry_after", func(h *harness) {
			h.srv.Respond(slacktest.Response{Status: 429, RetryAfter: "soon"}, slacktest.Response{Status: 429, RetryAfter: "soon"},
				slacktest.Response{Status: 429, RetryAfter: "soon"}, slacktest.Response{Status: 429, RetryAfter: "soon"})
		}, nil},
		{"payload_refused", func(h *harness) { h.srv.Respond(slacktest.Response{Status: 400, Body: "invalid_blocks"}) }, nil},
		{"cancelled", func(h *harness) { h.srv.SetMode(slacktest.Refused) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			tt.setup(h)
			ctx := t.Context()
			if tt.name == "cancelled" {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			s := failureSummary()
			// An error text that quotes the webhook must not carry it into Slack either.
			s.ErrorMessage = `Post "` + h.srv.URL + `": dial tcp: connection refused`
			err := h.notifier().Notify(ctx, s)
			if err == nil {
				t.Fatal("Notify: no error")
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			assertNoSecret(t, "error", err.Error(), h.srv.URL)
			assertNoSecret(t, "error (%+v)", strings.ReplaceAll(errorChain(err), "\n", " "), h.srv.URL)
			assertNoSecret(t, "logs", h.logs.String(), h.srv.URL)
			for _, p := range h.srv.Received() {
				assertNoSecret(t, "posted message", string(p.Raw), h.srv.URL)
			}
			root := h.store.(*lake.Local).Root()
			files := 0
			filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files++
				assertNoSecret(t, "outbox file "+path, string(data), h.srv.URL)
				return nil
			})
			if files == 0 {
				t.Error("the outbox is empty; the message should wait there (or in dead/)")
			}
		})
	}
}

// errorChain renders every error in err's tree, as a caller unwrapping it would see.
func errorChain(err error) string {
	var b strings.Builder
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		b.WriteString(e.Error() + "\n")
		if ue, ok := e.(*url.Error); ok {
			b.WriteString(ue.URL + "\n")
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return b.String()
}

func assertNoSecret(t *testing.T, where, text, webhook string) {
	t.Helper()
	for _, secret := range []string{webhook, slacktest.Token, slacktest.Path} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the webhook secret %q:\n%s", where, secret, text)
		}
	}
}

func TestSlack_refused_message_is_moved_aside(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier()
	h.srv.Respond(slacktest.Response{Status: 400, Body: "invalid_blocks"})
	err := n.Notify(t.Context(), failureSummary())
	var rej *rejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("Notify = %v, want a refused-message error", err)
	}
	if err := n.Notify(t.Context(), successSummary()); err != nil {
		t.Fatalf("the next message is blocked: %v", err)
	}
	if diff := cmp.Diff(normalize(t, rendered(successSummary())), normalize(t, h.srv.Messages())); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	waiting, refused, err := n.Pending(t.Context())
	if err != nil || waiting != 0 || refused != 1 {
		t.Errorf("Pending = %d, %d, %v; want 0 waiting, 1 refused", waiting, refused, err)
	}
}

func TestSlack_revoked_webhook_keeps_the_queue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier()
	h.srv.Respond(slacktest.Response{Status: 410, Body: "channel_is_archived"})
	if err := n.Notify(t.Context(), failureSummary()); err == nil {
		t.Fatal("Notify: no error")
	}
	if got := len(h.srv.Received()); got != 1 {
		t.Errorf("%d posts, want 1 (a revoked webhook is not retried)", got)
	}
	if p := pending(t, n); p != 1 {
		t.Errorf("%d messages waiting, want 1", p)
	}
}

func TestSlack_lease_held_by_another_process(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	other, _ := json.Marshal(leaseDoc{Holder: "other", ExpiresAt: h.clock.Now().Add(leaseTTL)})
	if _, err := h.store.Put(t.Context(), "outbox/lease.json", other, lake.IfAbsent()); err != nil {
		t.Fatal(err)
	}
	n := h.notifier()
	if err := n.Notify(t.Context(), successSummary()); err != nil {
		t.Fatalf("Notify while another process delivers: %v", err)
	}
	if got := len(h.srv.Received()); got != 0 {
		t.Fatalf("%d posts while another process holds the outbox, want 0", got)
	}
	if p := pending(t, n); p != 1 {
		t.Fatalf("%d messages waiting, want 1", p)
	}
	h.clock.Advance(leaseTTL + time.Second) // the other process died
	if err := n.Flush(t.Context()); err != nil {
		t.Fatalf("Flush after the lease ran out: %v", err)
	}
	if got := len(h.srv.Messages()); got != 1 {
		t.Errorf("%d messages delivered, want 1", got)
	}
}

func TestSlack_forgets_delivered_messages_after_retention(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier()
	if err := n.Notify(t.Context(), successSummary()); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(dedupeRetention + time.Hour)
	if err := n.Notify(t.Context(), failureSummary()); err != nil {
		t.Fatal(err)
	}
	sent, err := h.store.List(t.Context(), "outbox/sent/")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 {
		t.Errorf("delivered markers %v, want only the newest", sent)
	}
}

func TestSlack_outbox_prefix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.SetMode(slacktest.Down)
	_ = h.notifier(WithOutboxPrefix(""), WithRetry(1, 0, 0)).Notify(t.Context(), successSummary())
	names, err := h.store.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var queued []string
	for _, n := range names {
		if !strings.Contains(n, "/") && strings.HasSuffix(n, ".json") && n != leaseFile {
			queued = append(queued, n)
		}
	}
	if len(queued) != 1 {
		t.Errorf("objects at the store root %v, want one queued message", names)
	}
}

func TestConsole_prints_the_text(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    RunSummary
	}{
		{"success", successSummary()},
		{"failure", failureSummary()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := NewConsole(&b).Notify(t.Context(), tt.s); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Renderer{}.Text(tt.s)+"\n\n", b.String()); diff != "" {
				t.Errorf("console output (-want +got):\n%s", diff)
			}
		})
	}
}
