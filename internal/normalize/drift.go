package normalize

import (
	"cmp"
	"encoding/json"
	"slices"
)

// Kinds of schema drift.
const (
	// DriftUnknown is a field the normalizer does not know.
	DriftUnknown = "unknown"
	// DriftMissing is a required field that was absent.
	DriftMissing = "missing"
	// DriftRetyped is a field whose JSON type differs from the documented one.
	DriftRetyped = "retyped"
)

// Drift is one kind of difference between the jobs of a run and the documented shape
// of a job, with the number of rows that showed it.
type Drift struct {
	// Field is the dotted path within a job, e.g. "position.experience-level.code".
	Field string `json:"field"`
	// Kind is DriftUnknown, DriftMissing or DriftRetyped.
	Kind string `json:"kind"`
	Rows int    `json:"rows"`
	// ExampleType is the JSON type seen first (string, number, boolean, null, object,
	// array); empty for DriftMissing.
	ExampleType string `json:"example_type"`
}

// JSON types as Drift reports them.
const (
	jsonString = "string"
	jsonNumber = "number"
	jsonObject = "object"
)

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return jsonString
	case json.Number, float64:
		return jsonNumber
	case bool:
		return "boolean"
	case map[string]any:
		return jsonObject
	case []any:
		return "array"
	}
	return "unknown"
}

// fieldSpec is one documented field of a Saramin job (reference/sources.md §1).
type fieldSpec struct {
	name     string
	path     string
	typ      string
	optional bool // absent in some documented responses: not "missing" when absent
	fields   []*fieldSpec
	byName   map[string]*fieldSpec
}

func field(name, typ string, children ...*fieldSpec) *fieldSpec {
	return &fieldSpec{name: name, typ: typ, fields: children}
}

func optional(f *fieldSpec) *fieldSpec {
	f.optional = true
	return f
}

func codeName(name string) *fieldSpec {
	return field(name, jsonObject, field("code", jsonString), field("name", jsonString))
}

// saraminJob is the documented shape of a job. It is built once and only read.
var saraminJob = index(field("", jsonObject,
	field("url", jsonString),
	field("active", jsonNumber),
	field("company", jsonObject,
		field("detail", jsonObject,
			optional(field("href", jsonString)), // only when the company page is public
			field("name", jsonString))),
	field("position", jsonObject,
		field("title", jsonString),
		codeName("industry"),
		codeName("location"),
		codeName("job-type"),
		optional(field("job-category", jsonObject)), // {} in 2021, absent in 2024
		codeName("job-mid-code"),
		codeName("job-code"),
		field("experience-level", jsonObject,
			field("code", jsonNumber), field("min", jsonNumber), field("max", jsonNumber),
			field("name", jsonString)),
		codeName("required-education-level")),
	field("keyword", jsonString),
	field("salary", jsonObject,
		field("code", jsonString),
		optional(field("name", jsonString))), // missing for codes 98, 101, 104
	field("id", jsonString),
	field("posting-timestamp", jsonString),
	field("modification-timestamp", jsonString),
	field("opening-timestamp", jsonString),
	optional(field("expiration-timestamp", jsonString)),
	codeName("close-type"),
	// Only with the fields request parameter.
	optional(field("posting-date", jsonString)),
	optional(field("expiration-date", jsonString)),
	optional(field("read-cnt", jsonString)),
	optional(field("apply-cnt", jsonString)),
), "")

func index(f *fieldSpec, parent string) *fieldSpec {
	f.path = f.name
	if parent != "" {
		f.path = parent + "." + f.name
	}
	f.byName = make(map[string]*fieldSpec, len(f.fields))
	for _, c := range f.fields {
		f.byName[c.name] = index(c, f.path)
	}
	return f
}

type driftKey struct{ field, kind string }

// driftTally counts drift over the jobs of a run. A nil tally ignores observations.
type driftTally struct {
	seen map[driftKey]*Drift
}

func newDriftTally() *driftTally { return &driftTally{seen: map[driftKey]*Drift{}} }

// observe counts one row. Each field path occurs once per job, so one call is one row.
func (t *driftTally) observe(field, kind, typ string) {
	if t == nil {
		return
	}
	k := driftKey{field, kind}
	if d, ok := t.seen[k]; ok {
		d.Rows++
		return
	}
	t.seen[k] = &Drift{Field: field, Kind: kind, Rows: 1, ExampleType: typ}
}

// walk compares one decoded job with the documented shape.
func (t *driftTally) walk(job map[string]any) {
	if t == nil {
		return
	}
	t.walkObject(saraminJob, job)
}

func (t *driftTally) walkObject(spec *fieldSpec, obj map[string]any) {
	present := 0
	for _, f := range spec.fields {
		v, ok := obj[f.name]
		if !ok {
			if !f.optional {
				t.observe(f.path, DriftMissing, "")
			}
			continue
		}
		present++
		// A container of another type is reported once; its children are not
		// reported missing on top.
		if typ := jsonType(v); typ != f.typ {
			t.observe(f.path, DriftRetyped, typ)
		} else if m, ok := v.(map[string]any); ok {
			t.walkObject(f, m)
		}
	}
	if present == len(obj) {
		return // every key was a documented one
	}
	for k, v := range obj {
		if _, known := spec.byName[k]; !known {
			p := k
			if spec.path != "" {
				p = spec.path + "." + k
			}
			t.observe(p, DriftUnknown, jsonType(v))
		}
	}
}

// result returns the drift sorted by field, then kind.
func (t *driftTally) result() []Drift {
	out := make([]Drift, 0, len(t.seen))
	for _, d := range t.seen {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Drift) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}
