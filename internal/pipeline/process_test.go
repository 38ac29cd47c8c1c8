package pipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

type processEnv struct {
	*harness
	local   *lake.Local
	wh      *duckdb.Warehouse
	proc    *pipeline.Process
	project *models.Project
}

func newProcessEnv(t *testing.T, postings []saramintest.Posting) *processEnv {
	t.Helper()
	local := laketest.NewLocal(t)
	h := newHarness(t, local, saramintest.Options{}, postings)
	wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), LakeRoot: local.Root()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(h.logs, nil))
	runner := &models.Runner{WH: wh, Project: project, Logger: logger, CheckTimeout: time.Minute}
	return &processEnv{harness: h, local: local, wh: wh, project: project,
		proc: &pipeline.Process{Store: local, Runner: runner, Logger: logger, Now: h.clock.Now}}
}

func (e *processEnv) collectAndProcess(t *testing.T) (pipeline.CollectResult, pipeline.ProcessResult, error) {
	t.Helper()
	cr := e.run(context.Background())
	if cr.ManifestURL == "" {
		t.Fatalf("collect wrote no manifest: %+v", cr)
	}
	pr, err := e.proc.Run(context.Background(), lake.RawManifest(cr.Source, cr.DT, cr.RunID))
	return cr, pr, err
}

func (e *processEnv) query(t *testing.T, q string) [][]any {
	t.Helper()
	rows, _, err := e.wh.Query(context.Background(), q, nil, warehouse.Options{})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows.Values
}

func (e *processEnv) count(t *testing.T, q string) int64 {
	t.Helper()
	return e.query(t, q)[0][0].(int64)
}

func TestProcess_buildsEveryLayerBehindChecks(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, generate(t, start.Add(-72*time.Hour), start, 300))
	cr, pr, err := e.collectAndProcess(t)
	if err != nil {
		for _, c := range pr.Checks() {
			t.Logf("%s %s %s %s", c.Check.Name, c.Status, c.Message, c.Sample)
		}
		t.Fatalf("process: %v", err)
	}
	if pr.Counts.StagingRows != int64(cr.Records) || pr.Counts.CoreRows != int64(cr.DistinctIDs) {
		t.Errorf("counts %+v, want %d staging rows and %d core rows", pr.Counts, cr.Records, cr.DistinctIDs)
	}
	for _, c := range pr.Checks() {
		if c.Failed() && c.Check.Severity == models.SeverityError {
			t.Errorf("check %s failed: %s %s", c.Check.Name, c.Message, c.Sample)
		}
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.recruit WHERE region_name IS NULL OR job_mid_name IS NULL OR experience_name IS NULL"); n != 0 {
		t.Errorf("%d core rows lack a meta name", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.recruit WHERE region_name IN ('서울', '경기')"); n*2 < pr.Counts.CoreRows {
		t.Errorf("only %d of %d postings in Seoul/Gyeonggi", n, pr.Counts.CoreRows)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.recruit WHERE NOT has_deadline AND expires_at IS NOT NULL"); n != 0 {
		t.Errorf("%d postings without deadline carry one", n)
	}
}

func TestProcess_idempotent(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, generate(t, start.Add(-72*time.Hour), start, 300))
	cr, _, err := e.collectAndProcess(t)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var b strings.Builder
		for _, q := range []string{
			"SELECT * EXCLUDE (rejected_at) FROM external.saramin_postings_rejected ORDER BY run_id, page, row_in_page",
			"SELECT * FROM external.saramin_postings ORDER BY posting_id",
			"SELECT * EXCLUDE (is_active) FROM core.recruit ORDER BY posting_id",
		} {
			for _, r := range e.query(t, q) {
				fmt.Fprintln(&b, r...)
			}
		}
		return b.String()
	}
	first := snapshot()
	if _, err := e.proc.Run(context.Background(), lake.RawManifest(cr.Source, cr.DT, cr.RunID)); err != nil {
		t.Fatal(err)
	}
	if second := snapshot(); second != first {
		t.Errorf("processing the same run twice changed the tables")
	}
	// A second collect over an overlapping window re-serves postings: still one row per id.
	e.clock.Add(2 * time.Hour)
	if _, _, err := e.collectAndProcess(t); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) - COUNT(DISTINCT posting_id) FROM external.saramin_postings"); n != 0 {
		t.Errorf("%d duplicate posting ids after two runs", n)
	}
}

// TestProcess_replayFromRawRebuildsIdenticalTables deletes clean/ and the warehouse,
// re-processes every raw run in order and compares the tables.
func TestProcess_replayFromRawRebuildsIdenticalTables(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, generate(t, start.Add(-96*time.Hour), start.Add(24*time.Hour), 300))
	e.lookbk = 48 * time.Hour
	for range 3 { // three runs with overlapping windows and re-posted postings
		if _, _, err := e.collectAndProcess(t); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(8 * time.Hour)
	}
	tables := func(wh *duckdb.Warehouse) string {
		var b strings.Builder
		for _, q := range []string{
			"SELECT * FROM external.saramin_postings ORDER BY posting_id",
			"SELECT * EXCLUDE (rejected_at) FROM external.saramin_postings_rejected ORDER BY run_id, page, row_in_page",
			"SELECT * EXCLUDE (is_active) FROM core.recruit ORDER BY posting_id",
		} {
			rows, _, err := wh.Query(context.Background(), q, nil, warehouse.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows.Values {
				fmt.Fprintln(&b, r...)
			}
		}
		return b.String()
	}
	before := tables(e.wh)

	ctx := context.Background()
	clean, _ := e.local.List(ctx, "clean/")
	for _, name := range clean {
		e.local.Delete(ctx, name)
	}
	fresh, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "replay.duckdb"), LakeRoot: e.local.Root()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	runner := &models.Runner{WH: fresh, Project: e.project, Logger: slog.New(slog.DiscardHandler), CheckTimeout: time.Minute}
	replay := &pipeline.Process{Store: e.local, Runner: runner, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now}
	manifests, _ := lake.ListManifests(ctx, e.local, pipeline.SourceSaramin)
	if len(manifests) != 3 {
		t.Fatalf("%d manifests, want 3", len(manifests))
	}
	for _, m := range manifests {
		if _, err := replay.Run(ctx, m); err != nil {
			t.Fatalf("replay %s: %v", m, err)
		}
	}
	if after := tables(fresh); after != before {
		t.Errorf("replay from raw built different tables (%d vs %d bytes)", len(after), len(before))
	}
}

// Re-processing a run after a fix rewrites the rows that run won.
func TestProcess_reprocessingRewritesTheRunsRows(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, generate(t, start.Add(-24*time.Hour), start, 300))
	cr, _, err := e.collectAndProcess(t)
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a bug that stored a wrong title, then re-process the run.
	if _, err := e.wh.DB().Exec("UPDATE external.saramin_postings SET title = 'wrong'"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.proc.Run(context.Background(), lake.RawManifest(cr.Source, cr.DT, cr.RunID)); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM external.saramin_postings WHERE title = 'wrong'"); n != 0 {
		t.Errorf("%d rows kept the wrong title after re-processing their run", n)
	}
}

// The acceptance question on demo-shaped data: which skills do data engineers
// ask for? The synthetic data engineer postings name Spark, Airflow, Kafka, … so those
// must lead, and no frontend skill may.
func TestProcess_skillMartsAnswerTheQuestion(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, generate(t, start.Add(-14*24*time.Hour), start, 400))
	e.lookbk = 14 * 24 * time.Hour
	_, pr, err := e.collectAndProcess(t)
	if err != nil {
		for _, c := range pr.Checks() {
			if c.Failed() {
				t.Logf("%s: %s %s", c.Check.Name, c.Message, c.Sample)
			}
		}
		t.Fatal(err)
	}
	rows := e.query(t, `SELECT skill, SUM(postings) AS n FROM core.skill_demand_weekly
		WHERE role = 'data_engineer' GROUP BY skill ORDER BY n DESC, skill LIMIT 5`)
	var top []string
	for _, r := range rows {
		top = append(top, r[0].(string))
	}
	dataSkills := map[string]bool{"Apache Spark": true, "Spark": true, "Apache Airflow": true, "Airflow": true, "Apache Kafka": true, "Kafka": true,
		"Python": true, "SQL": true, "Hadoop": true, "ETL": true, "Data Warehouse": true, "Apache Hadoop": true, "Scala": true, "BigQuery": true, "Snowflake": true, "dbt": true, "AWS": true, "GCP": true, "Google Cloud": true, "Amazon Web Services": true}
	hits := 0
	for _, s := range top {
		if dataSkills[s] {
			hits++
		}
		if s == "React" || s == "Vue.js" || s == "Figma" {
			t.Errorf("data engineers' top skills include %s: %v", s, top)
		}
	}
	if len(top) < 5 || hits < 4 {
		t.Errorf("data engineers' top 5 skills = %v, want data skills", top)
	}
	for role, want := range map[string]int64{"data_engineer": 1, "backend": 1, "frontend": 1, "non_it": 0} {
		n := e.count(t, "SELECT COUNT(*) FROM core.recruit WHERE role = '"+role+"'")
		if (want > 0) != (n > 0) {
			t.Errorf("core.recruit has %d %s postings", n, role)
		}
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.skill_demand_weekly WHERE EXTRACT(isodow FROM week_start) != 1"); n != 0 {
		t.Errorf("%d weeks do not start on Monday", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.skill_demand_weekly WHERE previous_share IS NOT NULL"); n == 0 {
		t.Error("no week-over-week change over two weeks of data")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM core.datajob WHERE role NOT IN ('data_engineer','data_analyst','data_scientist','ml_engineer')"); n != 0 {
		t.Errorf("%d non-data rows in core.datajob", n)
	}
}
