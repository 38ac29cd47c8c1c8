package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// The outbox is a folder of objects in a lake.Store, under the outbox prefix:
//
//	<queued-at>-<hash>.json       a message waiting for delivery (an envelope)
//	sent/<sent-at>-<hash>.json    a delivered message's marker, kept dedupeRetention
//	dead/<queued-at>-<hash>.json  a message Slack refused as malformed, kept for people
//	lease.json                    who is delivering, and when the last post went out
//
// Times are UTC with fixed-width nanoseconds, so names sort oldest first. The hash
// is the message content's, so the same message queued twice is delivered once.
const (
	timeLayout = "20060102T150405.000000000Z"
	hashLen    = 16
	sentDir    = "sent/"
	deadDir    = "dead/"
	leaseFile  = "lease.json"

	// dedupeRetention is how long a delivered message's marker suppresses the same
	// message queued again.
	dedupeRetention = 7 * 24 * time.Hour
	// leaseTTL is how long a delivering process owns the outbox without renewing;
	// after that another process may take over (the first one crashed).
	leaseTTL = 10 * time.Minute
	// maxPasses bounds the re-reads of the outbox for messages queued by other
	// processes while this one was delivering.
	maxPasses = 3
)

// envelope is the stored form of a queued message. It holds the rendered (and
// redacted) message, never the webhook URL.
type envelope struct {
	Version  int                  `json:"version"`
	QueuedAt time.Time            `json:"queued_at"`
	RunID    string               `json:"run_id,omitempty"`
	Kind     Kind                 `json:"kind,omitempty"`
	Hash     string               `json:"hash"`
	Message  slack.WebhookMessage `json:"message"`
}

func newEnvelope(msg slack.WebhookMessage, s RunSummary, now time.Time) (envelope, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return envelope{}, fmt.Errorf("encode message: %w", err)
	}
	sum := sha256.Sum256(data)
	return envelope{
		Version: 1, QueuedAt: now.UTC(), RunID: s.RunID, Kind: s.Kind,
		Hash: hex.EncodeToString(sum[:])[:hashLen], Message: msg,
	}, nil
}

// sentMarker is the content of a sent/ object.
type sentMarker struct {
	SentAt time.Time `json:"sent_at"`
	RunID  string    `json:"run_id,omitempty"`
	Kind   Kind      `json:"kind,omitempty"`
	Queued string    `json:"queued"` // the outbox object it was delivered from
}

// entry is one outbox object, parsed from its name.
type entry struct {
	name string
	at   time.Time
	hash string
}

// outboxState is a listing of the outbox.
type outboxState struct {
	pending []entry          // oldest first
	sent    map[string]entry // by hash
	sentAll []entry
	dead    int
}

// parseEntry parses "<time>-<hash>.json".
func parseEntry(name, base string) (entry, bool) {
	stem, ok := strings.CutSuffix(base, ".json")
	if !ok {
		return entry{}, false
	}
	ts, hash, ok := strings.Cut(stem, "-")
	if !ok || len(hash) != hashLen || strings.Trim(hash, "0123456789abcdef") != "" {
		return entry{}, false
	}
	at, err := time.Parse(timeLayout, ts)
	if err != nil {
		return entry{}, false
	}
	return entry{name: name, at: at, hash: hash}, true
}

func entryName(dir string, at time.Time, hash string) string {
	return dir + at.UTC().Format(timeLayout) + "-" + hash + ".json"
}

func (s *Slack) scan(ctx context.Context) (outboxState, error) {
	names, err := s.store.List(ctx, s.prefix)
	if err != nil {
		return outboxState{}, fmt.Errorf("list the outbox: %w", err)
	}
	st := outboxState{sent: map[string]entry{}}
	for _, name := range names {
		rest := strings.TrimPrefix(name, s.prefix)
		switch {
		case rest == leaseFile:
		case strings.HasPrefix(rest, sentDir):
			if e, ok := parseEntry(name, strings.TrimPrefix(rest, sentDir)); ok {
				st.sent[e.hash] = e
				st.sentAll = append(st.sentAll, e)
			}
		case strings.HasPrefix(rest, deadDir):
			st.dead++
		case !strings.Contains(rest, "/"):
			if e, ok := parseEntry(name, rest); ok {
				st.pending = append(st.pending, e)
				continue
			}
			s.log.Warn("slack outbox: ignoring an object that is not a queued message", "object", name)
		}
	}
	return st, nil
}

// enqueue stores env unless the same message is queued or was delivered recently.
func (s *Slack) enqueue(ctx context.Context, env envelope) (name string, dup bool, err error) {
	st, err := s.scan(ctx)
	if err != nil {
		return "", false, err
	}
	if e, ok := st.sent[env.Hash]; ok {
		return e.name, true, nil
	}
	for _, e := range st.pending {
		if e.hash == env.Hash {
			return e.name, true, nil
		}
	}
	at := env.QueuedAt
	// The name's time orders delivery; it must come after everything queued, even
	// when the clock stands still or steps back.
	if n := len(st.pending); n > 0 && !at.After(st.pending[n-1].at) {
		at = st.pending[n-1].at.Add(time.Nanosecond)
	}
	name = entryName(s.prefix, at, env.Hash)
	data, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return "", false, fmt.Errorf("encode outbox message: %w", err)
	}
	switch _, err := s.store.Put(ctx, name, data, lake.IfAbsent()); {
	case errors.Is(err, lake.ErrPrecondition):
		return name, true, nil
	case err != nil:
		return "", false, fmt.Errorf("queue message: %w", err)
	}
	return name, false, nil
}

// markSent records a delivered message and removes it from the queue. The marker is
// written first: if the delete then fails, the next flush sees the marker and drops
// the message instead of posting it again.
func (s *Slack) markSent(ctx context.Context, e entry, env envelope) {
	now := s.now()
	data, err := json.Marshal(sentMarker{SentAt: now.UTC(), RunID: env.RunID, Kind: env.Kind, Queued: e.name})
	if err == nil {
		_, err = s.store.Put(ctx, entryName(s.prefix+sentDir, now, e.hash), data, lake.IfAbsent())
	}
	if err != nil && !errors.Is(err, lake.ErrPrecondition) {
		s.log.Warn("slack outbox: cannot record a delivered message; it may be posted again if it cannot be removed", "object", e.name, "err", err)
	}
	if err := s.store.Delete(ctx, e.name); err != nil {
		s.log.Warn("slack outbox: cannot remove a delivered message", "object", e.name, "err", err)
	}
}

// reject moves a message Slack refused to dead/, so it does not block the queue.
func (s *Slack) reject(ctx context.Context, e entry, data []byte, cause error) error {
	dead := s.prefix + deadDir + strings.TrimPrefix(e.name, s.prefix)
	if _, err := s.store.Put(ctx, dead, data, lake.IfAbsent()); err != nil && !errors.Is(err, lake.ErrPrecondition) {
		return fmt.Errorf("move refused message %s to %s: %w", e.name, dead, err)
	}
	if err := s.store.Delete(ctx, e.name); err != nil {
		return fmt.Errorf("remove refused message %s: %w", e.name, err)
	}
	s.log.Error("slack outbox: Slack refused a message; it was moved aside", "object", dead, "err", cause)
	return &rejectedError{name: dead, err: cause}
}

// prune forgets delivered messages older than dedupeRetention.
func (s *Slack) prune(ctx context.Context, st outboxState) {
	cutoff := s.now().Add(-dedupeRetention)
	for _, e := range st.sentAll {
		if !e.at.Before(cutoff) {
			continue
		}
		if err := s.store.Delete(ctx, e.name); err != nil {
			s.log.Warn("slack outbox: cannot prune a delivered marker", "object", e.name, "err", err)
			continue
		}
		if st.sent[e.hash] == e {
			delete(st.sent, e.hash)
		}
	}
}

// leaseDoc is the content of lease.json. Holding it makes one process at a time post
// from the outbox, which keeps messages in order, sends each once, and lets
// LastPostAt carry the 1 message per second limit from one run to the next.
type leaseDoc struct {
	Holder     string    `json:"holder,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	LastPostAt time.Time `json:"last_post_at,omitzero"`
}

type lease struct {
	gen int64
	doc leaseDoc
}

func (s *Slack) leaseName() string { return s.prefix + leaseFile }

// acquire takes the lease unless another live process holds it (ok false).
func (s *Slack) acquire(ctx context.Context) (l *lease, ok bool, err error) {
	var cur leaseDoc
	var gen int64
	switch obj, err := s.store.Get(ctx, s.leaseName()); {
	case err == nil:
		gen = obj.Generation
		if json.Unmarshal(obj.Data, &cur) != nil {
			cur = leaseDoc{} // unreadable: treat as free, the precondition still guards it
		}
	case !errors.Is(err, lake.ErrNotExist):
		return nil, false, err
	}
	now := s.now()
	if cur.Holder != "" && cur.Holder != s.holder && now.Before(cur.ExpiresAt) {
		return nil, false, nil
	}
	if cur.LastPostAt.After(s.lastPost) {
		s.lastPost = cur.LastPostAt
	}
	l = &lease{doc: leaseDoc{Holder: s.holder, ExpiresAt: now.Add(leaseTTL), LastPostAt: s.lastPost}}
	switch err := s.writeLease(ctx, l, gen); {
	case errors.Is(err, lake.ErrPrecondition):
		return nil, false, nil // another process took it first
	case err != nil:
		return nil, false, err
	}
	return l, true, nil
}

func (s *Slack) writeLease(ctx context.Context, l *lease, gen int64) error {
	data, err := json.Marshal(l.doc)
	if err != nil {
		return err
	}
	g, err := s.store.Put(ctx, s.leaseName(), data, lake.IfGeneration(gen))
	if err != nil {
		return err
	}
	l.gen = g
	return nil
}

// renew extends the lease once half of it has run out.
func (s *Slack) renew(ctx context.Context, l *lease) error {
	now := s.now()
	if now.Before(l.doc.ExpiresAt.Add(-leaseTTL / 2)) {
		return nil
	}
	l.doc.ExpiresAt, l.doc.LastPostAt = now.Add(leaseTTL), s.lastPost
	if err := s.writeLease(ctx, l, l.gen); err != nil {
		if errors.Is(err, lake.ErrPrecondition) {
			return errors.New("another process took over the outbox")
		}
		return fmt.Errorf("renew the outbox lease: %w", err)
	}
	return nil
}

// release frees the lease and leaves the time of the last post for the next holder.
func (s *Slack) release(ctx context.Context, l *lease) {
	// Even when the run was cancelled: a held lease would stall the next run.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	l.doc = leaseDoc{LastPostAt: s.lastPost}
	if err := s.writeLease(ctx, l, l.gen); err != nil {
		s.log.Warn("slack outbox: cannot release the lease; it expires by itself", "object", s.leaseName(), "ttl", leaseTTL, "err", err)
	}
}

// rejectedError is Slack refusing a message itself (400 invalid payload, 413 too
// large): retrying cannot help, and keeping it first in the queue would block every
// later message.
type rejectedError struct {
	name string
	err  error
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("slack refused the message (moved to %s): %v", e.name, e.err)
}

func (e *rejectedError) Unwrap() error { return e.err }
