package main

import (
	"errors"
	"fmt"
	"log/slog"

	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/internal/pipeline"
)

// config is everything the commands read from flags and the environment. A flag wins
// over its environment variable, which wins over the default.
type config struct {
	DataDir   string
	Lake      string
	LogFormat string
	LogLevel  string
	// Warehouse is duckdb://PATH or bigquery://PROJECT?…; CheckTimeout bounds each check.
	Warehouse    string
	CheckTimeout time.Duration

	// Source settings are shared with the Cloud Functions.
	Saramin pipeline.SaraminSettings
	Trends  pipeline.TrendsSettings
	Qnet    pipeline.QnetSettings
	// Sources are the sources `jobpulse run` collects, in order.
	Sources []string
}

// binding ties a flag to its environment variable, for --help and the README's table.
type binding struct {
	flag, env string
}

var globalBindings = []binding{
	{"data-dir", "JOBPULSE_DATA_DIR"},
	{"lake", "JOBPULSE_LAKE"},
	{"log-format", "JOBPULSE_LOG_FORMAT"},
	{"log-level", "JOBPULSE_LOG_LEVEL"},
	{"warehouse", "JOBPULSE_WAREHOUSE"},
	{"check-timeout", "JOBPULSE_CHECK_TIMEOUT"},
}

var saraminBindings = []binding{
	{"saramin-api-url", "SARAMIN_API_URL"},
	{"saramin-query", "SARAMIN_QUERY"},
	{"saramin-daily-quota", "SARAMIN_DAILY_QUOTA"},
	{"saramin-overlap", "SARAMIN_OVERLAP"},
	{"saramin-lookback", "SARAMIN_LOOKBACK"},
	{"saramin-max-pages", "SARAMIN_MAX_PAGES"},
	{"saramin-timeout", "SARAMIN_TIMEOUT"},
	{"saramin-max-attempts", "SARAMIN_MAX_ATTEMPTS"},
}

var trendsBindings = []binding{
	{"trends-mode", "TRENDS_MODE"},
	{"trends-api-url", "TRENDS_API_URL"},
	{"trends-keywords", "TRENDS_KEYWORDS"},
	{"trends-anchor", "TRENDS_ANCHOR"},
	{"trends-time", "TRENDS_TIME"},
	{"trends-batch-size", "TRENDS_BATCH_SIZE"},
	{"trends-spacing", "TRENDS_SPACING"},
	{"trends-min-interval", "TRENDS_MIN_INTERVAL"},
	{"trends-timeout", "TRENDS_TIMEOUT"},
	{"trends-max-attempts", "TRENDS_MAX_ATTEMPTS"},
}

var qnetBindings = []binding{
	{"qnet-api-url", "QNET_API_URL"},
	{"qnet-exams", "QNET_EXAMS"},
	{"qnet-windows", "QNET_WINDOWS"},
	{"qnet-min-interval", "QNET_MIN_INTERVAL"},
	{"qnet-timeout", "QNET_TIMEOUT"},
	{"qnet-max-attempts", "QNET_MAX_ATTEMPTS"},
}

var runBindings = []binding{{"sources", "JOBPULSE_SOURCES"}}

// allSources are the sources in the order `jobpulse run` collects them.
var allSources = []string{pipeline.SourceSaramin, pipeline.SourceTrends, pipeline.SourceQnet}

func (c *config) globalFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./data", "directory for the local lake, warehouse and state")
	fs.StringVar(&c.Lake, "lake", "", `lake location: file://PATH or gs://BUCKET[/PREFIX] (default "file://<data-dir>/lake")`)
	fs.StringVar(&c.LogFormat, "log-format", logging.FormatAuto, "log format: auto (text on a terminal, JSON otherwise), text or json")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.Warehouse, "warehouse", "", `warehouse: duckdb://PATH or bigquery://PROJECT?location=asia-northeast3&dataset_prefix=jobpulse_ (default "duckdb://<data-dir>/warehouse.duckdb")`)
	fs.DurationVar(&c.CheckTimeout, "check-timeout", 2*time.Minute, "timeout of one SQL check; a check that runs out of time fails")
}

func (c *config) saraminFlags(fs *pflag.FlagSet) {
	d := pipeline.DefaultSaraminSettings()
	s := &c.Saramin
	fs.StringVar(&s.APIURL, "saramin-api-url", d.APIURL, "Saramin Open API base URL")
	fs.StringVar(&s.Query, "saramin-query", d.Query, "extra job-search parameters as a query string (job_mid_cd=2 is IT개발·데이터)")
	fs.IntVar(&s.DailyQuota, "saramin-daily-quota", d.DailyQuota, "API calls allowed per KST day for the key")
	fs.DurationVar(&s.Overlap, "saramin-overlap", d.Overlap, "re-read this much before the watermark on each run")
	fs.DurationVar(&s.Lookback, "saramin-lookback", d.Lookback, "window of the first run, when no watermark exists")
	fs.IntVar(&s.MaxPages, "saramin-max-pages", d.MaxPages, "deepest page the API serves per query; larger windows are split by time")
	fs.DurationVar(&s.Timeout, "saramin-timeout", d.Timeout, "timeout of one API request")
	fs.IntVar(&s.MaxAttempts, "saramin-max-attempts", d.MaxAttempts, "tries per API request (retries on 429, 5xx, timeouts)")
}

func (c *config) trendsFlags(fs *pflag.FlagSet) {
	d := pipeline.DefaultTrendsSettings()
	s := &c.Trends
	fs.StringVar(&s.Mode, "trends-mode", d.Mode, "where Trends come from: auto (Google when SARAMIN_ACCESS_KEY is set, else the demo fake), google or demo")
	fs.StringVar(&s.APIURL, "trends-api-url", d.APIURL, "Google Trends base URL")
	fs.StringSliceVar(&s.Keywords, "trends-keywords", nil, "keywords, comma-separated (default: sql/meta/trend_keywords.csv)")
	fs.StringVar(&s.Anchor, "trends-anchor", "", "anchor term every batch carries (default: the seed's anchor, 개발자)")
	fs.StringVar(&s.Time, "trends-time", d.Time, "time range: today 5-y, today 12-m, today 3-m, now 7-d or 'YYYY-MM-DD YYYY-MM-DD'")
	fs.IntVar(&s.BatchSize, "trends-batch-size", d.BatchSize, "terms per request, the anchor included (2..5)")
	fs.DurationVar(&s.Spacing, "trends-spacing", d.Spacing, "least time between two requests to Google")
	fs.DurationVar(&s.MinInterval, "trends-min-interval", d.MinInterval, "collect again only this long after the last complete pass (the backlog is retried every run)")
	fs.DurationVar(&s.Timeout, "trends-timeout", d.Timeout, "timeout of one request")
	fs.IntVar(&s.MaxAttempts, "trends-max-attempts", d.MaxAttempts, "tries per request (retries on 429, 5xx, timeouts)")
}

func (c *config) qnetFlags(fs *pflag.FlagSet) {
	d := pipeline.DefaultQnetSettings()
	s := &c.Qnet
	fs.StringVar(&s.APIURL, "qnet-api-url", d.APIURL, "Q-Net statistics service base URL")
	fs.StringSliceVar(&s.Exams, "qnet-exams", nil, "exam codes (jmCd), comma-separated (default: sql/meta/exams.csv)")
	fs.IntVar(&s.Windows, "qnet-windows", d.Windows, "five-year windows per exam and stage, newest first (1..4)")
	fs.DurationVar(&s.MinInterval, "qnet-min-interval", d.MinInterval, "collect again only this long after the last complete pass")
	fs.DurationVar(&s.Timeout, "qnet-timeout", d.Timeout, "timeout of one request")
	fs.IntVar(&s.MaxAttempts, "qnet-max-attempts", d.MaxAttempts, "tries per request (retries on gateway errors, 5xx, timeouts)")
}

// applyEnv fills every flag the user did not set from its environment variable and
// returns one error per unparsable value, with the names of those variables.
func applyEnv(fs *pflag.FlagSet, bindings []binding, getenv func(string) string) (errs []error, unparsed []string) {
	for _, b := range bindings {
		f := fs.Lookup(b.flag)
		if f == nil || f.Changed {
			continue
		}
		if v := getenv(b.env); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", b.env, v, err))
				unparsed = append(unparsed, b.env)
			}
		}
	}
	return errs, unparsed
}

// annotateEnv appends "(env NAME)" to each bound flag's usage.
func annotateEnv(fs *pflag.FlagSet, bindings []binding) {
	for _, b := range bindings {
		if f := fs.Lookup(b.flag); f != nil {
			f.Usage += " (env " + b.env + ")"
		}
	}
}

// lakeURL is the effective lake location.
func (c *config) lakeURL() string {
	if c.Lake != "" {
		return c.Lake
	}
	return "file://" + filepath.Join(c.DataDir, "lake")
}

func (c *config) validateGlobal() []error {
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("JOBPULSE_DATA_DIR / --data-dir is empty"))
	}
	if _, err := lake.ParseURL(c.lakeURL()); err != nil {
		errs = append(errs, fmt.Errorf("JOBPULSE_LAKE / --lake: %w", err))
	}
	if err := logging.CheckFormat(c.LogFormat); err != nil {
		errs = append(errs, fmt.Errorf("JOBPULSE_LOG_FORMAT / --log-format: %w", err))
	}
	if _, err := logging.ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("JOBPULSE_LOG_LEVEL / --log-level: %w", err))
	}
	return append(errs, c.validateWarehouse()...)
}

func (c *config) logLevel() slog.Level {
	l, _ := logging.ParseLevel(c.LogLevel) // validated before use
	return l
}
