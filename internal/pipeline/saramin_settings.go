package pipeline

import (
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// SaraminSettings are the Saramin collect settings as people give them: CLI flags or
// the environment of a Cloud Function (SARAMIN_*). The access key comes from the
// environment only.
type SaraminSettings struct {
	APIURL      string
	AccessKey   string
	Query       string // extra job-search parameters as a query string
	DailyQuota  int
	Overlap     time.Duration
	Lookback    time.Duration
	MaxPages    int
	Timeout     time.Duration
	MaxAttempts int
}

// DefaultSaraminSettings are the defaults the CLI and the functions share.
func DefaultSaraminSettings() SaraminSettings {
	d := saramin.DefaultConfig()
	return SaraminSettings{
		APIURL:      d.BaseURL,
		Query:       "job_mid_cd=2", // IT개발·데이터
		DailyQuota:  500,
		Overlap:     30 * time.Minute,
		Lookback:    7 * 24 * time.Hour,
		MaxPages:    100,
		Timeout:     d.Timeout,
		MaxAttempts: d.MaxAttempts,
	}
}

// ClientConfig validates s and builds the client's configuration, reporting every
// problem; messages name the SARAMIN_* variables and never repeat the key.
func (s SaraminSettings) ClientConfig() (saramin.Config, []error) {
	var errs []error
	cfg := saramin.DefaultConfig()
	cfg.BaseURL = s.APIURL
	cfg.AccessKey = s.AccessKey
	cfg.Timeout = s.Timeout
	cfg.MaxAttempts = s.MaxAttempts
	q, err := url.ParseQuery(s.Query)
	if err != nil {
		errs = append(errs, fmt.Errorf("SARAMIN_QUERY %q: not a query string (e.g. job_mid_cd=2&loc_mcd=101000): %v", s.Query, err))
	}
	cfg.Query = q
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.DailyQuota < 1 {
		errs = append(errs, fmt.Errorf("SARAMIN_DAILY_QUOTA %d: want ≥ 1", s.DailyQuota))
	}
	if s.Overlap < 0 {
		errs = append(errs, fmt.Errorf("SARAMIN_OVERLAP %s: want ≥ 0", s.Overlap))
	}
	if s.Lookback <= 0 {
		errs = append(errs, fmt.Errorf("SARAMIN_LOOKBACK %s: want > 0", s.Lookback))
	}
	if s.MaxPages < 1 {
		errs = append(errs, fmt.Errorf("SARAMIN_MAX_PAGES %d: want ≥ 1", s.MaxPages))
	}
	return cfg, errs
}

// Collector builds the collect step for store with s's quota, window and paging.
func (s SaraminSettings) Collector(store lake.Store, client *saramin.Client, now func() time.Time, logger *slog.Logger) *SaraminCollect {
	return &SaraminCollect{
		Store:    store,
		Client:   client,
		Budget:   lake.NewBudget(store, SourceSaramin, s.DailyQuota, saramin.KST, now),
		MaxPages: s.MaxPages,
		Overlap:  s.Overlap,
		Lookback: s.Lookback,
		Now:      now,
		Logger:   logger,
	}
}
