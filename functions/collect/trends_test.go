package collect_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/functions/collect"
	"github.com/jobpulse/jobpulse/functions/environ/environtest"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

// setupTrends starts the Google Trends fake and an environment pointing CollectTrends
// at it: six keywords and the anchor, two batches of four terms, no pacing.
func setupTrends(t *testing.T, opts trendstest.Options, vars map[string]string) (*environtest.Fixture, *trendstest.Server) {
	t.Helper()
	opts.Seed, opts.Now = 5, func() time.Time { return now }
	api := trendstest.NewServer(opts)
	t.Cleanup(api.Close)
	env := map[string]string{
		"TRENDS_API_URL": api.URL(), "TRENDS_KEYWORDS": "Python, Kubernetes, Rust, Go, Kafka, Spark", "TRENDS_ANCHOR": "개발자",
		"TRENDS_BATCH_SIZE": "4", "TRENDS_SPACING": "0s", "TRENDS_MAX_ATTEMPTS": "1",
	}
	for k, v := range vars {
		env[k] = v
	}
	return environtest.New(t, now, env), api
}

func callTrends(t *testing.T, f *environtest.Fixture) (int, collect.Response, string) {
	t.Helper()
	rec, body := callFunction(t, collect.NewTrends(f.Env), http.MethodPost)
	return rec.Code, body, rec.Body.String()
}

func TestCollectTrends_writes_a_pass_then_is_not_due(t *testing.T) {
	t.Parallel()
	slack := slacktest.New(t)
	// No Saramin key: the Trends collector does not need one.
	f, api := setupTrends(t, trendstest.Options{}, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})

	code, body, answer := callTrends(t, f)
	if code != http.StatusOK || body.Outcome != lake.OutcomeSuccess {
		t.Fatalf("status %d outcome %q error %q, want 200 success", code, body.Outcome, body.Error)
	}
	name := lake.RawManifest(pipeline.SourceTrends, now.Format("2006-01-02"), body.RunID)
	m, err := lake.ReadManifest(context.Background(), f.Store, name)
	if err != nil {
		t.Fatalf("the manifest is not in the lake: %v", err)
	}
	if err := m.Verify(context.Background(), f.Store); err != nil {
		t.Errorf("the manifest's pages do not verify: %v", err)
	}
	// Six keywords, three per batch beside the anchor.
	if len(m.Pages) != 2 || body.Pages != 2 || m.Params["anchor"] != "개발자" || m.Params["keywords"] != "6" {
		t.Errorf("manifest has %d pages (answer %d), params %v; want 2 batches of the six keywords", len(m.Pages), body.Pages, m.Params)
	}
	if wantURL := "gs://" + strings.TrimPrefix(environtest.Lake, "gs://") + "/" + name; body.Manifest != wantURL {
		t.Errorf("manifest %q, want %q", body.Manifest, wantURL)
	}
	if got := f.Stdout.Lines(`"function":"CollectTrends"`, `"execution_id":"exec-42"`, `"message":"collected"`); len(got) != 1 {
		t.Errorf("want one 'collected' line of CollectTrends, got:\n%s", f.Stdout)
	}

	// A full pass runs at most once per TRENDS_MIN_INTERVAL: the next call asks nothing.
	calls := len(api.Requests())
	code, body, answer2 := callTrends(t, f)
	if code != http.StatusOK || body.Outcome != pipeline.OutcomeNotDue || body.RunID != "" {
		t.Fatalf("second call: status %d body %+v, want 200 not_due without a run", code, body)
	}
	if want := now.Add(pipeline.DefaultTrendsSettings().MinInterval); body.NextDue == nil || !body.NextDue.Equal(want) {
		t.Errorf("next_due %v, want %v", body.NextDue, want)
	}
	if n := len(api.Requests()); n != calls {
		t.Errorf("a call that was not due asked Google %d times", n-calls)
	}
	if posts := slack.Received(); len(posts) != 0 {
		t.Errorf("want no message, got %d", len(posts))
	}
	if jobs := f.BQ.Jobs(""); len(jobs) != 0 {
		t.Errorf("neither call is the collector's to record; it ran %d BigQuery jobs", len(jobs))
	}
	noSecrets(t, f, answer+answer2)
}

// Google blocking the client is the quota_exhausted outcome, answered 200: what was
// fetched is committed, the rest waits in the backlog for the next call.
func TestCollectTrends_rate_limited_is_quota_exhausted(t *testing.T) {
	t.Parallel()
	f, _ := setupTrends(t, trendstest.Options{BlockAfter: 1}, nil)
	code, body, _ := callTrends(t, f)
	if code != http.StatusOK || body.Outcome != lake.OutcomeQuotaExhausted || body.Pages != 1 || body.Manifest == "" {
		t.Fatalf("status %d body %+v, want 200 quota_exhausted with the first batch committed", code, body)
	}
	backlog, _, err := lake.ReadBacklog(context.Background(), f.Store, pipeline.SourceTrends)
	if err != nil || len(backlog.Items) != 3 {
		t.Errorf("backlog %+v (%v), want the three keywords of the second batch", backlog, err)
	}
}

func TestCollectTrends_configuration_errors(t *testing.T) {
	t.Parallel()
	f, api := setupTrends(t, trendstest.Options{}, map[string]string{
		"TRENDS_BATCH_SIZE":   "9",
		"TRENDS_TIME":         "yesterday",
		"TRENDS_MIN_INTERVAL": "daily",
		"TRENDS_MODE":         "demo",
		"TRENDS_KEYWORDS":     `"Python`,
		"SLACK_WEBHOOK_URL":   "hooks.example/" + slacktest.Token,
	})
	code, body, answer := callTrends(t, f)
	if code != http.StatusInternalServerError || body.Outcome != collect.OutcomeMisconfigured {
		t.Fatalf("status %d outcome %q, want 500 misconfigured", code, body.Outcome)
	}
	for _, want := range []string{"TRENDS_BATCH_SIZE 9", "TRENDS_TIME", `TRENDS_MIN_INTERVAL="daily"`, `TRENDS_MODE "demo"`,
		"TRENDS_KEYWORDS", "SLACK_WEBHOOK_URL is not an http(s) URL"} {
		if !strings.Contains(body.Error, want) {
			t.Errorf("error %q does not mention %q", body.Error, want)
		}
	}
	if len(api.Requests()) != 0 || f.OpenedLake != 0 {
		t.Error("a misconfigured function called Google or opened the lake")
	}
	noSecrets(t, f, answer)
}
