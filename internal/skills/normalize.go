package skills

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalize appends the matching form of s to dst: ASCII lower-cased, full-width ASCII
// folded, HTML entities unescaped, every run of white space one space (none at the
// ends), middle dots unified as '·', dashes as '-', and a '-' or '_' that joins two
// words (spring-boot, ISMS-P, scikit_learn) turned into a space, so one spaced pattern
// also covers the hyphenated spelling. Dictionary forms and posting texts go through
// the same function, so matching compares like with like.
func normalize(dst []byte, s string) []byte {
	if strings.IndexByte(s, '&') >= 0 && strings.IndexByte(s, ';') >= 0 {
		s = html.UnescapeString(s)
	}
	start := len(dst)
	space := true // true at the start and after a space: drop leading/repeated spaces
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		case r == 0x266F: // ♯ as in C♯
			r = '#'
		case r == 0x00B7 || r == 0x2027 || r == 0x30FB || r == 0x318D || r == 0x2022 || r == 0x2219 || r == 0xFF65:
			r = '·'
		case r >= 0x2010 && r <= 0x2015 || r == 0x2212:
			r = '-'
		case r >= 0x1100 && r <= 0x1112 && i < len(s):
			// A decomposed Hangul syllable (conjoining jamo, as some macOS input
			// produces) is composed so it matches the precomposed dictionary forms.
			if syl, n := composeJamo(r, s[i:]); n > 0 {
				r, i = syl, i+n
			}
		}
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
				if !space {
					dst = append(dst, ' ')
					space = true
				}
				continue
			case c == '-' || c == '_':
				// A joiner between two words becomes a space; a free-standing dash
				// ("Backend - Go") stays a dash, which is a list separator.
				if !space && i < len(s) && isWordStart(s[i:]) {
					dst = append(dst, ' ')
					space = true
					continue
				}
			}
			dst = append(dst, c)
			space = false
			continue
		}
		if unicode.IsSpace(r) {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			continue
		}
		dst = utf8.AppendRune(dst, r)
		space = false
	}
	if len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// isWordStart reports whether s starts with a letter or digit (ASCII or not).
func isWordStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r < utf8.RuneSelf && isASCIIAlnum(byte(r)) || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// composeJamo composes a leading consonant l with the vowel (and optional final
// consonant) at the start of rest; n is the number of bytes of rest consumed, 0 when
// rest does not start with a vowel.
func composeJamo(l rune, rest string) (syllable rune, n int) {
	v, vs := utf8.DecodeRuneInString(rest)
	if v < 0x1161 || v > 0x1175 {
		return 0, 0
	}
	syllable = 0xAC00 + ((l-0x1100)*21+(v-0x1161))*28
	n = vs
	if t, ts := utf8.DecodeRuneInString(rest[vs:]); t >= 0x11A8 && t <= 0x11C2 {
		syllable += t - 0x11A7
		n += ts
	}
	return syllable, n
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// isHangul reports whether r is a Hangul syllable or jamo.
func isHangul(r rune) bool {
	return r >= 0xAC00 && r <= 0xD7A3 || r >= 0x1100 && r <= 0x11FF || r >= 0x3130 && r <= 0x318F
}
