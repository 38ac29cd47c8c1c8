package bigquery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"

	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// fakeBQ speaks enough of the BigQuery v2 REST API for the Go client: jobs.insert
// (plain and multipart upload), jobs.get, jobs.cancel, jobs.getQueryResults,
// datasets.insert and datasets.get. It records every request.
type fakeBQ struct {
	t   *testing.T
	srv *httptest.Server

	// result decides how a query or load job ends; nil means success with no rows.
	result func(job map[string]any) fakeResult
	// pageSize splits query results into pages of this many rows (0: one page).
	pageSize int

	mu       sync.Mutex
	requests []fakeRequest
	jobs     map[string]*fakeJob
	datasets map[string]map[string]any
}

// fakeRequest is one recorded request: its JSON body decoded, and for an upload the
// media part.
type fakeRequest struct {
	Method string
	Path   string
	Query  url.Values
	Body   map[string]any
	Media  string
}

// fakeResult is how a job ends. Schema fields and Rows cells use the REST encoding.
type fakeResult struct {
	Schema          []map[string]any
	Rows            [][]any
	BytesProcessed  int64
	DMLAffectedRows int64
	OutputRows      int64
	// Err fails the job: on insert if FailOnInsert, else once it is waited for.
	Err          *fakeError
	FailOnInsert bool
	// Pending keeps the job running forever.
	Pending bool
}

type fakeError struct{ Reason, Message, Location string }

type fakeJob struct {
	project, id string
	location    string
	config      map[string]any
	result      fakeResult
	cancelled   bool
}

func newFakeBQ(t *testing.T) *fakeBQ {
	t.Helper()
	f := &fakeBQ{t: t, jobs: map[string]*fakeJob{}, datasets: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/jobs", f.insertJob)
	mux.HandleFunc("POST /upload/bigquery/v2/projects/{project}/jobs", f.insertJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/jobs/{job}", f.getJob)
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/jobs/{job}/cancel", f.cancelJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/queries/{job}", f.getQueryResults)
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/datasets", f.insertDataset)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/datasets/{dataset}", f.getDataset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil, "")
		t.Errorf("fake BigQuery: unexpected %s %s", r.Method, r.URL)
		writeError(w, http.StatusNotImplemented, "notImplemented", "not implemented by the fake")
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// options point a client at the fake.
func (f *fakeBQ) options() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(f.srv.URL + "/bigquery/v2/"),
		option.WithoutAuthentication(),
		option.WithHTTPClient(f.srv.Client()),
	}
}

// newWarehouse connects a warehouse for project "proj" to the fake.
func (f *fakeBQ) newWarehouse(cfg bigquery.Config) *bigquery.Warehouse {
	f.t.Helper()
	if cfg.Project == "" {
		cfg.Project = "proj"
	}
	w, err := bigquery.New(context.Background(), cfg, f.options()...)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	f.t.Cleanup(func() { _ = w.Close() })
	return w
}

// recorded returns the requests so far, optionally only those whose "METHOD path"
// contains match.
func (f *fakeBQ) recorded(match string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if strings.Contains(r.Method+" "+r.Path, match) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeBQ) record(r *http.Request, body map[string]any, media string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Media: media})
}

func (f *fakeBQ) insertJob(w http.ResponseWriter, r *http.Request) {
	body, media, err := readJobRequest(r)
	if err != nil {
		f.t.Errorf("fake BigQuery: %s %s: %v", r.Method, r.URL, err)
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	f.record(r, body, media)

	ref, _ := body["jobReference"].(map[string]any)
	config, _ := body["configuration"].(map[string]any)
	job := &fakeJob{project: r.PathValue("project"), config: config}
	if ref != nil {
		job.id, _ = ref["jobId"].(string)
		job.location, _ = ref["location"].(string)
	}
	if f.result != nil {
		job.result = f.result(body)
	}
	if dry, _ := config["dryRun"].(bool); dry {
		// BigQuery answers a dry run at once and keeps no job.
		writeJSON(w, f.jobResource(job, true))
		return
	}
	f.mu.Lock()
	f.jobs[job.id] = job
	f.mu.Unlock()
	done := job.result.FailOnInsert
	writeJSON(w, f.jobResource(job, done))
}

// readJobRequest decodes a jobs.insert body, plain JSON or multipart/related.
func readJobRequest(r *http.Request) (map[string]any, string, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", err
	}
	if mediaType != "multipart/related" {
		var body map[string]any
		err := json.NewDecoder(r.Body).Decode(&body)
		return body, "", err
	}
	if got := r.URL.Query().Get("uploadType"); got != "multipart" {
		return nil, "", fmt.Errorf("uploadType %q, want multipart", got)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	meta, err := mr.NextPart()
	if err != nil {
		return nil, "", err
	}
	var body map[string]any
	if err := json.NewDecoder(meta).Decode(&body); err != nil {
		return nil, "", err
	}
	part, err := mr.NextPart()
	if err != nil {
		return nil, "", err
	}
	media, err := io.ReadAll(part)
	return body, string(media), err
}

func (f *fakeBQ) job(w http.ResponseWriter, r *http.Request) *fakeJob {
	f.mu.Lock()
	job := f.jobs[r.PathValue("job")]
	f.mu.Unlock()
	if job == nil {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Job "+r.PathValue("project")+":"+r.PathValue("job"))
	}
	return job
}

func (f *fakeBQ) getJob(w http.ResponseWriter, r *http.Request) {
	f.record(r, nil, "")
	if job := f.job(w, r); job != nil {
		writeJSON(w, f.jobResource(job, !job.result.Pending))
	}
}

func (f *fakeBQ) cancelJob(w http.ResponseWriter, r *http.Request) {
	f.record(r, nil, "")
	job := f.job(w, r)
	if job == nil {
		return
	}
	f.mu.Lock()
	job.cancelled = true
	f.mu.Unlock()
	writeJSON(w, map[string]any{"kind": "bigquery#jobCancelResponse", "job": f.jobResource(job, false)})
}

func (f *fakeBQ) getQueryResults(w http.ResponseWriter, r *http.Request) {
	f.record(r, nil, "")
	job := f.job(w, r)
	if job == nil {
		return
	}
	res := job.result
	ref := map[string]any{"projectId": job.project, "jobId": job.id, "location": job.location}
	if res.Pending {
		writeJSON(w, map[string]any{"kind": "bigquery#getQueryResultsResponse", "jobReference": ref, "jobComplete": false})
		return
	}
	if e := res.Err; e != nil {
		// As BigQuery does: the failed query surfaces as an HTTP error here.
		writeError(w, http.StatusBadRequest, e.Reason, e.Message)
		return
	}
	start := 0
	if tok := r.URL.Query().Get("pageToken"); tok != "" {
		start, _ = strconv.Atoi(tok)
	} else if si := r.URL.Query().Get("startIndex"); si != "" {
		start, _ = strconv.Atoi(si)
	}
	end := len(res.Rows)
	if mr := r.URL.Query().Get("maxResults"); mr != "" {
		n, _ := strconv.Atoi(mr)
		end = min(start+n, end)
	}
	if f.pageSize > 0 {
		end = min(start+f.pageSize, end)
	}
	resp := map[string]any{
		"kind":         "bigquery#getQueryResultsResponse",
		"jobReference": ref,
		"jobComplete":  true,
		"schema":       map[string]any{"fields": res.Schema},
		"totalRows":    strconv.Itoa(len(res.Rows)),
	}
	var rows []any
	for _, row := range res.Rows[start:end] {
		cells := make([]any, len(row))
		for i, c := range row {
			cells[i] = map[string]any{"v": c}
		}
		rows = append(rows, map[string]any{"f": cells})
	}
	if rows != nil {
		resp["rows"] = rows
	}
	if end < len(res.Rows) {
		resp["pageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, resp)
}

// jobResource renders a job as jobs.insert and jobs.get return it.
func (f *fakeBQ) jobResource(job *fakeJob, done bool) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := job.result
	ref := map[string]any{"projectId": job.project, "location": job.location}
	dry, _ := job.config["dryRun"].(bool)
	if !dry {
		ref["jobId"] = job.id
	}
	status := map[string]any{"state": "RUNNING"}
	stats := map[string]any{"creationTime": "1763690400000"}
	if done {
		status["state"] = "DONE"
		stats["startTime"] = "1763690400500"
		stats["endTime"] = "1763690402000"
		if e := res.Err; e != nil {
			er := map[string]any{"reason": e.Reason, "message": e.Message, "location": e.Location}
			status["errorResult"] = er
			status["errors"] = []any{er}
		}
	}
	bytes := strconv.FormatInt(res.BytesProcessed, 10)
	if _, ok := job.config["load"]; ok {
		stats["load"] = map[string]any{"outputRows": strconv.FormatInt(res.OutputRows, 10), "inputFiles": "1"}
	} else {
		stats["totalBytesProcessed"] = bytes
		q := map[string]any{"totalBytesProcessed": bytes, "statementType": "SELECT"}
		if res.DMLAffectedRows > 0 {
			q["numDmlAffectedRows"] = strconv.FormatInt(res.DMLAffectedRows, 10)
			q["statementType"] = "UPDATE"
		}
		if res.Schema != nil {
			q["schema"] = map[string]any{"fields": res.Schema}
		}
		stats["query"] = q
	}
	return map[string]any{
		"kind":          "bigquery#job",
		"id":            job.project + ":" + job.location + "." + job.id,
		"jobReference":  ref,
		"configuration": job.config,
		"status":        status,
		"statistics":    stats,
	}
}

func (f *fakeBQ) insertDataset(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("fake BigQuery: datasets.insert: %v", err)
	}
	f.record(r, body, "")
	ref, _ := body["datasetReference"].(map[string]any)
	id, _ := ref["datasetId"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.datasets[id]; ok {
		writeError(w, http.StatusConflict, "duplicate", "Already Exists: Dataset "+r.PathValue("project")+":"+id)
		return
	}
	f.datasets[id] = body
	writeJSON(w, body)
}

func (f *fakeBQ) getDataset(w http.ResponseWriter, r *http.Request) {
	f.record(r, nil, "")
	f.mu.Lock()
	ds, ok := f.datasets[r.PathValue("dataset")]
	f.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Dataset "+r.PathValue("project")+":"+r.PathValue("dataset"))
		return
	}
	writeJSON(w, ds)
}

// addDataset makes a dataset exist before the test runs.
func (f *fakeBQ) addDataset(id, location string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.datasets[id] = map[string]any{
		"datasetReference": map[string]any{"projectId": "proj", "datasetId": id},
		"location":         location,
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code":    code,
		"message": msg,
		"errors":  []any{map[string]any{"reason": reason, "message": msg, "domain": "global"}},
	}})
}
