package saramintest

import (
	"testing"
	"time"
)

// BenchmarkGenerate measures synthetic postings per second (the demo generates 30 days
// at start-up).
func BenchmarkGenerate(b *testing.B) {
	end := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	n := 0
	for b.Loop() {
		ps, err := Generate(Spec{Seed: 1, From: end.Add(-30 * 24 * time.Hour), To: end, PerDay: 250})
		if err != nil {
			b.Fatal(err)
		}
		n = len(ps)
	}
	b.ReportMetric(float64(n), "postings/op")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}
