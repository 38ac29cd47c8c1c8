// Package duckdbtype maps BigQuery column types to DuckDB's. It is separate from the
// DuckDB adapter so that rendering DuckDB SQL does not need cgo.
package duckdbtype

import (
	"strings"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Of returns the DuckDB type of a BigQuery column.
func Of(c warehouse.Column) string {
	t := map[string]string{
		"STRING": "VARCHAR", "INT64": "BIGINT", "INTEGER": "BIGINT", "FLOAT64": "DOUBLE", "FLOAT": "DOUBLE",
		"BOOL": "BOOLEAN", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMPTZ", "DATE": "DATE", "JSON": "JSON",
	}[strings.ToUpper(c.Type)]
	if t == "" {
		t = c.Type
	}
	if strings.EqualFold(c.Mode, "REPEATED") {
		t += "[]"
	}
	return t
}
