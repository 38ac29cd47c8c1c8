package environ

import (
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// Settings are a function's configuration, read from its environment variables:
//
//	JOBPULSE_LAKE           gs://BUCKET[/PREFIX], the lake (required)
//	JOBPULSE_WAREHOUSE      bigquery://PROJECT?location=…&dataset_prefix=… (required by ProcessRun)
//	JOBPULSE_LOG_LEVEL      debug, info (default), warn or error
//	JOBPULSE_CHECK_TIMEOUT  timeout of one SQL check (default 2m)
//	SARAMIN_ACCESS_KEY      the Saramin key (secret; required by CollectSaramin)
//	SARAMIN_API_URL, SARAMIN_QUERY, SARAMIN_DAILY_QUOTA, SARAMIN_OVERLAP,
//	SARAMIN_LOOKBACK, SARAMIN_MAX_PAGES, SARAMIN_TIMEOUT, SARAMIN_MAX_ATTEMPTS
//	                        as the CLI's flags of the same names, with the same defaults
//	TRENDS_API_URL, TRENDS_KEYWORDS (comma-separated), TRENDS_ANCHOR, TRENDS_TIME,
//	TRENDS_BATCH_SIZE, TRENDS_SPACING, TRENDS_MIN_INTERVAL, TRENDS_TIMEOUT,
//	TRENDS_MAX_ATTEMPTS
//	                        as the CLI's flags of the same names, with the same defaults
//	                        (checked by CollectTrends only; the source is always Google)
//	QNET_SERVICE_KEY        the data.go.kr key of Q-Net (secret; required by CollectCertifications)
//	QNET_API_URL, QNET_EXAMS (comma-separated), QNET_WINDOWS, QNET_MIN_INTERVAL,
//	QNET_TIMEOUT, QNET_MAX_ATTEMPTS
//	                        as the CLI's flags of the same names, with the same defaults
//	                        (checked by CollectCertifications only)
//	SLACK_WEBHOOK_URL       Slack incoming webhook (secret; without it messages go to stdout)
type Settings struct {
	LakeURL string
	Lake    lake.Location
	// Warehouse is nil when JOBPULSE_WAREHOUSE is unset; its lake fields are filled
	// from JOBPULSE_LAKE.
	Warehouse    *bigquery.Config
	LogLevel     slog.Level
	CheckTimeout time.Duration
	Saramin      pipeline.SaraminSettings
	// Trends always has Mode google: a function has no demo source.
	Trends          pipeline.TrendsSettings
	Qnet            pipeline.QnetSettings
	SlackWebhookURL string
}

// Need says which settings a function cannot run without.
type Need struct {
	// SaraminKey: a collector needs the key; there is no demo source in the cloud.
	SaraminKey bool
	// Warehouse: processing needs BigQuery.
	Warehouse bool
	// Trends: CollectTrends checks the TRENDS_* settings; other functions ignore them,
	// so a typo there cannot stop the Saramin collector.
	Trends bool
	// QnetKey: CollectCertifications needs the Q-Net key and checks the QNET_* settings.
	QnetKey bool
}

// Load reads the settings and reports every problem at once. Messages name the
// variables and never repeat a secret. The settings are usable as far as they parsed
// (the log level at least), so the caller can log the error.
func Load(getenv func(string) string, need Need) (Settings, error) {
	s := Settings{Saramin: pipeline.DefaultSaraminSettings(), Trends: pipeline.DefaultTrendsSettings(), Qnet: pipeline.DefaultQnetSettings(),
		CheckTimeout: 2 * time.Minute, LogLevel: slog.LevelInfo}
	s.Trends.Mode = pipeline.TrendsGoogle
	var errs []error

	s.LakeURL = getenv("JOBPULSE_LAKE")
	switch loc, err := lake.ParseURL(s.LakeURL); {
	case s.LakeURL == "":
		errs = append(errs, errors.New("JOBPULSE_LAKE is not set: want gs://BUCKET[/PREFIX]"))
	case err != nil:
		errs = append(errs, fmt.Errorf("JOBPULSE_LAKE: %w", err))
	case loc.Bucket == "":
		errs = append(errs, fmt.Errorf("JOBPULSE_LAKE %q: a function's lake is a GCS bucket (gs://BUCKET[/PREFIX]); its local disk does not outlive the call", s.LakeURL))
	default:
		s.Lake = loc
	}

	if v := getenv("JOBPULSE_WAREHOUSE"); v != "" {
		cfg, err := bigquery.ParseURL(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("JOBPULSE_WAREHOUSE: %w", err))
		} else {
			cfg.LakeBucket, cfg.LakePrefix = s.Lake.Bucket, s.Lake.Prefix
			s.Warehouse = &cfg
		}
	} else if need.Warehouse {
		errs = append(errs, errors.New("JOBPULSE_WAREHOUSE is not set: want bigquery://PROJECT?location=asia-northeast3&dataset_prefix=jobpulse_"))
	}

	if v := getenv("JOBPULSE_LOG_LEVEL"); v != "" {
		l, err := logging.ParseLevel(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("JOBPULSE_LOG_LEVEL: %w", err))
		} else {
			s.LogLevel = l
		}
	}
	p := parser{getenv: getenv}
	p.duration("JOBPULSE_CHECK_TIMEOUT", &s.CheckTimeout)
	if s.CheckTimeout <= 0 {
		errs = append(errs, fmt.Errorf("JOBPULSE_CHECK_TIMEOUT %s: want > 0", s.CheckTimeout))
	}

	sar := &s.Saramin
	sar.AccessKey = strings.TrimSpace(getenv("SARAMIN_ACCESS_KEY"))
	p.str("SARAMIN_API_URL", &sar.APIURL)
	p.str("SARAMIN_QUERY", &sar.Query)
	p.integer("SARAMIN_DAILY_QUOTA", &sar.DailyQuota)
	p.duration("SARAMIN_OVERLAP", &sar.Overlap)
	p.duration("SARAMIN_LOOKBACK", &sar.Lookback)
	p.integer("SARAMIN_MAX_PAGES", &sar.MaxPages)
	p.duration("SARAMIN_TIMEOUT", &sar.Timeout)
	p.integer("SARAMIN_MAX_ATTEMPTS", &sar.MaxAttempts)
	errs = append(errs, p.errs...)
	if _, serrs := sar.ClientConfig(); len(serrs) > 0 {
		// A value that did not parse stayed at its default; its rule holds.
		errs = append(errs, serrs...)
	}
	if need.SaraminKey && sar.AccessKey == "" {
		errs = append(errs, errors.New("SARAMIN_ACCESS_KEY is not set: map the Saramin key's secret to it (a function has no demo source)"))
	}

	errs = append(errs, loadTrends(getenv, &s.Trends, need.Trends)...)
	errs = append(errs, loadQnet(getenv, &s.Qnet, need.QnetKey)...)

	s.SlackWebhookURL = strings.TrimSpace(getenv("SLACK_WEBHOOK_URL"))
	if v := s.SlackWebhookURL; v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// The value is a secret: say what is wrong, not what it is.
			errs = append(errs, errors.New("SLACK_WEBHOOK_URL is not an http(s) URL (value not shown: it is a secret)"))
			s.SlackWebhookURL = ""
		}
	}
	return s, errors.Join(errs...)
}

// loadTrends reads the TRENDS_* variables into t and, when checked, returns every
// problem with them.
func loadTrends(getenv func(string) string, t *pipeline.TrendsSettings, check bool) []error {
	p := parser{getenv: getenv}
	p.str("TRENDS_API_URL", &t.APIURL)
	p.list("TRENDS_KEYWORDS", &t.Keywords)
	p.str("TRENDS_ANCHOR", &t.Anchor)
	p.str("TRENDS_TIME", &t.Time)
	p.integer("TRENDS_BATCH_SIZE", &t.BatchSize)
	p.duration("TRENDS_SPACING", &t.Spacing)
	p.duration("TRENDS_MIN_INTERVAL", &t.MinInterval)
	p.duration("TRENDS_TIMEOUT", &t.Timeout)
	p.integer("TRENDS_MAX_ATTEMPTS", &t.MaxAttempts)
	if !check {
		return nil
	}
	errs := p.errs
	if v := strings.TrimSpace(getenv("TRENDS_MODE")); v != "" && v != pipeline.TrendsGoogle && v != pipeline.TrendsAuto {
		errs = append(errs, fmt.Errorf("TRENDS_MODE %q: a function collects from Google only (there is no demo source in the cloud); unset it", v))
	}
	// A value that did not parse stayed at its default; its rule holds.
	_, terrs := t.ClientConfig()
	return append(errs, terrs...)
}

// loadQnet reads the QNET_* variables into q and, when checked, returns every problem
// with them, the missing key included. No message repeats the key.
func loadQnet(getenv func(string) string, q *pipeline.QnetSettings, check bool) []error {
	q.ServiceKey = strings.TrimSpace(getenv("QNET_SERVICE_KEY"))
	p := parser{getenv: getenv}
	p.str("QNET_API_URL", &q.APIURL)
	p.list("QNET_EXAMS", &q.Exams)
	p.integer("QNET_WINDOWS", &q.Windows)
	p.duration("QNET_MIN_INTERVAL", &q.MinInterval)
	p.duration("QNET_TIMEOUT", &q.Timeout)
	p.integer("QNET_MAX_ATTEMPTS", &q.MaxAttempts)
	if !check {
		return nil
	}
	errs := p.errs
	checked := *q
	if checked.ServiceKey == "" {
		errs = append(errs, errors.New("QNET_SERVICE_KEY is not set: map the Q-Net key's secret to it (a function has no demo source)"))
		// ClientConfig skips the client's checks without a key; a stand-in key lets
		// them report the other settings now rather than after the next deploy.
		checked.ServiceKey = "unset"
	}
	_, qerrs := checked.ClientConfig()
	return append(errs, qerrs...)
}

// parser reads optional typed variables, keeping the default when one is unset and
// collecting one error per value that does not parse.
type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) str(name string, dst *string) {
	if v := p.getenv(name); v != "" {
		*dst = v
	}
}

// list reads a comma-separated list as the CLI's flags do (CSV, so a quoted item may
// hold a comma), trimming the items and dropping empty ones.
func (p *parser) list(name string, dst *[]string) {
	v := p.getenv(name)
	if strings.TrimSpace(v) == "" {
		return
	}
	rec, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s=%q: not a comma-separated list", name, v))
		return
	}
	var out []string
	for _, item := range rec {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	*dst = out
}

func (p *parser) integer(name string, dst *int) {
	v := p.getenv(name)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s=%q: not a whole number", name, v))
		return
	}
	*dst = n
}

func (p *parser) duration(name string, dst *time.Duration) {
	v := p.getenv(name)
	if v == "" {
		return
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s=%q: not a duration such as 30m or 1h30m", name, v))
		return
	}
	*dst = d
}
