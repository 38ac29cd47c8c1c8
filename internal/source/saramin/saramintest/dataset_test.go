package saramintest

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

var (
	from = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	to   = from.Add(14 * 24 * time.Hour)
)

func gen(t *testing.T, from, to time.Time) []Posting {
	t.Helper()
	ps, err := Generate(Spec{Seed: 11, From: from, To: to, PerDay: 300})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestGenerate_deterministicAndWindowIndependent(t *testing.T) {
	t.Parallel()
	a := gen(t, from, to)
	b := gen(t, from, to)
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(codeName{}, location{})); diff != "" {
		t.Fatalf("same spec, different data:\n%s", diff)
	}
	// A window that overlaps by one week agrees on that week.
	c := gen(t, from.Add(7*24*time.Hour), to.Add(7*24*time.Hour))
	mid := from.Add(7 * 24 * time.Hour)
	var inA, inC []string
	for _, p := range a {
		if !p.PostedAt.Before(mid) {
			inA = append(inA, p.ID)
		}
	}
	for _, p := range c {
		if p.PostedAt.Before(to) {
			inC = append(inC, p.ID)
		}
	}
	if !slices.Equal(inA, inC) || len(inA) == 0 {
		t.Errorf("overlapping specs disagree: %d vs %d postings", len(inA), len(inC))
	}
}

// TestGenerate_hasTheMessOfRealData checks every property the collector and the
// normalizer must survive, so a generator change cannot quietly make tests easy.
func TestGenerate_hasTheMessOfRealData(t *testing.T) {
	t.Parallel()
	ps := gen(t, from, to)
	count := func(f func(Posting) bool) int {
		n := 0
		for _, p := range ps {
			if f(p) {
				n++
			}
		}
		return n
	}
	share := func(f func(Posting) bool) float64 { return float64(count(f)) / float64(len(ps)) }

	hours := map[time.Time]int{}
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		hours[h] = 0
	}
	ids := map[string]bool{}
	for _, p := range ps {
		hours[p.PostedAt.Truncate(time.Hour)]++
		if ids[p.ID] {
			t.Fatalf("duplicate id %s in one dataset", p.ID)
		}
		ids[p.ID] = true
	}
	empty := 0
	for _, n := range hours {
		if n == 0 {
			empty++
		}
	}

	checks := []struct {
		name string
		ok   bool
		got  any
	}{
		{"seoul_and_gyeonggi_dominate", share(func(p Posting) bool { return p.Locations[0].region == "서울" || p.Locations[0].region == "경기" }) > 0.6, nil},
		{"multi_code_locations", count(func(p Posting) bool { return len(p.Locations) > 1 }) > 0, nil},
		{"escaped_gt_in_location_names", share(func(p Posting) bool { return p.EscapeGT }) > 0.5, nil},
		{"plain_gt_in_location_names", count(func(p Posting) bool { return !p.EscapeGT }) > 0, nil},
		{"multi_code_job_types", count(func(p Posting) bool { return len(p.JobTypes) > 1 }) > 0, nil},
		{"multi_code_job_mid", count(func(p Posting) bool { return len(p.JobMids) > 1 }) > 0, nil},
		{"job_code_names_not_aligned", share(func(p Posting) bool { return len(p.JobCodes) != len(p.JobCodeNames) }) > 0.8, nil},
		{"repeated_job_codes", count(func(p Posting) bool { return len(p.JobCodes) != len(uniq(p.JobCodes)) }) > 0, nil},
		{"sentinel_until_hired", count(func(p Posting) bool { return p.CloseType.Code == "2" && p.ExpiresAt.Unix() == SentinelUntilHired }) > 0, nil},
		{"sentinel_always_open", count(func(p Posting) bool { return p.CloseType.Code == "3" && p.ExpiresAt.Unix() == SentinelAlwaysOpen }) > 0, nil},
		{"no_expiration_at_all", count(func(p Posting) bool { return p.ExpiresAt.IsZero() }) > 0, nil},
		{"reposted_with_newer_modification", count(func(p Posting) bool { return !p.Bump.IsZero() }) > 0, nil},
		{"modified_before_posted", count(func(p Posting) bool { return p.ModifiedAt.Before(p.PostedAt) }) > 0, nil},
		{"salary_without_name", count(func(p Posting) bool { return p.Salary.Name == "" }) > 0, nil},
		{"html_entity_in_company", count(func(p Posting) bool { return strings.Contains(p.Company, "&amp;") }) > 0, nil},
		{"korean_titles", count(func(p Posting) bool { return strings.IndexFunc(p.Title, isHangul) >= 0 }) > 0, nil},
		{"english_titles", count(func(p Posting) bool { return strings.IndexFunc(p.Title, isHangul) < 0 }) > 0, nil},
		{"korean_skill_spellings", count(func(p Posting) bool {
			return slices.ContainsFunc(p.JobCodeNames, func(s string) bool { return s == "파이썬" || s == "쿠버네티스" || s == "스프링부트" })
		}) > 0, nil},
		{"non_it_postings_to_filter", count(func(p Posting) bool { return p.JobMids[0].Code != "2" }) > 0, nil},
		{"hours_with_no_postings", empty > 0, empty},
		{"every_posting_inside_the_spec", count(func(p Posting) bool { return p.PostedAt.Before(from) || p.PostedAt.After(to) }) == 0, nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not found in %d postings (%v)", c.name, len(ps), c.got)
		}
	}
}

func TestPosting_atServesTheBumpedVersionLater(t *testing.T) {
	t.Parallel()
	for _, p := range gen(t, from, to) {
		if p.Bump.IsZero() {
			continue
		}
		before, ok := p.At(p.Bump.Add(-time.Second))
		if !ok || !before.PostedAt.Equal(p.PostedAt) {
			t.Fatalf("before the bump the original version must be served")
		}
		after, _ := p.At(p.Bump)
		if !after.PostedAt.Equal(p.Bump) || !after.ModifiedAt.After(before.ModifiedAt) {
			t.Fatalf("after the bump: posted %s modified %s, want the bump time and a newer modification", after.PostedAt, after.ModifiedAt)
		}
		return
	}
	t.Fatal("no bumped posting in the dataset")
}

func uniq(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }
