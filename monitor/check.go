package monitor

import (
	"context"
	"fmt"

	"github.com/jobpulse/jobpulse/monitor/alert"
	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Report is what one checking tick saw and which rules it would fire.
type Report struct {
	// Results are every collector's result, the agent's own samples last.
	Results []sample.Result
	// Firing are the alerts whose condition holds now, hold periods ignored.
	Firing []alert.Event
}

// Check runs one tick of cfg's collectors and, when pipeline watchers are configured,
// the probe (waiting for it up to its timeout), and evaluates the rules on it with their
// hold periods (for) ignored, so that it answers "what is wrong right now". It neither
// reads nor writes the alert state and sends nothing: it is for operators checking a
// configuration, and for tests.
func Check(ctx context.Context, cfg Config, deps Deps) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, fmt.Errorf("check monitor config: %w", err)
	}
	deps = deps.withDefaults()
	runners, closers, err := buildRunners(cfg, deps, cfg.probeTimeout())
	if err != nil {
		return Report{}, err
	}
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	rules := make([]alert.Rule, len(cfg.Alerts.Rules))
	for i, r := range cfg.Alerts.Rules {
		r.For = 0
		rules[i] = r
	}
	engine, err := alert.NewEngine(rules, nil, deps.Now, deps.Logger)
	if err != nil {
		return Report{}, fmt.Errorf("start the alert engine: %w", err)
	}
	results := collect(ctx, runners)
	if ctx.Err() != nil {
		return Report{}, fmt.Errorf("check: %w", context.Cause(ctx))
	}
	var firing []alert.Event
	for _, e := range engine.Evaluate(results) {
		if e.Status == alert.StatusFiring {
			firing = append(firing, e)
		}
	}
	return Report{Results: results, Firing: firing}, nil
}
