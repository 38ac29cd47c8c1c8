package pipeline_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

func TestLedgerStatus_readsTheRunsLatestRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A fresh warehouse: no schemas, no ledger table yet.
	wh, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	l := pipeline.Ledger{WH: wh, Project: project}
	const run = "20261117T010000Z-saramin-0a0b0c"
	if st, found, err := l.Status(ctx, run); err != nil || found {
		t.Fatalf("fresh warehouse: Status = %q, %v, %v; want no row and no error", st, found, err)
	}
	at := time.Date(2026, 11, 17, 1, 0, 0, 0, time.UTC)
	for _, status := range []string{pipeline.OutcomeFailed, lake.OutcomeSuccess} {
		rec := pipeline.RunRecord{RunID: run, Source: pipeline.SourceSaramin, Status: status, StartedAt: at, FinishedAt: at.Add(time.Minute)}
		if err := l.Record(ctx, rec, nil); err != nil {
			t.Fatal(err)
		}
		if st, found, err := l.Status(ctx, run); err != nil || !found || st != status {
			t.Errorf("after recording %s: Status = %q, %v, %v", status, st, found, err)
		}
	}
	if _, found, err := l.Status(ctx, "20261117T020000Z-saramin-ffffff"); err != nil || found {
		t.Errorf("another run: found %v, err %v; want no row", found, err)
	}
}

func TestSummary_kinds(t *testing.T) {
	t.Parallel()
	rec := pipeline.RunRecord{RunID: "r1", Source: pipeline.SourceSaramin, RawRecords: 10, Pages: 1, APICalls: 2,
		Counts: pipeline.RunCounts{ExternalUpserts: 7, NewPostings: 5, RejectedRows: 1}}
	tests := []struct {
		name   string
		status string
		err    error
		want   notify.Kind
	}{
		{"success", lake.OutcomeSuccess, nil, notify.KindSuccess},
		{"no_new_postings", lake.OutcomeNoNewPostings, nil, notify.KindNoNewPostings},
		{"quota_exhausted", lake.OutcomeQuotaExhausted, nil, notify.KindQuotaExhausted},
		{"failure", pipeline.OutcomeFailed, context.DeadlineExceeded, notify.KindFailure},
	}
	for _, tc := range tests {
		r := rec
		r.Status = tc.status
		s := pipeline.Summary(r, nil, nil, 500, []pipeline.SkillCount{{Skill: "go", Postings: 3}}, tc.err)
		if s.Kind != tc.want {
			t.Errorf("%s: kind %s, want %s", tc.name, s.Kind, tc.want)
		}
		src := s.Sources[0]
		if src.New != 5 || src.Updated != 2 || src.Rejected != 1 || src.QuotaLimit != 500 || len(s.TopNewSkills) != 1 {
			t.Errorf("%s: stats %+v skills %v", tc.name, src, s.TopNewSkills)
		}
		if tc.err != nil && (s.ErrorClass != "timeout" || s.Runbook != pipeline.RunbookCollect) {
			t.Errorf("%s: class %q runbook %q", tc.name, s.ErrorClass, s.Runbook)
		}
	}
}

func TestFirstLine_cutsOnACharacterBoundary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가", 200) // 3 bytes each
	got := pipeline.FirstLine(long + "\nsecond line")
	if !strings.HasSuffix(got, "…") || len(got) > 300+len("…") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("FirstLine = %q (%d bytes)", got, len(got))
	}
	if got := pipeline.FirstLine(errors.New("one\ntwo").Error()); got != "one" {
		t.Errorf("FirstLine = %q, want one", got)
	}
}

func TestSaraminSettings_defaultsValidate(t *testing.T) {
	t.Parallel()
	s := pipeline.DefaultSaraminSettings()
	s.AccessKey = "k"
	cfg, errs := s.ClientConfig()
	if len(errs) != 0 {
		t.Fatalf("defaults do not validate: %v", errs)
	}
	if cfg.Query.Get("job_mid_cd") != "2" || s.DailyQuota != 500 || s.MaxPages != 100 {
		t.Errorf("defaults %+v", s)
	}
	bad := pipeline.SaraminSettings{Query: "%zz", APIURL: "ftp://x"}
	_, errs = bad.ClientConfig()
	for _, want := range []string{"SARAMIN_QUERY", "SARAMIN_API_URL", "SARAMIN_DAILY_QUOTA", "SARAMIN_LOOKBACK", "SARAMIN_MAX_PAGES"} {
		if !strings.Contains(errors.Join(errs...).Error(), want) {
			t.Errorf("errors %v do not mention %s", errs, want)
		}
	}
}

func TestSummary_trendsKeywordsAndBlocks(t *testing.T) {
	t.Parallel()
	rec := pipeline.RunRecord{RunID: "r2", Source: pipeline.SourceTrends, Status: lake.OutcomeSuccess}
	cr := &pipeline.CollectResult{Source: pipeline.SourceTrends, FailedItems: []string{"Spark: http status 400: bad request", "Kafka: not attempted (rate limited)"}}
	s := pipeline.Summary(rec, cr, nil, 0, nil, nil)
	if s.Kind != notify.KindFailedKeywords || strings.Join(s.FailedKeywords, ",") != "Spark,Kafka" || s.ErrorMessage != "http status 400: bad request" {
		t.Errorf("failed keywords: kind %s keywords %v message %q", s.Kind, s.FailedKeywords, s.ErrorMessage)
	}
	rec.Status = lake.OutcomeQuotaExhausted
	s = pipeline.Summary(rec, cr, nil, 0, nil, nil)
	if s.Kind != notify.KindQuotaExhausted || !s.ResumesAt.IsZero() || !strings.Contains(s.ErrorMessage, "2 keywords wait") {
		t.Errorf("blocked: kind %s resumes %s message %q", s.Kind, s.ResumesAt, s.ErrorMessage)
	}
}

func TestSourceSettings_defaultsValidateAndComeFromTheSeeds(t *testing.T) {
	t.Parallel()
	tr := pipeline.DefaultTrendsSettings()
	if _, errs := tr.ClientConfig(); len(errs) != 0 {
		t.Fatalf("trends defaults do not validate: %v", errs)
	}
	c, err := tr.Collector(nil, nil, nil, time.Now, nil)
	if err != nil || c.Anchor != "개발자" || !slices.Contains(c.Keywords, "데이터 엔지니어") || !slices.Contains(c.Keywords, "Spark") || slices.Contains(c.Keywords, c.Anchor) {
		t.Errorf("trends keywords from the seed: anchor %q keywords %v err %v", c.Anchor, c.Keywords, err)
	}
	bad := tr
	bad.Mode, bad.BatchSize, bad.Time = "bing", 9, "yesterday"
	_, errs := bad.ClientConfig()
	for _, want := range []string{"TRENDS_MODE", "TRENDS_BATCH_SIZE", "TRENDS_TIME"} {
		if !strings.Contains(errors.Join(errs...).Error(), want) {
			t.Errorf("errors %v do not mention %s", errs, want)
		}
	}
	qn := pipeline.DefaultQnetSettings()
	qc, err := qn.Collector(nil, nil, time.Now, nil)
	if err != nil || !slices.Contains(qc.Exams, "1320") {
		t.Errorf("qnet exams from the seed: %v, %v", qc.Exams, err)
	}
	qn.Windows = 0
	if _, errs := qn.ClientConfig(); !strings.Contains(errors.Join(errs...).Error(), "QNET_WINDOWS") {
		t.Errorf("errors %v do not mention QNET_WINDOWS", errs)
	}
}
