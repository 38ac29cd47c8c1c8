package alert

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Status is what an Event says about an alert.
type Status string

// The events.
const (
	// StatusFiring: the condition has held for the rule's For.
	StatusFiring Status = "firing"
	// StatusRepeat: still firing, RepeatInterval after the last message.
	StatusRepeat Status = "repeat"
	// StatusResolved: the value stayed on the ok side for ResolveFor, or the series
	// was missing for StaleAfter (then Note says so), or the rule was removed.
	StatusResolved Status = "resolved"
)

// State is where an alert instance is in its life; instances in no state are ok.
type State string

// The states an instance is kept in.
const (
	StatePending State = "pending"
	StateFiring  State = "firing"
)

// Event is a message-worthy change of one alert instance.
type Event struct {
	// Seq numbers the engine's events, 1, 2, 3…, across restarts.
	Seq    uint64
	Status Status
	Rule   string
	// Severity, Runbook and Threshold are the rule's.
	Severity  Severity
	Runbook   string
	Threshold float64
	// Labels are the series' latest labels, InfoLabels included.
	Labels map[string]string
	// Value is the value that caused the event; for a resolve for lack of data,
	// the last value seen.
	Value float64
	// StartedAt is when the condition began to hold (the alert became pending),
	// FiredAt when it fired, ResolvedAt when it resolved (zero until then).
	StartedAt  time.Time
	FiredAt    time.Time
	ResolvedAt time.Time
	// At is when the engine raised the event.
	At time.Time
	// Summary is the rule's summary template, rendered with this event's values.
	Summary string
	// Fingerprint identifies the alert instance (the rule and the series' labels
	// without InfoLabels) across events and restarts: use it to de-duplicate and to
	// match a resolve with its firing.
	Fingerprint string
	// Note explains an unusual resolve: no data for StaleAfter, or a removed rule.
	Note string
}

// Instance is an alert that is pending or firing.
type Instance struct {
	Rule        string
	Fingerprint string
	Labels      map[string]string
	State       State
	Severity    Severity
	Value       float64
	StartedAt   time.Time
	FiredAt     time.Time
}

// Engine evaluates alert rules on each tick's samples and keeps every alert's state,
// on disk through a StateStore, so that a restart neither re-sends a Firing nor
// forgets a firing alert. An Engine is safe for concurrent use.
//
// Missing data never changes an alert: a series absent from a tick, or whose
// collector's Result has Err set or NoData, leaves its alert as it was (a pending
// alert's hold keeps running). A non-finite value counts as missing. A firing alert
// whose series has been missing for the rule's StaleAfter resolves with a "no data"
// note rather than stay firing forever; the time counts from the series' last sample
// or from the engine's start, whichever is later, so that the first ticks after a
// restart (which may report no data yet) cannot resolve anything.
//
// State is saved after every Evaluate that changed an alert. Should the process die
// between that save and the delivery of the returned events, they are lost: delivery
// belongs in a durable outbox (notify.Slack) called right after Evaluate.
type Engine struct {
	store StateStore
	now   func() time.Time
	log   *slog.Logger
	rules []compiledRule

	mu      sync.Mutex
	started time.Time
	seq     uint64
	alerts  map[string]map[string]*alertState // rule name → fingerprint → state
	// orphans are firing alerts of rules no longer configured; the next Evaluate
	// resolves them so that Slack does not show them firing forever.
	orphans []*alertState
	// dirty means the last save failed: the next Evaluate saves even without changes.
	dirty bool
	// byMetric lists the rules of each metric name.
	byMetric map[string][]*compiledRule
	// fingerprints caches Fingerprint by rule and series key: a tick sees the same
	// series again and again, and hashing them every tick was most of Evaluate's CPU.
	fingerprints map[fpKey]string
}

// fpKey is a series (its sample Key) under a rule.
type fpKey struct{ rule, series string }

// maxFingerprints bounds the fingerprint cache; hosts whose series churn (mounts,
// probes renamed) start it afresh when it fills.
const maxFingerprints = 4096

type compiledRule struct {
	Rule
	summary *summary
}

// alertState is one pending or firing instance, as kept in memory and on disk.
type alertState struct {
	Rule           string            `json:"rule"`
	Fingerprint    string            `json:"fingerprint"`
	Labels         map[string]string `json:"labels,omitempty"`
	State          State             `json:"state"`
	Value          float64           `json:"value"`
	StartedAt      time.Time         `json:"started_at"`
	FiredAt        time.Time         `json:"fired_at,omitzero"`
	NotifiedAt     time.Time         `json:"notified_at,omitzero"`
	ResolvingSince time.Time         `json:"resolving_since,omitzero"`
	LastSeenAt     time.Time         `json:"last_seen_at,omitzero"`
	// The rule's fields at the last event, to resolve the alert if the rule goes.
	Severity  Severity `json:"severity,omitempty"`
	Threshold float64  `json:"threshold"`
	Summary   string   `json:"summary,omitempty"`
	Runbook   string   `json:"runbook,omitempty"`
}

// stateDoc is the state file.
type stateDoc struct {
	Version int           `json:"version"`
	Seq     uint64        `json:"seq"`
	SavedAt time.Time     `json:"saved_at"`
	Alerts  []*alertState `json:"alerts"`
}

const stateVersion = 1

// NewEngine returns an engine for rules that keeps its state in store (nil keeps it
// in memory only) and reads the time from now (nil: time.Now).
//
// A state file that cannot be decoded is set aside (FileState: renamed to
// "<file>.corrupt-<time>"), logged, and the engine starts without state: the agent
// keeps running. Only a state that cannot be read at all (permissions) is an error.
// State of rules that are no longer configured is dropped; their firing alerts
// resolve in the first Evaluate.
func NewEngine(rules []Rule, store StateStore, now func() time.Time, logger *slog.Logger) (*Engine, error) {
	if err := (Config{Rules: rules}).Validate(); err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{store: store, now: now, log: logger, alerts: map[string]map[string]*alertState{}}
	for _, r := range rules {
		t, err := parseSummary(r)
		if err != nil {
			return nil, fmt.Errorf("alert rule %s: summary: %w", r.Name, err) // Validate saw it already
		}
		r.Labels, r.InfoLabels = maps.Clone(r.Labels), slices.Clone(r.InfoLabels)
		e.rules = append(e.rules, compiledRule{Rule: r, summary: t})
		e.alerts[r.Name] = map[string]*alertState{}
	}
	e.byMetric = map[string][]*compiledRule{}
	for i := range e.rules {
		r := &e.rules[i]
		e.byMetric[r.Metric] = append(e.byMetric[r.Metric], r)
	}
	e.fingerprints = map[fpKey]string{}
	e.started = now().Round(0)
	if err := e.load(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) load() error {
	if e.store == nil {
		return nil
	}
	data, err := e.store.Load()
	if err != nil {
		return fmt.Errorf("load alert state (fix the file's permissions, or move it away to start without state): %w", err)
	}
	if data == nil {
		return nil
	}
	var doc stateDoc
	err = json.Unmarshal(data, &doc)
	if err == nil && doc.Version != stateVersion {
		err = fmt.Errorf("unknown state version %d", doc.Version)
	}
	if err != nil {
		where, aerr := e.store.SetAside(e.started)
		if aerr != nil {
			e.log.Error("alert state is unreadable and cannot be set aside; starting without it, the next save replaces it",
				"err", err, "set_aside_err", aerr)
		} else {
			e.log.Error("alert state is unreadable; it was set aside and the engine starts without it: alerts already firing will fire again",
				"err", err, "kept_as", where)
		}
		return nil
	}
	e.seq = doc.Seq
	byName := map[string]*compiledRule{}
	for i := range e.rules {
		byName[e.rules[i].Name] = &e.rules[i]
	}
	for _, a := range doc.Alerts {
		if a == nil || (a.State != StatePending && a.State != StateFiring) || a.StartedAt.IsZero() {
			e.log.Warn("alert state: dropping an entry that is not a pending or firing alert", "entry", fmt.Sprintf("%+v", a))
			e.dirty = true
			continue
		}
		r, ok := byName[a.Rule]
		if !ok {
			if a.State == StateFiring {
				e.orphans = append(e.orphans, a)
			}
			e.log.Info("alert state: dropping an alert whose rule is no longer configured", "rule", a.Rule, "fingerprint", a.Fingerprint, "state", a.State)
			e.dirty = true
			continue
		}
		// The rule's info_labels may have changed since the save.
		a.Fingerprint = Fingerprint(r.Name, r.identity(a.Labels))
		if _, dup := e.alerts[r.Name][a.Fingerprint]; dup {
			e.dirty = true
			continue
		}
		e.alerts[r.Name][a.Fingerprint] = a
	}
	slices.SortFunc(e.orphans, func(a, b *alertState) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	return nil
}

// Fingerprint identifies an alert instance: a hash of the rule name and the labels,
// independent of their order.
func Fingerprint(rule string, labels map[string]string) string {
	h := sha256.New()
	h.Write([]byte(rule))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		// 0xff never occurs in UTF-8, so no two label sets hash the same input.
		h.Write([]byte{0xff})
		h.Write([]byte(k))
		h.Write([]byte{0xfe})
		h.Write([]byte(labels[k]))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// fingerprint is Fingerprint(r.Name, r.identity(labels)) for the series key, cached.
func (e *Engine) fingerprint(r *compiledRule, key string, labels map[string]string) string {
	k := fpKey{rule: r.Name, series: key}
	if fp, ok := e.fingerprints[k]; ok {
		return fp
	}
	if len(e.fingerprints) >= maxFingerprints {
		clear(e.fingerprints)
	}
	fp := Fingerprint(r.Name, r.identity(labels))
	e.fingerprints[k] = fp
	return fp
}

// observation is one series' sample in this tick.
type observation struct {
	key    string
	labels map[string]string
	value  float64
	holds  bool
}

// observe picks, per rule and instance, the sample of this tick.
func (e *Engine) observe(results []sample.Result) map[string]map[string]observation {
	obs := map[string]map[string]observation{}
	for _, res := range results {
		if res.Err != nil || res.NoData {
			continue // a failing collector's samples cannot be trusted, partial or not
		}
		for _, s := range res.Samples {
			if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
				continue
			}
			rules := e.byMetric[s.Name]
			if len(rules) == 0 {
				continue
			}
			key := ""
			for _, r := range rules {
				if !r.matches(s.Labels) {
					continue
				}
				if key == "" {
					key = s.Key()
				}
				fp := e.fingerprint(r, key, s.Labels)
				// The labels are the sample's own; step copies them into an alert's
				// state, which only a few series ever have.
				o := observation{key: key, labels: s.Labels, value: s.Value, holds: r.Op.holds(s.Value, r.Threshold)}
				if obs[r.Name] == nil {
					obs[r.Name] = map[string]observation{}
				}
				// Series that differ only in InfoLabels are one alert: the one that
				// alerts wins, then the first by name, so the choice is stable.
				if prev, ok := obs[r.Name][fp]; ok && (prev.holds && !o.holds || prev.holds == o.holds && prev.key <= o.key) {
					continue
				}
				obs[r.Name][fp] = o
			}
		}
	}
	return obs
}

// Evaluate runs every rule on one tick's results and returns the events, in rule
// order and then by fingerprint. Call it once per tick.
func (e *Engine) Evaluate(results []sample.Result) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now().Round(0) // wall clock only: times are compared with saved ones
	obs := e.observe(results)
	changed := e.dirty
	var events []Event
	for _, a := range e.orphans {
		ev := a.event(StatusResolved, now)
		ev.ResolvedAt = now
		ev.Note = "the rule " + a.Rule + " was removed from the configuration, so this alert ends here"
		events = append(events, ev)
		changed = true
	}
	e.orphans = nil
	for i := range e.rules {
		r := &e.rules[i]
		seen, states := obs[r.Name], e.alerts[r.Name]
		fps := slices.Collect(maps.Keys(seen))
		for fp := range states {
			if _, ok := seen[fp]; !ok {
				fps = append(fps, fp)
			}
		}
		slices.Sort(fps)
		for _, fp := range fps {
			var ev *Event
			var ch bool
			if o, ok := seen[fp]; ok {
				ev, ch = e.step(r, fp, o, now)
			} else {
				ev, ch = e.missing(r, states[fp], now)
			}
			changed = changed || ch
			if ev != nil {
				events = append(events, *ev)
			}
		}
	}
	for i := range events {
		e.seq++
		events[i].Seq = e.seq
		ev := events[i]
		level := slog.LevelInfo
		if ev.Status == StatusRepeat {
			level = slog.LevelDebug
		}
		e.log.Log(context.Background(), level, "alert "+string(ev.Status), "rule", ev.Rule, "fingerprint", ev.Fingerprint,
			"labels", ev.Labels, "value", ev.Value, "seq", ev.Seq, "note", ev.Note)
	}
	if changed {
		e.save(now)
	}
	return events
}

// step moves an instance whose series has a sample this tick.
func (e *Engine) step(r *compiledRule, fp string, o observation, now time.Time) (ev *Event, changed bool) {
	a := e.alerts[r.Name][fp]
	if a == nil {
		if !o.holds {
			return nil, false
		}
		a = &alertState{Rule: r.Name, Fingerprint: fp, State: StatePending, StartedAt: now}
		e.alerts[r.Name][fp] = a
		changed = true
	}
	a.Labels, a.Value, a.LastSeenAt = maps.Clone(o.labels), o.value, now
	switch a.State {
	case StatePending:
		if !o.holds {
			delete(e.alerts[r.Name], fp) // cleared before For: no message
			return nil, true
		}
		if now.Sub(a.StartedAt) < r.For {
			return nil, changed
		}
		a.State, a.FiredAt, a.NotifiedAt = StateFiring, now, now
		return e.event(r, a, StatusFiring, now, false), true
	case StateFiring:
		if !r.Op.holds(o.value, r.ResolveThreshold) { // on the ok side
			if a.ResolvingSince.IsZero() {
				a.ResolvingSince, changed = now, true
			}
			if now.Sub(a.ResolvingSince) < r.ResolveFor {
				return nil, changed
			}
			delete(e.alerts[r.Name], fp)
			ev := e.event(r, a, StatusResolved, now, true)
			ev.ResolvedAt = now
			return ev, true
		}
		if !a.ResolvingSince.IsZero() {
			a.ResolvingSince, changed = time.Time{}, true
		}
		if r.RepeatInterval > 0 && now.Sub(a.NotifiedAt) >= r.RepeatInterval {
			a.NotifiedAt = now
			return e.event(r, a, StatusRepeat, now, false), true
		}
	}
	return nil, changed
}

// missing handles an instance whose series has no sample this tick.
func (e *Engine) missing(r *compiledRule, a *alertState, now time.Time) (*Event, bool) {
	since := a.LastSeenAt
	if since.Before(e.started) {
		since = e.started
	}
	if now.Sub(since) < r.StaleAfter {
		return nil, false
	}
	delete(e.alerts[r.Name], a.Fingerprint)
	if a.State != StateFiring {
		return nil, true
	}
	ev := e.event(r, a, StatusResolved, now, false)
	ev.ResolvedAt = now
	ev.Note = "no data for " + humanSeconds(now.Sub(since).Seconds()) +
		": the series stopped reporting, so the alert resolved without a value on the ok side; check its collector"
	return ev, true
}

// event builds an event from the instance and the rule, rendering the summary.
// resolved says the value is back on the ok side.
func (e *Engine) event(r *compiledRule, a *alertState, st Status, now time.Time, resolved bool) *Event {
	summary, err := render(r.summary, r.Rule, a.Labels, a.Value, resolved)
	if err != nil {
		e.log.Warn("alert summary template failed; using a plain summary", "rule", r.Name, "err", err)
	}
	a.Severity, a.Threshold, a.Runbook, a.Summary = r.Severity, r.Threshold, r.Runbook, summary
	ev := a.event(st, now)
	return &ev
}

func (a *alertState) event(st Status, now time.Time) Event {
	return Event{
		Status: st, Rule: a.Rule, Severity: a.Severity, Runbook: a.Runbook, Threshold: a.Threshold,
		Labels: maps.Clone(a.Labels), Value: a.Value, StartedAt: a.StartedAt, FiredAt: a.FiredAt, At: now,
		Summary: a.Summary, Fingerprint: a.Fingerprint,
	}
}

func (e *Engine) save(now time.Time) {
	e.dirty = true
	if e.store == nil {
		e.dirty = false
		return
	}
	doc := stateDoc{Version: stateVersion, Seq: e.seq, SavedAt: now, Alerts: []*alertState{}}
	for _, r := range e.rules {
		for _, fp := range slices.Sorted(maps.Keys(e.alerts[r.Name])) {
			doc.Alerts = append(doc.Alerts, e.alerts[r.Name][fp])
		}
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err == nil {
		err = e.store.Save(data)
	}
	if err != nil {
		// The alerts still work from memory; a restart before the next good save
		// would forget the latest changes.
		e.log.Error("cannot save alert state; retrying on the next tick", "err", err)
		return
	}
	e.dirty = false
}

// Active returns the pending and firing alerts, in rule order and then by
// fingerprint: for a metric of alert states.
func (e *Engine) Active() []Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Instance
	for _, r := range e.rules {
		for _, fp := range slices.Sorted(maps.Keys(e.alerts[r.Name])) {
			a := e.alerts[r.Name][fp]
			out = append(out, Instance{
				Rule: a.Rule, Fingerprint: a.Fingerprint, Labels: maps.Clone(a.Labels), State: a.State,
				Severity: r.Severity, Value: a.Value, StartedAt: a.StartedAt, FiredAt: a.FiredAt,
			})
		}
	}
	return out
}
