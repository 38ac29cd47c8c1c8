package pipeline_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
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

// BenchmarkProcess100k measures processing one run of 100,000 synthetic postings
// (910 raw pages) on DuckDB: normalize, then every layer and check. Each iteration
// processes a fresh warehouse.
func BenchmarkProcess100k(b *testing.B) {
	const n = 100_000
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 9, From: start.Add(-100 * 24 * time.Hour), To: start, PerDay: 3300})
	if err != nil {
		b.Fatal(err)
	}
	if len(ps) < n {
		b.Fatalf("generated %d postings, want %d", len(ps), n)
	}
	ps = ps[:n]
	var pages [][]byte
	for i := 0; i < n; i += 110 {
		pages = append(pages, saramintest.PageJSON(ps[i:min(i+110, n)], i/110, n, start))
	}
	for b.Loop() {
		b.StopTimer()
		local := laketest.NewLocal(b)
		manifest := landRun(b, local, "20261117T010000Z-saramin-bench1", pages...)
		wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(b.TempDir(), "w.duckdb"), LakeRoot: local.Root()})
		if err != nil {
			b.Fatal(err)
		}
		project, err := models.Load(sqlfiles.FS)
		if err != nil {
			b.Fatal(err)
		}
		logger := slog.New(slog.DiscardHandler)
		proc := &pipeline.Process{Store: local, Runner: &models.Runner{WH: wh, Project: project, Logger: logger, CheckTimeout: 10 * time.Minute}, Logger: logger, Now: func() time.Time { return start }}
		b.StartTimer()
		pr, err := proc.Run(context.Background(), manifest)
		b.StopTimer()
		if err != nil || pr.Counts.CoreRows != n {
			b.Fatalf("process: %v (core rows %d)", err, pr.Counts.CoreRows)
		}
		var layers time.Duration
		for _, l := range pr.Layers {
			layers += l.Duration
		}
		b.ReportMetric(layers.Seconds(), "layers_s/op")
		wh.Close()
		b.StartTimer()
	}
}
