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
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
)

// The Q-Net key as data.go.kr shows it: decoded, and the Encoding form the function's
// secret holds.
const (
	qnetKey        = "QnEt+SeCrEt/functions==b4e1"
	qnetKeyEncoded = "QnEt%2BSeCrEt%2Ffunctions%3D%3Db4e1"
)

// qnetExams keeps the pass small: two exams, both stages.
var qnetExams = []string{qnettest.CodeEngineer, qnettest.CodeIndustrialEngineer}

// setupQnet starts the Q-Net fake and an environment pointing CollectCertifications at it.
func setupQnet(t *testing.T, vars map[string]string) (*environtest.Fixture, *qnettest.Server) {
	t.Helper()
	api := qnettest.NewServer(qnettest.Options{ServiceKey: qnetKey, Seed: 3, Now: func() time.Time { return now }})
	t.Cleanup(api.Close)
	env := map[string]string{
		"QNET_SERVICE_KEY": qnetKeyEncoded, "QNET_API_URL": api.URL(), "QNET_EXAMS": strings.Join(qnetExams, ", "),
		"QNET_MAX_ATTEMPTS": "1",
	}
	for k, v := range vars {
		env[k] = v
	}
	return environtest.New(t, now, env), api
}

func callCertifications(t *testing.T, f *environtest.Fixture) (int, collect.Response, string) {
	t.Helper()
	rec, body := callFunction(t, collect.NewCertifications(f.Env), http.MethodPost)
	return rec.Code, body, rec.Body.String()
}

func TestCollectCertifications_writes_a_pass_then_is_not_due(t *testing.T) {
	t.Parallel()
	slack := slacktest.New(t)
	f, api := setupQnet(t, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})

	code, body, answer := callCertifications(t, f)
	if code != http.StatusOK || body.Outcome != lake.OutcomeSuccess {
		t.Fatalf("status %d outcome %q error %q, want 200 success", code, body.Outcome, body.Error)
	}
	name := lake.RawManifest(pipeline.SourceQnet, now.Format("2006-01-02"), body.RunID)
	m, err := lake.ReadManifest(context.Background(), f.Store, name)
	if err != nil {
		t.Fatalf("the manifest is not in the lake: %v", err)
	}
	if err := m.Verify(context.Background(), f.Store); err != nil {
		t.Errorf("the manifest's pages do not verify: %v", err)
	}
	// Every exam, written and practical, one five-year window each.
	if want := 2 * len(qnetExams); len(m.Pages) != want || body.Pages != want || m.Source != pipeline.SourceQnet {
		t.Errorf("manifest of %s has %d pages, answer %d, want %d", m.Source, len(m.Pages), body.Pages, want)
	}
	if got := f.Stdout.Lines(`"function":"CollectCertifications"`, `"execution_id":"exec-42"`, `"message":"collected"`); len(got) != 1 {
		t.Errorf("want one 'collected' line of CollectCertifications, got:\n%s", f.Stdout)
	}
	noSecrets(t, f, answer, qnetKey, qnetKeyEncoded)

	// The statistics are fresh for QNET_MIN_INTERVAL: the next call asks nothing.
	calls := len(api.Requests())
	code, body, answer = callCertifications(t, f)
	if code != http.StatusOK || body.Outcome != pipeline.OutcomeNotDue || body.RunID != "" || body.Manifest != "" {
		t.Fatalf("second call: status %d body %+v, want 200 not_due without a run", code, body)
	}
	if want := now.Add(pipeline.DefaultQnetSettings().MinInterval); body.NextDue == nil || !body.NextDue.Equal(want) {
		t.Errorf("next_due %v, want %v", body.NextDue, want)
	}
	if n := len(api.Requests()); n != calls {
		t.Errorf("a call that was not due asked Q-Net %d times", n-calls)
	}
	if posts := slack.Received(); len(posts) != 0 {
		t.Errorf("want no message (ProcessRun announces a committed run; not_due is not news), got %d", len(posts))
	}
	if jobs := f.BQ.Jobs(""); len(jobs) != 0 {
		t.Errorf("neither call is the collector's to record; it ran %d BigQuery jobs", len(jobs))
	}
	noSecrets(t, f, answer, qnetKey, qnetKeyEncoded)
}

func TestCollectCertifications_configuration_errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"missing_key", map[string]string{"QNET_SERVICE_KEY": "", "QNET_WINDOWS": "9", "QNET_MIN_INTERVAL": "yearly"},
			[]string{"QNET_SERVICE_KEY is not set", "QNET_WINDOWS 9", `QNET_MIN_INTERVAL="yearly"`}},
		{"blank_key", map[string]string{"QNET_SERVICE_KEY": " \n"}, []string{"QNET_SERVICE_KEY is not set"}},
		// A key decoded twice has a space where its '+' was; the message must not show it.
		{"key_with_white_space", map[string]string{"QNET_SERVICE_KEY": strings.ReplaceAll(qnetKey, "+", " "), "QNET_API_URL": "ftp://example"},
			[]string{"QNET_SERVICE_KEY contains white space", "QNET_API_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, api := setupQnet(t, tt.vars)
			code, body, answer := callCertifications(t, f)
			if code != http.StatusInternalServerError || body.Outcome != collect.OutcomeMisconfigured {
				t.Fatalf("status %d outcome %q, want 500 misconfigured", code, body.Outcome)
			}
			for _, want := range tt.want {
				if !strings.Contains(body.Error, want) {
					t.Errorf("error %q does not mention %q", body.Error, want)
				}
			}
			if len(api.Requests()) != 0 || f.OpenedLake != 0 {
				t.Error("a misconfigured function called Q-Net or opened the lake")
			}
			noSecrets(t, f, answer, qnetKey, qnetKeyEncoded, strings.ReplaceAll(qnetKey, "+", " "))
		})
	}
}

// Neither the Saramin key nor the Trends settings concern the certifications collector.
func TestCollectCertifications_needs_only_its_own_settings(t *testing.T) {
	t.Parallel()
	f, _ := setupQnet(t, map[string]string{"SARAMIN_ACCESS_KEY": "", "TRENDS_BATCH_SIZE": "many"})
	if code, body, _ := callCertifications(t, f); code != http.StatusOK || body.Outcome != lake.OutcomeSuccess {
		t.Errorf("status %d outcome %q error %q, want 200 success", code, body.Outcome, body.Error)
	}
}

// A proxy that echoes the request URL, key included, and a key the gateway refuses:
// the key appears in no answer, log line, lake object, ledger row or message.
func TestCollectCertifications_key_never_leaks(t *testing.T) {
	t.Parallel()
	slack := slacktest.New(t)
	f, api := setupQnet(t, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})
	api.Inject(qnettest.Fault{EchoURL: true})

	code, body, answer := callCertifications(t, f)
	if code != http.StatusOK || body.Manifest == "" {
		t.Fatalf("status %d body %+v, want 200 with a manifest (the echoing exam waits in the backlog)", code, body)
	}
	if backlog, _, err := lake.ReadBacklog(context.Background(), f.Store, pipeline.SourceQnet); err != nil || len(backlog.Items) != 1 {
		t.Errorf("backlog %+v (%v), want the echoing exam", backlog, err)
	}
	noSecrets(t, f, answer, qnetKey, qnetKeyEncoded)

	// Now the gateway refuses the key: the run fails, is recorded and announced.
	slack = slacktest.New(t)
	f2, api2 := setupQnet(t, map[string]string{"SLACK_WEBHOOK_URL": slack.URL})
	api2.Inject(qnettest.Fault{Code: "30"})
	code, body, answer = callCertifications(t, f2)
	if code != http.StatusInternalServerError || body.Outcome != pipeline.OutcomeFailed || body.RunID == "" {
		t.Fatalf("status %d body %+v, want 500 failed with a run id", code, body)
	}
	if st, ok := f2.BQ.RunStatus(body.RunID); !ok || st != pipeline.OutcomeFailed {
		t.Errorf("ledger status %q (row %v), want failed", st, ok)
	}
	posts := slack.Accepted()
	if len(posts) != 1 || !strings.Contains(posts[0].Message.Text, body.RunID) {
		t.Fatalf("want one Slack message about %s, got %d", body.RunID, len(posts))
	}
	for _, p := range slack.Received() {
		for _, secret := range []string{qnetKey, qnetKeyEncoded, slacktest.Token} {
			if strings.Contains(string(p.Raw), secret) {
				t.Errorf("a secret is in a Slack message: %s", p.Raw)
			}
		}
	}
	for _, job := range f2.BQ.Jobs("") {
		for _, v := range job.Params {
			if strings.Contains(v, qnetKey) || strings.Contains(v, qnetKeyEncoded) {
				t.Errorf("the key is in a parameter of BigQuery job %s: %s", job.Step, v)
			}
		}
	}
	noSecrets(t, f2, answer, qnetKey, qnetKeyEncoded)
}
