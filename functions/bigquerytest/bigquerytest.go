// Package bigquerytest is a fake of the BigQuery v2 REST API for the functions' tests.
// It speaks enough of jobs.insert (plain and multipart upload), jobs.get,
// jobs.getQueryResults and datasets for the Go client, answers the pipeline's queries
// in their shapes (checks pass, counts are numbers), keeps meta.pipeline_runs rows the
// ledger inserts so a later status query sees them, and fails jobs on request.
package bigquerytest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"
)

// Job is one job the fake received.
type Job struct {
	ID    string
	Step  string // the "step" label
	RunID string // the "run_id" label
	SQL   string // empty for loads
	// Params are the scalar query parameters' values as the REST API encodes them.
	Params map[string]string
	Load   bool
}

// Server is a running fake.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	jobs       []Job
	results    map[string]result // job id → result
	datasets   map[string]map[string]any
	runs       map[string]string // pipeline_runs: run_id → status
	failSteps  map[string]string // step → job error reason
	violations map[string]int64  // check name → violating rows
	counts     []int64
	nextID     int
}

type result struct {
	schema []map[string]any
	rows   [][]any
	reason string // non-empty: the job failed
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, results: map[string]result{}, datasets: map[string]map[string]any{},
		runs: map[string]string{}, failSteps: map[string]string{}, violations: map[string]int64{},
		counts: []int64{3, 3, 0, 0, 3, 3}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/jobs", s.insertJob)
	mux.HandleFunc("POST /upload/bigquery/v2/projects/{project}/jobs", s.insertJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/jobs/{job}", s.getJob)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/queries/{job}", s.getQueryResults)
	mux.HandleFunc("POST /bigquery/v2/projects/{project}/datasets", s.insertDataset)
	mux.HandleFunc("GET /bigquery/v2/projects/{project}/datasets/{dataset}", s.getDataset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
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

// FailStep makes every later job labelled step fail with a BigQuery error reason such
// as backendError (transient) or invalidQuery (permanent).
func (s *Server) FailStep(step, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failSteps[step] = reason
}

// Heal clears every FailStep: the outage is over.
func (s *Server) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.failSteps)
}

// FailCheck makes the check find n violating rows (a rows check) or n rows that are
// not ok (an assert check).
func (s *Server) FailCheck(name string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations[strings.ToLower(name)] = n
}

// Jobs returns the jobs so far whose step label starts with stepPrefix.
func (s *Server) Jobs(stepPrefix string) []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Job
	for _, j := range s.jobs {
		if strings.HasPrefix(j.Step, stepPrefix) {
			out = append(out, j)
		}
	}
	return out
}

// RunStatus is the status of the run's meta.pipeline_runs row, false when none.
func (s *Server) RunStatus(runID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.runs[runID]
	return st, ok
}

var (
	insertRuns = regexp.MustCompile("^INSERT INTO `[^`]*\\.pipeline_runs`")
	deleteRuns = regexp.MustCompile("^DELETE FROM `[^`]*\\.pipeline_runs`")
	statusRuns = regexp.MustCompile("^SELECT status FROM `[^`]*\\.pipeline_runs`")
)

func (s *Server) insertJob(w http.ResponseWriter, r *http.Request) {
	body, err := readJobRequest(r)
	if err != nil {
		s.t.Errorf("fake BigQuery: %s %s: %v", r.Method, r.URL, err)
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	cfg, _ := body["configuration"].(map[string]any)
	ref, _ := body["jobReference"].(map[string]any)
	labels, _ := cfg["labels"].(map[string]any)
	job := Job{Params: map[string]string{}}
	job.ID, _ = ref["jobId"].(string)
	job.Step, _ = labels["step"].(string)
	job.RunID, _ = labels["run_id"].(string)
	if q, ok := cfg["query"].(map[string]any); ok {
		job.SQL, _ = q["query"].(string)
		params, _ := q["queryParameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			name, _ := pm["name"].(string)
			val, _ := pm["parameterValue"].(map[string]any)
			if v, ok := val["value"].(string); ok {
				job.Params[name] = v
			}
		}
	} else {
		job.Load = true
	}

	s.mu.Lock()
	if job.ID == "" {
		s.nextID++
		job.ID = "fake-" + strconv.Itoa(s.nextID)
	}
	res := s.answer(job)
	s.jobs = append(s.jobs, job)
	s.results[job.ID] = res
	s.mu.Unlock()
	writeJSON(w, jobResource(r.PathValue("project"), ref, cfg, job, res))
}

// answer decides a job's result; s.mu is held.
func (s *Server) answer(j Job) result {
	if reason, ok := s.failSteps[j.Step]; ok {
		return result{reason: reason}
	}
	sql := strings.TrimSpace(j.SQL)
	check := strings.TrimPrefix(j.Step, "check_")
	switch {
	case j.Load:
		return result{}
	case insertRuns.MatchString(sql):
		s.runs[j.Params["run_id"]] = j.Params["status"]
	case deleteRuns.MatchString(sql):
		delete(s.runs, j.Params["run_id"])
	case statusRuns.MatchString(sql):
		res := result{schema: []map[string]any{field("status", "STRING")}}
		if st, ok := s.runs[j.Params["run_id"]]; ok {
			res.rows = [][]any{{st}}
		}
		return res
	case strings.HasPrefix(sql, "SELECT COUNT(*) AS violations FROM ("):
		return result{schema: []map[string]any{field("violations", "INTEGER")}, rows: [][]any{{strconv.FormatInt(s.violations[check], 10)}}}
	case strings.HasPrefix(j.Step, "check_") && strings.HasPrefix(sql, "SELECT * FROM ("):
		// The sample of a failing rows check.
		return result{schema: []map[string]any{field("posting_id", "STRING")}, rows: [][]any{{"sample-1"}}}
	case strings.HasPrefix(j.Step, "check_"):
		// An assert check: every row must have ok = true.
		ok := "true"
		if s.violations[check] > 0 {
			ok = "false"
		}
		return result{schema: []map[string]any{field("ok", "BOOLEAN")}, rows: [][]any{{ok}}}
	case j.Step == "run_counts":
		var schema []map[string]any
		row := make([]any, len(s.counts))
		for i, n := range s.counts {
			schema = append(schema, field(fmt.Sprintf("n%d", i), "INTEGER"))
			row[i] = strconv.FormatInt(n, 10)
		}
		return result{schema: schema, rows: [][]any{row}}
	case j.Step == "external_rows":
		return result{schema: []map[string]any{field("n", "INTEGER")}, rows: [][]any{{strconv.FormatInt(s.counts[4], 10)}}}
	case j.Step == "top_skills":
		return result{schema: []map[string]any{field("skill", "STRING"), field("postings", "INTEGER")},
			rows: [][]any{{"go", "2"}, {"sql", "1"}}}
	}
	return result{}
}

func field(name, typ string) map[string]any { return map[string]any{"name": name, "type": typ} }

// readJobRequest decodes a jobs.insert body, plain JSON or multipart/related.
func readJobRequest(r *http.Request) (map[string]any, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if mediaType != "multipart/related" {
		err := json.NewDecoder(r.Body).Decode(&body)
		return body, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	meta, err := mr.NextPart()
	if err != nil {
		return nil, err
	}
	if err := json.NewDecoder(meta).Decode(&body); err != nil {
		return nil, err
	}
	part, err := mr.NextPart()
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, part)
	return body, err
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var job *Job
	for i := range s.jobs {
		if s.jobs[i].ID == r.PathValue("job") {
			job = &s.jobs[i]
		}
	}
	res := s.results[r.PathValue("job")]
	s.mu.Unlock()
	if job == nil {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Job "+r.PathValue("job"))
		return
	}
	cfg := map[string]any{"query": map[string]any{"query": job.SQL}}
	if job.Load {
		cfg = map[string]any{"load": map[string]any{}}
	}
	writeJSON(w, jobResource(r.PathValue("project"), map[string]any{"jobId": job.ID}, cfg, *job, res))
}

func (s *Server) getQueryResults(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	res, ok := s.results[r.PathValue("job")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", "Not found: Job "+r.PathValue("job"))
		return
	}
	if res.reason != "" {
		// Not the job's own reason: the client would retry backendError forever here.
		// It then reads the reason from the job's status, as with BigQuery.
		writeError(w, http.StatusBadRequest, "invalid", "the job failed")
		return
	}
	resp := map[string]any{
		"kind":         "bigquery#getQueryResultsResponse",
		"jobReference": map[string]any{"projectId": r.PathValue("project"), "jobId": r.PathValue("job")},
		"jobComplete":  true,
		"schema":       map[string]any{"fields": res.schema},
		"totalRows":    strconv.Itoa(len(res.rows)),
	}
	if r.URL.Query().Get("maxResults") != "0" && len(res.rows) > 0 {
		var rows []any
		for _, row := range res.rows {
			cells := make([]any, len(row))
			for i, c := range row {
				cells[i] = map[string]any{"v": c}
			}
			rows = append(rows, map[string]any{"f": cells})
		}
		resp["rows"] = rows
	}
	writeJSON(w, resp)
}

// jobResource renders a finished job.
func jobResource(project string, ref, cfg map[string]any, j Job, res result) map[string]any {
	location, _ := ref["location"].(string)
	status := map[string]any{"state": "DONE"}
	if res.reason != "" {
		er := map[string]any{"reason": res.reason, "message": "fake failure of step " + j.Step}
		status["errorResult"] = er
		status["errors"] = []any{er}
	}
	stats := map[string]any{"creationTime": "1763690400000", "startTime": "1763690400500", "endTime": "1763690402000"}
	if j.Load {
		stats["load"] = map[string]any{"outputRows": "0"}
	} else {
		q := map[string]any{"totalBytesProcessed": "1024", "statementType": "SELECT"}
		if res.schema != nil {
			q["schema"] = map[string]any{"fields": res.schema}
		}
		stats["totalBytesProcessed"] = "1024"
		stats["query"] = q
	}
	return map[string]any{
		"kind":          "bigquery#job",
		"id":            project + ":" + location + "." + j.ID,
		"jobReference":  map[string]any{"projectId": project, "jobId": j.ID, "location": location},
		"configuration": cfg,
		"status":        status,
		"statistics":    stats,
	}
}

func (s *Server) insertDataset(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.t.Errorf("fake BigQuery: datasets.insert: %v", err)
	}
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
		"code": code, "message": msg,
		"errors": []any{map[string]any{"reason": reason, "message": msg, "domain": "global"}},
	}})
}
