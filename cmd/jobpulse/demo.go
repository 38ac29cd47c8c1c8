package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

// The demo source: the in-process fake of the Saramin API serving a deterministic
// synthetic dataset, so `make run` works with no account and no network.
const (
	demoKey    = "demo-key-not-a-secret"
	demoSeed   = 20261121
	demoPerDay = 250
	demoDays   = 30
	// demoMarker marks a lake that holds synthetic data, so real and synthetic
	// postings never mix in one lake.
	demoMarker = "state/demo.json"
)

func startDemo(now func() time.Time) (*saramintest.Server, error) {
	t := now()
	postings, err := saramintest.Generate(saramintest.Spec{Seed: demoSeed, From: t.Add(-demoDays * 24 * time.Hour), To: t, PerDay: demoPerDay})
	if err != nil {
		return nil, fmt.Errorf("generate demo data: %w", err)
	}
	return saramintest.NewServer(saramintest.Options{Keys: []string{demoKey}, DailyQuota: 500, Now: now}, postings...), nil
}

func announceDemo(w io.Writer, url string) {
	fmt.Fprintf(w, `
*** DEMO MODE: SYNTHETIC DATA ***
SARAMIN_ACCESS_KEY is not set, so postings come from jobpulse's built-in fake of the
Saramin API at %s (and fakes of Google Trends and Q-Net). None of this data is real.
Set SARAMIN_ACCESS_KEY (and use a fresh JOBPULSE_DATA_DIR) to collect real data.

`, url)
}

// checkDemoMarker keeps synthetic and real data apart: a demo run marks the lake, and
// a run of the other kind refuses a lake of the wrong kind.
func checkDemoMarker(ctx context.Context, store lake.Store, demo bool) error {
	_, err := store.Get(ctx, demoMarker)
	marked := err == nil
	if err != nil && !errors.Is(err, lake.ErrNotExist) {
		return fmt.Errorf("read %s: %w", demoMarker, err)
	}
	switch {
	case demo && !marked:
		// Any raw page or state of the source, even from a failed run, is real data.
		var found int
		for _, prefix := range []string{"raw/", "state/"} {
			names, err := store.List(ctx, prefix)
			if err != nil {
				return fmt.Errorf("list %s: %w", prefix, err)
			}
			found += len(names)
		}
		if found > 0 {
			return &usageError{err: fmt.Errorf("SARAMIN_ACCESS_KEY is not set, but the lake at %s holds real data", store.URL("")),
				hint: "Set SARAMIN_ACCESS_KEY, or point JOBPULSE_DATA_DIR / JOBPULSE_LAKE at another location to try the demo."}
		}
		body := fmt.Sprintf(`{"synthetic": true, "marked_at": %q}`+"\n", time.Now().UTC().Format(time.RFC3339))
		if _, err := store.Put(ctx, demoMarker, []byte(body), lake.IfAbsent()); err != nil && !errors.Is(err, lake.ErrPrecondition) {
			return fmt.Errorf("mark the lake as demo: %w", err)
		}
	case !demo && marked:
		return &usageError{err: fmt.Errorf("the lake at %s holds synthetic demo data (%s)", store.URL(""), demoMarker),
			hint: "Point JOBPULSE_DATA_DIR or JOBPULSE_LAKE at a fresh location for real data, or remove the demo data."}
	}
	return nil
}

// startTrendsDemo starts the in-process fake of Google Trends: every keyword has a
// deterministic synthetic popularity (trendstest's ground truth), scaled per request
// as Google does.
func startTrendsDemo(now func() time.Time) *trendstest.Server {
	return trendstest.NewServer(trendstest.Options{Seed: demoSeed, Now: now})
}

// startQnetDemo starts the in-process fake of Q-Net's statistics service with
// deterministic synthetic tallies for every exam.
func startQnetDemo(now func() time.Time) *qnettest.Server {
	return qnettest.NewServer(qnettest.Options{ServiceKey: demoKey, Seed: demoSeed, Now: now})
}
