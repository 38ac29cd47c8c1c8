package models

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// seedsFile declares each seed's description and typed, described columns.
const seedsFile = "meta/seeds.json"

func (p *Project) loadSeeds(fsys fs.FS) error {
	raw, err := fs.ReadFile(fsys, seedsFile)
	if err != nil {
		return fmt.Errorf("read %s: %w", seedsFile, err)
	}
	var decl map[string]struct {
		Description string             `json:"description"`
		Columns     []warehouse.Column `json:"columns"`
	}
	if err := json.Unmarshal(raw, &decl); err != nil {
		return fmt.Errorf("%s: %w", seedsFile, err)
	}
	files, _ := fs.Glob(fsys, "meta/*.csv")
	var errs []error
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "meta/"), ".csv")
		seen[name] = true
		d, ok := decl[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: not declared in %s", f, seedsFile))
			continue
		}
		fh, err := fsys.Open(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		header := rows[0]
		var names []string
		for _, c := range d.Columns {
			names = append(names, c.Name)
			if c.Description == "" {
				errs = append(errs, fmt.Errorf("%s: column %s has no description", seedsFile, c.Name))
			}
		}
		if !slices.Equal(header, names) {
			errs = append(errs, fmt.Errorf("%s: header %v does not match %s columns %v", f, header, seedsFile, names))
			continue
		}
		p.Seeds = append(p.Seeds, Seed{Table: warehouse.Table{Dataset: "meta", Name: name}, Path: f, Description: d.Description, Columns: d.Columns, Rows: rows[1:]})
	}
	for name := range decl {
		if !seen[name] {
			errs = append(errs, fmt.Errorf("%s declares %s, which has no CSV", seedsFile, name))
		}
	}
	return joinErrs(errs)
}
