// Package bigquerytest is a fake of the BigQuery v2 REST API, an httptest server that
// the real cloud.google.com/go/bigquery client talks to. It speaks jobs.insert (plain
// JSON and multipart upload), jobs.get, jobs.cancel, jobs.getQueryResults (paged),
// datasets.insert and datasets.get, and records every request. It knows the protocol
// only: how each job ends is up to the test, through SetResult.
package bigquerytest

import (
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
)

// Server is a running fake.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	result   func(Job) Result
	pageSize int
	requests []Request
	jobs     map[string]*job
	datasets map[string]map[string]any
	nextID   int
}

// Request is one recorded request: its JSON body decoded, and for an upload the media
// part.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   map[string]any
	Media  string
}

// Job is a job the fake was asked to run, as the result hook sees it.
type Job struct {
	// ID is the client's job id, or "fake-N" when it sent none.
	ID string
	// Request is the jobs.insert request: Body is the job resource the client sent.
	Request
}

// Result is how a job ends. Schema fields and Rows cells use the REST encoding.
type Result struct {
	Schema          []map[string]any
	Rows            [][]any
	BytesProcessed  int64
	DMLAffectedRows int64
	// OutputRows is a load job's count of rows loaded.
	OutputRows int64
	// Err fails the job: on insert if FailOnInsert, else once it is waited for.
	Err          *Error
	FailOnInsert bool
	// Pending keeps the job running forever.
	Pending bool
}

// Error is a failed job's error result.
type Error struct {
	Reason, Message, Location string
	// Generic makes jobs.getQueryResults answer the failed query with reason "invalid"
	// and message "the job failed" rather than this error. BigQuery answers with the
	// job's own error, but the client retries getQueryResults on reasons such as
	// backendError, so a test of a transient failure would wait forever; with Generic
	// the client reads the real reason from the job's status instead.
	Generic bool
}

// job is a job the fake keeps: what the client sent, where, and how it ends.
type job struct {
	Job
	project  string
	location string
	result   Result
}

// New starts a fake, closed when the test ends. Until SetResult, every job succeeds
// with no rows.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, jobs: map[string]*job{}, datasets: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/jobs", s.insertJob)
	mux.HandleFunc("POST /upload/bigquery/v2/projects/{project}/jobs", s.insertJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/jobs/{job}", s.getJob)
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/jobs/{job}/cancel", s.cancelJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/queries/{job}", s.getQueryResults)
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/datasets", s.insertDataset)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/datasets/{dataset}", s.getDataset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, nil, "")
		t.Errorf("fake BigQuery: unexpected %s %s", r.Method, r.URL)
		writeError(w, http.StatusNotImplemented, "notImplemented", "not implemented by the fake")
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// ClientOptions point a BigQuery client at the fake.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.srv.URL + "/bigquery/v2/"),
		option.WithoutAuthentication(),
		option.WithHTTPClient(s.srv.Client()),
	}
}

// SetResult makes result decide how each later job ends, dry runs included. It is
// called once per jobs.insert, without the fake's lock held.
func (s *Server) SetResult(result func(Job) Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result = result
}

// SetPageSize splits query results into pages of at most n rows (0: one page), on top
// of the client's own maxResults.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Recorded returns the requests so far, optionally only those whose "METHOD path"
// contains match.
func (s *Server) Recorded(match string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if strings.Contains(r.Method+" "+r.Path, match) {
			out = append(out, r)
		}
	}
	return out
}

// AddDataset makes a dataset exist before the test runs.
func (s *Server) AddDataset(id, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datasets[id] = map[string]any{"datasetReference": map[string]any{"datasetId": id}, "location": location}
}

// Config is the job's configuration.
func (j Job) Config() map[string]any {
	cfg, _ := j.Body["configuration"].(map[string]any)
	return cfg
}

// Labels are the job's labels.
func (j Job) Labels() map[string]string {
	raw, _ := j.Config()["labels"].(map[string]any)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k], _ = v.(string)
	}
	return out
}

// SQL is a query job's statement; empty for other jobs.
func (j Job) SQL() string {
	q, _ := j.Config()["query"].(map[string]any)
	sql, _ := q["query"].(string)
	return sql
}

// Params are a query job's scalar parameters' values as the REST API encodes them
// ("10", "true"); arrays, structs and NULLs are left out. Never nil.
func (j Job) Params() map[string]string {
	out := map[string]string{}
	q, _ := j.Config()["query"].(map[string]any)
	params, _ := q["queryParameters"].([]any)
	for _, p := range params {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		val, _ := pm["parameterValue"].(map[string]any)
		if v, ok := val["value"].(string); ok {
			out[name] = v
		}
	}
	return out
}

// Load reports whether the job is a load, whose data is in Media.
func (j Job) Load() bool {
	_, ok := j.Config()["load"]
	return ok
}

// DryRun reports whether the job is a dry run, answered at once and not kept.
func (j Job) DryRun() bool {
	dry, _ := j.Config()["dryRun"].(bool)
	return dry
}

func (s *Server) record(r *http.Request, body map[string]any, media string) Request {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Media: media}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	return req
}

func (s *Server) insertJob(w http.ResponseWriter, r *http.Request) {
	body, media, err := readJobRequest(r)
	if err != nil {
		s.t.Errorf("fake BigQuery: %s %s: %v", r.Method, r.URL, err)
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	j := Job{Request: s.record(r, body, media)}
	ref, _ := body["jobReference"].(map[string]any)
	j.ID, _ = ref["jobId"].(string)
	location, _ := ref["location"].(string)

	s.mu.Lock()
	if j.ID == "" {
		s.nextID++
		j.ID = "fake-" + strconv.Itoa(s.nextID)
	}
	decide := s.result
	s.mu.Unlock()
	stored := &job{Job: j, project: r.PathValue("project"), location: location}
	if decide != nil {
		// Unlocked: the hook may keep state of its own or look at the requests.
		stored.result = decide(j)
	}
	if j.DryRun() {
		// BigQuery answers a dry run at once and keeps no job.
		writeJSON(w, jobResource(stored, true))
		return
	}
	s.mu.Lock()
	s.jobs[stored.ID] = stored
	s.mu.Unlock()
	writeJSON(w, jobResource(stored, stored.result.FailOnInsert))
}

// readJobRequest decodes a jobs.insert body, plain JSON or multipart/related.
func readJobRequest(r *http.Request) (map[string]any, string, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", fmt.Errorf("content type: %w", err)
	}
	var body map[string]any
	if mediaType != "multipart/related" {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, "", fmt.Errorf("job resource: %w", err)
		}
		return body, "", nil
	}
	if got := r.URL.Query().Get("uploadType"); got != "multipart" {
		return nil, "", fmt.Errorf("uploadType %q, want multipart", got)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	meta, err := mr.NextPart()
	if err != nil {
		return nil, "", fmt.Errorf("metadata part: %w", err)
	}
	if err := json.NewDecoder(meta).Decode(&body); err != nil {
		return nil, "", fmt.Errorf("job resource: %w", err)
	}
	part, err := mr.NextPart()
	if err != nil {
		return nil, "", fmt.Errorf("media part: %w", err)
	}
	media, err := io.ReadAll(part)
	if err != nil {
		return nil, "", fmt.Errorf("media part: %w", err)
	}
	return body, string(media), nil
}

// job returns the job the path names, or answers 404.
func (s *Server) job(w http.ResponseWriter, r *http.Request) *job {
	s.mu.Lock()
	j := s.jobs[r.PathValue("job")]
	s.mu.Unlock()
	if j == nil {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Job "+r.PathValue("project")+":"+r.PathValue("job"))
	}
	return j
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	s.record(r, nil, "")
	if j := s.job(w, r); j != nil {
		writeJSON(w, jobResource(j, !j.result.Pending))
	}
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	s.record(r, nil, "")
	if j := s.job(w, r); j != nil {
		writeJSON(w, map[string]any{"kind": "bigquery#jobCancelResponse", "job": jobResource(j, false)})
	}
}

func (s *Server) getQueryResults(w http.ResponseWriter, r *http.Request) {
	s.record(r, nil, "")
	j := s.job(w, r)
	if j == nil {
		return
	}
	res := j.result
	ref := map[string]any{"projectId": j.project, "jobId": j.ID, "location": j.location}
	if res.Pending {
		writeJSON(w, map[string]any{"kind": "bigquery#getQueryResultsResponse", "jobReference": ref, "jobComplete": false})
		return
	}
	if e := res.Err; e != nil {
		// As BigQuery does: the failed query surfaces as an HTTP error here.
		if e.Generic {
			writeError(w, http.StatusBadRequest, "invalid", "the job failed")
		} else {
			writeError(w, http.StatusBadRequest, e.Reason, e.Message)
		}
		return
	}
	start, end := s.page(r.URL.Query(), len(res.Rows))
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

// page picks the rows [start, end) of n that a getQueryResults call asks for. The page
// token is the index of the page's first row.
func (s *Server) page(q url.Values, n int) (start, end int) {
	if tok := q.Get("pageToken"); tok != "" {
		start, _ = strconv.Atoi(tok)
	} else if si := q.Get("startIndex"); si != "" {
		start, _ = strconv.Atoi(si)
	}
	start = min(start, n)
	end = n
	if mr := q.Get("maxResults"); mr != "" {
		m, _ := strconv.Atoi(mr)
		end = min(start+m, end)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pageSize > 0 {
		end = min(start+s.pageSize, end)
	}
	return start, end
}

// jobResource renders a job as jobs.insert and jobs.get return it.
func jobResource(j *job, done bool) map[string]any {
	res := j.result
	ref := map[string]any{"projectId": j.project, "location": j.location}
	if !j.DryRun() {
		ref["jobId"] = j.ID
	}
	status := map[string]any{"state": "RUNNING"}
	stats := map[string]any{"creationTime": "1763690400000"}
	if done {
		status["state"] = "DONE"
		stats["startTime"] = "1763690400500"
		stats["endTime"] = "1763690402000"
		if e := res.Err; e != nil {
			er := map[string]any{"reason": e.Reason, "message": e.Message}
			if e.Location != "" {
				er["location"] = e.Location
			}
			status["errorResult"] = er
			status["errors"] = []any{er}
		}
	}
	if j.Load() {
		stats["load"] = map[string]any{"outputRows": strconv.FormatInt(res.OutputRows, 10), "inputFiles": "1"}
	} else {
		bytes := strconv.FormatInt(res.BytesProcessed, 10)
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
		"id":            j.project + ":" + j.location + "." + j.ID,
		"jobReference":  ref,
		"configuration": j.Config(),
		"status":        status,
		"statistics":    stats,
	}
}

func (s *Server) insertDataset(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.t.Errorf("fake BigQuery: datasets.insert: %v", err)
	}
	s.record(r, body, "")
	ref, _ := body["datasetReference"].(map[string]any)
	id, _ := ref["datasetId"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.datasets[id]; ok {
		writeError(w, http.StatusConflict, "duplicate", "Already Exists: Dataset "+r.PathValue("project")+":"+id)
		return
	}
	s.datasets[id] = body
	writeJSON(w, body)
}

func (s *Server) getDataset(w http.ResponseWriter, r *http.Request) {
	s.record(r, nil, "")
	s.mu.Lock()
	ds, ok := s.datasets[r.PathValue("dataset")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Dataset "+r.PathValue("project")+":"+r.PathValue("dataset"))
		return
	}
	writeJSON(w, ds)
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
