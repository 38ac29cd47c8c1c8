package collect_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/functions/collect"
	"github.com/jobpulse/jobpulse/functions/environ/environtest"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

const testKey = "SeCrEt-KEY-functions-5d71"

// now is a Tuesday morning in KST.
var now = time.Date(2026, 11, 17, 1, 0, 0, 0, time.UTC)

// setup starts the Saramin fake with a week of postings and an environment pointing
// the function at it.
func setup(t *testing.T, vars map[string]string) (*environtest.Fixture, *saramintest.Server) {
	t.Helper()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 7, From: now.Add(-8 * 24 * time.Hour), To: now, PerDay: 40})
	if err != nil {
		t.Fatal(err)
	}
	api := saramintest.NewServer(saramintest.Options{Keys: []string{testKey}, Now: func() time.Time { return now }}, ps...)
	t.Cleanup(api.Close)
	env := map[string]string{"SARAMIN_ACCESS_KEY": testKey, "SARAMIN_API_URL": api.URL, "SARAMIN_MAX_ATTEMPTS": "1"}
	for k, v := range vars {
		env[k] = v
	}
	return environtest.New(t, now, env), api
}

func call(t *testing.T, f *environtest.Fixture, method string) (*httptest.ResponseRecorder, collect.Response) {
	t.Helper()
	return callFunction(t, collect.NewSaramin(f.Env), method)
}

// callFunction calls a collector as Cloud Scheduler does and decodes its answer.
func callFunction(t *testing.T, h http.Handler, method string) (*httptest.ResponseRecorder, collect.Response) {
	t.Helper()
	req := httptest.NewRequest(method, "/", nil)
	req.Header.Set("Function-Execution-Id", "exec-42")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body collect.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
	}
	return rec, body
}

// noSecrets fails if a secret (or one of extra) reached the logs, the answer or the
// lake.
func noSecrets(t *testing.T, f *environtest.Fixture, answer string, extra ...string) {
	t.Helper()
	secrets := append([]string{testKey, slacktest.Token}, extra...)
	for _, secret := range secrets {
		if strings.Contains(f.Stdout.String(), secret) {
			t.Errorf("a secret is in the output:\n%s", f.Stdout)
		}
		if strings.Contains(answer, secret) {
			t.Errorf("a secret is in the answer: %s", answer)
		}
	}
	names, err := f.Store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		obj, err := f.Store.Get(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if strings.Contains(string(obj.Data), secret) {
				t.Errorf("a secret is in the lake object %s", n)
			}
		}
	}
}

func TestCollectSaramin_writes_pages_and_manifest(t *testing.T) {
	t.Parallel()
	f, api := setup(t, nil)
	rec, body := call(t, f, http.MethodPost)

	if rec.Code != http.StatusOK || body.Outcome != lake.OutcomeSuccess {
		t.Fatalf("status %d outcome %q error %q, want 200 success", rec.Code, body.Outcome, body.Error)
	}
	want := api.Published(now.Add(-7*24*time.Hour), now, url.Values{"job_mid_cd": {"2"}}) // SARAMIN_QUERY's default
	if len(want) == 0 || body.Records != len(want) || body.Pages != (len(want)+109)/110 {
		t.Errorf("records %d pages %d, want %d records", body.Records, body.Pages, len(want))
	}
	dt := now.Format("2006-01-02")
	name := lake.RawManifest(pipeline.SourceSaramin, dt, body.RunID)
	if wantURL := "gs://" + laketest.Bucket + "/" + laketest.Prefix + "/" + name; body.Manifest != wantURL {
		t.Errorf("manifest %q, want %q", body.Manifest, wantURL)
	}
	m, err := lake.ReadManifest(context.Background(), f.Store, name)
	if err != nil {
		t.Fatalf("the manifest is not in the lake: %v", err)
	}
	if err := m.Verify(context.Background(), f.Store); err != nil {
		t.Errorf("the manifest's pages do not verify: %v", err)
	}
	if len(m.Pages) != body.Pages || m.Records != body.Records {
		t.Errorf("manifest has %d pages %d records, answer %d and %d", len(m.Pages), m.Records, body.Pages, body.Records)
	}
	if got := f.Stdout.Lines(`"severity":"INFO"`, `"execution_id":"exec-42"`, `"run_id":"`+body.RunID+`"`, `"message":"collected"`); len(got) != 1 {
		t.Errorf("want one INFO line 'collected' with the execution and run ids, got %d in:\n%s", len(got), f.Stdout)
	}
	if jobs := f.BQ.Jobs(""); len(jobs) != 0 {
		t.Errorf("a committed run is ProcessRun's to record; collect ran %d BigQuery jobs", len(jobs))
	}
	noSecrets(t, f, rec.Body.String())
}

func TestCollectSaramin_rejects_other_methods(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(strings.ToLower(method), func(t *testing.T) {
			t.Parallel()
			f, api := setup(t, nil)
			rec, body := call(t, f, method)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
				t.Errorf("status %d Allow %q, want 405 and POST", rec.Code, rec.Header().Get("Allow"))
			}
			if body.Outcome != collect.OutcomeRejected || body.RunID != "" {
				t.Errorf("body %+v, want a rejection without a run", body)
			}
			if n := len(api.Requests()); n != 0 || f.OpenedLake != 0 {
				t.Errorf("a rejected request called the API %d times and opened the lake %d times", n, f.OpenedLake)
			}
		})
	}
}

func TestCollectSaramin_configuration_errors(t *testing.T) {
	t.Parallel()
	f, api := setup(t, map[string]string{
		"SARAMIN_ACCESS_KEY":  "",
		"SARAMIN_DAILY_QUOTA": "lots",
		"JOBPULSE_LAKE":       "file:///tmp/lake",
		"SLACK_WEBHOOK_URL":   "hooks.example/" + slacktest.Token,
	})
	rec, body := call(t, f, http.MethodPost)
	if rec.Code != http.StatusInternalServerError || body.Outcome != collect.OutcomeMisconfigured {
		t.Fatalf("status %d outcome %q, want 500 misconfigured", rec.Code, body.Outcome)
	}
	// Every problem at once, each naming its variable.
	for _, want := range []string{"SARAMIN_ACCESS_KEY is not set", `SARAMIN_DAILY_QUOTA="lots"`, "JOBPULSE_LAKE", "SLACK_WEBHOOK_URL is not an http(s) URL"} {
		if !strings.Contains(body.Error, want) {
			t.Errorf("error %q does not mention %q", body.Error, want)
		}
	}
	if strings.Contains(body.Error, "\n") {
		t.Errorf("error %q spans lines", body.Error)
	}
	if got := f.Stdout.Lines(`"severity":"ERROR"`, `"execution_id":"exec-42"`, "invalid configuration"); len(got) != 1 {
		t.Errorf("want one ERROR line about the configuration, got:\n%s", f.Stdout)
	}
	if len(api.Requests()) != 0 || f.OpenedLake != 0 {
		t.Error("a misconfigured function called the API or opened the lake")
	}
	noSecrets(t, f, rec.Body.String())
}

func TestCollectSaramin_missing_key_is_an_error_without_secrets(t *testing.T) {
	t.Parallel()
	slack := slacktest.New(t)
	f, _ := setup(t, map[string]string{"SARAMIN_ACCESS_KEY": " ", "SLACK_WEBHOOK_URL": slack.URL})
	rec, body := call(t, f, http.MethodPost)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body.Error, "SARAMIN_ACCESS_KEY is not set") {
		t.Errorf("status %d error %q, want 500 naming SARAMIN_ACCESS_KEY", rec.Code, body.Error)
	}
	noSecrets(t, f, rec.Body.String())
}

func TestCollectSaramin_failure_is_recorded_and_announced(t *testing.T) {
	t.Parallel()
	slack := slacktest.New(t)
	f, api := setup(t, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})
	// The API fails and echoes the request URL, access key included.
	api.Inject(saramintest.Fault{Status: http.StatusInternalServerError, EchoURL: true})

	rec, body := call(t, f, http.MethodPost)
	if rec.Code != http.StatusInternalServerError || body.Outcome != pipeline.OutcomeFailed || body.RunID == "" || body.Error == "" {
		t.Fatalf("status %d body %+v, want 500 failed with a run id and a reason", rec.Code, body)
	}
	if body.Manifest != "" {
		t.Errorf("a failed run wrote a manifest: %s", body.Manifest)
	}
	if st, ok := f.BQ.RunStatus(body.RunID); !ok || st != pipeline.OutcomeFailed {
		t.Errorf("ledger status %q (row %v), want failed", st, ok)
	}
	posts := slack.Accepted()
	if len(posts) != 1 || !strings.Contains(posts[0].Message.Text, body.RunID) {
		t.Fatalf("want one Slack message about %s, got %d", body.RunID, len(posts))
	}
	if got := f.Stdout.Lines(`"severity":"ERROR"`, `"message":"collect failed"`, `"run_id":"`+body.RunID+`"`); len(got) != 1 {
		t.Errorf("want one ERROR line 'collect failed' with the run id, got:\n%s", f.Stdout)
	}
	for _, p := range posts {
		if strings.Contains(string(p.Raw), testKey) {
			t.Error("the access key is in the Slack message")
		}
	}
	noSecrets(t, f, rec.Body.String())
}

func TestCollectSaramin_quota_spent_before_the_run_is_quiet(t *testing.T) {
	t.Parallel()
	f, api := setup(t, map[string]string{"SARAMIN_DAILY_QUOTA": "1"})
	// The first run spends the day's only call; the second finds nothing left.
	if rec, body := call(t, f, http.MethodPost); rec.Code != http.StatusOK || body.Outcome != lake.OutcomeQuotaExhausted {
		t.Fatalf("first run: status %d outcome %q, want 200 quota_exhausted", rec.Code, body.Outcome)
	}
	before := len(api.Requests())
	rec, body := call(t, f, http.MethodPost)
	if rec.Code != http.StatusOK || body.Outcome != lake.OutcomeQuotaExhausted || body.Manifest != "" {
		t.Fatalf("second run: status %d body %+v, want 200 quota_exhausted without a manifest", rec.Code, body)
	}
	if len(api.Requests()) != before {
		t.Error("the second run called the API with no quota left")
	}
	if _, ok := f.BQ.RunStatus(body.RunID); ok {
		t.Error("a run that made no call was written to the ledger")
	}
}
