package process_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/jobpulse/jobpulse/functions/collect"
	"github.com/jobpulse/jobpulse/functions/environ/environtest"
	"github.com/jobpulse/jobpulse/functions/process"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

const testKey = "SeCrEt-KEY-process-8c3e"

var now = time.Date(2026, 11, 17, 1, 0, 0, 0, time.UTC)

// harness is a lake with one committed run, collected by CollectSaramin from the fake
// API, and a Slack webhook.
type harness struct {
	f        *environtest.Fixture
	slack    *slacktest.Server
	runID    string
	manifest string // the manifest's name in the lake
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 11, From: now.Add(-2 * 24 * time.Hour), To: now, PerDay: 30})
	if err != nil {
		t.Fatal(err)
	}
	api := saramintest.NewServer(saramintest.Options{Keys: []string{testKey}, Now: func() time.Time { return now }}, ps...)
	t.Cleanup(api.Close)
	slack := slacktest.New(t)
	f := environtest.New(t, now, map[string]string{
		"SARAMIN_ACCESS_KEY": testKey, "SARAMIN_API_URL": api.URL, "SLACK_WEBHOOK_URL": slack.URL,
	})
	rec := httptest.NewRecorder()
	collect.NewSaramin(f.Env).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	var res collect.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != http.StatusOK || res.Outcome != lake.OutcomeSuccess {
		t.Fatalf("collect: %d %s (%v)", rec.Code, rec.Body, err)
	}
	return &harness{f: f, slack: slack, runID: res.RunID, manifest: lake.RawManifest(pipeline.SourceSaramin, now.Format("2006-01-02"), res.RunID)}
}

// finalized is the event Eventarc delivers when an object lands in the bucket.
func finalized(t *testing.T, id, bucket, name string) event.Event {
	t.Helper()
	e := event.New()
	e.SetID(id)
	e.SetSource("//storage.googleapis.com/projects/_/buckets/" + bucket)
	e.SetType(process.FinalizedType)
	e.SetSubject("objects/" + name)
	e.SetTime(now)
	data := map[string]any{
		"kind": "storage#object", "bucket": bucket, "name": name, "size": "2048",
		"generation": "1763341200123456", "metageneration": "1", "contentType": "application/json",
		"timeCreated": now.Format(time.RFC3339Nano), "updated": now.Format(time.RFC3339Nano),
	}
	if err := e.SetData(event.ApplicationJSON, data); err != nil {
		t.Fatal(err)
	}
	return e
}

// manifestEvent announces the harness's manifest.
func (h *harness) manifestEvent(t *testing.T, id string) event.Event {
	return finalized(t, id, laketest.Bucket, laketest.Prefix+"/"+h.manifest)
}

func (h *harness) process(t *testing.T, e event.Event) error {
	t.Helper()
	return process.New(h.f.Env).ProcessRun(context.Background(), e)
}

// noSecrets fails if a secret reached the output or a Slack message.
func (h *harness) noSecrets(t *testing.T) {
	t.Helper()
	for _, secret := range []string{testKey, slacktest.Token} {
		if strings.Contains(h.f.Stdout.String(), secret) {
			t.Errorf("a secret is in the output:\n%s", h.f.Stdout)
		}
		for _, p := range h.slack.Received() {
			if strings.Contains(string(p.Raw), secret) {
				t.Errorf("a secret is in a Slack message: %s", p.Raw)
			}
		}
	}
}

func TestProcessRun_ignores_what_is_not_a_raw_manifest(t *testing.T) {
	t.Parallel()
	page := lake.RawPage(pipeline.SourceSaramin, "2026-11-17", "20261117T010000Z-saramin-aaaaaa", 1)
	cleanManifest := lake.CleanManifest("saramin_postings", "2026-11-17", "20261117T010000Z-saramin-aaaaaa")
	rawManifest := lake.RawManifest(pipeline.SourceSaramin, "2026-11-17", "20261117T010000Z-saramin-aaaaaa")
	otherType := finalized(t, "e-type", laketest.Bucket, laketest.Prefix+"/"+rawManifest)
	otherType.SetType("google.cloud.storage.object.v1.deleted")
	notStorage := event.New()
	notStorage.SetID("e-data")
	notStorage.SetType(process.FinalizedType)
	_ = notStorage.SetData(event.ApplicationJSON, map[string]any{"bucket": laketest.Bucket, "size": "not a number"})
	tests := []struct {
		name  string
		event event.Event
		log   string
	}{
		{"raw_page", finalized(t, "e1", laketest.Bucket, laketest.Prefix+"/"+page), "ignored: not a run manifest"},
		{"outbox_object", finalized(t, "e2", laketest.Bucket, laketest.Prefix+"/outbox/20261117T010000.000000000Z-ab.json"), "ignored: not a run manifest"},
		{"clean_manifest", finalized(t, "e3", laketest.Bucket, laketest.Prefix+"/"+cleanManifest), "ignored: not a raw run manifest"},
		{"outside_the_lake_prefix", finalized(t, "e4", laketest.Bucket, rawManifest), "ignored: not a raw run manifest"},
		{"another_bucket", finalized(t, "e5", "someone-elses-bucket", laketest.Prefix+"/"+rawManifest), "ignored: not a raw run manifest"},
		{"source_without_processing", finalized(t, "e6", laketest.Bucket, laketest.Prefix+"/"+lake.RawManifest("linkedin", "2026-11-17", "20261117T010000Z-linkedin-bbbbbb")), "ignored: no processing for this source"},
		{"not_a_finalize_event", otherType, "ignored: not an object finalize event"},
		{"data_not_a_storage_object", notStorage, "dropped an event whose data is not a storage object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The warehouse is not even configured: ignoring needs no configuration.
			f := environtest.New(t, now, map[string]string{"JOBPULSE_WAREHOUSE": ""})
			if err := process.New(f.Env).ProcessRun(context.Background(), tc.event); err != nil {
				t.Fatalf("ProcessRun = %v, want nil", err)
			}
			if got := f.Stdout.Lines(`"execution_id":"`+tc.event.ID()+`"`, tc.log); len(got) != 1 {
				t.Errorf("want one log line %q with the event id, got:\n%s", tc.log, f.Stdout)
			}
			if f.OpenedLake != 0 || len(f.BQ.Jobs("")) != 0 {
				t.Errorf("an ignored event opened the lake %d times and ran %d jobs", f.OpenedLake, len(f.BQ.Jobs("")))
			}
		})
	}
}

func TestProcessRun_processes_a_run_once(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if err := h.process(t, h.manifestEvent(t, "delivery-1")); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if st, ok := h.f.BQ.RunStatus(h.runID); !ok || st != lake.OutcomeSuccess {
		t.Fatalf("ledger status %q (row %v), want success", st, ok)
	}
	builds := len(h.f.BQ.Jobs("build_"))
	if builds == 0 {
		t.Fatal("no model was built")
	}
	clean, err := h.f.Store.List(context.Background(), "clean/")
	if err != nil || len(clean) == 0 {
		t.Errorf("no clean NDJSON in the lake (%v)", err)
	}
	if got := h.f.Stdout.Lines(`"severity":"INFO"`, `"message":"processed"`, `"execution_id":"delivery-1"`, `"run_id":"`+h.runID+`"`); len(got) != 1 {
		t.Errorf("want one INFO line 'processed' with the execution and run ids, got:\n%s", h.f.Stdout)
	}

	// At-least-once delivery: the same event again.
	if err := h.process(t, h.manifestEvent(t, "delivery-1")); err != nil {
		t.Fatalf("second delivery: %v", err)
	}
	if n := len(h.f.BQ.Jobs("build_")); n != builds {
		t.Errorf("the second delivery built %d more models", n-builds)
	}
	if got := h.f.Stdout.Lines(`"message":"run already processed; nothing to do"`, `"status":"success"`); len(got) != 1 {
		t.Errorf("want one line saying the run was processed already, got:\n%s", h.f.Stdout)
	}
	msgs := h.slack.Accepted()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message.Text, h.runID) {
		t.Fatalf("want one Slack message about %s, got %d", h.runID, len(msgs))
	}
	h.noSecrets(t)
}

func TestProcessRun_failed_check_is_permanent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.f.BQ.FailCheck("reconcile_raw_staging", 1) // an error-severity staging check
	if err := h.process(t, h.manifestEvent(t, "e-check")); err != nil {
		t.Fatalf("ProcessRun = %v, want nil: a failed check does not get better by retrying", err)
	}
	if st, _ := h.f.BQ.RunStatus(h.runID); st != pipeline.OutcomeFailed {
		t.Errorf("ledger status %q, want failed", st)
	}
	if n := len(h.f.BQ.Jobs("build_core_")); n != 0 {
		t.Errorf("promotion went on: %d core models built", n)
	}
	msgs := h.slack.Accepted()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message.Text, "reconcile_raw_staging") {
		t.Errorf("want one Slack message naming the check, got %d: %+v", len(msgs), msgs)
	}
	if got := h.f.Stdout.Lines(`"severity":"ERROR"`, "not retried", `"run_id":"`+h.runID+`"`); len(got) != 1 {
		t.Errorf("want one ERROR line saying the run is not retried, got:\n%s", h.f.Stdout)
	}
	h.noSecrets(t)
}

func TestProcessRun_malformed_manifest_is_permanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
	}{
		{"not_json", "{not json"},
		{"invalid", `{"source": "saramin", "run_id": "", "dt": "yesterday", "outcome": "great"}`},
		{"another_run", `{"source": "saramin", "run_id": "20261116T000000Z-saramin-cccccc", "dt": "2026-11-16",
			"started_at": "2026-11-16T00:00:00Z", "finished_at": "2026-11-16T00:01:00Z", "outcome": "success", "pages": []}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			slack := slacktest.New(t)
			f := environtest.New(t, now, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})
			runID := "20261117T010000Z-saramin-dddddd"
			name := lake.RawManifest(pipeline.SourceSaramin, "2026-11-17", runID)
			if _, err := f.Store.Put(context.Background(), name, []byte(tc.data), lake.IfAbsent()); err != nil {
				t.Fatal(err)
			}
			err := process.New(f.Env).ProcessRun(context.Background(), finalized(t, "e-bad", laketest.Bucket, laketest.Prefix+"/"+name))
			if err != nil {
				t.Fatalf("ProcessRun = %v, want nil: the same manifest will not parse better later", err)
			}
			if st, _ := f.BQ.RunStatus(runID); st != pipeline.OutcomeFailed {
				t.Errorf("ledger status %q, want failed", st)
			}
			if n := len(f.BQ.Jobs("build_")); n != 0 {
				t.Errorf("%d models built from a malformed manifest", n)
			}
			if msgs := slack.Accepted(); len(msgs) != 1 {
				t.Errorf("want one failure message, got %d", len(msgs))
			}
		})
	}
}

func TestProcessRun_transient_error_is_retried(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.f.BQ.FailStep("build_staging_saramin_postings", "backendError")
	err := h.process(t, h.manifestEvent(t, "e-outage"))
	if err == nil || !process.Retryable(err) {
		t.Fatalf("ProcessRun = %v, want a retryable error so Eventarc delivers again", err)
	}
	if st, _ := h.f.BQ.RunStatus(h.runID); st != pipeline.OutcomeFailed {
		t.Errorf("ledger status %q, want failed until the retry succeeds", st)
	}
	if n := len(h.slack.Received()); n != 0 {
		t.Errorf("%d Slack messages for a failure that is retried, want none", n)
	}
	if got := h.f.Stdout.Lines(`"severity":"ERROR"`, "the event is retried", `"execution_id":"e-outage"`); len(got) != 1 {
		t.Errorf("want one ERROR line saying the event is retried, got:\n%s", h.f.Stdout)
	}

	// The outage ends; Eventarc delivers the same event again.
	h.f.BQ.Heal()
	if err := h.process(t, h.manifestEvent(t, "e-outage")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if st, _ := h.f.BQ.RunStatus(h.runID); st != lake.OutcomeSuccess {
		t.Errorf("after the retry the ledger says %q, want success", st)
	}
	if msgs := h.slack.Accepted(); len(msgs) != 1 {
		t.Errorf("want one message once the run succeeded, got %d", len(msgs))
	}
	h.noSecrets(t)
}

func TestProcessRun_configuration_error_is_retried(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.f.Set("JOBPULSE_WAREHOUSE", "")
	h.f.Set("JOBPULSE_CHECK_TIMEOUT", "soon")
	err := h.process(t, h.manifestEvent(t, "e-config"))
	if err == nil {
		t.Fatal("ProcessRun = nil, want an error: the fix is a redeploy, and the retry then processes the run")
	}
	for _, want := range []string{"JOBPULSE_WAREHOUSE is not set", "JOBPULSE_CHECK_TIMEOUT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(h.f.BQ.Jobs("")) != 0 {
		t.Error("a misconfigured function ran BigQuery jobs")
	}
	h.noSecrets(t)
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline", context.DeadlineExceeded, true},
		{"not_found", lake.ErrNotExist, false},
		{"plain", strconv.ErrSyntax, false},
	}
	for _, tc := range tests {
		if got := process.Retryable(tc.err); got != tc.want {
			t.Errorf("%s: Retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
