package bigquery_test

import (
	"context"
	"testing"

	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery/bigquerytest"
)

// newWarehouse connects a warehouse to the fake, for project "proj" unless cfg names
// another.
func newWarehouse(t *testing.T, f *bigquerytest.Server, cfg bigquery.Config) *bigquery.Warehouse {
	t.Helper()
	if cfg.Project == "" {
		cfg.Project = "proj"
	}
	w, err := bigquery.New(context.Background(), cfg, f.ClientOptions()...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}
