package skills

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// benchPostings returns the synthetic generator's titles, keywords and job-code names
// for about n postings, as the pipeline passes them to Match.
func benchPostings(b *testing.B, days int) (texts [][]string, bytes int64) {
	b.Helper()
	end := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 1, From: end.Add(-time.Duration(days) * 24 * time.Hour), To: end, PerDay: 250})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		t := append(append([]string{p.Title}, p.Keywords...), p.JobCodeNames...)
		for _, s := range t {
			bytes += int64(len(s))
		}
		texts = append(texts, t)
	}
	return texts, bytes
}

// BenchmarkMatch measures the matcher over ~10k synthetic postings per op.
func BenchmarkMatch(b *testing.B) {
	d := mustDefault(b)
	texts, n := benchPostings(b, 55)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			d.Match(t...)
		}
	}
	b.ReportMetric(float64(len(texts)), "postings/op")
	b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
	b.ReportMetric(float64(d.Len()), "skills")
}

// BenchmarkMatchNaiveRegexp is the approach the automaton replaces: one regular
// expression per skill (its forms as alternatives, ASCII boundaries only, no contexts
// and no longest-match resolution, so it does less than Match). Fewer postings per op
// than BenchmarkMatch because it is that much slower; compare postings/s and MB/s.
func BenchmarkMatchNaiveRegexp(b *testing.B) {
	d := mustDefault(b)
	var res []*regexp.Regexp
	for _, s := range d.Skills() {
		var alts []string
		for _, f := range append([]string{s.Name}, s.Aliases...) {
			alts = append(alts, regexp.QuoteMeta(string(normalize(nil, f))))
		}
		res = append(res, regexp.MustCompile(`(?:^|[^a-z0-9])(?:`+strings.Join(alts, "|")+`)(?:$|[^a-z])`))
	}
	texts, n := benchPostings(b, 2)
	b.SetBytes(n)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		for _, t := range texts {
			var found []int
			for _, s := range t {
				buf = normalize(buf[:0], s)
				for i, re := range res {
					if re.Match(buf) {
						found = append(found, i)
					}
				}
			}
			_ = found
		}
	}
	b.ReportMetric(float64(len(texts)), "postings/op")
	b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
	b.ReportMetric(float64(len(res)), "regexps")
}

// BenchmarkClassify measures role classification over ~10k synthetic postings per op.
func BenchmarkClassify(b *testing.B) {
	r := mustRoles(b)
	end := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 1, From: end.Add(-55 * 24 * time.Hour), To: end, PerDay: 250})
	if err != nil {
		b.Fatal(err)
	}
	posts := make([]Posting, len(ps))
	for i, p := range ps {
		var mids []string
		for _, m := range p.JobMids {
			mids = append(mids, m.Code)
		}
		posts[i] = Posting{Title: p.Title, Keywords: p.Keywords, JobCodes: p.JobCodes, JobCodeNames: p.JobCodeNames, JobMidCodes: mids}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range posts {
			r.Classify(p)
		}
	}
	b.ReportMetric(float64(len(posts))*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}
