package skills

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// RolesFile is the role rules' path inside the sql/ tree.
const RolesFile = "meta/roles.csv"

var rolesHeader = []string{"precedence", "role", "source", "pattern", "note"}

// The primary roles. Every posting gets exactly one.
const (
	RoleDataEngineer  = "data_engineer"
	RoleDataAnalyst   = "data_analyst"
	RoleDataScientist = "data_scientist"
	RoleMLEngineer    = "ml_engineer"
	RoleBackend       = "backend"
	RoleFrontend      = "frontend"
	RoleFullstack     = "fullstack"
	RoleMobile        = "mobile"
	RoleDevOps        = "devops"
	RoleSecurity      = "security"
	RoleEmbedded      = "embedded"
	RoleQA            = "qa"
	RoleOtherIT       = "other_it"
	RoleNonIT         = "non_it"
)

// RoleNames returns every role, in documentation order.
func RoleNames() []string {
	return []string{RoleDataEngineer, RoleDataAnalyst, RoleDataScientist, RoleMLEngineer, RoleBackend,
		RoleFrontend, RoleFullstack, RoleMobile, RoleDevOps, RoleSecurity, RoleEmbedded, RoleQA, RoleOtherIT, RoleNonIT}
}

// ITJobMidCode is Saramin's top-level job category IT개발·데이터.
const ITJobMidCode = "2"

// Rule sources, in the order they take precedence.
const (
	SourceTitle = "title" // a phrase of the title
	SourceName  = "name"  // a whole keyword or job-code name
	SourceCode  = "code"  // a job code
)

// Rule is one row of roles.csv.
type Rule struct {
	Precedence int    // lower wins
	Role       string // one of RoleNames()
	Source     string // SourceTitle, SourceName or SourceCode
	Pattern    string // as written; "a&&b" needs every part
	Note       string
}

// Posting is what role classification reads from a posting.
type Posting struct {
	Title        string
	Keywords     []string
	JobCodes     []string
	JobCodeNames []string
	JobMidCodes  []string
}

// Roles is a compiled set of role rules. It is safe for concurrent use.
type Roles struct {
	version string
	rules   []Rule
	// parts[i] are rule i's normalized parts; a rule holds when all of them do.
	parts [][]string
	title *automaton
	// titlePat[p] is the boundary rule of title pattern p.
	titlePat  []boundary
	titleStrs []string       // automaton pattern strings
	titleOf   map[string]int // normalized title phrase → automaton pattern
	names     map[string]bool
	codes     map[string]bool
	order     []int // rule indexes by precedence, then file order
}

// LoadRoles reads and compiles meta/roles.csv from fsys (pass sqlfiles.FS).
func LoadRoles(fsys fs.FS) (*Roles, error) {
	raw, err := fs.ReadFile(fsys, RolesFile)
	if err != nil {
		return nil, fmt.Errorf("load role rules: %w", err)
	}
	r, err := parseRoles(raw)
	if err != nil {
		return nil, fmt.Errorf("load role rules %s: %w", RolesFile, err)
	}
	return r, nil
}

// DefaultRoles returns the role rules embedded in the binary (sql/meta/roles.csv),
// compiled once per process.
func DefaultRoles() (*Roles, error) { return loadDefaultRoles() }

var loadDefaultRoles = sync.OnceValues(func() (*Roles, error) { return LoadRoles(sqlfiles.FS) })

func parseRoles(raw []byte) (*Roles, error) {
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], rolesHeader) {
		return nil, fmt.Errorf("header must be %s", strings.Join(rolesHeader, ","))
	}
	r := &Roles{version: contentVersion(raw), titleOf: map[string]int{}, names: map[string]bool{}, codes: map[string]bool{}}
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
	roleAt := map[int]string{} // precedence → role: a tie between roles would be ambiguous
	maxOf := map[string]int{}  // source → highest precedence
	minOf := map[string]int{}  // source → lowest precedence
	seen := map[string]int{}   // source + normalized pattern → line
	var titlePats []string     // automaton patterns
	for i, row := range rows[1:] {
		line := i + 2
		prec, err := strconv.Atoi(row[0])
		if err != nil {
			bad(line, "precedence %q is not an integer", row[0])
			continue
		}
		rule := Rule{Precedence: prec, Role: row[1], Source: row[2], Pattern: strings.TrimSpace(row[3]), Note: row[4]}
		if !slices.Contains(RoleNames(), rule.Role) {
			bad(line, "role %q is not one of %s", rule.Role, strings.Join(RoleNames(), ", "))
		}
		if prev, ok := roleAt[prec]; ok && prev != rule.Role {
			bad(line, "precedence %d is shared by %s and %s: ties between roles are ambiguous", prec, prev, rule.Role)
		}
		roleAt[prec] = rule.Role
		var parts []string
		for _, p := range strings.Split(rule.Pattern, "&&") {
			n := string(normalize(nil, p))
			if n == "" {
				bad(line, "empty pattern part in %q", rule.Pattern)
			}
			parts = append(parts, n)
		}
		key := rule.Source + "\x00" + strings.Join(parts, "&&")
		if prev, ok := seen[key]; ok {
			bad(line, "%s pattern %q repeats line %d", rule.Source, rule.Pattern, prev)
		}
		seen[key] = line
		switch rule.Source {
		case SourceTitle:
			for _, p := range parts {
				variants := []string{p}
				if strings.Contains(p, " ") {
					variants = append(variants, strings.ReplaceAll(p, " ", ""))
				}
				for _, v := range variants {
					if _, ok := r.titleOf[v]; !ok {
						r.titleOf[v] = len(titlePats)
						titlePats = append(titlePats, v)
					}
				}
			}
		case SourceName:
			for _, p := range parts {
				r.names[p] = true
			}
		case SourceCode:
			if len(parts) != 1 {
				bad(line, "a code rule takes one code, not %q", rule.Pattern)
			}
			r.codes[parts[0]] = true
		default:
			bad(line, "source %q is not title, name or code", rule.Source)
			continue
		}
		if v, ok := maxOf[rule.Source]; !ok || prec > v {
			maxOf[rule.Source] = prec
		}
		if v, ok := minOf[rule.Source]; !ok || prec < v {
			minOf[rule.Source] = prec
		}
		r.rules = append(r.rules, rule)
		r.parts = append(r.parts, parts)
	}
	// The stated precedence: title rules beat name rules beat code rules.
	if _, ok := minOf[SourceName]; ok && maxOf[SourceTitle] >= minOf[SourceName] {
		errs = append(errs, fmt.Errorf("title rules must all precede name rules (title up to %d, names from %d)", maxOf[SourceTitle], minOf[SourceName]))
	}
	if _, ok := minOf[SourceCode]; ok && (maxOf[SourceName] >= minOf[SourceCode] || maxOf[SourceTitle] >= minOf[SourceCode]) {
		errs = append(errs, fmt.Errorf("name and title rules must all precede code rules (codes from %d)", minOf[SourceCode]))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(titlePats) > 0 {
		ac, err := newAutomaton(titlePats)
		if err != nil {
			return nil, err
		}
		r.title = ac
		r.titleStrs = titlePats
		for _, p := range titlePats {
			b := boundaryOf(p)
			// Korean titles glue nouns together (클라우드인프라, 웹프론트엔드): a role
			// phrase may follow Hangul directly.
			b.hangulStart = false
			r.titlePat = append(r.titlePat, b)
		}
	}
	r.order = make([]int, len(r.rules))
	for i := range r.order {
		r.order[i] = i
	}
	slices.SortStableFunc(r.order, func(a, b int) int { return r.rules[a].Precedence - r.rules[b].Precedence })
	return r, nil
}

// Version identifies the rules: the matcher revision and a hash of roles.csv.
func (r *Roles) Version() string { return r.version }

// Rules returns a copy of the rules in file order.
func (r *Roles) Rules() []Rule { return slices.Clone(r.rules) }

// Classify returns the posting's primary role: the role of the matching rule with the
// lowest precedence; with none, other_it for a posting in job category 2 (IT개발·데이터)
// and non_it otherwise. Name and code rules only count for postings in category 2 or
// without a category: IT job-code names are attached to many non-IT postings.
func (r *Roles) Classify(p Posting) string {
	role, _, _ := r.Explain(p)
	return role
}

// Explain is Classify with the deciding rule; ok is false when the fallback decided.
func (r *Roles) Explain(p Posting) (role string, rule Rule, ok bool) {
	inIT := len(p.JobMidCodes) == 0 || slices.ContainsFunc(p.JobMidCodes, func(c string) bool { return strings.TrimSpace(c) == ITJobMidCode })
	var titleHits map[string]bool
	if r.title != nil && p.Title != "" {
		t := normalize(nil, p.Title)
		titleHits = map[string]bool{}
		// The title is scanned as written and without spaces, so a phrase matches
		// however it is spaced: "머신 러닝 엔지니어" holds the rule 머신러닝 엔지니어.
		for _, t := range [][]byte{t, bytes.ReplaceAll(t, []byte(" "), nil)} {
			r.title.scan(t, func(pi int32, start, end int) {
				if r.titlePat[pi].ok(t, start, end) {
					titleHits[r.titleStrs[pi]] = true
				}
			})
		}
	}
	names := map[string]bool{}
	if inIT {
		for _, list := range [][]string{p.Keywords, p.JobCodeNames} {
			for _, n := range list {
				if k := string(normalize(nil, n)); r.names[k] {
					names[k] = true
				}
			}
		}
	}
	codes := map[string]bool{}
	if inIT {
		for _, c := range p.JobCodes {
			codes[strings.TrimSpace(c)] = true
		}
	}
	for _, i := range r.order {
		rl := r.rules[i]
		var holds func(string) bool
		switch rl.Source {
		case SourceTitle:
			holds = func(part string) bool {
				return titleHits[part] || strings.Contains(part, " ") && titleHits[strings.ReplaceAll(part, " ", "")]
			}
		case SourceName:
			holds = func(part string) bool { return names[part] }
		case SourceCode:
			holds = func(part string) bool { return codes[part] }
		}
		if !slices.ContainsFunc(r.parts[i], func(part string) bool { return !holds(part) }) {
			return rl.Role, rl, true
		}
	}
	if inIT && len(p.JobMidCodes) > 0 {
		return RoleOtherIT, Rule{}, false
	}
	return RoleNonIT, Rule{}, false
}
