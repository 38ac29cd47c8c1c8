package terraform_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/looker"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// The functions' environment is what the app parses: the lake and warehouse URLs must
// pass lake.ParseURL and bigquery.ParseURL and name this module's bucket and datasets.
func TestFunctionEnvironment(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	tests := []struct {
		name       string
		vars       map[string]cty.Value
		wantBucket string
		wantPrefix string
		wantRegion string
		wantDSPref string
	}{
		{
			name:       "defaults",
			vars:       map[string]cty.Value{},
			wantBucket: "my-project-jobpulse-lake",
			wantPrefix: "lake",
			wantRegion: "asia-northeast3",
			wantDSPref: "jobpulse_",
		},
		{
			name: "own_bucket_at_its_root_elsewhere",
			vars: map[string]cty.Value{
				"bucket_name":    cty.StringVal("acme-lake"),
				"lake_prefix":    cty.StringVal(""),
				"region":         cty.StringVal("us-central1"),
				"dataset_prefix": cty.StringVal("jp_"),
			},
			wantBucket: "acme-lake",
			wantRegion: "us-central1",
			wantDSPref: "jp_",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := evalDefaults(t, m, tt.vars)
			for _, fn := range []string{"collect_environment", "process_environment"} {
				env := stringMap(t, ev.local(t, fn))
				loc, err := lake.ParseURL(env["JOBPULSE_LAKE"])
				if err != nil {
					t.Fatalf("%s: JOBPULSE_LAKE: %v", fn, err)
				}
				if loc.Bucket != tt.wantBucket || loc.Prefix != tt.wantPrefix {
					t.Errorf("%s: JOBPULSE_LAKE %q is bucket %q prefix %q, want %q and %q", fn, env["JOBPULSE_LAKE"], loc.Bucket, loc.Prefix, tt.wantBucket, tt.wantPrefix)
				}
				cfg, err := bigquery.ParseURL(env["JOBPULSE_WAREHOUSE"])
				if err != nil {
					t.Fatalf("%s: JOBPULSE_WAREHOUSE: %v", fn, err)
				}
				want := bigquery.Config{Project: "my-project", Location: tt.wantRegion, DatasetPrefix: tt.wantDSPref, MaxBytesBilled: bigquery.DefaultMaxBytesBilled}
				if diff := cmp.Diff(want, cfg); diff != "" {
					t.Errorf("%s: JOBPULSE_WAREHOUSE %q (-want +got):\n%s", fn, env["JOBPULSE_WAREHOUSE"], diff)
				}
				for _, secret := range []string{"SARAMIN_ACCESS_KEY", "QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"} {
					if _, ok := env[secret]; ok {
						t.Errorf("%s: %s is a plain environment variable; it belongs in Secret Manager", fn, secret)
					}
				}
			}
			// What each function's own loader makes of it, secrets mounted.
			for _, fn := range []struct {
				local string
				need  environ.Need
			}{
				{"collect_environment", environ.Need{SaraminKey: true}},
				{"collect_environment", environ.Need{Trends: true}},
				{"collect_environment", environ.Need{QnetKey: true}},
				{"process_environment", environ.Need{Warehouse: true}},
			} {
				env := stringMap(t, ev.local(t, fn.local))
				env["SARAMIN_ACCESS_KEY"] = "test-key-123"
				env["QNET_SERVICE_KEY"] = "test-qnet-key%2B123%3D%3D"
				env["SLACK_WEBHOOK_URL"] = "https://hooks.slack.com/services/T000/B000/XXXX"
				s, err := environ.Load(func(k string) string { return env[k] }, fn.need)
				if err != nil {
					t.Errorf("%s: the function rejects its environment: %v", fn.local, err)
					continue
				}
				if s.Warehouse == nil || s.Warehouse.LakeBucket != tt.wantBucket {
					t.Errorf("%s: the function's warehouse reads lake bucket %v, want %q", fn.local, s.Warehouse, tt.wantBucket)
				}
			}
			collect := stringMap(t, ev.local(t, "collect_environment"))
			if d := pipeline.DefaultSaraminSettings(); collect["SARAMIN_QUERY"] != d.Query || collect["SARAMIN_DAILY_QUOTA"] != strconv.Itoa(d.DailyQuota) {
				t.Errorf("collect environment: SARAMIN_QUERY=%q SARAMIN_DAILY_QUOTA=%q", collect["SARAMIN_QUERY"], collect["SARAMIN_DAILY_QUOTA"])
			}
			// The datasets Terraform creates are the ones the warehouse URL names.
			for _, layer := range warehouse.Datasets {
				dataset := m.resources["google_bigquery_dataset.layer"].Body.Attributes["dataset_id"]
				if got := ev.exprEach(t, dataset, layer).AsString(); got != tt.wantDSPref+layer {
					t.Errorf("dataset %s is %q, want %q", layer, got, tt.wantDSPref+layer)
				}
			}
		})
	}
}

// The Looker Studio link of the outputs is byte for byte what `jobpulse looker-link`
// prints for the same warehouse.
func TestLookerStudioLink(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	name := cliReportName(t)
	tests := []struct {
		name       string
		vars       map[string]cty.Value
		reportName string
		template   string
		prefix     string
	}{
		{"defaults", nil, name, "", "jobpulse_"},
		{"template_and_own_name", map[string]cty.Value{
			"looker_template_id": cty.StringVal("1a2b3c-4d5e_6f"),
			"looker_report_name": cty.StringVal("Q4 · 채용 & skills + trends/100%"),
			"dataset_prefix":     cty.StringVal("jp_"),
		}, "Q4 · 채용 & skills + trends/100%", "1a2b3c-4d5e_6f", "jp_"},
		{"no_report_name", map[string]cty.Value{"looker_report_name": cty.StringVal("")}, "", "", "jobpulse_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := evalDefaults(t, m, tt.vars)
			want, err := looker.ReportURL("my-project", tt.prefix, tt.reportName, tt.template, looker.DefaultSources())
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.local(t, "looker_studio_link").AsString(); got != want {
				t.Errorf("looker_studio_link:\n got %s\nwant %s", got, want)
			}
		})
	}
	if out := outputValue(m, "looker_studio_link"); !refersTo(out, "local.looker_studio_link") {
		t.Errorf("output looker_studio_link must be local.looker_studio_link")
	}
}

// cliReportName reads the default report name of `jobpulse looker-link` from
// cmd/jobpulse, which is package main and cannot be imported.
func cliReportName(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot, "cmd", "jobpulse", "looker.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == "defaultReportName" && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						return v
					}
				}
			}
		}
	}
	t.Fatal("cmd/jobpulse/looker.go declares no constant defaultReportName")
	return ""
}

// Every name the root package registers with the Functions Framework is deployed, as
// the same kind of function, and every deployed entry point is registered. (The root
// package's own test makes the same comparison from its side.)
func TestEntryPointsAreRegistered(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	registered, err := registeredFunctions(repoRoot)
	if err != nil {
		t.Skipf("cannot read the registrations statically: %v", err)
	}
	if len(registered) == 0 {
		t.Skip("the root package registers no functions yet")
	}
	ev := evalDefaults(t, m, nil)
	deployed := map[string]string{}
	for _, fn := range m.instances(t, ev, funcType) {
		ep := fn.str(t, ev, attrAt(fn.body, "build_config", "entry_point"))
		kind := "http"
		if blockAt(fn.body, "event_trigger") != nil {
			kind = "cloudevent"
		}
		deployed[ep] = kind
	}
	if diff := cmp.Diff(registered, deployed); diff != "" {
		t.Errorf("registered functions (-) differ from deployed entry points (+):\n%s", diff)
	}
}

// registeredFunctions reads the names the root package's non-test files register, and
// their kinds, in either of two shapes: functions.HTTP("Name", h) and
// functions.CloudEvent("Name", h) calls with a constant name, or a table of struct
// literals {name: "Name", http: h} / {name: "Name", cloudEvent: h} that a loop
// registers.
func registeredFunctions(root string) (map[string]string, error) {
	const framework = "github.com/GoogleCloudPlatform/functions-framework-go/functions"
	names, err := filepath.Glob(filepath.Join(root, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	var dynamic []string // registrations whose name is not a constant
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		local := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == framework {
				local = "functions"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		consts := stringConsts(f)
		constant := func(e ast.Expr) (string, bool) {
			switch e := e.(type) {
			case *ast.BasicLit:
				if e.Kind == token.STRING {
					v, err := strconv.Unquote(e.Value)
					return v, err == nil
				}
			case *ast.Ident:
				v, ok := consts[e.Name]
				return v, ok
			}
			return "", false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || len(n.Args) == 0 {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != local {
					return true
				}
				kind := map[string]string{"HTTP": "http", "CloudEvent": "cloudevent"}[sel.Sel.Name]
				if kind == "" {
					return true
				}
				if v, ok := constant(n.Args[0]); ok {
					out[v] = kind
				} else {
					dynamic = append(dynamic, fset.Position(n.Pos()).String())
				}
			case *ast.CompositeLit:
				var fnName, kind string
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					key, ok := kv.Key.(*ast.Ident)
					if !ok {
						continue
					}
					switch strings.ToLower(key.Name) {
					case "name":
						fnName, _ = constant(kv.Value)
					case "http":
						kind = "http"
					case "cloudevent":
						kind = "cloudevent"
					}
				}
				if fnName != "" && kind != "" {
					out[fnName] = kind
				}
			}
			return true
		})
	}
	if len(dynamic) > 0 && len(out) == 0 {
		return nil, fmt.Errorf("registrations at %v take names that are not constants", dynamic)
	}
	return out, nil
}

func stringConsts(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[n.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}
