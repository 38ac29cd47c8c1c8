package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

type schemaColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Mode string `json:"mode"`
}

// readSchema reads the staging table's BigQuery schema from the embedded SQL files,
// or from disk while sql/files.go does not embed staging/ yet.
func readSchema(t *testing.T) []schemaColumn {
	t.Helper()
	return readSchemaFile(t, "staging/saramin_postings.schema.json")
}

func readSchemaFile(t *testing.T, name string) []schemaColumn {
	t.Helper()
	data, err := fs.ReadFile(sqlfiles.FS, name)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = os.ReadFile("../../sql/" + name)
	}
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	var cols []schemaColumn
	if err := json.Unmarshal(data, &cols); err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	return cols
}

// TestSaraminRowMatchesSchema holds the Go row and the BigQuery schema together: same
// columns, same order, same types and modes.
func TestRowsMatchSchemas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		schema string
		row    reflect.Type
	}{
		{name: "saramin", schema: "staging/saramin_postings.schema.json", row: reflect.TypeFor[SaraminRow]()},
		{name: "trends", schema: "staging/google_trends.schema.json", row: reflect.TypeFor[trendRow]()},
		{name: "qnet", schema: "staging/certifications.schema.json", row: reflect.TypeFor[certRow]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(readSchemaFile(t, tt.schema), rowColumns(t, tt.row)); diff != "" {
				t.Errorf("%s vs %s (-schema +struct):\n%s", tt.row.Name(), tt.schema, diff)
			}
		})
	}
}

// rowColumns derives a BigQuery schema from a row struct's fields.
func rowColumns(t *testing.T, rt reflect.Type) []schemaColumn {
	t.Helper()
	var got []schemaColumn
	for i := range rt.NumField() {
		f := rt.Field(i)
		typ, mode := f.Type, "REQUIRED"
		switch typ.Kind() {
		case reflect.Pointer:
			typ, mode = typ.Elem(), "NULLABLE"
		case reflect.Slice:
			typ, mode = typ.Elem(), "REPEATED"
		}
		bq := map[reflect.Type]string{
			reflect.TypeFor[string]():    "STRING",
			reflect.TypeFor[int64]():     "INT64",
			reflect.TypeFor[float64]():   "FLOAT64",
			reflect.TypeFor[bool]():      "BOOL",
			reflect.TypeFor[Timestamp](): "TIMESTAMP",
			reflect.TypeFor[Date]():      "DATE",
		}[typ]
		if bq == "" {
			t.Errorf("field %s: Go type %s has no BigQuery type", f.Name, f.Type)
		}
		got = append(got, schemaColumn{Name: f.Tag.Get("json"), Type: bq, Mode: mode})
	}
	return got
}

// TestSaraminRowJSONShape checks the encoded row itself: keys in schema order, null for
// unknown NULLABLE columns, [] for empty REPEATED ones, and the literal formats.
func TestSaraminRowJSONShape(t *testing.T) {
	t.Parallel()
	cols := readSchema(t)
	tests := []struct {
		name string
		job  string
	}{
		{name: "empty_job", job: `{}`},
		{name: "job_not_an_object", job: `"x"`},
		{name: "full_job", job: `{"id":"1","active":1,"posting-timestamp":"1725438037","expiration-timestamp":"1727708399",
			"close-type":{"code":"1","name":"접수마감일"},"read-cnt":"5","position":{"title":"a","location":{"code":"101010","name":"서울 &gt; 강남구"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := encodeRows([]json.RawMessage{json.RawMessage(tt.job)}, "run", 1, nil, testClassifier(t))
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			values := map[string]json.RawMessage{}
			dec := json.NewDecoder(bytes.NewReader(data))
			if _, err := dec.Token(); err != nil { // {
				t.Fatal(err)
			}
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, tok.(string))
				values[tok.(string)] = v
			}
			var wantKeys []string
			for _, c := range cols {
				wantKeys = append(wantKeys, c.Name)
			}
			if diff := cmp.Diff(wantKeys, keys); diff != "" {
				t.Errorf("keys (-schema +row):\n%s", diff)
			}
			for _, c := range cols {
				v := string(values[c.Name])
				switch {
				case c.Mode == "REPEATED" && (len(v) == 0 || v[0] != '['):
					t.Errorf("%s = %s, want an array", c.Name, v)
				case c.Mode == "REQUIRED" && v == "null":
					t.Errorf("%s = null, want a value", c.Name)
				case v == "null":
				case c.Type == "TIMESTAMP" && !timestampRE.MatchString(v):
					t.Errorf("%s = %s, want RFC 3339 UTC without fractions", c.Name, v)
				case c.Type == "DATE" && !dateRE.MatchString(v):
					t.Errorf("%s = %s, want YYYY-MM-DD", c.Name, v)
				case c.Type == "INT64" && (v[0] == '"' || bytes.ContainsAny([]byte(v), ".eE")):
					t.Errorf("%s = %s, want a JSON integer", c.Name, v)
				case c.Type == "BOOL" && v != "true" && v != "false":
					t.Errorf("%s = %s, want a JSON boolean", c.Name, v)
				}
			}
		})
	}
}
