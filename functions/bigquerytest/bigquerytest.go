// Package bigquerytest fakes BigQuery for the functions' tests. It builds on the
// protocol fake internal/warehouse/bigquery/bigquerytest and decides each job's result
// as the pipeline expects: it answers the pipeline's queries in their shapes (checks
// pass, counts are numbers), keeps meta.pipeline_runs rows the ledger inserts so a later
// status query sees them, and fails jobs on request.
package bigquerytest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"

	fake "github.com/jobpulse/jobpulse/internal/warehouse/bigquery/bigquerytest"
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
	bq *fake.Server

	mu         sync.Mutex
	jobs       []Job
	runs       map[string]string // pipeline_runs: run_id → status
	failSteps  map[string]string // step → job error reason
	violations map[string]int64  // check name → violating rows
	counts     []int64
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{bq: fake.New(t), runs: map[string]string{}, failSteps: map[string]string{},
		violations: map[string]int64{}, counts: []int64{3, 3, 0, 0, 3, 3}}
	s.bq.SetResult(s.result)
	return s
}

// ClientOptions point a BigQuery client at the fake.
func (s *Server) ClientOptions() []option.ClientOption { return s.bq.ClientOptions() }

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

// result records a job and decides how it ends.
func (s *Server) result(fj fake.Job) fake.Result {
	labels := fj.Labels()
	j := Job{ID: fj.ID, Step: labels["step"], RunID: labels["run_id"], SQL: fj.SQL(), Params: fj.Params(), Load: fj.Load()}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.answer(j)
	s.jobs = append(s.jobs, j)
	// The statistics the pipeline logs: every query reads 1 KiB.
	res.BytesProcessed = 1024
	return res
}

// answer decides a job's result; s.mu is held.
func (s *Server) answer(j Job) fake.Result {
	if reason, ok := s.failSteps[j.Step]; ok {
		// Failed at once, as the insert answers. Generic: were the client to wait, it
		// would retry a backendError from getQueryResults forever; it then reads the
		// reason from the job's status instead, as the warehouse does with BigQuery.
		return fake.Result{FailOnInsert: true, Err: &fake.Error{Reason: reason, Message: "fake failure of step " + j.Step, Generic: true}}
	}
	sql := strings.TrimSpace(j.SQL)
	check := strings.TrimPrefix(j.Step, "check_")
	switch {
	case j.Load:
		return fake.Result{}
	case insertRuns.MatchString(sql):
		s.runs[j.Params["run_id"]] = j.Params["status"]
	case deleteRuns.MatchString(sql):
		delete(s.runs, j.Params["run_id"])
	case statusRuns.MatchString(sql):
		res := fake.Result{Schema: []map[string]any{field("status", "STRING")}}
		if st, ok := s.runs[j.Params["run_id"]]; ok {
			res.Rows = [][]any{{st}}
		}
		return res
	case strings.HasPrefix(sql, "SELECT COUNT(*) AS violations FROM ("):
		return fake.Result{Schema: []map[string]any{field("violations", "INTEGER")}, Rows: [][]any{{strconv.FormatInt(s.violations[check], 10)}}}
	case strings.HasPrefix(j.Step, "check_") && strings.HasPrefix(sql, "SELECT * FROM ("):
		// The sample of a failing rows check.
		return fake.Result{Schema: []map[string]any{field("posting_id", "STRING")}, Rows: [][]any{{"sample-1"}}}
	case strings.HasPrefix(j.Step, "check_"):
		// An assert check: every row must have ok = true.
		ok := "true"
		if s.violations[check] > 0 {
			ok = "false"
		}
		return fake.Result{Schema: []map[string]any{field("ok", "BOOLEAN")}, Rows: [][]any{{ok}}}
	case j.Step == "run_counts":
		var schema []map[string]any
		row := make([]any, len(s.counts))
		for i, n := range s.counts {
			schema = append(schema, field(fmt.Sprintf("n%d", i), "INTEGER"))
			row[i] = strconv.FormatInt(n, 10)
		}
		return fake.Result{Schema: schema, Rows: [][]any{row}}
	case j.Step == "external_rows":
		return fake.Result{Schema: []map[string]any{field("n", "INTEGER")}, Rows: [][]any{{strconv.FormatInt(s.counts[4], 10)}}}
	case j.Step == "top_skills":
		return fake.Result{Schema: []map[string]any{field("skill", "STRING"), field("postings", "INTEGER")},
			Rows: [][]any{{"go", "2"}, {"sql", "1"}}}
	}
	return fake.Result{}
}

func field(name, typ string) map[string]any { return map[string]any{"name": name, "type": typ} }
