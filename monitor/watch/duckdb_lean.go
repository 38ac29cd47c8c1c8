//go:build lean

package watch

import "errors"

// DuckDBLedger refuses: this build (tag lean) leaves DuckDB out to keep the agent small.
func DuckDBLedger(url string) (Opener, error) {
	return nil, errors.New("this jobpulse-monitor is the lean build, without DuckDB: watch a BigQuery ledger, or build without -tags lean to read a local DuckDB file")
}

// duckdbMissingTable: without DuckDB no error is DuckDB's.
func duckdbMissingTable(error) bool { return false }
