package skills

import (
	"fmt"
	"slices"
)

// automaton is an Aho–Corasick automaton over bytes, compiled to a DFA: one table
// lookup per input byte and every pattern that ends at that byte, overlapping ones
// included. Bytes that occur in no pattern share one class, which keeps the table
// small (the dictionary's patterns use about a hundred distinct bytes).
type automaton struct {
	class   [256]uint8
	nclass  int
	delta   []int32 // delta[state*nclass+class] = next state
	outFrom []int32 // outputs of state s: outs[outFrom[s]:outFrom[s+1]]
	outs    []int32 // pattern indexes
	plen    []int32 // byte length of each pattern
}

// newAutomaton compiles patterns (non-empty byte strings; duplicates are an error, the
// caller dedupes). Output pattern indexes are positions in patterns.
func newAutomaton(patterns []string) (*automaton, error) {
	a := &automaton{plen: make([]int32, len(patterns))}
	used := [256]bool{}
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("pattern %d is empty", i)
		}
		a.plen[i] = int32(len(p))
		for j := 0; j < len(p); j++ {
			used[p[j]] = true
		}
	}
	a.nclass = 1 // class 0: bytes no pattern uses
	for b := range 256 {
		if used[b] {
			if a.nclass == 256 {
				return nil, fmt.Errorf("more than 255 distinct pattern bytes")
			}
			a.class[b] = uint8(a.nclass)
			a.nclass++
		}
	}

	// Trie with dense rows (-1: no edge), then BFS to fill failure transitions.
	nc := a.nclass
	row := func() []int32 {
		r := make([]int32, nc)
		for i := range r {
			r[i] = -1
		}
		return r
	}
	trie := [][]int32{row()}
	own := [][]int32{nil}
	for i, p := range patterns {
		s := int32(0)
		for j := 0; j < len(p); j++ {
			c := a.class[p[j]]
			if trie[s][c] < 0 {
				trie[s][c] = int32(len(trie))
				trie = append(trie, row())
				own = append(own, nil)
			}
			s = trie[s][c]
		}
		if len(own[s]) > 0 {
			return nil, fmt.Errorf("duplicate pattern %q", p)
		}
		own[s] = append(own[s], int32(i))
	}
	n := len(trie)
	fail := make([]int32, n)
	out := make([][]int32, n)
	a.delta = make([]int32, n*nc)
	queue := make([]int32, 0, n)
	for c := range nc {
		if t := trie[0][c]; t >= 0 {
			a.delta[c] = t
			queue = append(queue, t)
		}
	}
	out[0] = own[0]
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(slices.Clone(own[s]), out[fail[s]]...)
		for c := range nc {
			if t := trie[s][c]; t >= 0 {
				fail[t] = a.delta[int(fail[s])*nc+c]
				a.delta[int(s)*nc+c] = t
				queue = append(queue, t)
			} else {
				a.delta[int(s)*nc+c] = a.delta[int(fail[s])*nc+c]
			}
		}
	}
	a.outFrom = make([]int32, n+1)
	for s := range n {
		a.outFrom[s] = int32(len(a.outs))
		a.outs = append(a.outs, out[s]...)
	}
	a.outFrom[n] = int32(len(a.outs))
	return a, nil
}

// scan calls emit(pattern, start, end) for every occurrence of every pattern in text,
// in order of end position (for one end, longest pattern first).
func (a *automaton) scan(text []byte, emit func(p int32, start, end int)) {
	s := int32(0)
	nc := int32(a.nclass)
	for i := 0; i < len(text); i++ {
		s = a.delta[s*nc+int32(a.class[text[i]])]
		if from, to := a.outFrom[s], a.outFrom[s+1]; from < to {
			for _, p := range a.outs[from:to] {
				emit(p, i+1-int(a.plen[p]), i+1)
			}
		}
	}
}

// states is the number of DFA states (for tests and size reports).
func (a *automaton) states() int { return len(a.outFrom) - 1 }
