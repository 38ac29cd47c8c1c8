package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/watch"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// probeSecret travels in a failed run's error, in a URL's query string, as Saramin's
// access key would.
const probeSecret = "XXledgerSECRETkey31"

// probeLedger writes a DuckDB warehouse whose ledger holds one working run of trends
// and a failed newer run of saramin, the way the pipeline records them (the meta
// models' DDL and INSERT), and returns the file's path.
func probeLedger(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warehouse.duckdb")
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.EnsureDatasets(ctx); err != nil {
		t.Fatal(err)
	}
	runs := project.Model(warehouse.Table{Dataset: "meta", Name: "pipeline_runs"})
	for _, name := range []string{"pipeline_runs", "check_results"} {
		stmts, err := project.Model(warehouse.Table{Dataset: "meta", Name: name}).Statements(wh)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if _, err := wh.Exec(ctx, q, nil, warehouse.Options{}); err != nil {
				t.Fatalf("create meta.%s: %v", name, err)
			}
		}
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, r := range []map[string]any{
		{"run_id": "r-trends-1", "source": "trends", "status": "success", "finished_at": at.Add(-time.Hour)},
		{"run_id": "r-saramin-1", "source": "saramin", "status": "success", "finished_at": at.Add(-2 * time.Hour)},
		{"run_id": "r-saramin-2", "source": "saramin", "status": "failed", "step_failed": "collect", "finished_at": at,
			"error": "fetch page 3: Get \"https://oapi.saramin.co.kr/job-search?access-key=" + probeSecret + "&count=110\": HTTP 503"},
	} {
		r["started_at"], r["recorded_at"], r["duration_ms"] = r["finished_at"].(time.Time).Add(-time.Minute), r["finished_at"], int64(60000)
		var params []warehouse.Param
		for _, c := range runs.Config.Columns {
			v, ok := r[c.Name]
			if !ok {
				v = warehouse.Null{Type: c.Type}
			}
			params = append(params, warehouse.Param{Name: c.Name, Value: v})
		}
		if _, err := wh.Exec(ctx, runs.Insert(wh), params, warehouse.Options{}); err != nil {
			t.Fatalf("insert run %s: %v", r["run_id"], err)
		}
	}
	return path
}

// probeReport decodes monitor-probe's stdout.
func probeReport(t *testing.T, r result) watch.Report {
	t.Helper()
	var rep watch.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

// TestCLI_monitorProbe_ledger: the probe reads a DuckDB ledger and prints its samples;
// the failed run's error loses its query string, key and all.
func TestCLI_monitorProbe_ledger(t *testing.T) {
	t.Parallel()
	path := probeLedger(t)
	since := "2026-11-21T11:00:00Z"
	r := runCLI(t, nil, "monitor-probe", "--ledger", "duckdb://"+path, "--sources", "saramin,trends,qnet", "--since", since)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	rep := probeReport(t, r)
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want the ledger's: %+v", len(rep.Results), rep)
	}
	res := rep.Results[0]
	if res.Collector != "pipeline_ledger" || res.Error != "" || res.NoData {
		t.Fatalf("result = %+v, want pipeline_ledger with data", res)
	}
	got := map[string]watch.ReportSample{}
	for _, s := range res.Samples {
		got[s.Name+"/"+s.Labels["source"]] = s
	}
	wantFailed := watch.ReportSample{Name: watch.MetricLastRunFailed, Value: 1, Labels: map[string]string{
		"source": "saramin", "run_id": "r-saramin-2", "step": "collect",
		"error": `fetch page 3: Get "https://oapi.saramin.co.kr/job-search?[redacted]": HTTP 503`,
	}}
	if diff := cmp.Diff(wantFailed, got[watch.MetricLastRunFailed+"/saramin"]); diff != "" {
		t.Errorf("saramin's failed run (-want +got):\n%s", diff)
	}
	if s := got[watch.MetricLastRunFailed+"/trends"]; s.Value != 0 {
		t.Errorf("trends' newest run worked, yet %s = %v", watch.MetricLastRunFailed, s.Value)
	}
	// qnet never ran: its age counts from --since.
	if s, ok := got[watch.MetricLastSuccessAge+"/qnet"]; !ok || s.Value < time.Since(time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)).Seconds()-60 {
		t.Errorf("qnet's age = %+v (present %t), want the time since --since %s", s, ok, since)
	}
	if strings.Contains(r.stdout+r.stderr, probeSecret) {
		t.Errorf("the output holds the key:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestCLI_monitorProbe_agentsCommandLine: the command line the agent generates from its
// configuration is one this command accepts, and answers with the agent's collectors.
func TestCLI_monitorProbe_agentsCommandLine(t *testing.T) {
	t.Parallel()
	cfg := monitor.Default()
	cfg.Pipeline.Warehouse = "duckdb://" + probeLedger(t)
	argv := cfg.ProbeCommand(time.Now())
	if diff := cmp.Diff([]string{"jobpulse", "monitor-probe"}, argv[:2]); diff != "" {
		t.Fatalf("the agent's probe command (-want +got):\n%s", diff)
	}
	r := runCLI(t, nil, argv[1:]...)
	if r.code != exitOK {
		t.Fatalf("%q: exit %d\nstderr:\n%s", argv, r.code, r.stderr)
	}
	rep := probeReport(t, r)
	if len(rep.Results) != 1 || rep.Results[0].Collector != monitor.LedgerCollector || len(rep.Results[0].Samples) == 0 {
		t.Errorf("%q printed %+v, want the ledger's samples", argv, rep)
	}
}

func TestCLI_monitorProbe_noData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want watch.Report
	}{
		{
			name: "missing_ledger_file",
			args: []string{"--ledger", "duckdb://" + filepath.Join(t.TempDir(), "none.duckdb")},
			want: watch.Report{Results: []watch.ReportResult{{Collector: "pipeline_ledger", NoData: true, Samples: []watch.ReportSample{}}}},
		},
		{
			name: "no_watcher",
			args: nil,
			want: watch.Report{Results: []watch.ReportResult{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, append([]string{"monitor-probe"}, tc.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
			}
			got := probeReport(t, r)
			if diff := cmp.Diff(tc.want, got, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".DurationSeconds"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCLI_monitorProbe_usageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "unknown_flag", args: []string{"--bogus"}, want: []string{"unknown flag: --bogus"}},
		{name: "argument", args: []string{"duckdb:///x"}, want: []string{`unexpected argument "duckdb:///x"`}},
		{name: "bad_duration", args: []string{"--window", "soon"}, want: []string{"--window"}},
		{
			name: "every_problem_at_once",
			args: []string{"--ledger", "postgres://db", "--window", "0s", "--sources", "Saramin", "--since", "yesterday",
				"--functions-project", "Bad Project", "--functions-region", "asia"},
			want: []string{`--ledger: ledger "postgres://db"`, "--window 0s", `ledger source "Saramin"`, `--since "yesterday"`,
				`functions project "Bad Project"`, `functions region "asia"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, append([]string{"monitor-probe"}, tc.args...)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, exitUsage, r.stdout, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a usage error printed a report:\n%s", r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}
