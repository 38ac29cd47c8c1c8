package trends_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/trends"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

func ptr(f float64) *float64 { return &f }

func TestRescale(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return t0.AddDate(0, 0, 7*i) }
	// The anchor's mean uses points 0 and 1 only: point 2 has no anchor data and point
	// 3 is partial. A_b = (50+30)/2 = 40.
	tl := trends.Timeline{Terms: []string{"anchor", "k"}, Points: []trends.Point{
		{Time: at(0), Values: []int{50, 20}, HasData: []bool{true, true}},
		{Time: at(1), Values: []int{30, 10}, HasData: []bool{true, true}},
		{Time: at(2), Values: []int{0, 5}, HasData: []bool{false, true}},
		{Time: at(3), Values: []int{90, 0}, HasData: []bool{true, false}, Partial: true},
	}}
	row := func(term string, i, raw int, interest *float64, has, partial bool, mean float64) trends.RescaledPoint {
		return trends.RescaledPoint{Term: term, Time: at(i), Raw: raw, Interest: interest, HasData: has, Partial: partial, AnchorMean: mean}
	}
	tests := []struct {
		name       string
		tl         trends.Timeline
		anchor     string
		want       trends.Rescaled
		wantReason string
		wantErr    bool
	}{
		{
			name: "interest_is_percent_of_the_anchor_mean", tl: tl, anchor: "ANCHOR",
			want: trends.Rescaled{Anchor: "anchor", AnchorMean: 40, AnchorPoints: 2, Points: []trends.RescaledPoint{
				row("anchor", 0, 50, ptr(125), true, false, 40),
				row("anchor", 1, 30, ptr(75), true, false, 40),
				row("anchor", 2, 0, nil, false, false, 40),
				row("anchor", 3, 90, ptr(225), true, true, 40),
				row("k", 0, 20, ptr(50), true, false, 40),
				row("k", 1, 10, ptr(25), true, false, 40),
				row("k", 2, 5, ptr(12.5), true, false, 40),
				row("k", 3, 0, nil, false, true, 40),
			}},
		},
		{
			name: "anchor_without_data_cannot_be_rescaled", anchor: "anchor", wantReason: "has no data",
			tl: trends.Timeline{Terms: []string{"anchor", "k"}, Points: []trends.Point{
				{Time: at(0), Values: []int{0, 100}, HasData: []bool{false, true}},
			}},
			want: trends.Rescaled{Anchor: "anchor", Points: []trends.RescaledPoint{
				row("anchor", 0, 0, nil, false, false, 0),
				row("k", 0, 100, nil, true, false, 0),
			}},
		},
		{
			name: "anchor_at_zero_cannot_be_rescaled", anchor: "anchor", wantReason: "is 0 on all 1",
			tl: trends.Timeline{Terms: []string{"anchor", "k"}, Points: []trends.Point{
				{Time: at(0), Values: []int{0, 100}, HasData: []bool{true, true}},
			}},
			want: trends.Rescaled{Anchor: "anchor", AnchorPoints: 1, Points: []trends.RescaledPoint{
				row("anchor", 0, 0, nil, true, false, 0),
				row("k", 0, 100, nil, true, false, 0),
			}},
		},
		{
			name: "only_a_partial_point_cannot_be_rescaled", anchor: "anchor", wantReason: "no data on any complete point",
			tl: trends.Timeline{Terms: []string{"anchor"}, Points: []trends.Point{
				{Time: at(0), Values: []int{80}, HasData: []bool{true}, Partial: true},
			}},
			want: trends.Rescaled{Anchor: "anchor", Points: []trends.RescaledPoint{row("anchor", 0, 80, nil, true, true, 0)}},
		},
		{name: "anchor_not_among_the_terms", tl: tl, anchor: "other", wantErr: true},
		{
			name: "values_not_matching_the_terms", anchor: "anchor", wantErr: true,
			tl: trends.Timeline{Terms: []string{"anchor", "k"}, Points: []trends.Point{{Time: at(0), Values: []int{1}, HasData: []bool{true}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := trends.Rescale(tt.tl, tt.anchor)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if !strings.Contains(got.Reason, tt.wantReason) || (tt.wantReason == "") != (got.Reason == "") {
				t.Errorf("Reason = %q, want it to mention %q", got.Reason, tt.wantReason)
			}
			got.Reason = ""
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Rescale (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRescale_recoversGroundTruthAcrossBatches crawls batches from the fake, whose
// values are Google-style per-request roundings of a known truth, and checks that the
// rescaled interest of every keyword is truth × 100 / mean(truth of the anchor).
//
// Tolerance, derived: in a request with maximum M, let x = 100·truth_k(t)/M be k's exact
// value and y = mean(100·truth_a/M) the anchor's exact mean over the complete points.
// Google sends r = round(x), so |r − x| ≤ 0.5; the anchor mean of rounded values is A =
// y + mean(rounding errors), so |A − y| ≤ 0.5. The expected value is E = 100·x/y and the
// rescaled one R = 100·r/A, hence
//
//	100·max(0, x−0.5)/(y+0.5) ≤ R ≤ 100·(x+0.5)/(y−0.5)
//
// i.e. a relative error of at most about 0.5/x + 0.5/y: ≤ 5% + 1.25% for a keyword at 10
// in its request with an anchor averaging 40, and a few tenths of a point in absolute
// terms for keywords rounded to 0. The test asserts exactly this interval per point (plus
// 1e-9 for float arithmetic); two batches' values of the same keyword must then lie within
// the union of their intervals.
func TestRescale_recoversGroundTruthAcrossBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{Seed: 11}, nil)
	keywords := []string{"파이썬", "Kubernetes", "데이터 엔지니어", "SQL", "React", "머신러닝", "Go", "백엔드", "AWS", "정보처리기사"}
	const anchor = "개발자"
	batches, err := trends.Batches(keywords, anchor, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 3 {
		t.Fatalf("batches = %d, want 3", len(batches))
	}
	// One more batch asks again for a keyword of each of the first two, so the same
	// keyword is measured in two different requests.
	batches = append(batches, []string{anchor, keywords[0], keywords[4]})

	var responses []*trends.Response
	cr := trends.Crawler{Source: e.client}
	res, err := cr.Crawl(context.Background(), batches, "today 5-y", func(_ context.Context, _ trends.Query, r *trends.Response) error {
		responses = append(responses, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batches != 4 || len(res.Fetched) != len(keywords) || res.Requests != 1+4*2 {
		t.Fatalf("crawl result = %+v, want 4 batches, %d keywords, 9 requests", res, len(keywords))
	}

	type bound struct{ got, lo, hi float64 }
	seen := map[string][]bound{} // term@time → one bound per batch
	worst := 0.0
	for b, r := range responses {
		rs, err := trends.Rescale(r.Timeline, anchor)
		if err != nil || rs.Reason != "" {
			t.Fatalf("batch %d: Rescale = %v, reason %q", b, err, rs.Reason)
		}
		// The request's own maximum and the anchor's exact mean, from the truth.
		peak, sum, n := 0.0, 0.0, 0
		for _, p := range r.Timeline.Points {
			for _, k := range r.Timeline.Terms {
				peak = max(peak, e.fake.Truth(k, p.Time))
			}
			if !p.Partial {
				sum += e.fake.Truth(anchor, p.Time)
				n++
			}
		}
		meanTruth := sum / float64(n)
		y := 100 * meanTruth / peak
		if y < 5 {
			t.Fatalf("batch %d: the anchor averages %.1f in its request; the bound below needs a popular anchor", b, y)
		}
		for _, p := range rs.Points {
			if p.Interest == nil {
				t.Fatalf("batch %d: %s at %s has no interest", b, p.Term, p.Time)
			}
			truth := e.fake.Truth(p.Term, p.Time)
			want := truth * 100 / meanTruth
			x := 100 * truth / peak
			lo, hi := 100*max(0, x-0.5)/(y+0.5), 100*(x+0.5)/(y-0.5)
			if *p.Interest < lo-1e-9 || *p.Interest > hi+1e-9 {
				t.Errorf("batch %d: %s at %s: interest %.3f, truth says %.3f; outside the rounding bound [%.3f, %.3f]",
					b, p.Term, p.Time.Format(time.DateOnly), *p.Interest, want, lo, hi)
			}
			if want > 0 {
				worst = max(worst, math.Abs(*p.Interest-want)/want)
			}
			key := fmt.Sprintf("%s@%d", strings.ToLower(p.Term), p.Time.Unix())
			seen[key] = append(seen[key], bound{got: *p.Interest, lo: lo, hi: hi})
		}
	}
	t.Logf("largest relative error against the truth: %.2f%%", 100*worst)

	// The same keyword from different batches agrees within their joint rounding bound.
	compared := map[string]int{}
	for key, bs := range seen {
		for i := 1; i < len(bs); i++ {
			a, b := bs[0], bs[i]
			if d := math.Abs(a.got - b.got); d > max(a.hi, b.hi)-min(a.lo, b.lo)+1e-9 {
				t.Errorf("%s: batches disagree: %.3f vs %.3f", key, a.got, b.got)
			}
			compared[strings.SplitN(key, "@", 2)[0]]++
		}
	}
	for _, k := range []string{anchor, keywords[0], keywords[4]} {
		if compared[strings.ToLower(k)] == 0 {
			t.Errorf("%s was never compared across batches", k)
		}
	}
}
