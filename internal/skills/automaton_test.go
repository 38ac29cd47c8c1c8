package skills

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type occurrence struct {
	pat        int32
	start, end int
}

// TestAutomaton_matches_brute_force compares every reported occurrence with a naive
// search on random texts over a small alphabet, where overlaps abound.
func TestAutomaton_matches_brute_force(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "c", " ", "자", "바", "+"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 200 {
		seen := map[string]bool{}
		var patterns []string
		for len(patterns) < 1+rng.IntN(12) {
			if p := word(1 + rng.IntN(4)); !seen[p] {
				seen[p] = true
				patterns = append(patterns, p)
			}
		}
		a, err := newAutomaton(patterns)
		if err != nil {
			t.Fatal(err)
		}
		text := []byte(word(rng.IntN(40)))
		var got, want []occurrence
		a.scan(text, func(p int32, start, end int) { got = append(got, occurrence{p, start, end}) })
		for i := range text {
			for pi, p := range patterns {
				if strings.HasPrefix(string(text[i:]), p) {
					want = append(want, occurrence{int32(pi), i, i + len(p)})
				}
			}
		}
		order := func(x, y occurrence) int {
			if x.start != y.start {
				return x.start - y.start
			}
			return int(x.pat - y.pat)
		}
		slices.SortFunc(got, order)
		slices.SortFunc(want, order)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(occurrence{})); diff != "" {
			t.Fatalf("round %d, patterns %q, text %q (-want +got):\n%s", round, patterns, text, diff)
		}
	}
}

func TestAutomaton_rejects_bad_patterns(t *testing.T) {
	t.Parallel()
	for name, pats := range map[string][]string{"empty": {"a", ""}, "duplicate": {"ab", "ab"}} {
		if _, err := newAutomaton(pats); err == nil {
			t.Errorf("%s: newAutomaton(%q) succeeded", name, pats)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"lower_ascii_only", "Python 파이썬", "python 파이썬"},
		{"collapse_spaces", "  a \t\n b  ", "a b"},
		{"joiner_hyphen", "Spring-Boot", "spring boot"},
		{"joiner_underscore", "scikit_learn", "scikit learn"},
		{"free_dash", "Backend - Go", "backend - go"},
		{"full_width", "ＡＷＳ", "aws"},
		{"middle_dots", "HTML・CSSㆍJS", "html·css·js"},
		{"entities", "R&amp;D", "r&d"},
		{"sharp_sign", "C♯", "c#"},
		{"ideographic_space", "A\u3000B", "a b"},
		{"jamo", "\u1100\u1161", "가"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(normalize(nil, tc.in)); got != tc.want {
				t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
