package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/jobpulse/jobpulse/internal/lake"
)

const (
	// postInterval is Slack's limit for one incoming webhook: 1 message per second.
	postInterval = time.Second
	// maxRetryAfter is the longest Retry-After a run waits for; beyond it the message
	// stays queued for the next run.
	maxRetryAfter = time.Minute
)

// Slack posts run and alert messages to an incoming webhook through an outbox in a
// lake.Store.
//
// Every message is written to the outbox first and removed only once Slack accepted
// it; each Notify, NotifyAlert and Flush delivers what waits, oldest first, at most
// one post per second, honouring Retry-After. The outbox is bounded (WithMaxPending)
// and a resolved alert replaces its undelivered firing messages. The webhook URL is a secret: it never appears in
// errors, logs or the outbox.
//
// A Slack is safe for concurrent use; share one per webhook so the rate limit holds.
// Processes sharing an outbox take turns through a lease object in it.
type Slack struct {
	url    string
	secret secretURL
	store  lake.Store
	prefix string
	holder string // this instance's name in the lease

	renderer    Renderer
	client      *http.Client
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	jitter      func(time.Duration) time.Duration
	log         *slog.Logger
	attempts    int
	backoff     time.Duration
	maxBackoff  time.Duration
	maxPending  int
	mu          sync.Mutex // one delivery at a time; guards lastPost
	lastPost    time.Time
	outboxLabel string
	counts      counters
}

// counters count what this Slack did since it was created.
type counters struct {
	queued, delivered, full, superseded atomic.Uint64
}

var (
	_ Notifier      = (*Slack)(nil)
	_ AlertNotifier = (*Slack)(nil)
)

// NewSlack returns a notifier posting to webhookURL, with its outbox in store under
// the prefix "outbox/" (see WithOutboxPrefix).
func NewSlack(webhookURL string, store lake.Store, opts ...Option) *Slack {
	o := newOptions(opts)
	sec := newSecretURL(webhookURL)
	renderer := o.renderer
	user := renderer.Redact
	// Messages carry error texts; one of them could quote the webhook.
	renderer.Redact = func(s string) string {
		s = sec.String(s)
		if user != nil {
			s = sec.String(user(s))
		}
		return s
	}
	prefix := o.prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	s := &Slack{
		url: webhookURL, secret: sec, store: store, prefix: prefix, holder: hex.EncodeToString(id[:]),
		renderer: renderer, client: o.client, now: o.now, sleep: o.sleep, jitter: o.jitter,
		attempts: o.attempts, backoff: o.backoff, maxBackoff: o.maxBackoff, maxPending: o.maxPending,
		outboxLabel: store.URL(strings.TrimSuffix(prefix, "/")),
	}
	s.log = o.logger.With("outbox", s.outboxLabel)
	return s
}

// Notify queues the run's message and delivers everything waiting, oldest first. An
// error means some message (maybe an older one) is still waiting: the next Notify or
// Flush delivers it. Queuing the same message again is a no-op.
func (s *Slack) Notify(ctx context.Context, sum RunSummary) error {
	env, err := newEnvelope(s.renderer.Render(sum), sum, s.now())
	if err != nil {
		return fmt.Errorf("notify slack: %w", err)
	}
	return s.queueAndFlush(ctx, env, "message for run "+sum.RunID, "run_id", sum.RunID, "kind", sum.Kind)
}

// NotifyAlert queues an alert message and delivers everything waiting, oldest
// first, like Notify. A resolved message replaces the undelivered firing and repeat
// messages with the same fingerprint. When the outbox is full (WithMaxPending) and
// Slack still cannot be reached, the message is refused: the error wraps
// ErrOutboxFull.
func (s *Slack) NotifyAlert(ctx context.Context, a Alert) error {
	// The outbox and the logs keep the alert's names too: they get the message's
	// redaction.
	rule, fingerprint := s.renderer.Redact(a.Rule), s.renderer.Redact(a.Fingerprint)
	if !a.Status.valid() {
		return fmt.Errorf("notify slack: alert %s has status %q; want firing, repeat or resolved", rule, s.renderer.Redact(string(a.Status)))
	}
	env, err := newAlertEnvelope(s.renderer.RenderAlert(a), a, s.now())
	if err != nil {
		return fmt.Errorf("notify slack: %w", err)
	}
	env.Key, env.Rule = fingerprint, rule
	return s.queueAndFlush(ctx, env, fmt.Sprintf("%s message for alert %s", a.Status, rule),
		"alert", rule, "status", a.Status, "fingerprint", fingerprint)
}

// queueAndFlush queues env, then delivers the outbox. A message that cannot be
// queued is posted directly once everything older is delivered, so it is lost only
// when Slack cannot take it either.
func (s *Slack) queueAndFlush(ctx context.Context, env envelope, what string, attrs ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, dup, qerr := s.enqueueDetached(ctx, env)
	switch {
	case errors.Is(qerr, ErrOutboxFull):
		s.log.Error("slack outbox: full; the message is not queued and is posted only if Slack takes the whole backlog now",
			append(attrs, "limit", s.maxPending, "err", qerr)...)
	case qerr != nil:
		s.log.Error("slack outbox: cannot queue the message; it will be posted without a copy in the outbox",
			append(attrs, "err", qerr)...)
	case dup:
		s.log.Info("slack outbox: the same message is already queued or was delivered; not queued again",
			append(attrs, "object", name)...)
	default:
		s.log.Debug("slack outbox: message queued", append(attrs, "object", name)...)
	}
	ferr := s.flush(ctx)
	if qerr == nil {
		if ferr != nil {
			return fmt.Errorf("notify slack: %w", ferr)
		}
		return nil
	}
	if ferr != nil {
		// Older messages wait and this one has nowhere to wait: it is lost.
		return fmt.Errorf("notify slack: %s not delivered and not queued: %w", what, errors.Join(qerr, ferr))
	}
	if err := s.send(ctx, &env.Message); err != nil {
		return fmt.Errorf("notify slack: %s not delivered and not queued: %w", what, errors.Join(qerr, err))
	}
	s.counts.delivered.Add(1)
	return nil
}

// enqueueDetached queues even when ctx is cancelled: an interrupted run's message is
// the one most worth keeping.
func (s *Slack) enqueueDetached(ctx context.Context, env envelope) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return s.enqueue(ctx, env)
}

// Flush delivers the messages waiting in the outbox, oldest first. It returns nil when
// another process is delivering them.
func (s *Slack) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flush(ctx); err != nil {
		return fmt.Errorf("flush slack outbox: %w", err)
	}
	return nil
}

// Pending returns how many messages wait in the outbox and how many Slack refused
// (kept under dead/ for people to read).
func (s *Slack) Pending(ctx context.Context) (waiting, refused int, err error) {
	st, err := s.scan(ctx)
	if err != nil {
		return 0, 0, err
	}
	return len(st.pending), st.dead, nil
}

// OutboxStats describe the outbox, for metrics. Waiting and Dead are the outbox's
// content now (all processes'); the counters are this Slack's since it was created.
type OutboxStats struct {
	Waiting int // messages waiting for delivery
	Dead    int // messages Slack refused as malformed, kept under dead/
	Limit   int // how many messages may wait (WithMaxPending)

	Queued    uint64 // messages queued
	Delivered uint64 // messages Slack accepted
	// Full counts messages refused because the outbox was full (ErrOutboxFull).
	Full uint64
	// Superseded counts firing and repeat messages removed undelivered because their
	// alert's resolved message replaced them.
	Superseded uint64
}

// Stats lists the outbox and returns its numbers.
func (s *Slack) Stats(ctx context.Context) (OutboxStats, error) {
	st, err := s.scan(ctx)
	if err != nil {
		return OutboxStats{}, err
	}
	return OutboxStats{
		Waiting: len(st.pending), Dead: st.dead, Limit: s.maxPending,
		Queued: s.counts.queued.Load(), Delivered: s.counts.delivered.Load(),
		Full: s.counts.full.Load(), Superseded: s.counts.superseded.Load(),
	}, nil
}

func (s *Slack) flush(ctx context.Context) error {
	st, err := s.scan(ctx)
	if err != nil {
		return err
	}
	if len(st.pending) == 0 {
		return nil
	}
	l, ok, err := s.acquire(ctx)
	if err != nil {
		return fmt.Errorf("take the outbox lease: %w", err)
	}
	if !ok {
		s.log.Info("slack outbox: another process is delivering; messages stay queued", "waiting", len(st.pending))
		return nil
	}
	defer s.release(ctx, l)
	s.prune(ctx, st)

	seen := map[string]bool{}
	replacedBy := map[string][]string{} // resolved message → what it replaced
	var refused []error
	for pass := 0; pass < maxPasses; pass++ {
		if pass > 0 {
			// Other processes may have queued messages while this one posted.
			sent := st.sent
			if st, err = s.scan(ctx); err != nil {
				return err
			}
			for h, e := range sent {
				st.sent[h] = e
			}
		}
		progressed := false
		for i, e := range st.pending {
			if seen[e.name] {
				continue
			}
			seen[e.name], progressed = true, true
			if _, ok := st.sent[e.hash]; ok {
				s.log.Info("slack outbox: dropping a message that was delivered already", "object", e.name)
				if err := s.store.Delete(ctx, e.name); err != nil {
					s.log.Warn("slack outbox: cannot remove a delivered message", "object", e.name, "err", err)
				}
				continue
			}
			if s.replaced(ctx, e, st.pending, replacedBy) {
				s.log.Info("slack outbox: dropping a message its resolved alert replaced", "object", e.name)
				if err := s.store.Delete(ctx, e.name); err != nil {
					s.log.Warn("slack outbox: cannot remove a replaced message", "object", e.name, "err", err)
				}
				continue
			}
			err := s.deliver(ctx, e)
			var rej *rejectedError
			switch {
			case err == nil:
				st.sent[e.hash] = e
			case errors.As(err, &rej):
				refused = append(refused, err)
			default:
				waiting := len(st.pending) - i
				s.log.Warn("slack outbox: delivery stopped; messages wait for the next run", "waiting", waiting, "err", err)
				return fmt.Errorf("%d message(s) wait in the outbox %s for the next run (see docs/runbooks/slack-undelivered.md): %w",
					waiting, s.outboxLabel, err)
			}
			if err := s.renew(ctx, l); err != nil {
				return err
			}
		}
		if !progressed {
			break
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("slack refused %d message(s) (see docs/runbooks/slack-undelivered.md): %w", len(refused), errors.Join(refused...))
	}
	return nil
}

// replaced reports whether e is a firing or repeat message that a queued resolved
// message replaced, left behind because removing it failed. Only a resolved message
// of the same alert queued at or before e can have replaced it, so the outbox is read
// only then; cache keeps what was read.
func (s *Slack) replaced(ctx context.Context, e entry, pending []entry, cache map[string][]string) bool {
	if e.key == "" || (e.status != AlertFiring && e.status != AlertRepeat) {
		return false
	}
	for _, r := range pending {
		if r.status != AlertResolved || r.key != e.key || r.at.After(e.at) {
			continue
		}
		names, ok := cache[r.name]
		if !ok {
			obj, err := s.store.Get(ctx, r.name)
			var env envelope
			if err == nil {
				err = json.Unmarshal(obj.Data, &env)
			}
			if err != nil && !errors.Is(err, lake.ErrNotExist) {
				s.log.Warn("slack outbox: cannot read a resolved message; the messages before it are delivered as they are",
					"object", r.name, "err", err)
			}
			names = env.Supersedes
			cache[r.name] = names
		}
		if slices.Contains(names, e.name) {
			return true
		}
	}
	return false
}

// deliver posts one queued message and removes it once Slack accepted it.
func (s *Slack) deliver(ctx context.Context, e entry) error {
	obj, err := s.store.Get(ctx, e.name)
	if errors.Is(err, lake.ErrNotExist) {
		return nil // delivered by a process whose lease had run out
	}
	if err != nil {
		return fmt.Errorf("read queued message: %w", err)
	}
	var env envelope
	if err := json.Unmarshal(obj.Data, &env); err != nil {
		return s.reject(ctx, e, obj.Data, fmt.Errorf("unreadable outbox object: %w", err))
	}
	for _, old := range env.Supersedes {
		// Left behind when queuing could not remove them; they must not follow the
		// resolved message to Slack.
		if rest, ok := strings.CutPrefix(old, s.prefix); !ok || strings.Contains(rest, "/") {
			continue
		}
		if err := s.store.Delete(ctx, old); err != nil {
			return fmt.Errorf("remove a message the resolved alert replaces: %w", err)
		}
	}
	err = s.send(ctx, &env.Message)
	var rej *rejectedError
	if errors.As(err, &rej) {
		return s.reject(ctx, e, obj.Data, rej.err)
	}
	if err != nil {
		return err
	}
	if env.Key != "" {
		s.log.Info("slack: message delivered", "alert", env.Rule, "status", env.Status, "object", e.name)
	} else {
		s.log.Info("slack: message delivered", "run_id", env.RunID, "kind", env.Kind, "object", e.name)
	}
	s.counts.delivered.Add(1)
	s.markSent(ctx, e, env)
	return nil
}

// send posts msg, waiting for its turn and retrying what can succeed later.
func (s *Slack) send(ctx context.Context, msg *slack.WebhookMessage) error {
	if s.url == "" {
		return errors.New("no Slack webhook URL is configured")
	}
	for attempt := 1; ; attempt++ {
		if err := s.waitTurn(ctx); err != nil {
			return fmt.Errorf("post to Slack: %w", err)
		}
		s.lastPost = s.now()
		err := s.secret.Error(slack.PostWebhookCustomHTTPContext(ctx, s.url, s.client, msg))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("post to Slack: %w", err)
		}
		var wait time.Duration
		var limited *slack.RateLimitedError
		var status slack.StatusCodeError
		switch {
		case errors.As(err, &limited):
			if limited.RetryAfter > maxRetryAfter {
				return fmt.Errorf("post to Slack: rate limited for %s, longer than a run waits: %w", limited.RetryAfter, err)
			}
			wait = limited.RetryAfter
		case errors.As(err, &status) && (status.Code == http.StatusBadRequest || status.Code == http.StatusRequestEntityTooLarge):
			return &rejectedError{err: err}
		case errors.As(err, &status) && status.Code >= 400 && status.Code < 500 &&
			status.Code != http.StatusRequestTimeout && status.Code != http.StatusTooManyRequests:
			return fmt.Errorf("post to Slack: the webhook was refused (%s); it was probably revoked or its channel archived: "+
				"create a new incoming webhook and update SLACK_WEBHOOK_URL: %w", status.Status, err)
		default:
			wait = s.jitter(s.backoffFor(attempt))
		}
		if attempt >= s.attempts {
			return fmt.Errorf("post to Slack: gave up after %d attempts: %w", attempt, err)
		}
		s.log.Warn("slack: post failed; retrying", "attempt", attempt, "wait", wait.String(), "err", err)
		if err := s.sleep(ctx, wait); err != nil {
			return fmt.Errorf("post to Slack: %w", err)
		}
	}
}

// waitTurn keeps posts at least postInterval apart.
func (s *Slack) waitTurn(ctx context.Context) error {
	if s.lastPost.IsZero() {
		return nil
	}
	if d := s.lastPost.Add(postInterval).Sub(s.now()); d > 0 {
		return s.sleep(ctx, d)
	}
	return nil
}

func (s *Slack) backoffFor(attempt int) time.Duration {
	d := s.backoff
	for i := 1; i < attempt && d < s.maxBackoff; i++ {
		d *= 2
	}
	return min(d, s.maxBackoff)
}
