package collect

import (
	"fmt"
	"log/slog"

	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
	"github.com/jobpulse/jobpulse/internal/source/trends"
)

// NewSaramin returns CollectSaramin: new Saramin postings since the watermark, within
// the daily call quota.
func NewSaramin(env environ.Env) *Collector {
	return &Collector{env: env, src: source{
		function: "CollectSaramin",
		name:     pipeline.SourceSaramin,
		need:     environ.Need{SaraminKey: true},
		open: func(env environ.Env, s environ.Settings, store lake.Store, log *slog.Logger) (step, error) {
			cfg, _ := s.Saramin.ClientConfig() // validated by Load
			client, err := saramin.NewClient(cfg, nil, log)
			if err != nil {
				return nil, fmt.Errorf("set up the Saramin client: %w", err)
			}
			return s.Saramin.Collector(store, client, env.Now, log).Run, nil
		},
		quota: func(s environ.Settings) int { return s.Saramin.DailyQuota },
	}}
}

// NewTrends returns CollectTrends: Google Trends interest of the configured keywords,
// a full pass at most once per TRENDS_MIN_INTERVAL, the backlog of the last run first.
func NewTrends(env environ.Env) *Collector {
	return &Collector{env: env, src: source{
		function: "CollectTrends",
		name:     pipeline.SourceTrends,
		need:     environ.Need{Trends: true},
		open: func(env environ.Env, s environ.Settings, store lake.Store, log *slog.Logger) (step, error) {
			cfg, _ := s.Trends.ClientConfig() // validated by Load
			// The client paces its requests by its own (real) clock: env.Now is the
			// run's time, which a test may hold still.
			client, err := trends.NewClient(cfg, trends.WithLogger(log))
			if err != nil {
				return nil, fmt.Errorf("set up the Trends client: %w", err)
			}
			c, err := s.Trends.Collector(store, client, client.Params, env.Now, log)
			if err != nil {
				return nil, fmt.Errorf("set up the Trends collector: %w", err)
			}
			return c.Run, nil
		},
		quota: func(environ.Settings) int { return 0 },
	}}
}

// NewCertifications returns CollectCertifications: Q-Net's yearly statistics of the
// configured exams, a full pass at most once per QNET_MIN_INTERVAL, the backlog of the
// last run first.
func NewCertifications(env environ.Env) *Collector {
	return &Collector{env: env, src: source{
		function: "CollectCertifications",
		name:     pipeline.SourceQnet,
		need:     environ.Need{QnetKey: true},
		open: func(env environ.Env, s environ.Settings, store lake.Store, log *slog.Logger) (step, error) {
			cfg, _ := s.Qnet.ClientConfig() // validated by Load
			// The client's clock picks the base year asked for: the run's clock.
			client, err := qnet.NewClient(cfg, qnet.WithLogger(log), qnet.WithClock(env.Now))
			if err != nil {
				return nil, fmt.Errorf("set up the Q-Net client: %w", err)
			}
			c, err := s.Qnet.Collector(store, client, env.Now, log)
			if err != nil {
				return nil, fmt.Errorf("set up the Q-Net collector: %w", err)
			}
			return c.Run, nil
		},
		quota: func(environ.Settings) int { return 0 },
	}}
}
