package watch

import (
	"context"
	"fmt"
	"os"

	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
)

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
