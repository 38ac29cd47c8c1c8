package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// BenchmarkCollect measures a whole first run over a 7-day window (about 1,700 postings,
// 16 pages) from the fake API over loopback HTTP into a local lake: request, decode,
// atomic page writes, quota accounting, manifest, watermark.
func BenchmarkCollect(b *testing.B) {
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 5, From: start.Add(-7 * 24 * time.Hour), To: start, PerDay: 300})
	if err != nil {
		b.Fatal(err)
	}
	records := 0
	for b.Loop() {
		b.StopTimer()
		h := &harness{store: laketest.NewLocal(b), clock: &clock{t: start}, logs: &syncBuffer{}, quota: 500, pages: 100, lookbk: 7 * 24 * time.Hour, overlp: time.Minute}
		h.fake = saramintest.NewServer(saramintest.Options{Keys: []string{testKey}, Now: h.clock.Now}, ps...)
		c := h.collectorTB(b)
		b.StartTimer()
		res, err := c.Run(context.Background())
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		records = res.Records
		h.fake.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(records), "postings/op")
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}
