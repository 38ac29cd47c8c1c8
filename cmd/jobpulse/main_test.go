package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

const cliKey = "CLI-SeCrEt-2c9d71e0"

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	if _, real := env["SARAMIN_ACCESS_KEY"]; real && env["JOBPULSE_SOURCES"] == "" && env["TRENDS_API_URL"] == "" {
		// With a real key, Trends would come from trends.google.com: tests of the real
		// Saramin path run Saramin alone unless they bring a Trends fake.
		env = maps.Clone(env)
		env["JOBPULSE_SOURCES"] = "saramin"
	}
	code := realMain(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func fakeAPI(t *testing.T, opts saramintest.Options) *saramintest.Server {
	t.Helper()
	now := time.Now()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 3, From: now.Add(-5 * 24 * time.Hour), To: now, PerDay: 150})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Keys == nil {
		opts.Keys = []string{cliKey}
	}
	s := saramintest.NewServer(opts, ps...)
	t.Cleanup(s.Close)
	return s
}

func TestCLI_demoRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": dir}, "run")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "DEMO MODE: SYNTHETIC DATA") || !strings.Contains(r.stdout, "saramin (demo, synthetic): collected") {
		t.Errorf("the demo must be announced; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "lake/raw/saramin/dt=*/run=*/_MANIFEST.json"))
	pages, _ := filepath.Glob(filepath.Join(dir, "lake/raw/saramin/dt=*/run=*/page-*.json"))
	if len(manifests) != 1 || len(pages) < 2 {
		t.Errorf("lake holds %d manifests and %d pages, want 1 and several", len(manifests), len(pages))
	}
	if !strings.Contains(r.stdout, manifests[0]) {
		t.Errorf("stdout does not say where the run landed:\n%s", r.stdout)
	}
}

func TestCLI_collectsFromAnyServerSpeakingTheAPI(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, saramintest.Options{})
	env := map[string]string{
		"JOBPULSE_DATA_DIR":  t.TempDir(),
		"SARAMIN_API_URL":    api.URL,
		"SARAMIN_ACCESS_KEY": cliKey,
		"SARAMIN_LOOKBACK":   "72h",
		"JOBPULSE_LOG_LEVEL": "debug",
	}
	r := runCLI(t, env, "collect", "saramin")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "DEMO") || !strings.Contains(r.stdout, "saramin: collected") {
		t.Errorf("unexpected output; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if n := api.Calls(cliKey); n < 1 {
		t.Errorf("the API saw %d calls", n)
	}
	// A second run the same minute finds (almost) nothing new and still succeeds.
	if r2 := runCLI(t, env, "collect", "saramin"); r2.code != exitOK {
		t.Errorf("second run exit %d: %s", r2.code, r2.stderr)
	}
	assertNoKey(t, r.stdout+r.stderr)
}

func TestCLI_runFailureExitsOneWithoutTheKey(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, saramintest.Options{Keys: []string{"someone-else"}})
	r := runCLI(t, map[string]string{
		"JOBPULSE_DATA_DIR": t.TempDir(), "SARAMIN_API_URL": api.URL, "SARAMIN_ACCESS_KEY": cliKey,
	}, "collect", "saramin")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "check SARAMIN_ACCESS_KEY") || !strings.Contains(r.stdout, "FAILED") {
		t.Errorf("the failure must say what to fix; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	assertNoKey(t, r.stdout+r.stderr)
}

func TestCLI_quotaExhaustedIsAnOutcome(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, saramintest.Options{DailyQuota: 1})
	r := runCLI(t, map[string]string{
		"JOBPULSE_DATA_DIR": t.TempDir(), "SARAMIN_API_URL": api.URL, "SARAMIN_ACCESS_KEY": cliKey, "SARAMIN_LOOKBACK": "96h",
	}, "collect", "saramin")
	if r.code != exitOK || !strings.Contains(r.stdout, "daily quota exhausted") {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestCLI_configurationErrorsAllAtOnce(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{
		"SARAMIN_OVERLAP":     "soon",
		"SARAMIN_DAILY_QUOTA": "0",
		"SARAMIN_QUERY":       "access-key=x&job_mid_cd=2",
		"SARAMIN_API_URL":     "oapi.saramin.co.kr",
		"JOBPULSE_LAKE":       "s3://bucket",
	}, "collect", "saramin", "--log-format=xml")
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2", r.code)
	}
	for _, want := range []string{"SARAMIN_OVERLAP", "SARAMIN_DAILY_QUOTA", `"access-key"`, "SARAMIN_API_URL", "JOBPULSE_LAKE", "log format"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not mention %s:\n%s", want, r.stderr)
		}
	}
}

func TestCLI_flagsWinOverEnvironment(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{"SARAMIN_LOOKBACK": "-5h", "JOBPULSE_DATA_DIR": t.TempDir()}, "collect", "saramin", "--saramin-lookback=1h")
	if r.code != exitOK {
		t.Fatalf("the flag must override the invalid environment value; exit %d: %s", r.code, r.stderr)
	}
}

func TestCLI_usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no_command", nil, exitUsage, "a command is required"},
		{"unknown_command", []string{"explode"}, exitUsage, `unknown command "explode"`},
		{"unknown_source", []string{"collect", "indeed"}, exitUsage, `unknown command "indeed"`},
		{"unknown_flag", []string{"run", "--fast"}, exitUsage, "unknown flag: --fast"},
		{"help", []string{"collect", "saramin", "--help"}, exitOK, "SARAMIN_OVERLAP"},
		{"version", []string{"version"}, exitOK, "jobpulse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("exit %d (want %d), output does not contain %q:\n%s%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestCLI_demoAndRealDataNeverShareALake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": dir}, "run"); r.code != exitOK {
		t.Fatalf("demo run: exit %d %s", r.code, r.stderr)
	}
	api := fakeAPI(t, saramintest.Options{})
	r := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": dir, "SARAMIN_API_URL": api.URL, "SARAMIN_ACCESS_KEY": cliKey}, "run")
	if r.code != exitUsage || !strings.Contains(r.stderr, "synthetic demo data") {
		t.Fatalf("a real run on a demo lake: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if api.Calls(cliKey) != 0 {
		t.Errorf("the API was called before the lake was checked")
	}

	real := t.TempDir()
	if r := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": real, "SARAMIN_API_URL": api.URL, "SARAMIN_ACCESS_KEY": cliKey}, "run"); r.code != exitOK {
		t.Fatalf("real run: exit %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": real}, "run"); r.code != exitUsage || !strings.Contains(r.stderr, "holds real data") {
		t.Fatalf("a demo run on a real lake: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func assertNoKey(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, cliKey) {
		t.Errorf("output leaks the access key:\n%s", strings.ReplaceAll(s, cliKey, "<KEY>"))
	}
}

func TestMain(m *testing.M) {
	// The CLI resolves ./data relative to the working directory; keep stray runs out of
	// the source tree.
	dir, err := os.MkdirTemp("", "jobpulse-cli-test")
	if err != nil {
		panic(err)
	}
	if err := os.Chdir(dir); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestCLI_runBuildsTheWarehouseAndTheLedger(t *testing.T) {
	t.Parallel()
	env := map[string]string{"JOBPULSE_DATA_DIR": t.TempDir(), "JOBPULSE_LOG_LEVEL": "warn"}
	r := runCLI(t, env, "run")
	if r.code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"rows in core.recruit", "checks     ", "0 failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, r.stdout)
		}
	}
	runID := between(r.stdout, "run        ", " (")

	q := runCLI(t, env, "sql", "query", "--format", "csv", "select count(*) AS n from core.recruit")
	lines := strings.Split(strings.TrimSpace(q.stdout), "\n")
	if q.code != exitOK || len(lines) != 2 || lines[0] != "n" || lines[1] == "0" {
		t.Errorf("sql query: exit %d, output %q", q.code, q.stdout)
	}
	if !strings.Contains(r.stdout, lines[len(lines)-1]+" rows in core.recruit") {
		t.Errorf("sql query says %s rows; run said:\n%s", lines[len(lines)-1], r.stdout)
	}
	if j := runCLI(t, env, "sql", "query", "--format", "json", "select region_name, count(*) AS n from core.recruit group by 1 order by 2 desc limit 1"); j.code != exitOK || !strings.Contains(j.stdout, `"region_name": "서울"`) {
		t.Errorf("sql query json: exit %d %s %s", j.code, j.stdout, j.stderr)
	}
	if w := runCLI(t, env, "sql", "query", "delete from core.recruit"); w.code != exitUsage {
		t.Errorf("a write through sql query: exit %d, want 2", w.code)
	}
	if runs := runCLI(t, env, "runs"); runs.code != exitOK || !strings.Contains(runs.stdout, runID) || !strings.Contains(runs.stdout, "success") {
		t.Errorf("runs: exit %d\n%s%s", runs.code, runs.stdout, runs.stderr)
	}
	if c := runCLI(t, env, "checks", "--run", runID); c.code != exitOK || !strings.Contains(c.stdout, "reconcile_staging_external") {
		t.Errorf("checks: exit %d\n%s%s", c.code, c.stdout, c.stderr)
	}
	if p := runCLI(t, env, "process", "--run", runID); p.code != exitOK || !strings.Contains(p.stdout, "process "+runID) {
		t.Errorf("process --run: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
	if p := runCLI(t, env, "process", "--run", "nope"); p.code != exitUsage {
		t.Errorf("process of an unknown run: exit %d, want 2", p.code)
	}
	dt := time.Now().UTC().Format("2006-01-02")
	if rp := runCLI(t, env, "replay", "--from", dt, "--to", dt); rp.code != exitOK || !strings.Contains(rp.stdout, "replayed 3 runs") {
		t.Errorf("replay: exit %d\n%s%s", rp.code, rp.stdout, rp.stderr)
	}
	if rp := runCLI(t, env, "replay", "--from", "2026-13-01", "--to", dt); rp.code != exitUsage {
		t.Errorf("replay with a bad date: exit %d, want 2", rp.code)
	}
}

func TestCLI_sqlRender(t *testing.T) {
	t.Parallel()
	bq := runCLI(t, map[string]string{"JOBPULSE_WAREHOUSE": "bigquery://my-proj", "JOBPULSE_LAKE": "gs://my-lake/jp"}, "sql", "render", "--dialect", "bigquery")
	if bq.code != exitOK {
		t.Fatalf("exit %d: %s", bq.code, bq.stderr)
	}
	for _, want := range []string{
		"CREATE OR REPLACE EXTERNAL TABLE `my-proj.jobpulse_staging.saramin_postings`",
		`uris = ["gs://my-lake/jp/clean/saramin_postings/*.ndjson"]`,
		"MERGE INTO `my-proj.jobpulse_external.saramin_postings` AS T",
		"CREATE OR REPLACE TABLE `my-proj.jobpulse_core.recruit` (\n  posting_id STRING OPTIONS (description = ",
		")\nPARTITION BY posting_date\nCLUSTER BY role, region_code, job_mid_code",
		"@run_id",
	} {
		if !strings.Contains(bq.stdout, want) {
			t.Errorf("bigquery render lacks %q", want)
		}
	}
	duck := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": t.TempDir()}, "sql", "render", "--dialect", "duckdb", "--model", "external.saramin_postings")
	if duck.code != exitOK || !strings.Contains(duck.stdout, "MERGE INTO external.saramin_postings AS T") || !strings.Contains(duck.stdout, "$run_id") {
		t.Errorf("duckdb render: exit %d\n%s%s", duck.code, duck.stdout, duck.stderr)
	}
	if bad := runCLI(t, nil, "sql", "render", "--dialect", "oracle"); bad.code != exitUsage {
		t.Errorf("unknown dialect: exit %d, want 2", bad.code)
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}

func TestReadOnlySQL(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]bool{
		"select 1": true,
		"  WITH a AS (select 1) select * from a;": true,
		"select 1; drop table core.recruit":       false,
		"delete from core.recruit":                false,
		"":                                        false,
	} {
		if got := readOnlySQL(q); got != want {
			t.Errorf("readOnlySQL(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestCLI_runPostsOneSlackMessage(t *testing.T) {
	t.Parallel()
	hook := slacktest.New(t)
	dir := t.TempDir()
	env := map[string]string{"JOBPULSE_DATA_DIR": dir, "SLACK_WEBHOOK_URL": hook.URL, "JOBPULSE_LOG_LEVEL": "warn"}
	r := runCLI(t, env, "run")
	if r.code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	msgs := hook.Messages()
	if len(msgs) != 3 {
		t.Fatalf("Slack got %d messages, want 3 (one per source run)", len(msgs))
	}
	for i, source := range []string{"saramin", "trends", "qnet"} {
		if !strings.Contains(msgs[i].Text, source) || len(msgs[i].Blocks.BlockSet) == 0 {
			t.Errorf("message %d = %q with %d blocks, want the %s run", i, msgs[i].Text, len(msgs[i].Blocks.BlockSet), source)
		}
	}
	if strings.Contains(r.stdout+r.stderr, slacktest.Token) {
		t.Error("the webhook URL leaked into the output")
	}
	// Without a webhook the console shows the same summary.
	c := runCLI(t, map[string]string{"JOBPULSE_DATA_DIR": t.TempDir(), "JOBPULSE_LOG_LEVEL": "warn"}, "run")
	if c.code != exitOK || !strings.Contains(c.stdout, firstLineOf(msgs[0].Text)) {
		t.Errorf("console summary missing %q:\n%s", firstLineOf(msgs[0].Text), c.stdout)
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestCLI_demoMarketSignals is issue 6's acceptance: the demo run fills the trend,
// certification and market-signals marts, and the latest months show all three signals.
func TestCLI_demoMarketSignals(t *testing.T) {
	t.Parallel()
	env := map[string]string{"JOBPULSE_DATA_DIR": t.TempDir(), "JOBPULSE_LOG_LEVEL": "warn"}
	if r := runCLI(t, env, "run"); r.code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, table := range []string{"core.google_trend", "core.certification", "core.market_signals"} {
		q := runCLI(t, env, "sql", "query", "--format", "csv", "select count(*) as n from "+table)
		if q.code != exitOK || strings.HasSuffix(strings.TrimSpace(q.stdout), "\n0") {
			t.Errorf("%s: exit %d, %q", table, q.code, q.stdout)
		}
	}
	q := runCLI(t, env, "sql", "query", "--format", "json", "select * from core.market_signals where role = 'backend' order by month desc limit 5")
	if q.code != exitOK {
		t.Fatalf("sql query: exit %d %s", q.code, q.stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(q.stdout), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("market signals %q: %v", q.stdout, err)
	}
	latest := rows[0]
	for _, col := range []string{"postings", "entry_level_share", "certification_applicants"} {
		if latest[col] == nil {
			t.Errorf("latest backend month %v lacks %s: %v", latest["month"], col, latest)
		}
	}
	// Search interest comes in weeks labelled by the Sunday they start on, and a week
	// counts once it has ended: in a month's first days its interest is not there yet,
	// and the month before must have it.
	if i := slices.IndexFunc(rows, func(r map[string]any) bool { return r["trend_interest"] != nil }); i < 0 || i > 1 {
		t.Errorf("no trend_interest in the latest two backend months: %v", rows)
	}
}

// TestCLI_realSourcesAgainstFakes runs every source in real mode against the protocol
// fakes, and checks the Q-Net key appears nowhere.
func TestCLI_realSourcesAgainstFakes(t *testing.T) {
	t.Parallel()
	api := fakeAPI(t, saramintest.Options{})
	tr := trendstest.NewServer(trendstest.Options{})
	t.Cleanup(tr.Close)
	const qkey = "QnEt+CLI/KEY=="
	qn := qnettest.NewServer(qnettest.Options{ServiceKey: qkey, Uncovered: []string{"9520"}})
	t.Cleanup(qn.Close)
	env := map[string]string{
		"JOBPULSE_DATA_DIR": t.TempDir(), "SARAMIN_API_URL": api.URL, "SARAMIN_ACCESS_KEY": cliKey,
		"TRENDS_API_URL": tr.URL(), "TRENDS_SPACING": "0s", "TRENDS_KEYWORDS": "Python,Java,Spark", "TRENDS_ANCHOR": "개발자",
		"QNET_API_URL": qn.URL(), "QNET_SERVICE_KEY": qkey, "QNET_EXAMS": "1320,9520",
	}
	r := runCLI(t, env, "run")
	if r.code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"rows in core.recruit", "rows in core.google_trend", "rows in core.certification", "not covered"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "DEMO") {
		t.Error("a real run announced demo data")
	}
	for _, form := range []string{qkey, "QnEt%2BCLI%2FKEY%3D%3D"} {
		if strings.Contains(r.stdout+r.stderr, form) {
			t.Errorf("the Q-Net key (%s) leaked into the output", form)
		}
	}
	if again := runCLI(t, env, "collect", "trends"); again.code != exitOK || !strings.Contains(again.stdout, "fresh") {
		t.Errorf("collect trends again: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
}
