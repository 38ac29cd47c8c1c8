package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bigQueryEnv is a BigQuery deployment: the BigQuery warehouse needs a GCS lake.
func bigQueryEnv(warehouse string) map[string]string {
	return map[string]string{"JOBPULSE_WAREHOUSE": warehouse, "JOBPULSE_LAKE": "gs://my-lake/jp"}
}

func TestCLI_lookerLink(t *testing.T) {
	t.Parallel()
	r := runCLI(t, bigQueryEnv("bigquery://my-proj"), "looker-link")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	link := strings.TrimSpace(r.stdout)
	if strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(link, "https://lookerstudio.google.com/reporting/create?") {
		t.Fatalf("stdout is not one Linking API URL:\n%s", r.stdout)
	}
	for _, want := range []string{"ds.ds0.projectId=my-proj", "ds.ds0.datasetId=jobpulse_core", "ds.ds0.tableId=recruit", "ds.ds4.tableId=recruit_daily"} {
		if !strings.Contains(link, want) {
			t.Errorf("URL lacks %q:\n%s", want, link)
		}
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "roles/bigquery.dataViewer on my-proj.jobpulse_core") {
		t.Errorf("stderr should be a one-line hint on permissions:\n%s", r.stderr)
	}
}

func TestCLI_lookerLinkFlags(t *testing.T) {
	t.Parallel()
	r := runCLI(t, bigQueryEnv("bigquery://jobpulse-prod?dataset_prefix=jp_"), "looker-link",
		"--report-name", "R&D hiring", "--template", "0b6d3f1e-7c2a", "--table", "core.skill_demand_weekly", "--table", "recruit")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	u, err := url.Parse(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	got := map[string]string{}
	for k := range q {
		got[k] = q.Get(k)
	}
	want := map[string]string{
		"c.reportId":   "0b6d3f1e-7c2a",
		"r.reportName": "R&D hiring",
		// The tables keep their default aliases and order, whatever order they are given in.
		"ds.ds0.connector": "bigQuery", "ds.ds0.type": "TABLE", "ds.ds0.projectId": "jobpulse-prod",
		"ds.ds0.datasetId": "jp_core", "ds.ds0.tableId": "recruit", "ds.ds0.datasourceName": "jobpulse · postings (core.recruit)",
		"ds.ds3.connector": "bigQuery", "ds.ds3.type": "TABLE", "ds.ds3.projectId": "jobpulse-prod",
		"ds.ds3.datasetId": "jp_core", "ds.ds3.tableId": "skill_demand_weekly", "ds.ds3.datasourceName": "jobpulse · weekly skill demand (core.skill_demand_weekly)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if strings.Index(u.RawQuery, "ds.ds0.") > strings.Index(u.RawQuery, "ds.ds3.") {
		t.Errorf("sources are not in the default order:\n%s", u.RawQuery)
	}
}

func TestCLI_lookerLinkUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{name: "default_duckdb_warehouse", env: nil, want: []string{"looker-link needs the BigQuery warehouse", "JOBPULSE_WAREHOUSE=bigquery://PROJECT"}},
		{name: "duckdb_warehouse", env: map[string]string{"JOBPULSE_WAREHOUSE": "duckdb://w.duckdb"}, want: []string{"the warehouse is duckdb://w.duckdb"}},
		{name: "bad_bigquery_url", env: bigQueryEnv("bigquery://My_Proj"), want: []string{`project "My_Proj" is not a valid`}},
		{name: "unknown_table", env: bigQueryEnv("bigquery://my-proj"), args: []string{"--table", "core.recruit,core.nope"}, want: []string{`--table "core.nope" is not a core mart`, "known: core.recruit, core.datajob"}},
		{name: "bad_template", env: bigQueryEnv("bigquery://my-proj"), args: []string{"--template", "https://lookerstudio.google.com/reporting/abc"}, want: []string{"cannot build the Looker Studio link", "follows /reporting/"}},
		{name: "positional_argument", env: bigQueryEnv("bigquery://my-proj"), args: []string{"core.recruit"}, want: []string{"takes no arguments", "--table"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, append([]string{"looker-link"}, tt.args...)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a usage error printed on stdout:\n%s", r.stdout)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}
