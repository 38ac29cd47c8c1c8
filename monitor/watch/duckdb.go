package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
)

// DuckDBLedger is the opener of the local DuckDB warehouse at url (duckdb://PATH).
func DuckDBLedger(url string) (Opener, error) {
	path, err := duckdb.ParseURL(url)
	if err != nil {
		return nil, err
	}
	return ReadOnlyDuckDB(path), nil
}

// ReadOnlyDuckDB opens the local DuckDB warehouse at path read-only, for one tick.
//
// DuckDB allows one writer or many readers per file: while the pipeline writes, opening
// fails with an error that wraps warehouse.ErrLocked, and while the monitor reads, the
// pipeline cannot open the file for writing. The watcher therefore holds it only for
// the length of one query. A missing file is reported as an error wrapping
// fs.ErrNotExist (and is not created: a read-only open must leave no trace).
func ReadOnlyDuckDB(path string) Opener {
	return func(ctx context.Context) (warehouse.Warehouse, error) {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open the DuckDB ledger: %w", err)
		}
		return duckdb.Open(ctx, duckdb.Config{Path: path, ReadOnly: true})
	}
}

// duckdbMissingTable is DuckDB's way of saying the ledger tables do not exist yet.
func duckdbMissingTable(err error) bool {
	var de *duckdbdriver.Error
	if !errors.As(err, &de) {
		return false
	}
	return de.Type == duckdbdriver.ErrorTypeCatalog && strings.Contains(de.Msg, "does not exist") &&
		(strings.Contains(de.Msg, "Table with name") || strings.Contains(de.Msg, "Schema with name"))
}
