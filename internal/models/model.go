// Package models loads the SQL models, checks and seeds under sql/, orders them by
// their references, renders them for BigQuery or DuckDB and runs them layer by layer
// behind their checks.
package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Materializations.
const (
	External    = "external"    // a table over the lake's clean NDJSON (nothing copied)
	View        = "view"        // CREATE OR REPLACE VIEW
	Table       = "table"       // CREATE OR REPLACE TABLE … AS
	Incremental = "incremental" // create if absent, then MERGE (strategy merge) or DELETE+INSERT (strategy delete_insert)
	Ensure      = "ensure"      // create if absent, never rebuilt (ledger tables)
)

// Config is a model's header: the JSON inside its leading /* config … */ comment.
type Config struct {
	Materialized string `json:"materialized"`
	Description  string `json:"description"`
	// Incremental models.
	Strategy  string   `json:"strategy,omitempty"`   // merge | delete_insert
	UniqueKey []string `json:"unique_key,omitempty"` // merge key
	// UpdateWhen is the MERGE's WHEN MATCHED condition over aliases S (new) and T (old).
	UpdateWhen string `json:"update_when,omitempty"`
	// DeleteBy is the column whose value for this run delete_insert replaces.
	DeleteBy string `json:"delete_by,omitempty"`
	// MergeLookbackDays limits the MERGE's target scan to partitions this many days
	// before the run's date (BigQuery bills only the partitions the ON clause keeps).
	MergeLookbackDays int `json:"merge_lookback_days,omitempty"`
	// BigQuery layout.
	PartitionBy string   `json:"partition_by,omitempty"`
	ClusterBy   []string `json:"cluster_by,omitempty"`
	// External models: the lake prefix and the schema file beside the model.
	Source string `json:"source,omitempty"`
	Schema string `json:"schema,omitempty"`
	// Columns documents every output column; types are required for incremental and
	// ensure models (the target is created before the first MERGE).
	Columns []warehouse.Column `json:"columns,omitempty"`
	// ColumnsFrom ("layer.table") reuses another model's column documentation for a
	// model with the same columns (e.g. a filtered copy).
	ColumnsFrom string      `json:"columns_from,omitempty"`
	Checks      []CheckSpec `json:"checks,omitempty"`
	// Sources limits the model (and its checks) to runs of these sources, e.g.
	// ["saramin"]; empty means every run (shared marts such as market_signals).
	Sources []string `json:"sources,omitempty"`
}

// ForSource reports whether the model is built in a run of source ("" = every model).
func (m *Model) ForSource(source string) bool { return forSource(m.Config.Sources, source) }

func forSource(sources []string, source string) bool {
	return source == "" || len(sources) == 0 || slices.Contains(sources, source)
}

// Model is one .sql file.
type Model struct {
	Table  warehouse.Table
	Path   string
	Config Config
	body   *template.Template
	// Refs are the tables the body references, found by rendering it once.
	Refs []warehouse.Table
}

// Seed is a CSV code table loaded into meta.
type Seed struct {
	Table       warehouse.Table
	Path        string
	Description string
	Columns     []warehouse.Column
	Rows        [][]string
}

// Project is everything under sql/.
type Project struct {
	Seeds  []Seed
	Models []*Model // in build order: by layer, then by reference
	Checks []*Check
	// queries are the pipeline's own read queries (sql/queries), by file name.
	queries map[string]*template.Template
}

// Query renders sql/queries/<name>.sql for target.
func (p *Project) Query(name string, target Target) (string, error) {
	t, ok := p.queries[name]
	if !ok {
		return "", fmt.Errorf("no query %s in sql/queries", name)
	}
	return execTemplate(t, target, warehouse.Table{})
}

// Load reads every model, check and seed from fsys (the sql/ tree).
func Load(fsys fs.FS) (*Project, error) {
	p := &Project{}
	var errs []error
	if err := p.loadSeeds(fsys); err != nil {
		errs = append(errs, err)
	}
	for _, layer := range warehouse.Datasets {
		files, _ := fs.Glob(fsys, layer+"/*.sql")
		for _, f := range files {
			m, err := loadModel(fsys, layer, f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			p.Models = append(p.Models, m)
			for i, spec := range m.Config.Checks {
				c, err := builtinCheck(m, spec, i)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: check %d: %w", f, i+1, err))
					continue
				}
				p.Checks = append(p.Checks, c)
			}
		}
		checks, _ := fs.Glob(fsys, layer+"/checks/*.sql")
		for _, f := range checks {
			c, err := loadCustomCheck(fsys, layer, f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			p.Checks = append(p.Checks, c)
		}
	}
	p.queries = map[string]*template.Template{}
	qs, _ := fs.Glob(fsys, "queries/*.sql")
	for _, f := range qs {
		src, err := fs.ReadFile(fsys, f)
		if err == nil {
			p.queries[strings.TrimSuffix(path.Base(f), ".sql")], err = parseTemplate(f, string(src))
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range p.Models {
		if err := p.inheritColumns(m); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range p.Checks {
		if m := p.Model(warehouse.Table{Dataset: c.Layer, Name: c.Model}); c.Sources == nil && m != nil {
			c.Sources = m.Config.Sources
		}
	}
	if len(errs) > 0 {
		return nil, joinErrs(errs)
	}
	if err := p.order(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Project) inheritColumns(m *Model) error {
	if m.Config.ColumnsFrom == "" {
		return nil
	}
	layer, name, _ := strings.Cut(m.Config.ColumnsFrom, ".")
	src := p.Model(warehouse.Table{Dataset: layer, Name: name})
	switch {
	case src == nil:
		return fmt.Errorf("%s: columns_from %s: no such model", m.Path, m.Config.ColumnsFrom)
	case len(m.Config.Columns) > 0:
		return fmt.Errorf("%s: columns and columns_from are exclusive", m.Path)
	case src.Config.ColumnsFrom != "":
		return fmt.Errorf("%s: columns_from %s inherits itself; point at the source", m.Path, m.Config.ColumnsFrom)
	}
	m.Config.Columns = src.Config.Columns
	return nil
}

// Model returns the model that builds t.
func (p *Project) Model(t warehouse.Table) *Model {
	for _, m := range p.Models {
		if m.Table == t {
			return m
		}
	}
	return nil
}

// header splits a file into its config JSON and its body.
func header(src string) (cfg, body string, ok bool) {
	s := strings.TrimSpace(src)
	rest, found := strings.CutPrefix(s, "/* config")
	if !found {
		return "", src, false
	}
	cfg, body, found = strings.Cut(rest, "*/")
	return cfg, strings.TrimSpace(body), found
}

// readConfigured reads a .sql file, decodes its config header strictly into cfg and
// returns the body.
func readConfigured(fsys fs.FS, file string, cfg any) (string, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return "", err
	}
	cfgText, body, ok := header(string(src))
	if !ok {
		return "", fmt.Errorf("%s: missing /* config {…} */ header", file)
	}
	dec := json.NewDecoder(strings.NewReader(cfgText))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return "", fmt.Errorf("%s: config: %w", file, err)
	}
	return body, nil
}

func loadModel(fsys fs.FS, layer, file string) (*Model, error) {
	m := &Model{Table: warehouse.Table{Dataset: layer, Name: strings.TrimSuffix(path.Base(file), ".sql")}, Path: file}
	body, err := readConfigured(fsys, file, &m.Config)
	if err != nil {
		return nil, err
	}
	if m.Config.Schema != "" {
		raw, err := fs.ReadFile(fsys, path.Join(layer, m.Config.Schema))
		if err != nil {
			return nil, fmt.Errorf("%s: schema: %w", file, err)
		}
		if err := json.Unmarshal(raw, &m.Config.Columns); err != nil {
			return nil, fmt.Errorf("%s: schema %s: %w", file, m.Config.Schema, err)
		}
	}
	if err := m.validate(body); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if m.body, err = parseTemplate(file, body); err != nil {
		return nil, err
	}
	// Render once against a recording target to learn the references.
	refs := map[warehouse.Table]bool{}
	if _, err := m.renderBody(recorder{refs: refs}); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for t := range refs {
		m.Refs = append(m.Refs, t)
	}
	slices.SortFunc(m.Refs, func(a, b warehouse.Table) int { return strings.Compare(a.String(), b.String()) })
	return m, nil
}

func (m *Model) validate(body string) error {
	c := m.Config
	var errs []error
	switch c.Materialized {
	case External:
		if c.Source == "" || len(c.Columns) == 0 {
			errs = append(errs, fmt.Errorf("external models need source and schema"))
		}
	case View, Table:
		if body == "" {
			errs = append(errs, fmt.Errorf("%s models need a SELECT", c.Materialized))
		}
	case Incremental:
		switch c.Strategy {
		case "merge":
			if len(c.UniqueKey) == 0 || c.UpdateWhen == "" {
				errs = append(errs, fmt.Errorf("merge needs unique_key and update_when"))
			}
		case "delete_insert":
			if c.DeleteBy == "" {
				errs = append(errs, fmt.Errorf("delete_insert needs delete_by"))
			}
		default:
			errs = append(errs, fmt.Errorf("incremental strategy %q: want merge or delete_insert", c.Strategy))
		}
		fallthrough
	case Ensure:
		for _, col := range c.Columns {
			if col.Type == "" {
				errs = append(errs, fmt.Errorf("column %s: %s models need typed columns", col.Name, c.Materialized))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("materialized %q: want external, view, table, incremental or ensure", c.Materialized))
	}
	if c.Description == "" {
		errs = append(errs, fmt.Errorf("description is empty"))
	}
	for _, col := range c.Columns {
		if col.Description == "" {
			errs = append(errs, fmt.Errorf("column %s has no description", col.Name))
		}
	}
	if c.Materialized == Table && len(c.Columns) == 0 && c.ColumnsFrom == "" {
		errs = append(errs, fmt.Errorf("table models document their columns (columns or columns_from)"))
	}
	return joinErrs(errs)
}

// order sorts models by layer, then so that every model follows what it references.
func (p *Project) order() error {
	layerOf := map[string]int{}
	for i, d := range warehouse.Datasets {
		layerOf[d] = i
	}
	byTable := map[warehouse.Table]*Model{}
	for _, m := range p.Models {
		byTable[m.Table] = m
	}
	seeds := map[warehouse.Table]bool{}
	for _, s := range p.Seeds {
		seeds[s.Table] = true
	}
	var errs []error
	for _, m := range p.Models {
		for _, r := range m.Refs {
			if byTable[r] == nil && !seeds[r] {
				errs = append(errs, fmt.Errorf("%s references %s, which no model or seed builds", m.Path, r))
			} else if layerOf[r.Dataset] > layerOf[m.Table.Dataset] {
				errs = append(errs, fmt.Errorf("%s references %s in a later layer", m.Path, r))
			}
		}
	}
	if len(errs) > 0 {
		return joinErrs(errs)
	}
	var out []*Model
	state := map[*Model]int{} // 1 visiting, 2 done
	var visit func(m *Model) error
	visit = func(m *Model) error {
		switch state[m] {
		case 1:
			return fmt.Errorf("reference cycle through %s", m.Table)
		case 2:
			return nil
		}
		state[m] = 1
		for _, r := range m.Refs {
			if dep := byTable[r]; dep != nil {
				if err := visit(dep); err != nil {
					return err
				}
			}
		}
		state[m] = 2
		out = append(out, m)
		return nil
	}
	slices.SortStableFunc(p.Models, func(a, b *Model) int {
		if d := layerOf[a.Table.Dataset] - layerOf[b.Table.Dataset]; d != 0 {
			return d
		}
		return strings.Compare(a.Table.Name, b.Table.Name)
	})
	for _, m := range p.Models {
		if err := visit(m); err != nil {
			return err
		}
	}
	slices.SortStableFunc(out, func(a, b *Model) int { return layerOf[a.Table.Dataset] - layerOf[b.Table.Dataset] })
	p.Models = out
	return nil
}

func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	var b bytes.Buffer
	for i, e := range errs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return fmt.Errorf("%s", b.String())
}
