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
//	<queued-at>-<hash>.json                a message waiting for delivery (an envelope)
//	<queued-at>-<hash>-<status>-<key>.json an alert message waiting for delivery
//	sent/<sent-at>-<hash>.json             a delivered message's marker, kept dedupeRetention
//	dead/<queued-at>-<hash>….json          a message Slack refused as malformed, kept for people
//	lease.json                             who is delivering, and when the last post went out
//
// Times are UTC with fixed-width nanoseconds, so names sort oldest first. The hash
// is the message content's, so the same message queued twice is delivered once.
// Alert messages also name their status (firing, repeat, resolved) and a hash of the
// alert's fingerprint (the key), so that a listing alone finds the firing messages a
// resolved one replaces and counts what waits, without reading any object.
//
// The outbox holds at most maxPending waiting messages: beyond that, new messages are
// refused with ErrOutboxFull (and counted), and the oldest are kept, since they say
// when trouble began. A resolved alert is the exception: it takes the place of the
// oldest undelivered firing or repeat message of its alert and removes the others,
// so it needs no room, keeps the order, and nobody is paged for an alert that is over.
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
	// defaultMaxPending is how many messages may wait: at one alert a minute, eight
	// hours of an unreachable Slack.
	defaultMaxPending = 500
)

// ErrOutboxFull reports a message refused because the outbox holds as many messages
// as it may (WithMaxPending): Slack has been unreachable for a long time.
var ErrOutboxFull = errors.New("notify: the outbox is full")

// envelope is the stored form of a queued message. It holds the rendered (and
// redacted) message, never the webhook URL.
//
// Alert messages carry the alert's fingerprint (Key), status and rule; run messages
// and envelopes written before alerts existed have none of them, and deliver as
// before.
type envelope struct {
	Version  int         `json:"version"`
	QueuedAt time.Time   `json:"queued_at"`
	RunID    string      `json:"run_id,omitempty"`
	Kind     Kind        `json:"kind,omitempty"`
	Key      string      `json:"key,omitempty"`
	Status   AlertStatus `json:"status,omitempty"`
	Rule     string      `json:"rule,omitempty"`
	// Supersedes names the queued messages this one replaced. They are removed when
	// it is queued; should that fail, delivering it removes them first.
	Supersedes []string             `json:"supersedes,omitempty"`
	Hash       string               `json:"hash"`
	Message    slack.WebhookMessage `json:"message"`
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

// newAlertEnvelope wraps an alert's message. Its hash covers the status and the time
// too: a reminder may render exactly like the one before it, and must still be sent.
// The caller sets Key and Rule, redacted.
func newAlertEnvelope(msg slack.WebhookMessage, a Alert, now time.Time) (envelope, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return envelope{}, fmt.Errorf("encode message: %w", err)
	}
	h := sha256.New()
	h.Write(data)
	for _, part := range []string{string(a.Status), a.At.UTC().Format(time.RFC3339Nano)} {
		h.Write([]byte{0})
		h.Write([]byte(part))
	}
	return envelope{
		Version: 1, QueuedAt: now.UTC(), Status: a.Status,
		Hash: hex.EncodeToString(h.Sum(nil))[:hashLen], Message: msg,
	}, nil
}

// nameKey is the form of an alert's fingerprint in object names: fixed-length hex,
// whatever characters the fingerprint has.
func nameKey(fingerprint string) string {
	if fingerprint == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(fingerprint))
	return hex.EncodeToString(sum[:])[:hashLen]
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
	name   string
	at     time.Time
	hash   string
	status AlertStatus // alert messages only
	key    string      // nameKey of the alert's fingerprint
}

// outboxState is a listing of the outbox.
type outboxState struct {
	pending []entry          // oldest first
	sent    map[string]entry // by hash
	sentAll []entry
	dead    int
}

// parseEntry parses "<time>-<hash>.json" and "<time>-<hash>-<status>-<key>.json".
func parseEntry(name, base string) (entry, bool) {
	stem, ok := strings.CutSuffix(base, ".json")
	if !ok {
		return entry{}, false
	}
	parts := strings.Split(stem, "-")
	if len(parts) != 2 && len(parts) != 4 {
		return entry{}, false
	}
	at, err := time.Parse(timeLayout, parts[0])
	if err != nil || !isHash(parts[1]) {
		return entry{}, false
	}
	e := entry{name: name, at: at, hash: parts[1]}
	if len(parts) == 4 {
		e.status, e.key = AlertStatus(parts[2]), parts[3]
		if !e.status.valid() || !isHash(e.key) {
			return entry{}, false
		}
	}
	return e, true
}

func isHash(s string) bool {
	return len(s) == hashLen && strings.Trim(s, "0123456789abcdef") == ""
}

// entryName is the object name of a message; status and key are empty but for alerts.
func entryName(dir string, at time.Time, hash string, status AlertStatus, key string) string {
	name := dir + at.UTC().Format(timeLayout) + "-" + hash
	if status != "" && key != "" {
		name += "-" + string(status) + "-" + key
	}
	return name + ".json"
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

// enqueue stores env unless the same message is queued or was delivered recently. A
// resolved alert replaces the queued firing and repeat messages of its alert; any
// other message is refused with ErrOutboxFull when maxPending messages wait.
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
	key := nameKey(env.Key)
	var replaced []entry
	if env.Status == AlertResolved && key != "" {
		for _, e := range st.pending {
			if e.key == key && (e.status == AlertFiring || e.status == AlertRepeat) {
				replaced = append(replaced, e)
			}
		}
	}
	if len(replaced) == 0 && len(st.pending) >= s.maxPending {
		s.counts.full.Add(1)
		return "", false, fmt.Errorf("the outbox %s holds %d messages, its limit, because Slack has not taken any for a while; "+
			"they are kept and this one is not (see docs/runbooks/slack-undelivered.md): %w", s.outboxLabel, len(st.pending), ErrOutboxFull)
	}
	at := env.QueuedAt
	switch {
	case len(replaced) > 0:
		// In the place of the oldest message it replaces: Slack gets the news about
		// this alert where it would have got the first of them.
		at = replaced[0].at
		for _, e := range replaced {
			env.Supersedes = append(env.Supersedes, e.name)
		}
	case len(st.pending) > 0 && !at.After(st.pending[len(st.pending)-1].at):
		// The name's time orders delivery; it must come after everything queued, even
		// when the clock stands still or steps back.
		at = st.pending[len(st.pending)-1].at.Add(time.Nanosecond)
	}
	var status AlertStatus
	if key != "" {
		status = env.Status
	}
	name = entryName(s.prefix, at, env.Hash, status, key)
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
	s.counts.queued.Add(1)
	for _, e := range replaced {
		// Written first, removed second: should a removal fail, delivering the
		// resolved message removes the rest before it is posted.
		if err := s.store.Delete(ctx, e.name); err != nil {
			s.log.Warn("slack outbox: cannot remove a message a resolved alert replaces; it is removed before delivery",
				"object", e.name, "err", err)
			continue
		}
		s.counts.superseded.Add(1)
	}
	if len(replaced) > 0 {
		s.log.Info("slack outbox: a resolved alert replaced its undelivered messages", "alert", env.Rule,
			"replaced", len(replaced), "object", name)
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
		_, err = s.store.Put(ctx, entryName(s.prefix+sentDir, now, e.hash, "", ""), data, lake.IfAbsent())
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
