package looker_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/looker"
)

func TestReportURL(t *testing.T) {
	t.Parallel()
	twoMarts := looker.DefaultSources()[:2]
	tests := []struct {
		name       string
		project    string
		prefix     string
		reportName string
		template   string
		sources    []looker.DataSource
		want       string
		wantQuery  url.Values
	}{
		{
			name:       "blank_report_two_marts",
			project:    "my-proj",
			prefix:     "jobpulse_",
			reportName: "jobpulse · job market",
			sources:    twoMarts,
			want: "https://lookerstudio.google.com/reporting/create?" +
				"r.reportName=jobpulse%20%C2%B7%20job%20market" +
				"&ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=my-proj" +
				"&ds.ds0.datasetId=jobpulse_core&ds.ds0.tableId=recruit" +
				"&ds.ds0.datasourceName=jobpulse%20%C2%B7%20postings%20%28core.recruit%29" +
				"&ds.ds1.connector=bigQuery&ds.ds1.type=TABLE&ds.ds1.projectId=my-proj" +
				"&ds.ds1.datasetId=jobpulse_core&ds.ds1.tableId=datajob" +
				"&ds.ds1.datasourceName=jobpulse%20%C2%B7%20data%20jobs%20%28core.datajob%29",
			wantQuery: url.Values{
				"r.reportName":          {"jobpulse · job market"},
				"ds.ds0.connector":      {"bigQuery"},
				"ds.ds0.type":           {"TABLE"},
				"ds.ds0.projectId":      {"my-proj"},
				"ds.ds0.datasetId":      {"jobpulse_core"},
				"ds.ds0.tableId":        {"recruit"},
				"ds.ds0.datasourceName": {"jobpulse · postings (core.recruit)"},
				"ds.ds1.connector":      {"bigQuery"},
				"ds.ds1.type":           {"TABLE"},
				"ds.ds1.projectId":      {"my-proj"},
				"ds.ds1.datasetId":      {"jobpulse_core"},
				"ds.ds1.tableId":        {"datajob"},
				"ds.ds1.datasourceName": {"jobpulse · data jobs (core.datajob)"},
			},
		},
		{
			name:       "template_comes_first_and_sources_keep_their_order",
			project:    "jobpulse-prod",
			prefix:     "jp_dev_",
			reportName: "weekly",
			template:   "0b6d3f1e-7c2a-4d1b-9a55-3e8f2c4b7d10",
			sources:    []looker.DataSource{{Alias: "ds3", Table: "core.skill_demand_weekly", Name: "skills"}, {Alias: "ds0", Table: "core.recruit", Name: "postings"}},
			want: "https://lookerstudio.google.com/reporting/create?" +
				"c.reportId=0b6d3f1e-7c2a-4d1b-9a55-3e8f2c4b7d10&r.reportName=weekly" +
				"&ds.ds3.connector=bigQuery&ds.ds3.type=TABLE&ds.ds3.projectId=jobpulse-prod" +
				"&ds.ds3.datasetId=jp_dev_core&ds.ds3.tableId=skill_demand_weekly&ds.ds3.datasourceName=skills" +
				"&ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=jobpulse-prod" +
				"&ds.ds0.datasetId=jp_dev_core&ds.ds0.tableId=recruit&ds.ds0.datasourceName=postings",
			wantQuery: url.Values{
				"c.reportId":            {"0b6d3f1e-7c2a-4d1b-9a55-3e8f2c4b7d10"},
				"r.reportName":          {"weekly"},
				"ds.ds3.connector":      {"bigQuery"},
				"ds.ds3.type":           {"TABLE"},
				"ds.ds3.projectId":      {"jobpulse-prod"},
				"ds.ds3.datasetId":      {"jp_dev_core"},
				"ds.ds3.tableId":        {"skill_demand_weekly"},
				"ds.ds3.datasourceName": {"skills"},
				"ds.ds0.connector":      {"bigQuery"},
				"ds.ds0.type":           {"TABLE"},
				"ds.ds0.projectId":      {"jobpulse-prod"},
				"ds.ds0.datasetId":      {"jp_dev_core"},
				"ds.ds0.tableId":        {"recruit"},
				"ds.ds0.datasourceName": {"postings"},
			},
		},
		{
			name:       "special_characters_are_encoded",
			project:    "my-proj",
			prefix:     "jobpulse_",
			reportName: "R&D 채용 = 50% + ?#/",
			sources:    []looker.DataSource{{Alias: "ds0", Table: "core.recruit", Name: "a&ds.ds0.tableId=evil"}},
			want: "https://lookerstudio.google.com/reporting/create?" +
				"r.reportName=R%26D%20%EC%B1%84%EC%9A%A9%20%3D%2050%25%20%2B%20%3F%23%2F" +
				"&ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=my-proj" +
				"&ds.ds0.datasetId=jobpulse_core&ds.ds0.tableId=recruit" +
				"&ds.ds0.datasourceName=a%26ds.ds0.tableId%3Devil",
			wantQuery: url.Values{
				"r.reportName":          {"R&D 채용 = 50% + ?#/"},
				"ds.ds0.connector":      {"bigQuery"},
				"ds.ds0.type":           {"TABLE"},
				"ds.ds0.projectId":      {"my-proj"},
				"ds.ds0.datasetId":      {"jobpulse_core"},
				"ds.ds0.tableId":        {"recruit"},
				"ds.ds0.datasourceName": {"a&ds.ds0.tableId=evil"},
			},
		},
		{
			name:    "empty_names_and_prefix_are_left_to_looker_studio",
			project: "my-proj",
			sources: []looker.DataSource{{Alias: "ds0", Table: "core.recruit"}},
			want: "https://lookerstudio.google.com/reporting/create?" +
				"ds.ds0.connector=bigQuery&ds.ds0.type=TABLE&ds.ds0.projectId=my-proj" +
				"&ds.ds0.datasetId=core&ds.ds0.tableId=recruit",
			wantQuery: url.Values{
				"ds.ds0.connector": {"bigQuery"},
				"ds.ds0.type":      {"TABLE"},
				"ds.ds0.projectId": {"my-proj"},
				"ds.ds0.datasetId": {"core"},
				"ds.ds0.tableId":   {"recruit"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := looker.ReportURL(tt.project, tt.prefix, tt.reportName, tt.template, tt.sources)
			if err != nil {
				t.Fatalf("ReportURL: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("URL (-want +got):\n%s", diff)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("the URL does not parse: %v", err)
			}
			if u.Scheme != "https" || u.Host != "lookerstudio.google.com" || u.Path != "/reporting/create" || u.Fragment != "" {
				t.Errorf("URL points at %s://%s%s#%s, want the Linking API endpoint", u.Scheme, u.Host, u.Path, u.Fragment)
			}
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				t.Fatalf("the query does not parse: %v", err)
			}
			if diff := cmp.Diff(tt.wantQuery, q); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportURL_isStable(t *testing.T) {
	t.Parallel()
	first, err := looker.ReportURL("my-proj", "jobpulse_", "jobpulse", "", looker.DefaultSources())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if again, _ := looker.ReportURL("my-proj", "jobpulse_", "jobpulse", "", looker.DefaultSources()); again != first {
			t.Fatalf("the same input gave two URLs:\n%s\n%s", first, again)
		}
	}
}

func TestReportURL_errors(t *testing.T) {
	t.Parallel()
	recruit := looker.DataSource{Alias: "ds0", Table: "core.recruit", Name: "postings"}
	tests := []struct {
		name     string
		project  string
		prefix   string
		template string
		sources  []looker.DataSource
		wantErr  []string
	}{
		{name: "missing_project", sources: []looker.DataSource{recruit}, wantErr: []string{"project is required"}},
		{name: "invalid_project", project: "My_Project", sources: []looker.DataSource{recruit}, wantErr: []string{`project "My_Project" is not a valid Google Cloud project ID`}},
		{name: "invalid_prefix", project: "my-proj", prefix: "job-pulse", sources: []looker.DataSource{recruit}, wantErr: []string{`dataset prefix "job-pulse"`}},
		{
			name: "template_given_as_a_url", project: "my-proj", sources: []looker.DataSource{recruit},
			template: "https://lookerstudio.google.com/reporting/0b6d3f1e/page/p1",
			wantErr:  []string{"is not a Looker Studio report ID: give the ID that follows /reporting/"},
		},
		{name: "no_sources", project: "my-proj", wantErr: []string{"no data sources"}},
		{
			name: "alias_not_dsN", project: "my-proj",
			sources: []looker.DataSource{{Alias: "postings", Table: "core.recruit"}, {Alias: "ds01", Table: "core.datajob"}, {Table: "core.posting_skills"}},
			wantErr: []string{
				`data source 0 (core.recruit): alias "postings" is not of the form ds0, ds1`,
				`data source 1 (core.datajob): alias "ds01"`,
				`data source 2 (core.posting_skills): alias ""`,
			},
		},
		{
			name: "duplicate_alias", project: "my-proj",
			sources: []looker.DataSource{recruit, {Alias: "ds0", Table: "core.datajob"}},
			wantErr: []string{"data source 1 (core.datajob): alias ds0 is already data source 0 (core.recruit)"},
		},
		{
			name: "not_a_core_table", project: "my-proj",
			sources: []looker.DataSource{{Alias: "ds0", Table: "recruit"}, {Alias: "ds1", Table: "staging.saramin_postings"}, {Alias: "ds2", Table: "core.recruit; DROP"}},
			wantErr: []string{
				`data source 0 (ds0): table "recruit" is not a core mart; want core.<table>`,
				`data source 1 (ds1): table "staging.saramin_postings" is not a core mart`,
				`data source 2 (ds2): table "core.recruit; DROP" is not a core mart`,
			},
		},
		{
			name: "every_problem_at_once", project: "-x-", prefix: "a.b", template: "not an id",
			sources: []looker.DataSource{{Alias: "x", Table: "meta.locations"}, recruit, recruit},
			wantErr: []string{
				`project "-x-"`, `dataset prefix "a.b"`, `template "not an id"`,
				`alias "x"`, `table "meta.locations"`, "alias ds0 is already data source 1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := looker.ReportURL(tt.project, tt.prefix, "report", tt.template, tt.sources)
			if err == nil {
				t.Fatalf("ReportURL = %q, want an error", got)
			}
			if got != "" {
				t.Errorf("ReportURL returned %q with its error", got)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if n := len(strings.Split(err.Error(), "\n")); n != len(tt.wantErr) {
				t.Errorf("error has %d lines, want %d (one per problem):\n%v", n, len(tt.wantErr), err)
			}
		})
	}
}

func TestDefaultSources(t *testing.T) {
	t.Parallel()
	sources := looker.DefaultSources()
	// Template reports bind their data sources by alias: reordering this list would
	// point an existing template's charts at the wrong tables.
	var got []string
	for _, s := range sources {
		got = append(got, s.Alias+"="+s.Table)
	}
	want := []string{"ds0=core.recruit", "ds1=core.datajob", "ds2=core.posting_skills", "ds3=core.skill_demand_weekly", "ds4=core.recruit_daily"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aliases and tables (-want +got):\n%s", diff)
	}
	for i, s := range sources {
		if s.Alias != fmt.Sprintf("ds%d", i) {
			t.Errorf("source %d has alias %s", i, s.Alias)
		}
		if !strings.HasPrefix(s.Name, "jobpulse · ") || !strings.HasSuffix(s.Name, "("+s.Table+")") {
			t.Errorf("source %s is named %q, want %q", s.Table, s.Name, "jobpulse · … ("+s.Table+")")
		}
	}
	if _, err := looker.ReportURL("my-proj", "jobpulse_", "jobpulse", "", sources); err != nil {
		t.Errorf("the default sources do not make a valid link: %v", err)
	}
	sources[0].Table = "core.changed"
	if looker.DefaultSources()[0].Table != "core.recruit" {
		t.Error("DefaultSources shares its slice between callers")
	}
}
