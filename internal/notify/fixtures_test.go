package notify

import (
	"time"
)

var (
	started  = time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
	finished = started.Add(112 * time.Second)
)

func successSummary() RunSummary {
	return RunSummary{
		Kind: KindSuccess, RunID: "20261121T103000Z-saramin-3f9a1c", StartedAt: started, FinishedAt: finished,
		Sources: []SourceStats{{
			Source: "saramin", Collected: 1040, New: 812, Updated: 205, Rejected: 2, Pages: 11, QuotaUsed: 11, QuotaLimit: 500,
		}},
		ChecksPassed: 42, ChecksWarned: 1, BytesProcessed: 12_900_000,
		Failures: []CheckFailure{{
			Layer: "external", Name: "saramin_postings_relationships_industry_code", Severity: "warn",
			Message: "1 violating rows", Observed: 1, Sample: `{"id":"49213377","industry_code":"999"}`,
		}},
		TopNewSkills: []SkillCount{{"Python", 120}, {"Java", 98}, {"React", 61}, {"AWS", 1}},
	}
}

func failureSummary() RunSummary {
	return RunSummary{
		Kind: KindFailure, RunID: "20261121T234844Z-saramin-8d6125", StartedAt: started, FinishedAt: started.Add(590 * time.Millisecond),
		Sources:      []SourceStats{{Source: "saramin", Collected: 1040, New: 0, Pages: 11, QuotaUsed: 11, QuotaLimit: 500}},
		ChecksPassed: 1, ChecksFailed: 1,
		FailedStep: "staging", ErrorClass: "check_failed",
		ErrorMessage: "staging checks failed, promotion stopped: [reconcile_raw_staging]",
		Failures: []CheckFailure{{
			Layer: "staging", Name: "reconcile_raw_staging", Severity: "error",
			Message: "1 of 1 assertion rows are not ok", Observed: 1234,
			Sample: `{"raw_records":1040,"staging_rows":1039,"ok":false}`,
		}},
		Runbook: "docs/runbooks/check-failed.md",
	}
}

func noNewPostingsSummary() RunSummary {
	return RunSummary{
		Kind: KindNoNewPostings, RunID: "20261121T103000Z-saramin-00aa11", StartedAt: started, FinishedAt: started.Add(2 * time.Second),
		Since:   started.Add(-time.Hour),
		Sources: []SourceStats{{Source: "saramin", Pages: 1, QuotaUsed: 12, QuotaLimit: 500}},
	}
}

func quotaSummary() RunSummary {
	return RunSummary{
		Kind: KindQuotaExhausted, RunID: "20261121T103000Z-saramin-ffee00", StartedAt: started, FinishedAt: started.Add(3 * time.Second),
		Sources:      []SourceStats{{Source: "saramin", Collected: 300, New: 120, Pages: 3, QuotaUsed: 500, QuotaLimit: 500}},
		ResumesAt:    time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		ErrorMessage: "stopped before call 501 of the day",
		Runbook:      "docs/runbooks/quota-exhausted.md",
	}
}

func failedKeywordsSummary() RunSummary {
	return RunSummary{
		Kind: KindFailedKeywords, RunID: "20261121T103000Z-trends-1b2c3d", StartedAt: started, FinishedAt: started.Add(40 * time.Second),
		FailedKeywords: []string{"쿠버네티스", "Rust", "데이터 엔지니어"},
		ErrorClass:     "rate_limited", ErrorMessage: "trends answered 429 three times",
	}
}
