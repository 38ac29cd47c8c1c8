package models

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
)

func tinyProject(t *testing.T, files map[string]string) *Project {
	t.Helper()
	fsys := fstest.MapFS{"meta/seeds.json": {Data: []byte("{}")}}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	p, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

func newRunner(t *testing.T, p *Project, timeout time.Duration) *Runner {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return &Runner{WH: wh, Project: p, Logger: slog.New(slog.DiscardHandler), CheckTimeout: timeout}
}

const numbers = `/* config
{"materialized": "table", "description": "numbers", "columns": [{"name": "n", "description": "a number"}],
 "checks": [{"type": "unique", "columns": ["n"]}]}
*/
SELECT * FROM range(10) AS t(n)
`

// TestChecks_failClosed proves that a check that errors, times out or returns no result
// is a failure, never a pass, and blocks promotion at error severity.
func TestChecks_failClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		check   string
		timeout time.Duration
		message string
	}{
		{"check_errors", `/* config {"severity": "error", "description": "reads a table that does not exist"} */
SELECT * FROM {{ ref "core.numbers" }} JOIN core.missing_table USING (n)`, time.Minute, "missing_table"},
		{"check_times_out", `/* config {"severity": "error", "description": "too slow"} */
SELECT a.range AS n FROM range(100000000) AS a, range(100000) AS b WHERE a.range < 0`, 50 * time.Millisecond, "timed out"},
		{"assert_returns_no_result", `/* config {"kind": "assert", "severity": "error", "description": "asserts on nothing"} */
SELECT TRUE AS ok FROM {{ ref "core.numbers" }} WHERE n > 100`, time.Minute, "no result"},
		{"assert_without_ok_column", `/* config {"kind": "assert", "severity": "error", "description": "forgot ok"} */
SELECT COUNT(*) AS rows FROM {{ ref "core.numbers" }}`, time.Minute, "no ok column"},
		{"assert_null_is_not_ok", `/* config {"kind": "assert", "severity": "error", "description": "NULL ok"} */
SELECT CAST(NULL AS BOOLEAN) AS ok`, time.Minute, "not ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tinyProject(t, map[string]string{"core/numbers.sql": numbers, "core/checks/" + tt.name + ".sql": tt.check})
			r := newRunner(t, p, tt.timeout)
			if _, err := r.WH.(*duckdb.Warehouse).DB().Exec("CREATE SCHEMA IF NOT EXISTS core"); err != nil {
				t.Fatal(err)
			}
			lr, err := r.BuildLayer(context.Background(), "core", Vars{RunID: "r1", DT: "2026-11-21", ProcessedAt: time.Now()})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			var got *CheckResult
			for i := range lr.Checks {
				if lr.Checks[i].Check.Name == tt.name {
					got = &lr.Checks[i]
				}
			}
			if got == nil {
				t.Fatal("the check did not run")
			}
			if !got.Failed() || !lr.Blocked() {
				t.Errorf("status %s, blocked %v: a check that cannot answer must fail and block", got.Status, lr.Blocked())
			}
			if !strings.Contains(got.Message, tt.message) {
				t.Errorf("message %q, want it to mention %q", got.Message, tt.message)
			}
		})
	}
}

func TestChecks_passAndFail(t *testing.T) {
	t.Parallel()
	dup := `/* config {"materialized": "table", "description": "dups", "columns": [{"name": "n", "description": "a number"}],
 "checks": [{"type": "unique", "columns": ["n"]}, {"type": "accepted_values", "column": "n", "values": ["1", "2"], "severity": "warn"}]} */
SELECT CAST(n % 3 AS VARCHAR) AS n FROM range(6) AS t(n)`
	p := tinyProject(t, map[string]string{"core/numbers.sql": numbers, "core/dups.sql": dup})
	r := newRunner(t, p, time.Minute)
	r.WH.(*duckdb.Warehouse).DB().Exec("CREATE SCHEMA IF NOT EXISTS core")
	lr, err := r.BuildLayer(context.Background(), "core", Vars{RunID: "r1", DT: "2026-11-21", ProcessedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]CheckResult{}
	for _, c := range lr.Checks {
		status[c.Check.Name] = c
	}
	if c := status["numbers_unique_n"]; c.Status != StatusPass {
		t.Errorf("numbers unique: %+v", c)
	}
	if c := status["dups_unique_n"]; c.Status != StatusFail || c.Observed != 3 || !strings.Contains(c.Sample, `"duplicates":2`) {
		t.Errorf("dups unique: %+v, want 3 violating keys with a sample", c)
	}
	if c := status["dups_accepted_values_n"]; c.Status != StatusFail || c.Observed != 1 || !strings.Contains(c.Sample, `"n":"0"`) {
		t.Errorf("accepted values: %+v, want value 0 reported", c)
	}
	if !lr.Blocked() {
		t.Error("a failed error-severity check must block")
	}
}

func TestLoad_rejectsBadProjects(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"no_header":         {"core/x.sql": "SELECT 1"},
		"unknown_key":       {"core/x.sql": `/* config {"materialized": "table", "description": "x", "colour": "red"} */ SELECT 1`},
		"undescribed":       {"core/x.sql": `/* config {"materialized": "table", "description": "x", "columns": [{"name": "a"}]} */ SELECT 1 AS a`},
		"missing_ref":       {"core/x.sql": `/* config {"materialized": "view", "description": "x"} */ SELECT * FROM {{ ref "core.nope" }}`},
		"later_layer_ref":   {"staging/x.sql": `/* config {"materialized": "view", "description": "x"} */ SELECT * FROM {{ ref "core.y" }}`, "core/y.sql": `/* config {"materialized": "view", "description": "y"} */ SELECT 1 AS a`},
		"cycle":             {"core/a.sql": `/* config {"materialized": "view", "description": "a"} */ SELECT * FROM {{ ref "core.b" }}`, "core/b.sql": `/* config {"materialized": "view", "description": "b"} */ SELECT * FROM {{ ref "core.a" }}`},
		"merge_without_key": {"core/x.sql": `/* config {"materialized": "incremental", "strategy": "merge", "description": "x"} */ SELECT 1`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{"meta/seeds.json": {Data: []byte("{}")}}
			for f, b := range files {
				fsys[f] = &fstest.MapFile{Data: []byte(b)}
			}
			if _, err := Load(fsys); err == nil {
				t.Error("Load accepted a broken project")
			}
		})
	}
}
