package skills

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// revision numbers the matching rules implemented in this package (normalization,
// boundaries, contexts). Bump it when they change; the dictionary content is versioned
// by its hash, so editing skills.csv needs no bump.
const revision = 1

// SkillsFile is the dictionary's path inside the sql/ tree.
const SkillsFile = "meta/skills.csv"

var skillsHeader = []string{"skill", "category", "aliases", "requires_context", "contexts"}

// Categories returns the fixed set of skill categories, in documentation order.
func Categories() []string {
	return []string{"language", "framework", "library", "database", "cloud", "data", "ml", "devops",
		"mobile", "frontend", "tool", "security", "os", "embedded", "methodology"}
}

// Skill is one dictionary entry.
type Skill struct {
	Name     string // canonical name, e.g. "Spring Boot"
	Category string // one of Categories()
	// Aliases are the other spellings, English and Korean, as written in the CSV
	// without the '?' marker of ambiguous aliases.
	Aliases []string
	// RequiresContext is true when the canonical name itself is ambiguous (R, C, Go):
	// it matches only in one of Contexts.
	RequiresContext bool
	// Contexts lists where the ambiguous forms (Guarded) may match; see the package doc.
	Contexts []string
	// Guarded lists the ambiguous forms: the name when RequiresContext, and every alias
	// written with a leading '?'.
	Guarded []string
}

// Match is one skill found in a posting.
type Match struct {
	Skill    string
	Category string
}

// Dictionary is a loaded, compiled skill dictionary. It is safe for concurrent use.
type Dictionary struct {
	version string
	skills  []Skill // sorted by Name: a skill's index orders Match results
	ctx     [][]context
	ac      *automaton
	pats    []patInfo
	nnear   int
	scratch sync.Pool
}

// patInfo describes one automaton pattern: a skill form, a context word, or both.
type patInfo struct {
	skill   int32 // index into skills, -1 for a context word only
	guarded bool
	near    int32 // context word id, -1 when the pattern is no context word
	bound   boundary
	// nearBound is bound for the context word: a Korean context word counts inside
	// a compound too (송금 in 해외송금).
	nearBound boundary
}

// boundary holds what the boundary check needs to know about a pattern.
type boundary struct {
	hangulStart bool // starts with Hangul: the byte before must not be Hangul either
	last        byte // 'a' ends in an ASCII letter, '0' in a digit, 0 otherwise
}

func boundaryOf(p string) boundary {
	r, _ := utf8.DecodeRuneInString(p)
	b := boundary{hangulStart: isHangul(r)}
	switch c := p[len(p)-1]; {
	case isASCIILetter(c):
		b.last = 'a'
	case isASCIIDigit(c):
		b.last = '0'
	}
	return b
}

// ok reports whether the occurrence t[start:end] stands on its own: no ASCII letter or
// digit right before it (nor Hangul, for a pattern that starts with Hangul), and after
// it no ASCII letter when it ends in a letter, no letter or digit when it ends in a
// digit. Hangul after an English term is a boundary (Korean particles and suffixes
// attach directly: "Python개발자"), and so is a digit after a letter ("Python3",
// "HTML5", "Vue3").
func (b boundary) ok(t []byte, start, end int) bool {
	if start > 0 {
		c := t[start-1]
		if isASCIIAlnum(c) {
			return false
		}
		if b.hangulStart && c >= utf8.RuneSelf {
			if r, _ := utf8.DecodeLastRune(t[:start]); isHangul(r) {
				return false
			}
		}
	}
	if end < len(t) {
		c := t[end]
		switch b.last {
		case 'a':
			return !isASCIILetter(c)
		case '0':
			return !isASCIIAlnum(c)
		}
	}
	return true
}

// Load reads and compiles meta/skills.csv from fsys (pass sqlfiles.FS, the embedded
// sql/ tree). Every problem in the file is reported, joined.
func Load(fsys fs.FS) (*Dictionary, error) {
	raw, err := fs.ReadFile(fsys, SkillsFile)
	if err != nil {
		return nil, fmt.Errorf("load skill dictionary: %w", err)
	}
	d, err := parseDictionary(raw)
	if err != nil {
		return nil, fmt.Errorf("load skill dictionary %s: %w", SkillsFile, err)
	}
	return d, nil
}

// Default returns the dictionary embedded in the binary (sql/meta/skills.csv),
// compiled once per process.
func Default() (*Dictionary, error) { return loadDefault() }

var loadDefault = sync.OnceValues(func() (*Dictionary, error) { return Load(sqlfiles.FS) })

// contentVersion is revision.<first 8 hex digits of the file's SHA-256>.
func contentVersion(raw []byte) string {
	sum := sha256.Sum256(raw)
	return fmt.Sprintf("%d.%s", revision, hex.EncodeToString(sum[:4]))
}

func parseDictionary(raw []byte) (*Dictionary, error) {
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], skillsHeader) {
		return nil, fmt.Errorf("header must be %s", strings.Join(skillsHeader, ","))
	}
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
	cats := Categories()
	type entry struct {
		skill Skill
		line  int
	}
	var entries []entry
	names := map[string]int{}
	for i, row := range rows[1:] {
		line := i + 2
		s := Skill{Name: strings.TrimSpace(row[0]), Category: strings.TrimSpace(row[1])}
		if s.Name == "" {
			bad(line, "empty skill name")
			continue
		}
		key := string(normalize(nil, s.Name))
		if prev, dup := names[key]; dup {
			bad(line, "skill %q already defined on line %d", s.Name, prev)
			continue
		}
		names[key] = line
		if !slices.Contains(cats, s.Category) {
			bad(line, "%s: category %q is not one of %s", s.Name, s.Category, strings.Join(cats, ", "))
		}
		switch row[3] {
		case "true":
			s.RequiresContext = true
			s.Guarded = append(s.Guarded, s.Name)
		case "false":
		default:
			bad(line, "%s: requires_context must be true or false, not %q", s.Name, row[3])
		}
		for _, a := range splitList(row[2]) {
			if g, ok := strings.CutPrefix(a, "?"); ok {
				a = strings.TrimSpace(g)
				s.Guarded = append(s.Guarded, a)
			}
			if a == "" {
				bad(line, "%s: empty alias", s.Name)
				continue
			}
			s.Aliases = append(s.Aliases, a)
		}
		s.Contexts = splitList(row[4])
		entries = append(entries, entry{s, line})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.skill.Name, b.skill.Name) })

	d := &Dictionary{version: contentVersion(raw)}
	type owner struct {
		skill    int
		explicit bool
	}
	pindex := map[string]int{} // pattern → index into patterns/pats
	var patterns []string
	owners := map[string]owner{}
	add := func(p string, info patInfo) int {
		if i, ok := pindex[p]; ok {
			return i
		}
		pindex[p] = len(patterns)
		patterns = append(patterns, p)
		info.bound = boundaryOf(p)
		info.nearBound = info.bound
		info.nearBound.hangulStart = false
		d.pats = append(d.pats, info)
		return len(patterns) - 1
	}
	nearIDs := map[string]int32{}
	for si, e := range entries {
		s := e.skill
		d.skills = append(d.skills, s)
		ctxs, err := parseContexts(s.Contexts, func(w string) int32 {
			if id, ok := nearIDs[w]; ok {
				return id
			}
			nearIDs[w] = int32(len(nearIDs))
			return nearIDs[w]
		})
		if err != nil {
			bad(e.line, "%s: %v", s.Name, err)
		}
		d.ctx = append(d.ctx, ctxs)
		positive := slices.ContainsFunc(ctxs, func(c context) bool { return !c.negate })
		switch {
		case len(s.Guarded) > 0 && !positive:
			bad(e.line, "%s: ambiguous forms %q need at least one context", s.Name, s.Guarded)
		case len(s.Guarded) == 0 && len(ctxs) > 0:
			bad(e.line, "%s: contexts given but no form is ambiguous (requires_context or a ?alias)", s.Name)
		}
		forms := append([]string{s.Name}, s.Aliases...)
		for _, f := range forms {
			n := string(normalize(nil, f))
			if n == "" {
				bad(e.line, "%s: form %q is empty once normalized", s.Name, f)
				continue
			}
			guarded := slices.Contains(s.Guarded, f)
			variants := []string{n}
			if strings.Contains(n, " ") {
				// "spring boot" also matches "springboot" (and, by normalization,
				// "spring-boot").
				variants = append(variants, strings.ReplaceAll(n, " ", ""))
			}
			for vi, v := range variants {
				explicit := vi == 0
				if o, ok := owners[v]; ok {
					switch {
					case o.skill != si:
						bad(e.line, "%s: form %q is also a form of %s", s.Name, v, d.skills[o.skill].Name)
					case explicit && o.explicit:
						bad(e.line, "%s: form %q is listed twice", s.Name, f)
					default:
						// A spacing variant of another form of the same skill: one
						// pattern, unambiguous if either spelling is.
						p := &d.pats[pindex[v]]
						p.guarded = p.guarded && guarded
						if explicit {
							owners[v] = owner{si, true}
						}
					}
					continue
				}
				owners[v] = owner{si, explicit}
				add(v, patInfo{skill: int32(si), guarded: guarded, near: -1})
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Context words ride on the same automaton; a word may also be a skill form.
	for w, id := range nearIDs {
		i := add(w, patInfo{skill: -1, near: -1})
		d.pats[i].near = id
	}
	d.nnear = len(nearIDs)
	ac, err := newAutomaton(patterns)
	if err != nil {
		return nil, err
	}
	d.ac = ac
	d.scratch.New = func() any { return new(scratch) }
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Version identifies the dictionary: the matcher revision and a hash of skills.csv,
// e.g. "1.3f9a1c2b". Store it next to matched skills so they can be recomputed when it
// changes.
func (d *Dictionary) Version() string { return d.version }

// Len is the number of skills.
func (d *Dictionary) Len() int { return len(d.skills) }

// Skills returns a copy of the entries, sorted by Name.
func (d *Dictionary) Skills() []Skill {
	out := make([]Skill, len(d.skills))
	for i, s := range d.skills {
		s.Aliases = slices.Clone(s.Aliases)
		s.Contexts = slices.Clone(s.Contexts)
		s.Guarded = slices.Clone(s.Guarded)
		out[i] = s
	}
	return out
}

// scratch holds per-call buffers, pooled so Match does not allocate per posting.
type scratch struct {
	buf   []byte
	spans [][2]int
	hits  []hit
	near  []bool
	ids   []int32
}

type hit struct {
	text       int
	start, end int
	pat        int32
}

// Match finds the skills named in texts (a posting's title, keywords and job-code
// names; a comma-joined list and separate elements work alike) and returns each skill
// once, sorted by Name. At each position the longest form wins and matches do not
// overlap: "Spring Boot" yields Spring Boot, not also Spring.
func (d *Dictionary) Match(texts ...string) []Match {
	sc := d.scratch.Get().(*scratch)
	defer d.scratch.Put(sc)
	sc.buf, sc.spans, sc.hits, sc.ids = sc.buf[:0], sc.spans[:0], sc.hits[:0], sc.ids[:0]
	if len(sc.near) < d.nnear {
		sc.near = make([]bool, d.nnear)
	}
	clear(sc.near)

	for ti, s := range texts {
		from := len(sc.buf)
		sc.buf = normalize(sc.buf, s)
		sc.spans = append(sc.spans, [2]int{from, len(sc.buf)})
		t := sc.buf[from:]
		d.ac.scan(t, func(p int32, start, end int) {
			info := &d.pats[p]
			if info.near >= 0 && info.nearBound.ok(t, start, end) {
				sc.near[info.near] = true
			}
			if info.skill >= 0 && info.bound.ok(t, start, end) {
				sc.hits = append(sc.hits, hit{ti, start, end, p})
			}
		})
	}
	// Drop ambiguous forms outside their contexts, then keep the leftmost-longest
	// non-overlapping matches of each text.
	hits := sc.hits[:0]
	for _, h := range sc.hits {
		info := &d.pats[h.pat]
		if info.guarded {
			sp := sc.spans[h.text]
			if !inContext(d.ctx[info.skill], sc.buf[sp[0]:sp[1]], h.start, h.end, sc.near) {
				continue
			}
		}
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.text != b.text {
			return a.text - b.text
		}
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	text, covered := -1, 0
	for _, h := range hits {
		if h.text != text {
			text, covered = h.text, 0
		}
		if h.start < covered {
			continue
		}
		covered = h.end
		sc.ids = append(sc.ids, d.pats[h.pat].skill)
	}
	if len(sc.ids) == 0 {
		return nil
	}
	slices.Sort(sc.ids)
	ids := slices.Compact(sc.ids)
	out := make([]Match, len(ids))
	for i, id := range ids {
		out[i] = Match{Skill: d.skills[id].Name, Category: d.skills[id].Category}
	}
	return out
}
