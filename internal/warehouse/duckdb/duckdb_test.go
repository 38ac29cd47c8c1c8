package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

func open(t *testing.T, lakeRoot string) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), LakeRoot: lakeRoot})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.EnsureDatasets(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestPrelude_bigQueryFunctions(t *testing.T) {
	t.Parallel()
	w := open(t, "")
	rows, _, err := w.Query(context.Background(), `SELECT
		safe_divide(1, 0) AS a, safe_divide(6, 3) AS b,
		regexp_contains('Spring Boot', 'Boot') AS c,
		CAST(2.5 AS FLOAT64) AS d, CAST(7 AS INT64) AS e, CAST('x' AS STRING) AS f,
		format_date('%Y-%m', DATE '2026-11-21') AS g,
		parse_date('%Y%m%d', '20261121') AS h,
		timestamp_seconds(1794701554) AS i,
		array_to_string(['a', 'b'], ',') AS j,
		$p AS k, $d::DATE AS l`, []warehouse.Param{{Name: "p", Value: "param"}, {Name: "d", Value: warehouse.Date("2026-11-21")}}, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := rows.Values[0]
	want := []any{nil, 2.0, true, 2.5, int64(7), "x", "2026-11", "2026-11-21",
		time.Unix(1794701554, 0).UTC(), "a,b", "param", "2026-11-21"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prelude results (-want +got):\n%s", diff)
	}
}

func TestReplaceTable_typedWithNulls(t *testing.T) {
	t.Parallel()
	w := open(t, "")
	ctx := context.Background()
	schema := []warehouse.Column{{Name: "code", Type: "STRING"}, {Name: "n", Type: "INT64"}, {Name: "flag", Type: "BOOL"}}
	tbl := warehouse.Table{Dataset: "meta", Name: "seed"}
	for range 2 { // replacing twice leaves one copy
		if _, err := w.ReplaceTable(ctx, tbl, schema, [][]string{{"a", "1", "true"}, {"b", "", ""}}, warehouse.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	rows, _, err := w.Query(ctx, "SELECT code, n, flag FROM meta.seed ORDER BY code", nil, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a", int64(1), true}, {"b", nil, nil}}
	if diff := cmp.Diff(want, rows.Values); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExternalURIs(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	w := open(t, lake)
	if _, _, err := w.ExternalURIs("clean/x"); err != warehouse.ErrNoExternalData {
		t.Errorf("empty prefix: err = %v, want ErrNoExternalData", err)
	}
	dir := filepath.Join(lake, "clean/x/dt=2026-11-21/run=r1")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "part-00001.ndjson"), []byte("{}\n"), 0o644)
	pattern, root, err := w.ExternalURIs("clean/x")
	if err != nil || pattern != filepath.Join(lake, "clean/x/*/*/*.ndjson") || root != filepath.Join(lake, "clean/x") {
		t.Errorf("got %s %s %v", pattern, root, err)
	}
	if _, _, err := open(t, "").ExternalURIs("clean/x"); err == nil {
		t.Error("a warehouse without a local lake must refuse")
	}
}

func TestQuery_timeoutFailsClosed(t *testing.T) {
	t.Parallel()
	w := open(t, "")
	_, _, err := w.Query(context.Background(), "SELECT count(*) FROM range(100000000000) a", nil, warehouse.Options{Timeout: 50 * time.Millisecond, Step: "slow"})
	if err == nil {
		t.Fatal("a query past its timeout must fail")
	}
}
