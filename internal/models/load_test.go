package models

import (
	"testing"

	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

func TestLoad_project(t *testing.T) {
	t.Parallel()
	p, err := Load(sqlfiles.FS)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var order []string
	for _, m := range p.Models {
		order = append(order, m.Table.String())
	}
	t.Logf("order: %v", order)
	t.Logf("checks: %d seeds: %d", len(p.Checks), len(p.Seeds))
}
