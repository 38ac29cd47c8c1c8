package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// pass is the bookkeeping of a source collected in full passes rather than by a moving
// window (Trends, Q-Net): every pass refreshes all keys, at most once per interval, and
// what a pass could not do waits in the source's backlog for the next run. The
// watermark records when the last complete pass ran.
type pass struct {
	store   lake.Store
	source  string
	wm      lake.Watermark
	wmGen   int64
	backlog lake.Backlog
	blGen   int64
	// due: the interval since the last complete pass is up (or there was none).
	due bool
}

func openPass(ctx context.Context, store lake.Store, source string, now time.Time, minInterval time.Duration) (*pass, error) {
	p := &pass{store: store, source: source}
	var err error
	if p.wm, p.wmGen, err = lake.ReadWatermark(ctx, store, source); err != nil {
		return nil, err
	}
	if p.backlog, p.blGen, err = lake.ReadBacklog(ctx, store, source); err != nil {
		return nil, err
	}
	p.due = p.wm.Through.IsZero() || now.Sub(p.wm.Through) >= minInterval
	return p, nil
}

// keys is what the run asks for: the backlog first, then (on a due pass) every
// configured key not already in it. A key removed from the configuration leaves the
// backlog.
func (p *pass) keys(configured []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		k = strings.TrimSpace(k)
		if key := strings.ToLower(k); key != "" && !seen[key] {
			seen[key] = true
			out = append(out, k)
		}
	}
	for _, k := range p.backlog.Keys() {
		if slices.ContainsFunc(configured, func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), k) }) {
			add(k)
		}
	}
	if p.due {
		for _, k := range configured {
			add(k)
		}
	}
	return out
}

// commit writes the manifest (when the run landed pages), then the backlog, then —
// for a due pass that was not cut short — the pass time. The manifest is the commit:
// state moves only after it.
func (p *pass) commit(ctx context.Context, res *CollectResult, m lake.Manifest, left leftover, cutShort bool, now func() time.Time) error {
	if res.Pages > 0 {
		m.Outcome, m.Calls, m.Records, m.DistinctIDs, m.Warnings = res.Outcome, res.Calls, res.Records, res.DistinctIDs, res.Warnings
		m.FinishedAt = now().UTC()
		name, err := lake.WriteManifest(ctx, p.store, m)
		if err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		res.ManifestURL = p.store.URL(name)
	}
	if err := lake.WriteBacklog(ctx, p.store, left.backlog(p.source, p.backlog, res.RunID, now().UTC()), p.blGen); err != nil {
		return fmt.Errorf("write backlog: %w", err)
	}
	if !p.due || cutShort {
		return nil
	}
	w := lake.Watermark{Source: p.source, Through: m.StartedAt, RunID: res.RunID, UpdatedAt: now().UTC()}
	switch err := lake.WriteWatermark(ctx, p.store, w, p.wmGen); {
	case errors.Is(err, lake.ErrPrecondition):
		res.Warnings = append(res.Warnings, "another run recorded a pass first; keeping its time")
	case err != nil:
		return fmt.Errorf("record the pass: %w", err)
	default:
		res.Watermark, res.WatermarkAdvanced = w.Through, true
	}
	return nil
}

// leftover is the work a run could not do: keys that failed, with the reason, and keys
// never asked because the run stopped early.
type leftover struct {
	failed       map[string]string
	notAttempted []string
	stopReason   string
}

// items lists the failed keys with the reason, then those never asked.
func (l leftover) items() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(l.failed)) {
		out = append(out, k+": "+l.failed[k])
	}
	for _, k := range l.notAttempted {
		out = append(out, k+": not attempted ("+l.stopReason+")")
	}
	return out
}

// backlog is the next backlog of source, carrying over the attempts of keys that failed
// again.
func (l leftover) backlog(source string, prev lake.Backlog, runID string, now time.Time) lake.Backlog {
	old := map[string]lake.BacklogItem{}
	for _, it := range prev.Items {
		old[strings.ToLower(it.Key)] = it
	}
	next := lake.Backlog{Source: source, RunID: runID, UpdatedAt: now, Items: []lake.BacklogItem{}}
	add := func(k, reason string) {
		it, ok := old[strings.ToLower(k)]
		if !ok {
			it = lake.BacklogItem{Key: k, Since: now}
		}
		it.Reason, it.Attempts = reason, it.Attempts+1
		next.Items = append(next.Items, it)
	}
	for _, k := range slices.Sorted(maps.Keys(l.failed)) {
		add(k, l.failed[k])
	}
	for _, k := range l.notAttempted {
		add(k, "not attempted: "+l.stopReason)
	}
	return next
}
