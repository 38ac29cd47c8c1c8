package pipeline_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
	"github.com/jobpulse/jobpulse/internal/source/trends"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

const qnetTestKey = "QnEt+SeCrEt/KEY=="

// sourcesEnv adds the Trends and Q-Net fakes to a processing environment whose lake
// already holds Saramin postings.
type sourcesEnv struct {
	*processEnv
	trendsFake *trendstest.Server
	qnetFake   *qnettest.Server
}

func newSourcesEnv(t *testing.T, topts trendstest.Options, qopts qnettest.Options) *sourcesEnv {
	t.Helper()
	e := newProcessEnv(t, generate(t, start.Add(-40*24*time.Hour), start, 60))
	e.lookbk = 40 * 24 * time.Hour
	topts.Now, qopts.Now = e.clock.Now, e.clock.Now
	qopts.ServiceKey = qnetTestKey
	s := &sourcesEnv{processEnv: e, trendsFake: trendstest.NewServer(topts), qnetFake: qnettest.NewServer(qopts)}
	t.Cleanup(s.trendsFake.Close)
	t.Cleanup(s.qnetFake.Close)
	return s
}

func (s *sourcesEnv) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (s *sourcesEnv) trendsCollector(t *testing.T) *pipeline.TrendsCollect {
	t.Helper()
	set := pipeline.DefaultTrendsSettings()
	set.APIURL, set.Spacing = s.trendsFake.URL(), 0
	cfg, errs := set.ClientConfig()
	if len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	cfg.BaseDelay, cfg.MaxDelay = time.Millisecond, time.Millisecond
	client, err := trends.NewClient(cfg, trends.WithClock(s.clock.Now), trends.WithLogger(s.logger()),
		trends.WithSleep(func(context.Context, time.Duration) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	c, err := set.Collector(s.store, client, client.Params, s.clock.Now, s.logger())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *sourcesEnv) qnetCollector(t *testing.T) *pipeline.QnetCollect {
	t.Helper()
	set := pipeline.DefaultQnetSettings()
	set.APIURL, set.ServiceKey = s.qnetFake.URL(), qnetTestKey
	cfg, errs := set.ClientConfig()
	if len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	client, err := qnet.NewClient(cfg, qnet.WithClock(s.clock.Now), qnet.WithLogger(s.logger()),
		qnet.WithSleep(func(context.Context, time.Duration) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	c, err := set.Collector(s.store, client, s.clock.Now, s.logger())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// process processes a committed run and fails the test on any failed check.
func (s *sourcesEnv) process(t *testing.T, cr pipeline.CollectResult) pipeline.ProcessResult {
	t.Helper()
	if cr.ManifestURL == "" {
		t.Fatalf("%s collect wrote no manifest: %+v", cr.Source, cr)
	}
	pr, err := s.proc.Run(context.Background(), lake.RawManifest(cr.Source, cr.DT, cr.RunID))
	if err != nil {
		t.Fatalf("process %s: %v\nlogs:\n%s", cr.RunID, err, s.logs.String())
	}
	for _, c := range pr.Checks() {
		if c.Status != models.StatusPass {
			t.Errorf("%s check %s.%s: %s %s (sample %s)", cr.Source, c.Check.Layer, c.Check.Name, c.Status, c.Message, c.Sample)
		}
	}
	return pr
}

func collectOK(t *testing.T, name string, run func(context.Context) (pipeline.CollectResult, error)) pipeline.CollectResult {
	t.Helper()
	cr, err := run(context.Background())
	if err != nil {
		t.Fatalf("collect %s: %v", name, err)
	}
	return cr
}

// TestSources_threeSignalsSideBySide is the acceptance on fakes: all three
// sources processed, and the market signals mart shows postings, search interest and
// certification applicants for the same month and role.
func TestSources_threeSignalsSideBySide(t *testing.T) {
	t.Parallel()
	s := newSourcesEnv(t, trendstest.Options{Seed: 7}, qnettest.Options{Seed: 7})
	if _, _, err := s.collectAndProcess(t); err != nil {
		t.Fatal(err)
	}
	tr := s.trendsCollector(t)
	tc := collectOK(t, "trends", tr.Run)
	if tc.Outcome != lake.OutcomeSuccess || len(tc.FailedItems) > 0 {
		t.Fatalf("trends outcome %s, failed %v", tc.Outcome, tc.FailedItems)
	}
	tp := s.process(t, tc)
	qc := collectOK(t, "qnet", s.qnetCollector(t).Run)
	qp := s.process(t, qc)

	if got, want := s.count(t, "SELECT COUNT(DISTINCT keyword) FROM core.google_trend"), int64(len(tr.Keywords)+1); got != want {
		t.Errorf("core.google_trend keywords = %d, want %d (every keyword and the anchor)", got, want)
	}
	if got := s.count(t, "SELECT COUNT(*) FROM core.google_trend WHERE is_partial"); got == 0 {
		t.Error("no partial period kept in core.google_trend")
	}
	if got := s.count(t, "SELECT COUNT(*) FROM core.google_trend WHERE keyword = '개발자' AND NOT is_partial AND ABS(interest - 100 * interest_raw / "+
		"(SELECT AVG(interest_raw) FROM core.google_trend WHERE keyword = '개발자' AND NOT is_partial AND has_data)) > 0.001"); got != 0 {
		t.Errorf("%d anchor points are not on the anchor's own scale (interest = raw × 100 / mean)", got)
	}
	exams := int64(len(s.qnetCollector(t).Exams))
	if got, want := s.count(t, "SELECT COUNT(*) FROM core.certification"), exams*2*qnet.WindowYears; got != want {
		t.Errorf("core.certification rows = %d, want %d (exams × stages × 5 years)", got, want)
	}
	if got := s.count(t, "SELECT COUNT(*) FROM core.certification WHERE exam_code = '1320' AND exam_name = '정보처리기사' AND applicants > 0 AND pass_rate BETWEEN 0 AND 1"); got != 2*qnet.WindowYears {
		t.Errorf("정보처리기사 rows with applicants and a pass rate = %d, want %d", got, 2*qnet.WindowYears)
	}
	rows := s.query(t, `SELECT CAST(month AS VARCHAR), postings, entry_level_share, trend_interest, certification_year, certification_applicants
		FROM core.market_signals WHERE role = 'data_engineer' ORDER BY month DESC LIMIT 1`)
	if len(rows) != 1 {
		t.Fatal("no market signals for data engineers")
	}
	r := rows[0]
	if r[1].(int64) == 0 || r[2] == nil || r[3] == nil || r[5] == nil {
		t.Errorf("latest data_engineer month lacks a signal: month %v postings %v entry share %v trend %v cert year %v applicants %v", r[0], r[1], r[2], r[3], r[4], r[5])
	}
	if y, _ := r[4].(int64); y != int64(start.Year()-1) {
		t.Errorf("certification year = %v, want last year %d (this year is not tallied)", r[4], start.Year()-1)
	}
	if tp.Counts.StagingRows != int64(tc.Records) || qp.Counts.StagingRows != int64(qc.Records) {
		t.Errorf("staging rows %d/%d, raw records %d/%d", tp.Counts.StagingRows, qp.Counts.StagingRows, tc.Records, qc.Records)
	}

	// Idempotent: re-processing the same runs leaves the marts as they were.
	before := s.query(t, "SELECT COUNT(*), SUM(interest), (SELECT SUM(applicants) FROM core.certification), (SELECT SUM(postings) FROM core.market_signals) FROM core.google_trend")
	s.process(t, tc)
	s.process(t, qc)
	after := s.query(t, "SELECT COUNT(*), SUM(interest), (SELECT SUM(applicants) FROM core.certification), (SELECT SUM(postings) FROM core.market_signals) FROM core.google_trend")
	if !slices.Equal(before[0], after[0]) {
		t.Errorf("re-processing changed the marts: %v → %v", before[0], after[0])
	}

	// Both sources are fresh: another run within the interval collects nothing.
	s.clock.Add(time.Hour)
	if again := collectOK(t, "trends", s.trendsCollector(t).Run); again.Outcome != pipeline.OutcomeNotDue || again.ManifestURL != "" {
		t.Errorf("trends again within the interval: outcome %s manifest %q", again.Outcome, again.ManifestURL)
	}
	if again := collectOK(t, "qnet", s.qnetCollector(t).Run); again.Outcome != pipeline.OutcomeNotDue {
		t.Errorf("qnet again within the interval: outcome %s", again.Outcome)
	}
}

func TestTrendsCollect_failingKeywordWaitsInTheBacklog(t *testing.T) {
	t.Parallel()
	s := newSourcesEnv(t, trendstest.Options{Failing: map[string]trendstest.Fault{"Spark": {Status: 400}}}, qnettest.Options{})
	cr := collectOK(t, "trends", s.trendsCollector(t).Run)
	if cr.Outcome != lake.OutcomeSuccess || len(cr.FailedItems) != 1 || !strings.HasPrefix(cr.FailedItems[0], "Spark: ") {
		t.Fatalf("outcome %s failed %v, want success with Spark failed", cr.Outcome, cr.FailedItems)
	}
	s.process(t, cr)
	if got := s.count(t, "SELECT COUNT(*) FROM core.google_trend WHERE keyword = 'Kafka'"); got == 0 {
		t.Error("Spark's batch neighbour Kafka is missing: the failing keyword was not isolated")
	}
	bl, _, err := lake.ReadBacklog(context.Background(), s.store, pipeline.SourceTrends)
	if err != nil || !slices.Equal(bl.Keys(), []string{"Spark"}) {
		t.Fatalf("backlog = %v, %v; want [Spark]", bl.Keys(), err)
	}

	// The next run, long before the interval is up, asks for the backlog only.
	s.clock.Add(time.Hour)
	s.trendsFake.Close()
	s.trendsFake = trendstest.NewServer(trendstest.Options{Now: s.clock.Now})
	again := collectOK(t, "trends", s.trendsCollector(t).Run)
	if again.Outcome != lake.OutcomeSuccess || again.Pages != 1 || len(again.FailedItems) != 0 {
		t.Fatalf("backlog run: outcome %s pages %d failed %v, want one page for Spark", again.Outcome, again.Pages, again.FailedItems)
	}
	s.process(t, again)
	if got := s.count(t, "SELECT COUNT(*) FROM core.google_trend WHERE keyword = 'Spark'"); got == 0 {
		t.Error("Spark still missing after the backlog run")
	}
	if bl, _, _ := lake.ReadBacklog(context.Background(), s.store, pipeline.SourceTrends); len(bl.Items) != 0 {
		t.Errorf("backlog after success = %v, want empty", bl.Keys())
	}
}

func TestTrendsCollect_blockedRunResumesWhereItStopped(t *testing.T) {
	t.Parallel()
	s := newSourcesEnv(t, trendstest.Options{BlockAfter: 3}, qnettest.Options{})
	tr := s.trendsCollector(t)
	cr := collectOK(t, "trends", tr.Run)
	if cr.Outcome != lake.OutcomeQuotaExhausted || cr.Pages != 3 || cr.ManifestURL == "" {
		t.Fatalf("blocked run: outcome %s pages %d manifest %q; want quota_exhausted with 3 committed pages", cr.Outcome, cr.Pages, cr.ManifestURL)
	}
	s.process(t, cr)
	bl, _, _ := lake.ReadBacklog(context.Background(), s.store, pipeline.SourceTrends)
	if want := len(tr.Keywords) - 3*(tr.BatchSize-1); len(bl.Items) != want {
		t.Fatalf("backlog has %d keywords, want the %d not fetched", len(bl.Items), want)
	}
	if wm, _, _ := lake.ReadWatermark(context.Background(), s.store, pipeline.SourceTrends); !wm.Through.IsZero() {
		t.Errorf("a cut-short pass recorded its time %s", wm.Through)
	}

	s.clock.Add(2 * time.Hour) // the block has lifted
	s.trendsFake.Close()
	s.trendsFake = trendstest.NewServer(trendstest.Options{Now: s.clock.Now})
	again := collectOK(t, "trends", s.trendsCollector(t).Run)
	if again.Outcome != lake.OutcomeSuccess || len(again.FailedItems) != 0 {
		t.Fatalf("resumed run: outcome %s failed %v", again.Outcome, again.FailedItems)
	}
	s.process(t, again)
	if got, want := s.count(t, "SELECT COUNT(DISTINCT keyword) FROM core.google_trend"), int64(len(tr.Keywords)+1); got != want {
		t.Errorf("keywords after resuming = %d, want %d", got, want)
	}
}

func TestQnetCollect_uncoveredExamIsAWarningAndTheKeyNeverLands(t *testing.T) {
	t.Parallel()
	s := newSourcesEnv(t, trendstest.Options{}, qnettest.Options{Uncovered: []string{"9520"}})
	cr := collectOK(t, "qnet", s.qnetCollector(t).Run)
	if cr.Outcome != lake.OutcomeSuccess || len(cr.FailedItems) != 0 {
		t.Fatalf("outcome %s failed %v", cr.Outcome, cr.FailedItems)
	}
	if !slices.ContainsFunc(cr.Warnings, func(w string) bool { return strings.Contains(w, "9520") && strings.Contains(w, "not covered") }) {
		t.Errorf("warnings %v lack the uncovered exam 9520", cr.Warnings)
	}
	s.process(t, cr)
	if got := s.count(t, "SELECT COUNT(*) FROM core.certification WHERE exam_code = '9520'"); got != 0 {
		t.Errorf("uncovered exam has %d rows", got)
	}
	names, err := s.store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		obj, err := s.store.Get(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range []string{qnetTestKey, "QnEt%2BSeCrEt%2FKEY%3D%3D"} {
			if strings.Contains(string(obj.Data), form) {
				t.Errorf("lake object %s holds the service key", n)
			}
		}
	}
	if strings.Contains(s.logs.String(), "QnEt+SeCrEt") || strings.Contains(s.logs.String(), "QnEt%2BSeCrEt") {
		t.Error("logs hold the service key")
	}
}
