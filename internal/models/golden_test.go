package models

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// update rewrites the golden files: go test ./internal/models -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden SQL under testdata/golden")

// goldenBigQueryDir holds the SQL that runs in BigQuery, one file per model, check and
// query. tools/sqlcheck parses these files (make sqlcheck).
const goldenBigQueryDir = "testdata/golden/bigquery"

var goldenBigQueryTarget = StaticTarget{
	D:             warehouse.BigQuery,
	Project:       "my-project",
	DatasetPrefix: "jobpulse_",
	LakeURL:       "gs://my-lake/jobpulse",
}

// rendered is one golden file: its name and its SQL.
type rendered struct {
	file string
	sql  string
}

// queryNames lists sql/queries/*.sql by name.
func queryNames(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(sqlfiles.FS, "queries/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(path.Base(f), ".sql"))
	}
	return names
}

// renderAll renders every model's statements, every check query and every
// sql/queries file for target; a rendering error fails the test.
func renderAll(t *testing.T, p *Project, target Target) []rendered {
	t.Helper()
	var out []rendered
	for _, m := range p.Models {
		stmts, err := m.Statements(target)
		if err != nil {
			t.Errorf("model %s: %v", m.Table, err)
			continue
		}
		if len(stmts) == 0 {
			t.Errorf("model %s: no statements", m.Table)
			continue
		}
		out = append(out, rendered{"model." + m.Table.Dataset + "." + m.Table.Name + ".sql", joinStatements(stmts)})
	}
	for _, c := range p.Checks {
		q, err := c.SQL(target)
		if err != nil {
			t.Errorf("check %s.%s: %v", c.Layer, c.Name, err)
			continue
		}
		out = append(out, rendered{"check." + c.Layer + "." + c.Name + ".sql", joinStatements([]string{q})})
	}
	for _, name := range queryNames(t) {
		q, err := p.Query(name, target)
		if err != nil {
			t.Errorf("query %s: %v", name, err)
			continue
		}
		out = append(out, rendered{"query." + name + ".sql", joinStatements([]string{q})})
	}
	return out
}

// joinStatements is a golden file's text: the statements in order, each ended by ";".
func joinStatements(stmts []string) string {
	for i, s := range stmts {
		stmts[i] = strings.TrimSpace(s)
	}
	return strings.Join(stmts, ";\n\n") + ";\n"
}

// TestGolden_bigQuery pins the SQL that runs in BigQuery. A change to a model, a check,
// a query or the rendering code shows up as a diff here; review it, then regenerate
// with -update.
func TestGolden_bigQuery(t *testing.T) {
	p, err := Load(sqlfiles.FS)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	files := renderAll(t, p, goldenBigQueryTarget)
	if t.Failed() {
		return
	}
	want := map[string]bool{}
	for _, r := range files {
		if want[r.file] {
			t.Errorf("two renderings named %s: model, check and query names must be unique per layer", r.file)
		}
		want[r.file] = true
	}
	if *update {
		if err := os.MkdirAll(goldenBigQueryDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range files {
		golden := filepath.Join(goldenBigQueryDir, r.file)
		if *update {
			if err := os.WriteFile(golden, []byte(r.sql), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test ./internal/models -run Golden -update)", r.file, err)
			continue
		}
		if string(old) != r.sql {
			t.Errorf("%s: rendered SQL differs from the golden file (-golden +rendered):\n%s\nIf the change is intended: go test ./internal/models -run Golden -update", r.file, lineDiff(string(old), r.sql))
		}
	}
	// A golden file without a model, check or query behind it is stale.
	entries, err := os.ReadDir(goldenBigQueryDir)
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, e := range entries {
		if e.IsDir() || want[e.Name()] {
			continue
		}
		if *update {
			if err := os.Remove(filepath.Join(goldenBigQueryDir, e.Name())); err != nil {
				t.Fatal(err)
			}
			continue
		}
		stale = append(stale, e.Name())
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		t.Errorf("golden files with no model, check or query behind them (removed or renamed?): %s\nRun go test ./internal/models -run Golden -update to delete them.", strings.Join(stale, ", "))
	}
}

// TestGolden_duckDBRenders renders everything for DuckDB: no golden files (DuckDB runs
// the SQL in the other tests), only that every template renders.
func TestGolden_duckDBRenders(t *testing.T) {
	t.Parallel()
	p, err := Load(sqlfiles.FS)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	targets := map[string]Target{
		"lake":       StaticTarget{D: warehouse.DuckDB, LakeURL: t.TempDir()},
		"empty lake": emptyLake{StaticTarget{D: warehouse.DuckDB, LakeURL: t.TempDir()}},
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			files := renderAll(t, p, target)
			if !t.Failed() && len(files) != len(p.Models)+len(p.Checks)+len(queryNames(t)) {
				t.Errorf("rendered %d files, want one per model, check and query", len(files))
			}
		})
	}
}

// emptyLake is a DuckDB target whose lake holds no files yet (external models render
// as empty views).
type emptyLake struct{ StaticTarget }

func (emptyLake) ExternalURIs(string) (string, string, error) {
	return "", "", warehouse.ErrNoExternalData
}

// lineDiff is a unified-style line diff of want and got with 3 lines of context.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte // ' ' both, '-' golden only, '+' rendered only
		text string
		n    int // 1-based line number in the golden file (next line for '+')
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', a[i], i + 1})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', a[i], i + 1})
			i++
		default:
			lines = append(lines, line{'+', b[j], i + 1})
			j++
		}
	}
	const context = 3
	show := make([]bool, len(lines))
	for k, l := range lines {
		if l.op != ' ' {
			for m := max(0, k-context); m <= min(len(lines)-1, k+context); m++ {
				show[m] = true
			}
		}
	}
	var out strings.Builder
	for k, l := range lines {
		if !show[k] {
			continue
		}
		if k == 0 || !show[k-1] {
			fmt.Fprintf(&out, "@@ golden line %d @@\n", l.n)
		}
		fmt.Fprintf(&out, "%c %s\n", l.op, l.text)
	}
	return out.String()
}
