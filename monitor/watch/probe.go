package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"google.golang.org/api/option"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Watcher is one pipeline watcher: Ledger or Functions.
type Watcher interface {
	Name() string
	Collect(ctx context.Context) sample.Result
}

var (
	_ Watcher = (*Ledger)(nil)
	_ Watcher = (*Functions)(nil)
)

// Report is what `jobpulse monitor-probe` prints on stdout: every watcher's result of
// one run. The agent (jobpulse-monitor) starts the probe and reads it back, so its JSON
// field names are the contract between the two binaries:
//
//	{"results":[{"collector":"pipeline_ledger","duration_seconds":0.04,"no_data":false,
//	  "samples":[{"name":"pipeline_last_run_failed","labels":{"source":"saramin"},"value":0}]}]}
type Report struct {
	Results []ReportResult `json:"results"`
}

// ReportResult is one watcher's sample.Result. Error is empty when the watcher worked.
type ReportResult struct {
	Collector       string         `json:"collector"`
	DurationSeconds float64        `json:"duration_seconds"`
	Error           string         `json:"error,omitempty"`
	NoData          bool           `json:"no_data"`
	Samples         []ReportSample `json:"samples"`
}

// ReportSample is one sample.Sample.
type ReportSample struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	Value  float64           `json:"value"`
}

// NewReport converts results to their wire form. Errors lose URL query strings (where
// API keys travel), as labels do. A sample JSON cannot carry (NaN, ±Inf) turns its
// result into an error rather than the whole report into invalid JSON.
func NewReport(results []sample.Result) Report {
	r := Report{Results: make([]ReportResult, 0, len(results))}
	for _, res := range results {
		rr := ReportResult{Collector: res.Collector, DurationSeconds: res.Duration.Seconds(), NoData: res.NoData,
			Samples: make([]ReportSample, 0, len(res.Samples))}
		if res.Err != nil {
			rr.Error = redact(res.Err.Error())
		}
		for _, s := range res.Samples {
			if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
				rr.Error, rr.Samples = fmt.Sprintf("sample %s has the value %v, which the probe cannot report", s.Key(), s.Value), []ReportSample{}
				break
			}
			rr.Samples = append(rr.Samples, ReportSample{Name: s.Name, Labels: s.Labels, Value: s.Value})
		}
		r.Results = append(r.Results, rr)
	}
	return r
}

// Probe runs every watcher once, concurrently (the agent's timeout for the probe is the
// largest watcher timeout plus a margin, not their sum), and writes their results to w
// as one Report, in the watchers' order. A watcher's failure is in its result; Probe
// fails only if it cannot write.
func Probe(ctx context.Context, w io.Writer, watchers ...Watcher) error {
	results := make([]sample.Result, len(watchers))
	var wg sync.WaitGroup
	for i, wt := range watchers {
		wg.Go(func() {
			results[i] = wt.Collect(ctx)
			if results[i].Collector == "" {
				results[i].Collector = wt.Name()
			}
		})
	}
	wg.Wait()
	if err := json.NewEncoder(w).Encode(NewReport(results)); err != nil {
		return fmt.Errorf("write the probe report: %w", err)
	}
	return nil
}

// LedgerOpener is the opener of the ledger at url: duckdb://PATH, opened read-only (see
// ReadOnlyDuckDB), or bigquery://PROJECT?location=…&dataset_prefix=…, whose client gets
// opts (credentials, or an endpoint in tests).
func LedgerOpener(url string, opts ...option.ClientOption) (Opener, error) {
	switch {
	case strings.HasPrefix(url, "bigquery://"):
		cfg, err := bigquery.ParseURL(url)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) (warehouse.Warehouse, error) {
			return bigquery.New(ctx, cfg, opts...)
		}, nil
	case strings.HasPrefix(url, "duckdb://"):
		return DuckDBLedger(url)
	}
	return nil, fmt.Errorf("ledger %q: want duckdb:///path/warehouse.duckdb or bigquery://PROJECT?location=…&dataset_prefix=…", redact(url))
}

// redact removes URL query strings from free text.
func redact(s string) string {
	return urlQuery.ReplaceAllString(s, "$1?[redacted]")
}
