package skills

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

type contextKind uint8

const (
	ctxItem contextKind = iota // a whole item of a list
	ctxNext                    // directly followed by a word
	ctxPrev                    // directly preceded by a word
	ctxNear                    // the posting contains a word anywhere
)

// context is one parsed entry of a skill's contexts column.
type context struct {
	kind   contextKind
	negate bool // "!next:…": the form never matches there, whatever else holds
	word   string
	near   int32
}

// parseContexts parses "item", "next:W", "prev:W", "near:W" and the negations
// "!next:W", "!prev:W", "!near:W". nearID assigns ids to near words.
func parseContexts(specs []string, nearID func(string) int32) ([]context, error) {
	var out []context
	for _, s := range specs {
		c := context{}
		spec := s
		if rest, ok := strings.CutPrefix(spec, "!"); ok {
			c.negate, spec = true, rest
		}
		kind, word, hasWord := strings.Cut(spec, ":")
		if hasWord {
			word = string(normalize(nil, word))
			if word == "" {
				return nil, fmt.Errorf("context %q has an empty word", s)
			}
		}
		switch {
		case kind == "item" && !hasWord && !c.negate:
			c.kind = ctxItem
		case kind == "next" && hasWord:
			c.kind, c.word = ctxNext, word
		case kind == "prev" && hasWord:
			c.kind, c.word = ctxPrev, word
		case kind == "near" && hasWord:
			c.kind, c.near = ctxNear, nearID(word)
		default:
			return nil, fmt.Errorf("context %q is not item, next:W, prev:W, near:W or a negated !next:W, !prev:W, !near:W", s)
		}
		out = append(out, c)
	}
	return out, nil
}

// inContext reports whether the ambiguous occurrence t[start:end] is in one of ctxs
// and in none of the negated ones.
func inContext(ctxs []context, t []byte, start, end int, near []bool) bool {
	ok := false
	for _, c := range ctxs {
		var holds bool
		switch c.kind {
		case ctxItem:
			holds = itemStart(t, start) && itemEnd(t, end)
		case ctxNext:
			holds = followedBy(t, end, c.word)
		case ctxPrev:
			holds = precededBy(t, start, c.word)
		case ctxNear:
			holds = near[c.near]
		}
		if holds && c.negate {
			return false
		}
		ok = ok || holds && !c.negate
	}
	return ok
}

// isSeparator reports whether r separates the items of a list: "Python, R",
// "C/C++", "HTML·CSS", "Backend - Go". '&' and '.' are not separators (R&D, "Go." in
// prose), and neither is '+' (C++). Brackets count on their own side only: "(Go)" is
// an item, "일러스트레이터 (그림 작가)" does not make 일러스트레이터 one.
func isSeparator(r rune) bool {
	switch r {
	case ',', '/', '|', ';', ':', '-', '"', '\'', '`', '·', '、', '※', '★', '☆', '■', '□', '◆', '◇', '●', '○', '▶', '▷', '►':
		return true
	}
	return false
}

func isOpening(r rune) bool {
	switch r {
	case '(', '[', '{', '<', '「', '『', '【', '〈', '《':
		return true
	}
	return false
}

func isClosing(r rune) bool {
	switch r {
	case ')', ']', '}', '>', '」', '』', '】', '〉', '》':
		return true
	}
	return false
}

// List words join items like separators: "Java 및 Go", "Python 또는 R", "C 등".
var (
	listWordsBefore = []string{"및", "또는", "and", "or"}
	listWordsAfter  = []string{"및", "또는", "등", "and", "or", "etc"}
)

// itemStart reports whether an item starts at i (spaces skipped): the start of the
// text, a separator, or a list word.
func itemStart(t []byte, i int) bool {
	for i > 0 && t[i-1] == ' ' {
		i--
	}
	if i == 0 {
		return true
	}
	if r, _ := utf8.DecodeLastRune(t[:i]); isSeparator(r) || isOpening(r) {
		return true
	}
	for _, w := range listWordsBefore {
		if j := i - len(w); j >= 0 && string(t[j:i]) == w && (j == 0 || t[j-1] == ' ' || isSepBefore(t[:j])) {
			return true
		}
	}
	return false
}

// itemEnd reports whether an item ends at i (spaces skipped).
func itemEnd(t []byte, i int) bool {
	for i < len(t) && t[i] == ' ' {
		i++
	}
	if i == len(t) {
		return true
	}
	if r, _ := utf8.DecodeRune(t[i:]); isSeparator(r) || isClosing(r) {
		return true
	}
	for _, w := range listWordsAfter {
		if bytes.HasPrefix(t[i:], []byte(w)) {
			j := i + len(w)
			if j == len(t) || t[j] == ' ' || t[j] == '.' || isSepAfter(t[j:]) {
				return true
			}
		}
	}
	return false
}

func isSepBefore(t []byte) bool {
	r, _ := utf8.DecodeLastRune(t)
	return isSeparator(r) || isOpening(r)
}
func isSepAfter(t []byte) bool { r, _ := utf8.DecodeRune(t); return isSeparator(r) || isClosing(r) }

// followedBy reports whether w comes right after end, spaces skipped, and does not run
// on into a longer English word ("engineer" matches "engineer" and "engineer님" but
// not "engineering"; a Korean word may be followed by anything: "개발" matches "개발자").
func followedBy(t []byte, end int, w string) bool {
	i := end
	for i < len(t) && t[i] == ' ' {
		i++
	}
	if !bytes.HasPrefix(t[i:], []byte(w)) {
		return false
	}
	j := i + len(w)
	return j == len(t) || !isASCIILetter(w[len(w)-1]) || !isASCIILetter(t[j])
}

// precededBy reports whether w comes right before start, spaces skipped, and does not
// continue a longer English word.
func precededBy(t []byte, start int, w string) bool {
	i := start
	for i > 0 && t[i-1] == ' ' {
		i--
	}
	if !bytes.HasSuffix(t[:i], []byte(w)) {
		return false
	}
	j := i - len(w)
	return j == 0 || !isASCIIAlnum(w[0]) || !isASCIIAlnum(t[j-1])
}
