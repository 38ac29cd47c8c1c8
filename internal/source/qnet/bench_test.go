package qnet_test

import (
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
)

// BenchmarkDecode measures reading one answer, per format: the normalizer's work per
// stored page when it replays the lake.
func BenchmarkDecode(b *testing.B) {
	at := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name, format string
		opts         qnettest.Options
	}{
		{name: "xml", format: qnet.FormatXML},
		{name: "json", format: qnet.FormatJSON},
		{name: "xml_commas_sparse", format: qnet.FormatXML, opts: qnettest.Options{CommaCounts: true, SparseCounts: true}},
	} {
		tt.opts.Now = at
		s := qnettest.NewServer(tt.opts)
		body := s.Body(qnet.StageWritten, qnettest.CodeEngineer, 2025, tt.format)
		s.Close()
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				stats, _, err := qnet.Decode(body, qnet.StageWritten, qnettest.CodeEngineer, 2025)
				if err != nil || len(stats) != qnet.WindowYears {
					b.Fatalf("Decode: %d stats, %v", len(stats), err)
				}
			}
		})
	}
}
