package models

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Severities.
const (
	SeverityError = "error" // a failure stops promotion to the next layer and fails the run
	SeverityWarn  = "warn"  // a failure is reported
)

// Check kinds.
const (
	// KindRows: the query returns the violating rows; zero rows pass.
	KindRows = "rows"
	// KindAssert: the query returns at least one row with a BOOL column ok; it passes
	// only if every row has ok = true. No row at all is a failure (fail closed).
	KindAssert = "assert"
)

// CheckSpec declares a built-in check in a model's config.
type CheckSpec struct {
	Type        string   `json:"type"` // not_null | unique | accepted_values | relationships | freshness
	Name        string   `json:"name,omitempty"`
	Columns     []string `json:"columns,omitempty"`
	Column      string   `json:"column,omitempty"`
	Values      []string `json:"values,omitempty"`        // accepted_values
	To          string   `json:"to,omitempty"`            // relationships: layer.table
	Field       string   `json:"field,omitempty"`         // relationships: the referenced column
	MaxAgeHours int      `json:"max_age_hours,omitempty"` // freshness
	Severity    string   `json:"severity,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Check is a query whose result decides pass or fail.
type Check struct {
	Name        string
	Layer       string
	Model       string // the table checked, when one
	Kind        string
	Severity    string
	Description string
	tmpl        *template.Template
	// params names the parameters the query uses beyond the run's standard ones.
	params []warehouse.Param
	// freshHours is the age limit of a freshness check.
	freshHours int
	// Sources limits the check to runs of these sources; a built-in check takes its
	// model's, a custom check declares its own or inherits its model's.
	Sources []string
}

// ForSource reports whether the check runs in a run of source.
func (c *Check) ForSource(source string) bool { return forSource(c.Sources, source) }

// SQL renders the check for target.
func (c *Check) SQL(target Target) (string, error) {
	return execTemplate(c.tmpl, target, warehouse.Table{Dataset: c.Layer, Name: c.Model})
}

// Params are the check's own parameters (e.g. accepted values).
func (c *Check) Params() []warehouse.Param { return c.params }

func builtinCheck(m *Model, s CheckSpec, i int) (*Check, error) {
	c := &Check{Layer: m.Table.Dataset, Model: m.Table.Name, Kind: KindRows, Severity: s.Severity, Description: s.Description, Sources: m.Config.Sources}
	if c.Severity == "" {
		c.Severity = SeverityError
	}
	if c.Severity != SeverityError && c.Severity != SeverityWarn {
		return nil, fmt.Errorf("severity %q: want error or warn", c.Severity)
	}
	cols := s.Columns
	if s.Column != "" {
		cols = append([]string{s.Column}, cols...)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s: no column", s.Type)
	}
	self := "{{ this }}"
	var body string
	switch s.Type {
	case "not_null":
		var conds []string
		for _, col := range cols {
			conds = append(conds, col+" IS NULL")
		}
		body = fmt.Sprintf("SELECT * FROM %s WHERE %s", self, strings.Join(conds, " OR "))
		c.Description = orDefault(c.Description, strings.Join(cols, ", ")+" must not be NULL")
	case "unique":
		key := strings.Join(cols, ", ")
		body = fmt.Sprintf("SELECT %s, COUNT(*) AS duplicates FROM %s GROUP BY %s HAVING COUNT(*) > 1", key, self, key)
		c.Description = orDefault(c.Description, key+" must be unique")
	case "accepted_values":
		if len(s.Values) == 0 {
			return nil, fmt.Errorf("accepted_values: no values")
		}
		p := "accepted_" + cols[0]
		// The value list is a query parameter, never spliced into the SQL.
		body = fmt.Sprintf("SELECT %[1]s, COUNT(*) AS rows_with_value FROM %[2]s WHERE %[1]s IS NOT NULL AND NOT {{ in_array %[1]q %[3]q }} GROUP BY %[1]s", cols[0], self, p)
		c.params = []warehouse.Param{{Name: p, Value: s.Values}}
		c.Description = orDefault(c.Description, cols[0]+" must be one of "+strings.Join(s.Values, ", "))
	case "relationships":
		if s.To == "" || s.Field == "" {
			return nil, fmt.Errorf("relationships: to and field are required")
		}
		body = fmt.Sprintf("SELECT c.%[1]s, COUNT(*) AS orphan_rows FROM %[2]s AS c LEFT JOIN {{ ref %[3]q }} AS r ON c.%[1]s = r.%[4]s WHERE c.%[1]s IS NOT NULL AND r.%[4]s IS NULL GROUP BY c.%[1]s", cols[0], self, s.To, s.Field)
		c.Description = orDefault(c.Description, fmt.Sprintf("every %s is a known %s.%s", cols[0], s.To, s.Field))
	case "freshness":
		if s.MaxAgeHours <= 0 {
			return nil, fmt.Errorf("freshness: max_age_hours must be > 0")
		}
		// An empty table is stale too: MAX is NULL.
		body = fmt.Sprintf("SELECT MAX(%[1]s) AS newest FROM %[2]s HAVING MAX(%[1]s) IS NULL OR MAX(%[1]s) < {{ param \"freshness_cutoff_%[3]dh\" }}", cols[0], self, s.MaxAgeHours)
		c.freshHours = s.MaxAgeHours
		c.Description = orDefault(c.Description, fmt.Sprintf("the newest %s is at most %d hours old", cols[0], s.MaxAgeHours))
	default:
		return nil, fmt.Errorf("type %q: want not_null, unique, accepted_values, relationships or freshness", s.Type)
	}
	c.Name = orDefault(s.Name, fmt.Sprintf("%s_%s_%s", m.Table.Name, s.Type, strings.Join(cols, "_")))
	var err error
	c.tmpl, err = parseTemplate(m.Path+"#"+c.Name, body)
	return c, err
}

func loadCustomCheck(fsys fs.FS, layer, file string) (*Check, error) {
	var cfg struct {
		Kind        string   `json:"kind"`
		Severity    string   `json:"severity"`
		Description string   `json:"description"`
		Model       string   `json:"model"`
		Sources     []string `json:"sources"`
	}
	body, err := readConfigured(fsys, file, &cfg)
	if err != nil {
		return nil, err
	}
	c := &Check{Name: strings.TrimSuffix(path.Base(file), ".sql"), Layer: layer, Model: cfg.Model,
		Kind: orDefault(cfg.Kind, KindRows), Severity: orDefault(cfg.Severity, SeverityError), Description: cfg.Description,
		Sources: cfg.Sources}
	if c.Kind != KindRows && c.Kind != KindAssert {
		return nil, fmt.Errorf("%s: kind %q: want rows or assert", file, c.Kind)
	}
	if c.Severity != SeverityError && c.Severity != SeverityWarn {
		return nil, fmt.Errorf("%s: severity %q: want error or warn", file, c.Severity)
	}
	if c.Description == "" {
		return nil, fmt.Errorf("%s: description is empty", file)
	}
	c.tmpl, err = parseTemplate(file, body)
	return c, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
