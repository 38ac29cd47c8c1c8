package environ_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoad_defaults_are_the_CLIs(t *testing.T) {
	t.Parallel()
	s, err := environ.Load(getenv(map[string]string{
		"JOBPULSE_LAKE":      "gs://jobpulse-lake/lake",
		"JOBPULSE_WAREHOUSE": "bigquery://my-project?dataset_prefix=jp_",
		"SARAMIN_ACCESS_KEY": "key-1234",
	}), environ.Need{SaraminKey: true, Warehouse: true})
	if err != nil {
		t.Fatal(err)
	}
	wantSaramin := pipeline.DefaultSaraminSettings()
	wantSaramin.AccessKey = "key-1234"
	want := environ.Settings{
		LakeURL: "gs://jobpulse-lake/lake",
		Lake:    lake.Location{Bucket: "jobpulse-lake", Prefix: "lake"},
		Warehouse: &bigquery.Config{Project: "my-project", Location: bigquery.DefaultLocation, DatasetPrefix: "jp_",
			MaxBytesBilled: bigquery.DefaultMaxBytesBilled, LakeBucket: "jobpulse-lake", LakePrefix: "lake"},
		LogLevel:     slog.LevelInfo,
		CheckTimeout: 2 * time.Minute,
		Saramin:      wantSaramin,
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("settings mismatch (-want +got):\n%s", diff)
	}
}

func TestLoad_reports_every_problem(t *testing.T) {
	t.Parallel()
	const webhook = "not a url with a S3CR3T-token"
	_, err := environ.Load(getenv(map[string]string{
		"JOBPULSE_LAKE":          "./data/lake",
		"JOBPULSE_LOG_LEVEL":     "loud",
		"JOBPULSE_CHECK_TIMEOUT": "-1s",
		"SARAMIN_OVERLAP":        "half an hour",
		"SARAMIN_MAX_PAGES":      "0",
		"SARAMIN_QUERY":          "start=5",
		"SLACK_WEBHOOK_URL":      webhook,
	}), environ.Need{SaraminKey: true, Warehouse: true})
	if err == nil {
		t.Fatal("Load accepted a broken environment")
	}
	for _, want := range []string{
		"JOBPULSE_LAKE", "JOBPULSE_WAREHOUSE is not set", "JOBPULSE_LOG_LEVEL", "JOBPULSE_CHECK_TIMEOUT -1s",
		`SARAMIN_OVERLAP="half an hour"`, "SARAMIN_MAX_PAGES 0", `SARAMIN_QUERY sets "start"`,
		"SARAMIN_ACCESS_KEY is not set", "SLACK_WEBHOOK_URL is not an http(s) URL",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "S3CR3T") {
		t.Errorf("the error repeats the webhook: %v", err)
	}
}

func TestLoad_needs(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"JOBPULSE_LAKE": "gs://b"}
	if _, err := environ.Load(getenv(vars), environ.Need{}); err != nil {
		t.Errorf("nothing needed: %v", err)
	}
	if _, err := environ.Load(getenv(vars), environ.Need{SaraminKey: true}); err == nil || !strings.Contains(err.Error(), "SARAMIN_ACCESS_KEY") {
		t.Errorf("key needed: %v", err)
	}
	if _, err := environ.Load(getenv(vars), environ.Need{Warehouse: true}); err == nil || !strings.Contains(err.Error(), "JOBPULSE_WAREHOUSE") {
		t.Errorf("warehouse needed: %v", err)
	}
}

func TestLogger_redacts_secrets(t *testing.T) {
	t.Parallel()
	const (
		key     = "k3y<&>Saramin"
		webhook = "https://hooks.slack.example/services/T000/B000/XXsecretXX"
	)
	var out bytes.Buffer
	env := environ.Env{Getenv: getenv(map[string]string{"SARAMIN_ACCESS_KEY": key, "SLACK_WEBHOOK_URL": webhook}), Stdout: &out}
	log := env.Logger(environ.Settings{LogLevel: slog.LevelInfo})
	log.Info("calling", "url", "https://api.example/?access-key="+key, "hook", webhook, "path", "/services/T000/B000/XXsecretXX")
	log.Error("quoted", "err", `post "`+webhook+`": refused`)
	got := out.String()
	for _, secret := range []string{key, "XXsecretXX", `k3y\u003c\u0026\u003eSaramin`} {
		if strings.Contains(got, secret) {
			t.Errorf("log output holds %q:\n%s", secret, got)
		}
	}
	if n := strings.Count(got, `"severity":"`); n != 2 || !strings.Contains(got, `"severity":"ERROR"`) {
		t.Errorf("want two JSON lines with Cloud Logging severities:\n%s", got)
	}
	if r := environ.NewRedactor(env.Getenv); r.String("x "+key+" y") != "x [redacted] y" {
		t.Errorf("String did not redact the key: %q", r.String("x "+key+" y"))
	}
}
