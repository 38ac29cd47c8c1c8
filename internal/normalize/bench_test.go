package normalize

import (
	"context"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// BenchmarkSaraminRun normalizes a run of about 10,000 synthetic postings in pages of
// 110 on a local lake: reads, conversion, drift, NDJSON parts and the clean manifest.
func BenchmarkSaraminRun(b *testing.B) {
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 11, From: testNow.Add(-40 * 24 * time.Hour), To: testNow, PerDay: 450})
	if err != nil {
		b.Fatal(err)
	}
	ps = ps[:min(len(ps), 10_000)]
	store := laketest.NewLocal(b)
	name := writeRun(b, store, testRunID, syntheticPages(ps, 110, testNow)...)
	ctx := context.Background()
	rows := 0
	for b.Loop() {
		res, err := SaraminRun(ctx, store, name, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows = res.Rows
	}
	b.ReportMetric(float64(rows), "postings/op")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}

// BenchmarkSaraminRow is the conversion of one job alone.
func BenchmarkSaraminRow(b *testing.B) {
	jobs, err := splitPage(realPage(b, sample2021))
	if err != nil {
		b.Fatal(err)
	}
	tally := newDriftTally()
	n := 0
	for b.Loop() {
		for i, j := range jobs {
			_ = saraminRow(j, testRunID, 1, i, tally)
		}
		n += len(jobs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "postings/s")
}
