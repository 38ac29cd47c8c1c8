package pipeline

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/trends"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// Trends modes: where the Trends source reads from.
const (
	TrendsAuto   = "auto"   // Google when the run collects real Saramin data, else the demo fake
	TrendsGoogle = "google" // trends.google.com (or TRENDS_API_URL)
	TrendsDemo   = "demo"   // the in-process fake
)

// TrendsSettings are the Google Trends collect settings as people give them: CLI flags
// or the environment of a Cloud Function (TRENDS_*).
type TrendsSettings struct {
	Mode   string
	APIURL string
	// Keywords and Anchor default to sql/meta/trend_keywords.csv.
	Keywords    []string
	Anchor      string
	Time        string
	BatchSize   int
	Spacing     time.Duration
	MinInterval time.Duration
	Timeout     time.Duration
	MaxAttempts int
}

// DefaultTrendsSettings are the defaults the CLI and the functions share.
func DefaultTrendsSettings() TrendsSettings {
	d := trends.DefaultConfig()
	return TrendsSettings{
		Mode: TrendsAuto, APIURL: d.BaseURL, Time: "today 12-m", BatchSize: trends.MaxTerms,
		Spacing: d.Spacing, MinInterval: 20 * time.Hour, Timeout: d.Timeout, MaxAttempts: d.MaxAttempts,
	}
}

// ClientConfig validates s and builds the client's configuration, reporting every
// problem with the TRENDS_* variable names.
func (s TrendsSettings) ClientConfig() (trends.Config, []error) {
	var errs []error
	cfg := trends.DefaultConfig()
	cfg.BaseURL, cfg.Time, cfg.Spacing, cfg.Timeout, cfg.MaxAttempts = s.APIURL, s.Time, s.Spacing, s.Timeout, s.MaxAttempts
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch s.Mode {
	case TrendsAuto, TrendsGoogle, TrendsDemo:
	default:
		errs = append(errs, fmt.Errorf("TRENDS_MODE %q: want auto, google or demo", s.Mode))
	}
	if s.BatchSize < 2 || s.BatchSize > trends.MaxTerms {
		errs = append(errs, fmt.Errorf("TRENDS_BATCH_SIZE %d: want 2..%d (the anchor and at least one keyword)", s.BatchSize, trends.MaxTerms))
	}
	if s.MinInterval < 0 {
		errs = append(errs, fmt.Errorf("TRENDS_MIN_INTERVAL %s: want ≥ 0", s.MinInterval))
	}
	if _, _, err := s.keywords(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errs
}

// keywords are the configured keywords and anchor, or the seed's.
func (s TrendsSettings) keywords() (anchor string, keywords []string, err error) {
	anchor, keywords = strings.TrimSpace(s.Anchor), s.Keywords
	if anchor != "" && len(keywords) > 0 {
		return anchor, keywords, nil
	}
	rows, err := readSeed("meta/trend_keywords.csv")
	if err != nil {
		return "", nil, err
	}
	var seedAnchor string
	var seedKeywords []string
	for _, r := range rows {
		if r["kind"] == "anchor" {
			seedAnchor = r["keyword"]
		} else {
			seedKeywords = append(seedKeywords, r["keyword"])
		}
	}
	if anchor == "" {
		anchor = seedAnchor
	}
	if len(keywords) == 0 {
		keywords = seedKeywords
	}
	if anchor == "" || len(keywords) == 0 {
		return "", nil, errors.New("TRENDS_ANCHOR / TRENDS_KEYWORDS: no anchor or no keywords (and none in sql/meta/trend_keywords.csv)")
	}
	return anchor, keywords, nil
}

// Collector builds the collect step over source (the client or the official API).
func (s TrendsSettings) Collector(store lake.Store, source trends.Source, params func(trends.Query) map[string]string, now func() time.Time, logger *slog.Logger) (*TrendsCollect, error) {
	anchor, keywords, err := s.keywords()
	if err != nil {
		return nil, err
	}
	return &TrendsCollect{
		Store: store, Source: source, Params: params, Keywords: keywords, Anchor: anchor,
		TimeRange: s.Time, BatchSize: s.BatchSize, MinInterval: s.MinInterval, Now: now, Logger: logger,
	}, nil
}

// QnetSettings are the Q-Net collect settings as people give them: CLI flags or the
// environment of a Cloud Function (QNET_*). The service key comes from the environment
// only.
type QnetSettings struct {
	APIURL     string
	ServiceKey string
	// Exams default to the exam codes of sql/meta/exams.csv.
	Exams       []string
	Windows     int
	MinInterval time.Duration
	Timeout     time.Duration
	MaxAttempts int
}

// DefaultQnetSettings are the defaults the CLI and the functions share.
func DefaultQnetSettings() QnetSettings {
	d := qnet.DefaultConfig()
	return QnetSettings{APIURL: d.BaseURL, Windows: 1, MinInterval: 7 * 24 * time.Hour, Timeout: d.Timeout, MaxAttempts: d.MaxAttempts}
}

// ClientConfig validates s and builds the client's configuration, reporting every
// problem with the QNET_* variable names and never the key.
func (s QnetSettings) ClientConfig() (qnet.Config, []error) {
	var errs []error
	cfg := qnet.DefaultConfig()
	cfg.BaseURL, cfg.ServiceKey, cfg.Timeout, cfg.MaxAttempts = s.APIURL, s.ServiceKey, s.Timeout, s.MaxAttempts
	if err := cfg.Validate(); err != nil && s.ServiceKey != "" {
		errs = append(errs, err)
	}
	if s.Windows < 1 || s.Windows > 4 {
		errs = append(errs, fmt.Errorf("QNET_WINDOWS %d: want 1..4 five-year windows", s.Windows))
	}
	if s.MinInterval < 0 {
		errs = append(errs, fmt.Errorf("QNET_MIN_INTERVAL %s: want ≥ 0", s.MinInterval))
	}
	if _, err := s.exams(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errs
}

func (s QnetSettings) exams() ([]string, error) {
	if len(s.Exams) > 0 {
		return s.Exams, nil
	}
	rows, err := readSeed("meta/exams.csv")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r["exam_code"])
	}
	return out, nil
}

// Collector builds the collect step for store.
func (s QnetSettings) Collector(store lake.Store, client *qnet.Client, now func() time.Time, logger *slog.Logger) (*QnetCollect, error) {
	exams, err := s.exams()
	if err != nil {
		return nil, err
	}
	return &QnetCollect{Store: store, Client: client, Exams: exams, Windows: s.Windows, MinInterval: s.MinInterval, Now: now, Logger: logger}, nil
}

// readSeed reads a CSV seed of sql/ as rows keyed by column name.
func readSeed(name string) ([]map[string]string, error) {
	f, err := sqlfiles.FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read seed %s: %w", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("read seed %s: %v", name, errors.Join(err, fs.ErrInvalid))
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, col := range recs[0] {
			row[col] = rec[i]
		}
		out = append(out, row)
	}
	return out, nil
}
