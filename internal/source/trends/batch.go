package trends

import (
	"fmt"
	"strings"
)

// Batches splits keywords into requests of size terms that all start with anchor, so that
// every batch can be rescaled onto the anchor's scale (see the package doc). Keywords are
// trimmed and de-duplicated case-insensitively (as Google matches them), empty ones and the
// anchor itself are dropped, and the first spelling and order are kept. No keywords give
// no batches.
func Batches(keywords []string, anchor string, size int) ([][]string, error) {
	anchor = strings.TrimSpace(anchor)
	switch {
	case anchor == "":
		return nil, fmt.Errorf("batch keywords: the anchor term is empty: set one that is searched steadily (e.g. a broad skill)")
	case size < 2 || size > MaxTerms:
		return nil, fmt.Errorf("batch keywords: batch size %d: want 2..%d (the anchor plus at least one keyword)", size, MaxTerms)
	}
	seen := map[string]bool{strings.ToLower(anchor): true}
	var rest []string
	for _, k := range keywords {
		k = strings.TrimSpace(k)
		key := strings.ToLower(k)
		if k == "" || seen[key] {
			continue
		}
		seen[key] = true
		rest = append(rest, k)
	}
	var out [][]string
	for len(rest) > 0 {
		n := min(size-1, len(rest))
		b := make([]string, 0, n+1)
		b = append(b, anchor)
		out = append(out, append(b, rest[:n]...))
		rest = rest[n:]
	}
	return out, nil
}
