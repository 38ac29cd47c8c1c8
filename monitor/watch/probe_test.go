package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watch"
)

// fixedWatcher reports the result it holds.
type fixedWatcher struct {
	name string
	res  sample.Result
}

func (f fixedWatcher) Name() string                          { return f.name }
func (f fixedWatcher) Collect(context.Context) sample.Result { return f.res }

func TestProbe_report(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := watch.Probe(context.Background(), &out,
		fixedWatcher{name: "pipeline_ledger", res: sample.Result{Duration: 40 * time.Millisecond, Samples: []sample.Sample{
			{Name: watch.MetricFailedErrorChecks, Labels: map[string]string{"source": "saramin"}, Value: 1},
		}}},
		fixedWatcher{name: "cloud_functions", res: sample.Result{Collector: "cloud_functions",
			Err: errors.New(`list: Get "https://cloudfunctions.example/v2?key=XXsecretKEY9": refused`)}},
		fixedWatcher{name: "weird", res: sample.Result{Samples: []sample.Sample{{Name: "x", Value: math.NaN()}}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	var got watch.Report
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	want := watch.Report{Results: []watch.ReportResult{
		{Collector: "pipeline_ledger", DurationSeconds: 0.04, Samples: []watch.ReportSample{
			{Name: watch.MetricFailedErrorChecks, Labels: map[string]string{"source": "saramin"}, Value: 1},
		}},
		{Collector: "cloud_functions", Error: `list: Get "https://cloudfunctions.example/v2?[redacted]": refused`, Samples: []watch.ReportSample{}},
		{Collector: "weird", Error: "sample x has the value NaN, which the probe cannot report", Samples: []watch.ReportSample{}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if strings.Contains(out.String(), "XXsecretKEY9") {
		t.Errorf("the report holds the key:\n%s", out.String())
	}
}

func TestLedgerOpener(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, wantErr string
	}{
		{name: "duckdb", url: "duckdb:///var/lib/jobpulse/data/warehouse.duckdb"},
		{name: "bigquery", url: "bigquery://jobpulse-prod?location=asia-northeast3&dataset_prefix=jobpulse_"},
		{name: "duckdb_without_path", url: "duckdb://", wantErr: "want duckdb://PATH"},
		{name: "bigquery_with_credentials", url: "bigquery://user:pw@jobpulse-prod", wantErr: "credentials do not belong in the URL"},
		{name: "other_scheme", url: "postgres://db", wantErr: `ledger "postgres://db": want duckdb:///path`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			open, err := watch.LedgerOpener(tc.url)
			if tc.wantErr == "" {
				if err != nil || open == nil {
					t.Fatalf("LedgerOpener(%q) = %v", tc.url, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("LedgerOpener(%q) error = %v, want %q", tc.url, err, tc.wantErr)
			}
		})
	}
}
