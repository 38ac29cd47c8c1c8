package bigquery_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	defaults := bigquery.Config{
		Project:        "jobpulse-prod",
		Location:       "asia-northeast3",
		DatasetPrefix:  "jobpulse_",
		MaxBytesBilled: 10 << 30,
	}
	tests := []struct {
		name    string
		url     string
		want    bigquery.Config
		wantErr []string
	}{
		{name: "defaults", url: "bigquery://jobpulse-prod", want: defaults},
		{name: "trailing_slash", url: "bigquery://jobpulse-prod/", want: defaults},
		{
			name: "every_parameter",
			url:  "bigquery://jobpulse-prod?location=US&dataset_prefix=jp_dev_&max_bytes_billed=1048576",
			want: bigquery.Config{Project: "jobpulse-prod", Location: "US", DatasetPrefix: "jp_dev_", MaxBytesBilled: 1 << 20},
		},
		{name: "wrong_scheme", url: "duckdb://jobpulse-prod", wantErr: []string{`scheme "duckdb" is not bigquery`}},
		{name: "missing_project", url: "bigquery://", wantErr: []string{"project is required"}},
		{name: "one_slash", url: "bigquery:jobpulse-prod", wantErr: []string{"bigquery:// (two slashes)", "project is required"}},
		{name: "invalid_project", url: "bigquery://Jobpulse_Prod", wantErr: []string{`project "Jobpulse_Prod" is not a valid`}},
		{name: "path", url: "bigquery://jobpulse-prod/core", wantErr: []string{`unexpected path "/core"`}},
		{name: "credentials", url: "bigquery://me:secret@jobpulse-prod", wantErr: []string{"credentials do not belong"}},
		{name: "max_bytes_not_a_number", url: "bigquery://p-1234?max_bytes_billed=10GB", wantErr: []string{`max_bytes_billed "10GB" is not a whole number`}},
		{name: "max_bytes_not_positive", url: "bigquery://p-1234?max_bytes_billed=0", wantErr: []string{"max_bytes_billed 0 must be positive"}},
		{name: "empty_prefix", url: "bigquery://p-1234?dataset_prefix=", wantErr: []string{"dataset_prefix is empty"}},
		{name: "bad_prefix", url: "bigquery://p-1234?dataset_prefix=job-pulse", wantErr: []string{`dataset prefix "job-pulse"`}},
		{name: "repeated_parameter", url: "bigquery://p-1234?location=US&location=EU", wantErr: []string{"location is given 2 times"}},
		{name: "unknown_parameter", url: "bigquery://p-1234?region=US", wantErr: []string{`unknown parameter "region"`}},
		{
			name: "every_problem_at_once",
			url:  "bigqeury://?max_bytes_billed=-5&dataset_prefix=a.b&locaton=US",
			wantErr: []string{
				`scheme "bigqeury"`, "max_bytes_billed -5 must be positive", `unknown parameter "locaton"`,
				"project is required", `dataset prefix "a.b"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bigquery.ParseURL(tt.url)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %+v, want an error", tt.url, got)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not mention %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q repeats a password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.url, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseURL(%q) mismatch (-want +got):\n%s", tt.url, diff)
			}
		})
	}
}
