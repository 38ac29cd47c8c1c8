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
	"strings"
	"sync"
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

// Slack posts run messages to an incoming webhook through an outbox in a lake.Store.
//
// Every message is written to the outbox first and removed only once Slack accepted
// it; each Notify and Flush delivers what waits, oldest first, at most one post per
// second, honouring Retry-After. The webhook URL is a secret: it never appears in
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
	mu          sync.Mutex // one delivery at a time; guards lastPost
	lastPost    time.Time
	outboxLabel string
}

var _ Notifier = (*Slack)(nil)

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
		attempts: o.attempts, backoff: o.backoff, maxBackoff: o.maxBackoff,
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
	s.mu.Lock()
	defer s.mu.Unlock()
	name, dup, qerr := s.enqueueDetached(ctx, env)
	switch {
	case qerr != nil:
		s.log.Error("slack outbox: cannot queue the message; it will be posted without a copy in the outbox",
			"run_id", sum.RunID, "kind", sum.Kind, "err", qerr)
	case dup:
		s.log.Info("slack outbox: the same message is already queued or was delivered; not queued again",
			"run_id", sum.RunID, "kind", sum.Kind, "object", name)
	default:
		s.log.Debug("slack outbox: message queued", "run_id", sum.RunID, "kind", sum.Kind, "object", name)
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
		return fmt.Errorf("notify slack: message for run %s not delivered and not queued: %w",
			sum.RunID, errors.Join(qerr, ferr))
	}
	if err := s.send(ctx, &env.Message); err != nil {
		return fmt.Errorf("notify slack: message for run %s not delivered and not queued: %w",
			sum.RunID, errors.Join(qerr, err))
	}
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
	err = s.send(ctx, &env.Message)
	var rej *rejectedError
	if errors.As(err, &rej) {
		return s.reject(ctx, e, obj.Data, rej.err)
	}
	if err != nil {
		return err
	}
	s.log.Info("slack: message delivered", "run_id", env.RunID, "kind", env.Kind, "object", e.name)
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
