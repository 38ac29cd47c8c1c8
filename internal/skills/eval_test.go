package skills

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// evalPosting is one labeled posting of testdata/eval.jsonl: the 111 real postings of
// the two Saramin samples plus hand-written ones for the ambiguous cases.
type evalPosting struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Keywords     []string `json:"keywords"`
	JobCodeNames []string `json:"job_code_names"`
	JobCodes     []string `json:"job_codes"`
	JobMidCodes  []string `json:"job_mid_codes"`
	Skills       []string `json:"skills"`
	Role         string   `json:"role"`
	Note         string   `json:"note"`
}

// texts is what the pipeline passes to Match: the title, then every keyword and
// job-code name.
func (p evalPosting) texts() []string {
	return append(append([]string{p.Title}, p.Keywords...), p.JobCodeNames...)
}

func (p evalPosting) posting() Posting {
	return Posting{Title: p.Title, Keywords: p.Keywords, JobCodes: p.JobCodes, JobCodeNames: p.JobCodeNames, JobMidCodes: p.JobMidCodes}
}

func loadEval(tb testing.TB) []evalPosting {
	tb.Helper()
	f, err := os.Open("testdata/eval.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []evalPosting
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var p evalPosting
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			tb.Fatalf("eval.jsonl line %d: %v", line, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func mustDefault(tb testing.TB) *Dictionary {
	tb.Helper()
	d, err := Default()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustRoles(tb testing.TB) *Roles {
	tb.Helper()
	r, err := DefaultRoles()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func matchNames(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Skill
	}
	return out
}

const (
	minPrecision    = 0.95
	minRecall       = 0.90
	minRoleAccuracy = 0.90
)

// TestEval_skills is the acceptance figure of the matcher: micro precision and recall
// over every (posting, skill) pair of the labeled set. The figures are printed; run
// with -v (or inside this directory) to see them when the test passes.
func TestEval_skills(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	set := loadEval(t)
	var tp, fp, fn int
	var misses []string
	for _, p := range set {
		got := matchNames(d.Match(p.texts()...))
		var extra, missed []string
		for _, s := range got {
			if slices.Contains(p.Skills, s) {
				tp++
			} else {
				fp++
				extra = append(extra, s)
			}
		}
		for _, s := range p.Skills {
			if !slices.Contains(got, s) {
				fn++
				missed = append(missed, s)
			}
		}
		if len(extra)+len(missed) > 0 {
			misses = append(misses, fmt.Sprintf("%s %q: false positives %q, missed %q", p.ID, p.Title, extra, missed))
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	summary := fmt.Sprintf("skills eval: %d postings, precision %.3f, recall %.3f (tp %d, fp %d, fn %d); dictionary %s, %d skills",
		len(set), precision, recall, tp, fp, fn, d.Version(), d.Len())
	fmt.Println(summary)
	t.Log(summary)
	for _, m := range misses {
		t.Log("miss:", m)
	}
	if precision < minPrecision || recall < minRecall {
		t.Errorf("precision %.3f (min %.2f), recall %.3f (min %.2f):\n%s", precision, minPrecision, recall, minRecall, strings.Join(misses, "\n"))
	}
}

// TestEval_roles checks role accuracy over the labeled set and prints the confusion
// of the errors.
func TestEval_roles(t *testing.T) {
	t.Parallel()
	r := mustRoles(t)
	set := loadEval(t)
	right := 0
	confusion := map[string]int{}
	var wrong []string
	for _, p := range set {
		got, rule, _ := r.Explain(p.posting())
		if got == p.Role {
			right++
			continue
		}
		confusion[p.Role+" → "+got]++
		wrong = append(wrong, fmt.Sprintf("%s %q: want %s, got %s by %s rule %q (precedence %d)", p.ID, p.Title, p.Role, got, rule.Source, rule.Pattern, rule.Precedence))
	}
	acc := float64(right) / float64(len(set))
	summary := fmt.Sprintf("roles eval: %d postings, accuracy %.3f (%d wrong); rules %s", len(set), acc, len(set)-right, r.Version())
	fmt.Println(summary)
	t.Log(summary)
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(confusion)) {
		lines = append(lines, fmt.Sprintf("  %-30s %d", k, confusion[k]))
	}
	for _, w := range wrong {
		t.Log("wrong:", w)
	}
	if acc < minRoleAccuracy {
		t.Errorf("role accuracy %.3f < %.2f; confusion (want → got):\n%s\n%s", acc, minRoleAccuracy, strings.Join(lines, "\n"), strings.Join(wrong, "\n"))
	}
}

// TestEval_set_is_well_formed guards the labels themselves: a typo in an expected
// skill would silently lower recall.
func TestEval_set_is_well_formed(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	set := loadEval(t)
	known := map[string]bool{}
	for _, s := range d.Skills() {
		known[s.Name] = true
	}
	ids := map[string]bool{}
	roles := map[string]int{}
	real := 0
	for _, p := range set {
		if ids[p.ID] {
			t.Errorf("%s: duplicate id", p.ID)
		}
		ids[p.ID] = true
		if strings.HasPrefix(p.ID, "saramin-") {
			real++
		}
		for _, s := range p.Skills {
			if !known[s] {
				t.Errorf("%s: expected skill %q is not in the dictionary", p.ID, s)
			}
		}
		if !slices.Contains(RoleNames(), p.Role) {
			t.Errorf("%s: role %q is not a role", p.ID, p.Role)
		}
		roles[p.Role]++
	}
	if len(set) < 200 || real != 111 {
		t.Errorf("%d postings, %d real: want at least 200, all 111 real ones", len(set), real)
	}
	for _, r := range RoleNames() {
		if roles[r] == 0 {
			t.Errorf("no posting labeled %s", r)
		}
	}
}

// TestMatch_joined_lists_equal_separate: the pipeline may pass the API's
// comma-separated keyword and job-code-name fields as they are or split.
func TestMatch_joined_lists_equal_separate(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	for _, p := range loadEval(t) {
		split := matchNames(d.Match(p.texts()...))
		joined := matchNames(d.Match(p.Title, strings.Join(p.Keywords, ","), strings.Join(p.JobCodeNames, ",")))
		if !slices.Equal(split, joined) {
			t.Errorf("%s: split %q, joined %q", p.ID, split, joined)
		}
	}
}
