package bigquery_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery/bigquerytest"
)

// jsonMap decodes a JSON object literal, the shape a request body is compared with.
func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON in test: %v\n%s", err, s)
	}
	return m
}

// onlyJobInsert returns the single jobs.insert request, failing otherwise.
func onlyJobInsert(t *testing.T, f *bigquerytest.Server) bigquerytest.Request {
	t.Helper()
	got := f.Recorded("/jobs")
	var inserts []bigquerytest.Request
	for _, r := range got {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/jobs") {
			inserts = append(inserts, r)
		}
	}
	if len(inserts) != 1 {
		t.Fatalf("got %d jobs.insert requests, want 1", len(inserts))
	}
	return inserts[0]
}

// checkJobReference checks the client-made job id: a readable prefix and a random
// suffix.
func checkJobReference(t *testing.T, req bigquerytest.Request, prefix, location string) {
	t.Helper()
	ref, _ := req.Body["jobReference"].(map[string]any)
	id, _ := ref["jobId"].(string)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `-[A-Za-z0-9_-]{8,}$`).MatchString(id) {
		t.Errorf("jobReference.jobId = %q, want %q and a random suffix", id, prefix+"-")
	}
	if diff := cmp.Diff(map[string]any{"projectId": "proj", "location": location, "jobId": id}, ref); diff != "" {
		t.Errorf("jobReference mismatch (-want +got):\n%s", diff)
	}
}

func TestDialectAndRef(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	w := newWarehouse(t, f, bigquery.Config{Project: "jobpulse-prod", DatasetPrefix: "jp_"})
	if got := w.Dialect(); got != warehouse.BigQuery {
		t.Errorf("Dialect() = %q, want %q", got, warehouse.BigQuery)
	}
	if got, want := w.Ref(warehouse.Table{Dataset: "core", Name: "recruit"}), "`jobpulse-prod.jp_core.recruit`"; got != want {
		t.Errorf("Ref() = %s, want %s", got, want)
	}
}

func TestNew_rejects_bad_config(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	_, err := bigquery.New(context.Background(), bigquery.Config{Project: "Not A Project", MaxBytesBilled: -1}, f.ClientOptions()...)
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, want := range []string{`project "Not A Project"`, "max bytes billed -1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestQuery_request_shape(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		cfg        bigquery.Config
		sql        string
		params     []warehouse.Param
		opts       warehouse.Options
		wantConfig string
		wantPrefix string
		wantLoc    string
	}{
		{
			name: "all_parameter_types",
			sql:  "SELECT * FROM `proj.jobpulse_core.recruit` WHERE dt = @dt AND id IN UNNEST(@ids)",
			params: []warehouse.Param{
				{Name: "title", Value: "데이터 엔지니어"},
				{Name: "limit", Value: int64(10)},
				{Name: "ratio", Value: 0.25},
				{Name: "active", Value: true},
				{Name: "since", Value: ts},
				{Name: "dt", Value: warehouse.Date("2026-11-21")},
				{Name: "skills", Value: []string{"go", "sql"}},
				{Name: "ids", Value: []int64{7, 9}},
				{Name: "error", Value: warehouse.Null{Type: "STRING"}},
			},
			opts: warehouse.Options{Step: "Core.Recruit Daily", RunID: "2026-11-21T03:00Z", Timeout: time.Minute},
			wantConfig: `{
				"query": {
					"query": "SELECT * FROM ` + "`proj.jobpulse_core.recruit`" + ` WHERE dt = @dt AND id IN UNNEST(@ids)",
					"useLegacySql": false,
					"maximumBytesBilled": "10737418240",
					"queryParameters": [
						{"name": "title", "parameterType": {"type": "STRING"}, "parameterValue": {"value": "데이터 엔지니어"}},
						{"name": "limit", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "10"}},
						{"name": "ratio", "parameterType": {"type": "FLOAT64"}, "parameterValue": {"value": "0.25"}},
						{"name": "active", "parameterType": {"type": "BOOL"}, "parameterValue": {"value": "true"}},
						{"name": "since", "parameterType": {"type": "TIMESTAMP"}, "parameterValue": {"value": "2026-11-21 03:00:00+00:00"}},
						{"name": "dt", "parameterType": {"type": "DATE"}, "parameterValue": {"value": "2026-11-21"}},
						{"name": "skills", "parameterType": {"type": "ARRAY", "arrayType": {"type": "STRING"}},
						 "parameterValue": {"arrayValues": [{"value": "go"}, {"value": "sql"}]}},
						{"name": "ids", "parameterType": {"type": "ARRAY", "arrayType": {"type": "INT64"}},
						 "parameterValue": {"arrayValues": [{"value": "7"}, {"value": "9"}]}},
						{"name": "error", "parameterType": {"type": "STRING"}, "parameterValue": {"value": null}}
					]
				},
				"labels": {"app": "jobpulse", "step": "core_recruit_daily", "run_id": "2026-11-21t03_00z"},
				"jobTimeoutMs": "60000"
			}`,
			wantPrefix: "jobpulse_core_recruit_daily",
			wantLoc:    "asia-northeast3",
		},
		{
			name: "no_step_no_params",
			sql:  "SELECT 1",
			wantConfig: `{
				"query": {"query": "SELECT 1", "useLegacySql": false, "maximumBytesBilled": "10737418240"},
				"labels": {"app": "jobpulse"}
			}`,
			wantPrefix: "jobpulse",
			wantLoc:    "asia-northeast3",
		},
		{
			name: "long_step_truncated",
			sql:  "SELECT 1",
			opts: warehouse.Options{Step: strings.Repeat("ab", 40), RunID: "RUN_1"},
			wantConfig: `{
				"query": {"query": "SELECT 1", "useLegacySql": false, "maximumBytesBilled": "10737418240"},
				"labels": {"app": "jobpulse", "step": "` + strings.Repeat("ab", 31) + `a", "run_id": "run_1"}
			}`,
			wantPrefix: "jobpulse_" + strings.Repeat("ab", 31) + "a",
			wantLoc:    "asia-northeast3",
		},
		{
			name: "configured_location_and_limit",
			cfg:  bigquery.Config{Location: "US", MaxBytesBilled: 1 << 20},
			sql:  "SELECT 1",
			opts: warehouse.Options{Step: "check"},
			wantConfig: `{
				"query": {"query": "SELECT 1", "useLegacySql": false, "maximumBytesBilled": "1048576"},
				"labels": {"app": "jobpulse", "step": "check"}
			}`,
			wantPrefix: "jobpulse_check",
			wantLoc:    "US",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			w := newWarehouse(t, f, tt.cfg)
			if _, err := w.Exec(context.Background(), tt.sql, tt.params, tt.opts); err != nil {
				t.Fatalf("Exec: %v", err)
			}
			req := onlyJobInsert(t, f)
			if diff := cmp.Diff(jsonMap(t, tt.wantConfig), req.Body["configuration"]); diff != "" {
				t.Errorf("job configuration mismatch (-want +got):\n%s", diff)
			}
			checkJobReference(t, req, tt.wantPrefix, tt.wantLoc)
			// Waiting and status calls name the job's location too.
			for _, r := range f.Recorded("GET ") {
				if got := r.Query.Get("location"); got != tt.wantLoc {
					t.Errorf("%s %s: location=%q, want %q", r.Method, r.Path, got, tt.wantLoc)
				}
			}
			if n := len(f.Recorded("/queries")); n == 0 {
				t.Errorf("Exec did not wait for the job")
			}
		})
	}
}

func TestQuery_rejects_bad_parameters(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	w := newWarehouse(t, f, bigquery.Config{})
	_, _, err := w.Query(context.Background(), "SELECT 1", []warehouse.Param{
		{Name: "n", Value: 3}, // int, not int64
		{Name: "dt", Value: warehouse.Date("21/11/2026")},
		{Name: "@x", Value: "a"},
		{Name: "nothing", Value: nil},
	}, warehouse.Options{Step: "s"})
	if err == nil {
		t.Fatal("Query accepted bad parameters")
	}
	for _, want := range []string{"@n: unsupported type int", `@dt: date "21/11/2026"`, `name "@x"`, "@nothing: unsupported type <nil>", "bigquery query (step s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if got := f.Recorded(""); len(got) != 0 {
		t.Errorf("sent %d requests for a query with bad parameters", len(got))
	}
}

func TestQuery_rows(t *testing.T) {
	t.Parallel()
	seen := time.Date(2026, 11, 21, 3, 4, 5, 123456000, time.UTC)
	result := bigquerytest.Result{
		Schema: []map[string]any{
			{"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
			{"name": "score", "type": "FLOAT"},
			{"name": "ok", "type": "BOOLEAN"},
			{"name": "seen_at", "type": "TIMESTAMP"},
			{"name": "dt", "type": "DATE"},
			{"name": "title", "type": "STRING"},
			{"name": "skills", "type": "STRING", "mode": "REPEATED"},
			{"name": "salary", "type": "NUMERIC"},
			{"name": "company", "type": "RECORD", "fields": []map[string]any{
				{"name": "name", "type": "STRING"},
				{"name": "size", "type": "INTEGER"},
			}},
		},
		Rows: [][]any{
			{"1", "2.5", "true", strconv.FormatInt(seen.UnixMicro(), 10), "2026-11-21", "데이터 엔지니어",
				[]any{map[string]any{"v": "python"}, map[string]any{"v": "sql"}}, "12.5",
				map[string]any{"f": []any{map[string]any{"v": "acme"}, map[string]any{"v": "10"}}}},
			{"2", nil, nil, nil, nil, nil, []any{}, nil, nil},
			{"3", "-1", "false", "0", "1970-01-01", "", []any{map[string]any{"v": "go"}}, "0", nil},
		},
		BytesProcessed: 4096,
	}
	f := bigquerytest.New(t)
	f.SetPageSize(2) // the third row is on a second page
	f.SetResult(func(bigquerytest.Job) bigquerytest.Result { return result })
	w := newWarehouse(t, f, bigquery.Config{})

	rows, stats, err := w.Query(context.Background(), "SELECT …", nil, warehouse.Options{Step: "report"})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	want := &warehouse.Rows{
		Columns: []string{"id", "score", "ok", "seen_at", "dt", "title", "skills", "salary", "company"},
		Values: [][]any{
			{int64(1), 2.5, true, seen, "2026-11-21", "데이터 엔지니어", []any{"python", "sql"}, "12.500000000",
				map[string]any{"name": "acme", "size": int64(10)}},
			{int64(2), nil, nil, nil, nil, nil, []any{}, nil, nil},
			{int64(3), -1.0, false, time.Unix(0, 0).UTC(), "1970-01-01", "", []any{"go"}, "0.000000000", nil},
		},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(stats.JobID, "jobpulse_report-") {
		t.Errorf("Stats.JobID = %q, want the jobpulse_report- prefix", stats.JobID)
	}
	stats.JobID = ""
	if diff := cmp.Diff(warehouse.Stats{BytesProcessed: 4096, Duration: 1500 * time.Millisecond}, stats); diff != "" {
		t.Errorf("stats mismatch (-want +got):\n%s", diff)
	}
	var pages int
	for _, r := range f.Recorded("/queries/") {
		if r.Query.Get("maxResults") != "0" {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("read %d result pages, want 2", pages)
	}
}

func TestExec_dml_stats(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	f.SetResult(func(bigquerytest.Job) bigquerytest.Result {
		return bigquerytest.Result{BytesProcessed: 1234, DMLAffectedRows: 42}
	})
	w := newWarehouse(t, f, bigquery.Config{})
	stats, err := w.Exec(context.Background(), "MERGE …", nil, warehouse.Options{Step: "external.recruit"})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if !strings.HasPrefix(stats.JobID, "jobpulse_external_recruit-") {
		t.Errorf("Stats.JobID = %q, want the jobpulse_external_recruit- prefix", stats.JobID)
	}
	stats.JobID = ""
	if diff := cmp.Diff(warehouse.Stats{BytesProcessed: 1234, RowsAffected: 42, Duration: 1500 * time.Millisecond}, stats); diff != "" {
		t.Errorf("stats mismatch (-want +got):\n%s", diff)
	}
	for _, r := range f.Recorded("/queries/") {
		if r.Query.Get("maxResults") != "0" {
			t.Errorf("Exec read result rows: %s?%s", r.Path, r.Query.Encode())
		}
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		query       bool
		wantColumns []string
	}{
		{name: "exec"},
		{name: "query", query: true, wantColumns: []string{"id", "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			f.SetResult(func(bigquerytest.Job) bigquerytest.Result {
				return bigquerytest.Result{BytesProcessed: 987654321, Schema: []map[string]any{
					{"name": "id", "type": "INTEGER"}, {"name": "title", "type": "STRING"},
				}}
			})
			w := newWarehouse(t, f, bigquery.Config{})
			opts := warehouse.Options{Step: "estimate", DryRun: true}
			var (
				stats warehouse.Stats
				rows  *warehouse.Rows
				err   error
			)
			if tt.query {
				rows, stats, err = w.Query(context.Background(), "SELECT id, title FROM t", nil, opts)
			} else {
				stats, err = w.Exec(context.Background(), "SELECT id, title FROM t", nil, opts)
			}
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if stats.BytesProcessed != 987654321 {
				t.Errorf("Stats.BytesProcessed = %d, want 987654321", stats.BytesProcessed)
			}
			if tt.query {
				if diff := cmp.Diff(&warehouse.Rows{Columns: tt.wantColumns}, rows); diff != "" {
					t.Errorf("rows mismatch (-want +got):\n%s", diff)
				}
			}
			if got := f.Recorded(""); len(got) != 1 {
				t.Errorf("a dry run sent %d requests, want only jobs.insert", len(got))
			}
			req := onlyJobInsert(t, f)
			cfg, _ := req.Body["configuration"].(map[string]any)
			if cfg["dryRun"] != true {
				t.Errorf("configuration.dryRun = %v, want true", cfg["dryRun"])
			}
			checkJobReference(t, req, "jobpulse_estimate", "asia-northeast3")
		})
	}
}

func TestJob_failure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		result     bigquerytest.Result
		query      bool
		wantReason string
		wantText   []string
	}{
		{
			name: "invalid_query_on_insert",
			result: bigquerytest.Result{FailOnInsert: true, Err: &bigquerytest.Error{
				Reason: "invalidQuery", Message: "Syntax error: Unexpected keyword FROM at [1:8]", Location: "query",
			}},
			wantReason: "invalidQuery",
			wantText:   []string{"bigquery exec (step core.recruit)", "Syntax error: Unexpected keyword FROM at [1:8]", "invalidQuery"},
		},
		{
			name: "bytes_limit_while_running",
			result: bigquerytest.Result{Err: &bigquerytest.Error{
				Reason: "bytesBilledLimitExceeded", Message: "Query exceeded limit for bytes billed: 10737418240. 21474836480 or higher required.",
			}},
			query:      true,
			wantReason: "bytesBilledLimitExceeded",
			wantText:   []string{"bigquery query (step core.recruit)", "Query exceeded limit for bytes billed", "bytesBilledLimitExceeded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			f.SetResult(func(bigquerytest.Job) bigquerytest.Result { return tt.result })
			w := newWarehouse(t, f, bigquery.Config{})
			opts := warehouse.Options{Step: "core.recruit"}
			var err error
			if tt.query {
				_, _, err = w.Query(context.Background(), "SELECT FROM", nil, opts)
			} else {
				_, err = w.Exec(context.Background(), "SELECT FROM", nil, opts)
			}
			if err == nil {
				t.Fatal("a failed job returned no error")
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			var je *bigquery.JobError
			if !errors.As(err, &je) {
				t.Fatalf("error %v is not a *JobError", err)
			}
			if je.Reason != tt.wantReason || !strings.HasPrefix(je.JobID, "jobpulse_core_recruit-") {
				t.Errorf("JobError = %+v, want reason %s and the job's id", je, tt.wantReason)
			}
		})
	}
}

func TestExec_timeout_cancels_job(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	f.SetResult(func(bigquerytest.Job) bigquerytest.Result { return bigquerytest.Result{Pending: true} })
	w := newWarehouse(t, f, bigquery.Config{})
	_, err := w.Exec(context.Background(), "SELECT SLEEP()", nil, warehouse.Options{Step: "slow", Timeout: 300 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exec error = %v, want context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "bigquery exec (step slow)") {
		t.Errorf("error %q does not name the action and step", err)
	}
	req := onlyJobInsert(t, f)
	cfg, _ := req.Body["configuration"].(map[string]any)
	if cfg["jobTimeoutMs"] != "300" {
		t.Errorf("configuration.jobTimeoutMs = %v, want \"300\"", cfg["jobTimeoutMs"])
	}
	if got := f.Recorded("/cancel"); len(got) != 1 {
		t.Errorf("sent %d jobs.cancel requests, want 1", len(got))
	}
}

func TestReplaceTable(t *testing.T) {
	t.Parallel()
	f := bigquerytest.New(t)
	f.SetResult(func(bigquerytest.Job) bigquerytest.Result { return bigquerytest.Result{OutputRows: 3} })
	w := newWarehouse(t, f, bigquery.Config{})
	schema := []warehouse.Column{
		{Name: "code", Type: "STRING", Mode: "REQUIRED", Description: "Saramin location code"},
		{Name: "name", Type: "STRING", Description: "Korean name"},
		{Name: "depth", Type: "INT64", Mode: "NULLABLE", Description: "1 = province"},
		{Name: "active", Type: "bool"},
	}
	rows := [][]string{
		{"101000", "서울", "1", "true"},
		{"101010", "강남구, 서울", "2", ""},
		{"109000", "say \"hi\"\nbye", "", "false"},
	}
	stats, err := w.ReplaceTable(context.Background(), warehouse.Table{Dataset: "meta", Name: "locations"}, schema, rows,
		warehouse.Options{Step: "seed.meta", RunID: "r1"})
	if err != nil {
		t.Fatalf("ReplaceTable: %v", err)
	}
	req := onlyJobInsert(t, f)
	if req.Path != "/upload/bigquery/v2/projects/proj/jobs" {
		t.Errorf("load went to %s, want the upload endpoint", req.Path)
	}
	wantConfig := jsonMap(t, `{
		"load": {
			"sourceFormat": "CSV",
			"skipLeadingRows": 1,
			"allowQuotedNewlines": true,
			"writeDisposition": "WRITE_TRUNCATE",
			"createDisposition": "CREATE_IF_NEEDED",
			"destinationTable": {"projectId": "proj", "datasetId": "jobpulse_meta", "tableId": "locations"},
			"schema": {"fields": [
				{"name": "code", "type": "STRING", "mode": "REQUIRED", "description": "Saramin location code"},
				{"name": "name", "type": "STRING", "description": "Korean name"},
				{"name": "depth", "type": "INTEGER", "description": "1 = province"},
				{"name": "active", "type": "BOOLEAN"}
			]}
		},
		"labels": {"app": "jobpulse", "step": "seed_meta", "run_id": "r1"}
	}`)
	if diff := cmp.Diff(wantConfig, req.Body["configuration"]); diff != "" {
		t.Errorf("load configuration mismatch (-want +got):\n%s", diff)
	}
	checkJobReference(t, req, "jobpulse_seed_meta", "asia-northeast3")
	wantCSV := "code,name,depth,active\n" +
		"101000,서울,1,true\n" +
		"101010,\"강남구, 서울\",2,\n" +
		"109000,\"say \"\"hi\"\"\nbye\",,false\n"
	if diff := cmp.Diff(wantCSV, req.Media); diff != "" {
		t.Errorf("uploaded CSV mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(stats.JobID, "jobpulse_seed_meta-") || stats.RowsAffected != 3 {
		t.Errorf("stats = %+v, want the job id and 3 rows", stats)
	}
}

func TestReplaceTable_rejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		schema []warehouse.Column
		rows   [][]string
		want   []string
	}{
		{
			name:   "repeated_column",
			schema: []warehouse.Column{{Name: "tags", Type: "STRING", Mode: "REPEATED"}},
			want:   []string{"column tags: REPEATED is not allowed"},
		},
		{
			name: "every_schema_problem",
			schema: []warehouse.Column{
				{Name: "a", Type: "VARCHAR"},
				{Name: "A", Type: "STRING", Mode: "OPTIONAL"},
				{Type: "STRING"},
			},
			want: []string{`column a: type "VARCHAR"`, "column A appears twice", `column A: mode "OPTIONAL"`, "column 3 has no name"},
		},
		{
			name: "no_columns",
			want: []string{"schema has no columns"},
		},
		{
			name:   "row_width",
			schema: []warehouse.Column{{Name: "a", Type: "STRING"}, {Name: "b", Type: "INT64"}},
			rows:   [][]string{{"x", "1"}, {"y"}, {"z", "3", "extra"}},
			want:   []string{"row 2 has 1 cells, the schema 2 columns", "row 3 has 3 cells"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			w := newWarehouse(t, f, bigquery.Config{})
			_, err := w.ReplaceTable(context.Background(), warehouse.Table{Dataset: "meta", Name: "t"}, tt.schema, tt.rows, warehouse.Options{})
			if err == nil {
				t.Fatal("ReplaceTable accepted a bad seed")
			}
			for _, want := range append(tt.want, "bigquery load meta.t") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if got := f.Recorded(""); len(got) != 0 {
				t.Errorf("sent %d requests for a bad seed", len(got))
			}
		})
	}
}

func TestEnsureDatasets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing map[string]string // dataset → location
		wantErr  string
	}{
		{name: "all_missing"},
		{name: "some_exist", existing: map[string]string{"jp_meta": "asia-northeast3", "jp_core": "ASIA-NORTHEAST3"}},
		{name: "exists_elsewhere", existing: map[string]string{"jp_core": "US"}, wantErr: "dataset proj.jp_core exists in US, not asia-northeast3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			for ds, loc := range tt.existing {
				f.AddDataset(ds, loc)
			}
			w := newWarehouse(t, f, bigquery.Config{DatasetPrefix: "jp_"})
			err := w.EnsureDatasets(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("EnsureDatasets: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("EnsureDatasets error = %v, want one mentioning %q", err, tt.wantErr)
			}
			var got []any
			for _, r := range f.Recorded("POST /bigquery/v2/projects/proj/datasets") {
				got = append(got, r.Body)
			}
			var want []any
			for _, layer := range []string{"meta", "staging", "external", "core"} {
				want = append(want, jsonMap(t, `{
					"datasetReference": {"datasetId": "jp_`+layer+`"},
					"location": "asia-northeast3",
					"labels": {"app": "jobpulse"}
				}`))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("datasets.insert bodies mismatch (-want +got):\n%s", diff)
			}
			if got := len(f.Recorded("GET /bigquery/v2/projects/proj/datasets/")); got != len(tt.existing) {
				t.Errorf("read %d existing datasets, want %d", got, len(tt.existing))
			}
		})
	}
}

func TestExternalURIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         bigquery.Config
		lakePrefix  string
		wantPattern string
		wantHive    string
		wantErr     string
	}{
		{
			name:        "bucket_and_prefix",
			cfg:         bigquery.Config{LakeBucket: "jobpulse-lake", LakePrefix: "prod"},
			lakePrefix:  "clean/saramin_postings",
			wantPattern: "gs://jobpulse-lake/prod/clean/saramin_postings/*.ndjson",
			wantHive:    "gs://jobpulse-lake/prod/clean/saramin_postings",
		},
		{
			name:        "no_lake_prefix",
			cfg:         bigquery.Config{LakeBucket: "jobpulse-lake"},
			lakePrefix:  "clean/saramin_postings",
			wantPattern: "gs://jobpulse-lake/clean/saramin_postings/*.ndjson",
			wantHive:    "gs://jobpulse-lake/clean/saramin_postings",
		},
		{
			name:        "stray_slashes",
			cfg:         bigquery.Config{LakeBucket: "jobpulse-lake", LakePrefix: "/prod/"},
			lakePrefix:  "/clean/google_trend/",
			wantPattern: "gs://jobpulse-lake/prod/clean/google_trend/*.ndjson",
			wantHive:    "gs://jobpulse-lake/prod/clean/google_trend",
		},
		{
			name:       "no_bucket",
			lakePrefix: "clean/saramin_postings",
			wantErr:    "set JOBPULSE_LAKE=gs://",
		},
		{
			name:    "empty_lake_prefix",
			cfg:     bigquery.Config{LakeBucket: "jobpulse-lake"},
			wantErr: "lake prefix is empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := bigquerytest.New(t)
			w := newWarehouse(t, f, tt.cfg)
			pattern, hive, err := w.ExternalURIs(tt.lakePrefix)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ExternalURIs error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ExternalURIs: %v", err)
			}
			if diff := cmp.Diff([]string{tt.wantPattern, tt.wantHive}, []string{pattern, hive}); diff != "" {
				t.Errorf("URIs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
