package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// warehouseURL is the effective warehouse location.
func (c *config) warehouseURL() string {
	if c.Warehouse != "" {
		return c.Warehouse
	}
	return "duckdb://" + filepath.Join(c.DataDir, "warehouse.duckdb")
}

func (c *config) validateWarehouse() []error {
	u := c.warehouseURL()
	switch {
	case strings.HasPrefix(u, "duckdb://"):
		if _, err := duckdb.ParseURL(u); err != nil {
			return []error{fmt.Errorf("JOBPULSE_WAREHOUSE / --warehouse: %w", err)}
		}
		if loc, err := lake.ParseURL(c.lakeURL()); err == nil && loc.Bucket != "" {
			return []error{errors.New("JOBPULSE_WAREHOUSE is DuckDB but JOBPULSE_LAKE is gs://: DuckDB reads a local lake; use a file:// lake or the BigQuery warehouse")}
		}
	case strings.HasPrefix(u, "bigquery://"):
		if _, err := bigquery.ParseURL(u); err != nil {
			return []error{fmt.Errorf("JOBPULSE_WAREHOUSE / --warehouse: %w", err)}
		}
		if loc, err := lake.ParseURL(c.lakeURL()); err == nil && loc.Bucket == "" {
			return []error{errors.New("JOBPULSE_WAREHOUSE is BigQuery but JOBPULSE_LAKE is local: BigQuery reads the lake from GCS (JOBPULSE_LAKE=gs://…)")}
		}
	default:
		return []error{fmt.Errorf("JOBPULSE_WAREHOUSE %q: want duckdb://PATH or bigquery://PROJECT[?location=…&dataset_prefix=…]", u)}
	}
	if c.CheckTimeout <= 0 {
		return []error{fmt.Errorf("JOBPULSE_CHECK_TIMEOUT %s: want > 0", c.CheckTimeout)}
	}
	return nil
}

// openWarehouse opens the configured engine. readOnly is for sql query, runs, checks.
func (a *app) openWarehouse(ctx context.Context, readOnly bool) (warehouse.Warehouse, error) {
	u := a.cfg.warehouseURL()
	loc, err := lake.ParseURL(a.cfg.lakeURL())
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(u, "bigquery://") {
		cfg, err := bigquery.ParseURL(u)
		if err != nil {
			return nil, err
		}
		cfg.LakeBucket, cfg.LakePrefix = loc.Bucket, loc.Prefix
		return bigquery.New(ctx, cfg)
	}
	path, err := duckdb.ParseURL(u)
	if err != nil {
		return nil, err
	}
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no warehouse at %s yet: run `jobpulse run` first", path)
		}
	}
	root := ""
	if loc.Dir != "" {
		if root, err = filepath.Abs(loc.Dir); err != nil {
			return nil, err
		}
	}
	return duckdb.Open(ctx, duckdb.Config{Path: path, LakeRoot: root, ReadOnly: readOnly})
}

func loadProject() (*models.Project, error) {
	p, err := models.Load(sqlfiles.FS)
	if err != nil {
		return nil, fmt.Errorf("load sql/: %w", err)
	}
	return p, nil
}
