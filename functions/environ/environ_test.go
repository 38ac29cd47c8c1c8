package environ_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"slices"
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
	wantTrends := pipeline.DefaultTrendsSettings()
	wantTrends.Mode = pipeline.TrendsGoogle // a function has no demo source
	want := environ.Settings{
		LakeURL: "gs://jobpulse-lake/lake",
		Lake:    lake.Location{Bucket: "jobpulse-lake", Prefix: "lake"},
		Warehouse: &bigquery.Config{Project: "my-project", Location: bigquery.DefaultLocation, DatasetPrefix: "jp_",
			MaxBytesBilled: bigquery.DefaultMaxBytesBilled, LakeBucket: "jobpulse-lake", LakePrefix: "lake"},
		LogLevel:     slog.LevelInfo,
		CheckTimeout: 2 * time.Minute,
		Saramin:      wantSaramin,
		Trends:       wantTrends,
		Qnet:         pipeline.DefaultQnetSettings(),
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

func TestLoad_trends_and_qnet(t *testing.T) {
	t.Parallel()
	const key = "QnEt%2BkEy%3D%3D"
	vars := map[string]string{
		"JOBPULSE_LAKE":   "gs://b",
		"TRENDS_API_URL":  "http://trends.test",
		"TRENDS_KEYWORDS": ` Python ,"Go, the language",,Rust`,
		"TRENDS_ANCHOR":   "개발자",
		"TRENDS_TIME":     "today 5-y", "TRENDS_BATCH_SIZE": "3", "TRENDS_SPACING": "5s",
		"TRENDS_MIN_INTERVAL": "12h", "TRENDS_TIMEOUT": "10s", "TRENDS_MAX_ATTEMPTS": "2",
		"QNET_SERVICE_KEY": key + "\n", "QNET_API_URL": "http://qnet.test/svc", "QNET_EXAMS": "1320, 2290",
		"QNET_WINDOWS": "2", "QNET_MIN_INTERVAL": "24h", "QNET_TIMEOUT": "20s", "QNET_MAX_ATTEMPTS": "3",
	}
	s, err := environ.Load(getenv(vars), environ.Need{Trends: true, QnetKey: true})
	if err != nil {
		t.Fatal(err)
	}
	wantTrends := pipeline.TrendsSettings{Mode: pipeline.TrendsGoogle, APIURL: "http://trends.test", Keywords: []string{"Python", "Go, the language", "Rust"},
		Anchor: "개발자", Time: "today 5-y", BatchSize: 3, Spacing: 5 * time.Second, MinInterval: 12 * time.Hour, Timeout: 10 * time.Second, MaxAttempts: 2}
	if diff := cmp.Diff(wantTrends, s.Trends); diff != "" {
		t.Errorf("trends settings (-want +got):\n%s", diff)
	}
	wantQnet := pipeline.QnetSettings{APIURL: "http://qnet.test/svc", ServiceKey: key, Exams: []string{"1320", "2290"}, Windows: 2,
		MinInterval: 24 * time.Hour, Timeout: 20 * time.Second, MaxAttempts: 3}
	if diff := cmp.Diff(wantQnet, s.Qnet); diff != "" {
		t.Errorf("qnet settings (-want +got):\n%s", diff)
	}
}

// Each source's settings are checked by its own function only: a typo in TRENDS_* or a
// missing Q-Net key does not stop CollectSaramin or ProcessRun.
func TestLoad_checks_each_source_when_needed(t *testing.T) {
	t.Parallel()
	const key = "S3CR3T key with a space"
	vars := map[string]string{
		"JOBPULSE_LAKE": "gs://b", "TRENDS_BATCH_SIZE": "many", "TRENDS_TIME": "forever", "TRENDS_MODE": "demo",
		"QNET_WINDOWS": "0", "QNET_TIMEOUT": "soon", "QNET_EXAMS": `"1320`,
	}
	tests := []struct {
		name string
		need environ.Need
		key  string
		want []string // "" for no error
	}{
		{"saramin_ignores_them", environ.Need{}, "", nil},
		{"trends_reports_every_problem", environ.Need{Trends: true}, "",
			[]string{`TRENDS_BATCH_SIZE="many"`, "TRENDS_TIME", `TRENDS_MODE "demo"`}},
		{"qnet_reports_the_missing_key_and_the_rest", environ.Need{QnetKey: true}, "",
			[]string{"QNET_SERVICE_KEY is not set", "QNET_WINDOWS 0", `QNET_TIMEOUT="soon"`, "QNET_EXAMS"}},
		{"qnet_never_repeats_a_bad_key", environ.Need{QnetKey: true}, key,
			[]string{"QNET_SERVICE_KEY contains white space", "QNET_WINDOWS 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := map[string]string{"QNET_SERVICE_KEY": tt.key}
			for k, x := range vars {
				v[k] = x
			}
			_, err := environ.Load(getenv(v), tt.need)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Load = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load accepted a broken environment")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q:\n%v", want, err)
				}
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Errorf("the error repeats the key: %v", err)
			}
		})
	}
}

// The Q-Net key is redacted in every form it takes: as stored (data.go.kr's Encoding
// form), decoded, re-encoded in a query, and inside JSON.
func TestRedactor_qnet_key(t *testing.T) {
	t.Parallel()
	const (
		encoded = "AbC%2BdEf%2FgHi%3D%3D"
		decoded = "AbC+dEf/gHi=="
	)
	var out bytes.Buffer
	env := environ.Env{Getenv: getenv(map[string]string{"QNET_SERVICE_KEY": encoded + "\n"}), Stdout: &out}
	r := environ.NewRedactor(env.Getenv)
	tests := []struct {
		name, text string
	}{
		{"encoded", "key " + encoded},
		{"decoded", "key " + decoded},
		{"in_a_query", "GET https://apis.data.go.kr/x?ServiceKey=" + url.QueryEscape(decoded) + "&jmCd=1320"},
		{"in_a_path", "/" + url.PathEscape(decoded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := r.String(tt.text)
			if strings.Contains(got, "AbC") || !strings.Contains(got, "[redacted]") {
				t.Errorf("String(%q) = %q, want the key redacted", tt.text, got)
			}
		})
	}
	log := env.Logger(environ.Settings{LogLevel: slog.LevelInfo})
	log.Error("echo", "body", `<a href="?ServiceKey=`+decoded+`">`, "url", "https://x/?ServiceKey="+encoded)
	if strings.Contains(out.String(), "AbC") {
		t.Errorf("log output holds the key:\n%s", out.String())
	}
	if !slices.Contains(environ.SecretVars(), "QNET_SERVICE_KEY") {
		t.Errorf("SecretVars %v does not list QNET_SERVICE_KEY", environ.SecretVars())
	}
}
