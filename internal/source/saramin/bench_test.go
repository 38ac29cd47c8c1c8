package saramin

import (
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// BenchmarkDecodePage measures classifying and indexing one full 110-job page: the
// client's work per API call on top of the network.
func BenchmarkDecodePage(b *testing.B) {
	end := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 1, From: end.Add(-72 * time.Hour), To: end, PerDay: 300})
	if err != nil {
		b.Fatal(err)
	}
	body := saramintest.PageJSON(ps[:110], 0, len(ps), end)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodeBody(body, 200)
		if err != nil || len(p.Jobs) != 110 {
			b.Fatalf("decode: %v", err)
		}
	}
}
