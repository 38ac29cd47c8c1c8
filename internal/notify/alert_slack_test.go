package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
)

func renderedAlerts(as ...Alert) []slack.WebhookMessage {
	out := make([]slack.WebhookMessage, len(as))
	for i, a := range as {
		out[i] = Renderer{}.RenderAlert(a)
	}
	return out
}

func stats(t *testing.T, s *Slack) OutboxStats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// assertPaced checks that no two posts reached Slack less than a second apart, by
// the fake clock.
func assertPaced(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	posts := srv.Received()
	for i := 1; i < len(posts); i++ {
		if gap := posts[i].At.Sub(posts[i-1].At); gap < time.Second {
			t.Errorf("posts %d and %d are %s apart, want ≥ 1s", i-1, i, gap)
		}
	}
}

// The brief's scenario: Slack is down while five alert messages are raised; then it
// is back, and a new process delivers the outbox.
func TestSlack_alerts_wait_while_slack_is_down(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name string
		new  func(t *testing.T) lake.Store
	}{
		{"local", func(t *testing.T) lake.Store { return laketest.NewLocal(t) }},
		{"gcs", func(t *testing.T) lake.Store { return laketest.NewGCS(t) }},
	}
	modes := []struct {
		name string
		mode slacktest.Mode
	}{{"server_errors", slacktest.Down}, {"unreachable", slacktest.Refused}}
	recoveries := []string{"flush_in_a_new_process", "next_alert_in_a_new_process"}
	for _, st := range stores {
		for _, m := range modes {
			for _, rec := range recoveries {
				t.Run(st.name+"_"+m.name+"_"+rec, func(t *testing.T) {
					t.Parallel()
					h := newHarness(t)
					h.store = st.new(t)
					firingA := alertFor("a_rule", AlertFiring)
					firingB := alertFor("b_rule", AlertFiring)
					resolvedA := alertFor("a_rule", AlertResolved)
					firingC := alertFor("c_rule", AlertFiring)
					repeatB := alertFor("b_rule", AlertRepeat)
					down := h.notifier()
					h.srv.SetMode(m.mode)
					for i, a := range []Alert{firingA, firingB, resolvedA, firingC, repeatB} {
						if err := down.NotifyAlert(t.Context(), a); err == nil {
							t.Fatalf("NotifyAlert %d while Slack is down: no error", i)
						}
						h.clock.Advance(10 * time.Minute)
					}
					got := stats(t, down)
					if want := (OutboxStats{Waiting: 4, Limit: defaultMaxPending, Queued: 5, Superseded: 1}); got != want {
						t.Errorf("stats while down = %+v, want %+v", got, want)
					}

					h.srv.SetMode(slacktest.Up)
					up := h.notifier() // a restart: a new Slack over the same outbox
					want := []Alert{resolvedA, firingB, firingC, repeatB}
					switch rec {
					case "flush_in_a_new_process":
						if err := up.Flush(t.Context()); err != nil {
							t.Fatalf("Flush after recovery: %v", err)
						}
					default:
						firingD := alertFor("d_rule", AlertFiring)
						want = append(want, firingD)
						if err := up.NotifyAlert(t.Context(), firingD); err != nil {
							t.Fatalf("NotifyAlert after recovery: %v", err)
						}
					}
					// Each message exactly once, in order, resolved A in firing A's place.
					if diff := cmp.Diff(normalize(t, renderedAlerts(want...)), normalize(t, h.srv.Messages())); diff != "" {
						t.Errorf("delivered messages (-want +got):\n%s", diff)
					}
					resolvedText := h.srv.Messages()[0].Text
					for _, w := range []string{"Resolved: a_rule", "Fired: 2026-11-21 10:35 UTC", "resolved: 2026-11-21 11:42 UTC"} {
						if !strings.Contains(resolvedText, w) {
							t.Errorf("the resolved message lacks %q:\n%s", w, resolvedText)
						}
					}
					if got := stats(t, up); got.Waiting != 0 || got.Delivered != uint64(len(want)) {
						t.Errorf("stats after recovery = %+v, want nothing waiting and %d delivered", got, len(want))
					}
					// A further flush, by yet another process, sends nothing again.
					if err := h.notifier().Flush(t.Context()); err != nil {
						t.Fatalf("second Flush: %v", err)
					}
					if got := len(h.srv.Messages()); got != len(want) {
						t.Errorf("%d messages delivered after a second flush, want %d", got, len(want))
					}
					assertPaced(t, h.srv)
				})
			}
		}
	}
}

func TestSlack_resolved_after_delivered_firing_is_simply_queued(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier()
	if err := n.NotifyAlert(t.Context(), firingAlert()); err != nil {
		t.Fatal(err)
	}
	h.srv.SetMode(slacktest.Down)
	_ = n.NotifyAlert(t.Context(), firingAlert()) // the same message again: already delivered
	if err := n.NotifyAlert(t.Context(), resolvedAlert()); err == nil {
		t.Fatal("NotifyAlert while down: no error")
	}
	if got := stats(t, n); got.Waiting != 1 || got.Superseded != 0 {
		t.Errorf("stats = %+v, want the resolved message waiting and nothing replaced", got)
	}
	h.srv.SetMode(slacktest.Up)
	if err := n.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(normalize(t, renderedAlerts(firingAlert(), resolvedAlert())), normalize(t, h.srv.Messages())); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestSlack_repeats_that_render_alike_are_both_sent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier()
	first, second := repeatAlert(), repeatAlert()
	second.At = first.At.Add(10 * time.Second) // "for 4h 01m" both times
	for _, a := range []Alert{first, first, second} {
		if err := n.NotifyAlert(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.srv.Messages()); got != 2 {
		t.Errorf("%d messages delivered, want 2: the same repeat once, a later one again", got)
	}
}

func TestSlack_outbox_bound(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.notifier(WithMaxPending(3), WithRetry(1, time.Second, time.Second))
	h.srv.SetMode(slacktest.Refused)
	a, b, c, d := alertFor("a_rule", AlertFiring), alertFor("b_rule", AlertFiring), alertFor("c_rule", AlertFiring), alertFor("d_rule", AlertFiring)
	for _, x := range []Alert{a, b, c} {
		_ = n.NotifyAlert(t.Context(), x)
		h.clock.Advance(time.Minute)
	}
	err := n.NotifyAlert(t.Context(), d)
	if !errors.Is(err, ErrOutboxFull) {
		t.Fatalf("NotifyAlert on a full outbox = %v, want ErrOutboxFull", err)
	}
	if !strings.Contains(err.Error(), "docs/runbooks/slack-undelivered.md") {
		t.Errorf("the error does not say what to do: %v", err)
	}
	if err := n.Notify(t.Context(), successSummary()); !errors.Is(err, ErrOutboxFull) {
		t.Errorf("Notify on a full outbox = %v, want ErrOutboxFull", err)
	}
	// A resolved alert needs no room: it replaces its firing message.
	resolvedB := alertFor("b_rule", AlertResolved)
	if err := n.NotifyAlert(t.Context(), resolvedB); errors.Is(err, ErrOutboxFull) {
		t.Fatalf("a resolved alert was refused: %v", err)
	}
	// One without a queued firing does.
	if err := n.NotifyAlert(t.Context(), alertFor("e_rule", AlertResolved)); !errors.Is(err, ErrOutboxFull) {
		t.Errorf("a resolved alert with nothing to replace = %v, want ErrOutboxFull", err)
	}
	got := stats(t, n)
	if want := (OutboxStats{Waiting: 3, Limit: 3, Queued: 4, Full: 3, Superseded: 1}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if !strings.Contains(h.logs.String(), "slack outbox: full") {
		t.Errorf("logs lack the refusal:\n%s", h.logs)
	}

	// Slack is back: the oldest messages were kept, in order.
	h.srv.SetMode(slacktest.Up)
	if err := h.notifier(WithMaxPending(3)).Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(normalize(t, renderedAlerts(a, resolvedB, c)), normalize(t, h.srv.Messages())); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestSlack_full_outbox_with_slack_back_posts_directly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.SetMode(slacktest.Down)
	down := h.notifier(WithMaxPending(2), WithRetry(1, time.Second, time.Second))
	a, b, c := alertFor("a_rule", AlertFiring), alertFor("b_rule", AlertFiring), alertFor("c_rule", AlertFiring)
	_ = down.NotifyAlert(t.Context(), a)
	_ = down.NotifyAlert(t.Context(), b)
	h.srv.SetMode(slacktest.Up)
	up := h.notifier(WithMaxPending(2))
	if err := up.NotifyAlert(t.Context(), c); err != nil {
		t.Fatalf("NotifyAlert: %v", err)
	}
	if diff := cmp.Diff(normalize(t, renderedAlerts(a, b, c)), normalize(t, h.srv.Messages())); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if got := stats(t, up); got.Full != 1 || got.Delivered != 3 || got.Waiting != 0 {
		t.Errorf("stats = %+v, want 1 refused by the bound, 3 delivered", got)
	}
}

// A process that dies after queuing a resolved alert but before removing the firing
// it replaces leaves the firing behind; it must not reach Slack after the resolve,
// whichever of the two sorts first (they share a time and differ in their hash).
func TestSlack_replaced_message_left_behind_is_not_delivered(t *testing.T) {
	t.Parallel()
	hash := func(a Alert) string {
		env, err := newAlertEnvelope(Renderer{}.RenderAlert(a), a, started)
		if err != nil {
			t.Fatal(err)
		}
		return env.Hash
	}
	// Resolved messages that sort before and after the firing one.
	var before, after *Alert
	for i := 0; before == nil || after == nil; i++ {
		r := resolvedAlert()
		r.At = r.At.Add(time.Duration(i) * time.Second)
		if hash(r) < hash(firingAlert()) {
			before = &r
		} else {
			after = &r
		}
	}
	tests := []struct {
		name     string
		resolved Alert
	}{
		{"resolved_sorts_first", *before},
		{"left_over_firing_sorts_first", *after},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			n := h.notifier(WithRetry(1, time.Second, time.Second))
			h.srv.SetMode(slacktest.Down)
			_ = n.NotifyAlert(t.Context(), firingAlert())
			names, err := h.store.List(t.Context(), "outbox/")
			if err != nil || len(names) != 2 { // the message and the lease
				t.Fatalf("outbox %v, %v", names, err)
			}
			firingName := names[0]
			obj, err := h.store.Get(t.Context(), firingName)
			if err != nil {
				t.Fatal(err)
			}
			_ = n.NotifyAlert(t.Context(), tt.resolved)
			// The crash: the firing message is back.
			if _, err := h.store.Put(t.Context(), firingName, obj.Data, lake.IfAbsent()); err != nil {
				t.Fatal(err)
			}
			h.srv.SetMode(slacktest.Up)
			if err := h.notifier().Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normalize(t, renderedAlerts(tt.resolved)), normalize(t, h.srv.Messages())); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			if p := pending(t, n); p != 0 {
				t.Errorf("%d messages left, want 0", p)
			}
		})
	}
}

// Envelopes queued by the version before alerts existed have neither key nor status.
func TestSlack_delivers_envelopes_from_before_alerts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	msg, err := json.Marshal(Render(successSummary()))
	if err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf(`{"version":1,"queued_at":"2026-11-21T10:30:00Z","run_id":"r","kind":"success","hash":"0123456789abcdef","message":%s}`, msg)
	if _, err := h.store.Put(t.Context(), "outbox/20261121T103000.000000000Z-0123456789abcdef.json", []byte(old), lake.IfAbsent()); err != nil {
		t.Fatal(err)
	}
	n := h.notifier()
	if err := n.NotifyAlert(t.Context(), firingAlert()); err != nil {
		t.Fatal(err)
	}
	want := append(rendered(successSummary()), renderedAlerts(firingAlert())...)
	if diff := cmp.Diff(normalize(t, want), normalize(t, h.srv.Messages())); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestParseEntry(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 21, 10, 30, 0, 5, time.UTC)
	tests := []struct {
		name   string
		base   string
		want   entry
		wantOK bool
	}{
		{"run_message", "20261121T103000.000000005Z-0123456789abcdef.json", entry{at: at, hash: "0123456789abcdef"}, true},
		{"alert_message", "20261121T103000.000000005Z-0123456789abcdef-resolved-fedcba9876543210.json",
			entry{at: at, hash: "0123456789abcdef", status: AlertResolved, key: "fedcba9876543210"}, true},
		{"unknown_status", "20261121T103000.000000005Z-0123456789abcdef-paged-fedcba9876543210.json", entry{}, false},
		{"bad_key", "20261121T103000.000000005Z-0123456789abcdef-firing-xyz.json", entry{}, false},
		{"three_parts", "20261121T103000.000000005Z-0123456789abcdef-firing.json", entry{}, false},
		{"not_json", "20261121T103000.000000005Z-0123456789abcdef.tmp", entry{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseEntry("outbox/"+tt.base, tt.base)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if ok {
				tt.want.name = "outbox/" + tt.base
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(entry{})); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}
	if name := entryName("outbox/", at, "0123456789abcdef", AlertFiring, nameKey("fp")); !strings.HasSuffix(name, "-firing-"+nameKey("fp")+".json") {
		t.Errorf("entryName = %q", name)
	}
}

func TestSlack_alert_webhook_url_never_leaks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode slacktest.Mode
	}{
		{"server_errors", slacktest.Down},
		{"unreachable", slacktest.Refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.SetMode(tt.mode)
			n := h.notifier(WithMaxPending(2))
			// Texts that quote the webhook must not carry it anywhere either.
			quoting := func(a Alert) Alert {
				a.Summary = `probe of ` + h.srv.URL + ` failed`
				a.Note = `Post "` + h.srv.URL + `": dial tcp: connection refused`
				a.Labels = map[string]string{"target": h.srv.URL}
				a.Fingerprint += "-" + h.srv.URL
				return a
			}
			var errs []error
			for _, a := range []Alert{alertFor("a_rule", AlertFiring), alertFor("b_rule", AlertFiring), alertFor("c_rule", AlertFiring), alertFor("a_rule", AlertResolved)} {
				a = quoting(a)
				if err := n.NotifyAlert(t.Context(), a); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) != 4 || !errors.Is(errs[2], ErrOutboxFull) {
				t.Fatalf("errors %v, want 4 with the third refused by the bound", errs)
			}
			for _, err := range errs {
				assertNoSecret(t, "error", err.Error(), h.srv.URL)
				assertNoSecret(t, "error chain", strings.ReplaceAll(errorChain(err), "\n", " "), h.srv.URL)
			}
			assertNoSecret(t, "logs", h.logs.String(), h.srv.URL)
			checkFiles := func(when string) {
				files := 0
				filepath.WalkDir(h.store.(*lake.Local).Root(), func(path string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					data, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					files++
					assertNoSecret(t, when+": outbox file "+path, string(data), h.srv.URL)
					assertNoSecret(t, when+": outbox name", path, h.srv.URL)
					return nil
				})
				if files == 0 {
					t.Errorf("%s: no outbox files were checked", when)
				}
			}
			checkFiles("queued")
			h.srv.SetMode(slacktest.Up)
			if err := n.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			for _, p := range h.srv.Received() {
				assertNoSecret(t, "posted message", string(p.Raw), h.srv.URL)
			}
			if got := len(h.srv.Messages()); got != 2 {
				t.Errorf("%d messages delivered, want 2", got)
			}
			assertNoSecret(t, "logs", h.logs.String(), h.srv.URL)
			checkFiles("delivered")
		})
	}
}

func TestSlack_NotifyAlert_rejects_unknown_status(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := firingAlert()
	a.Status = "paged"
	a.Rule = "rule " + h.srv.URL
	err := h.notifier().NotifyAlert(t.Context(), a)
	if err == nil || !strings.Contains(err.Error(), "want firing, repeat or resolved") {
		t.Errorf("NotifyAlert = %v, want a status error", err)
	}
	assertNoSecret(t, "error", err.Error(), h.srv.URL)
	if got := len(h.srv.Received()); got != 0 {
		t.Errorf("%d posts, want 0", got)
	}
}

func TestConsole_prints_the_alert_text(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	c := NewConsole(&b)
	for _, a := range []Alert{firingAlert(), resolvedAlert()} {
		if err := c.NotifyAlert(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	want := Renderer{}.AlertText(firingAlert()) + "\n\n" + Renderer{}.AlertText(resolvedAlert()) + "\n\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("console output (-want +got):\n%s", diff)
	}
}
