package alert

import (
	"strings"
	"testing"
	"text/template"
)

// TestSummary_rendersAsTextTemplate: the evaluator gives text/template's output for
// every construct a summary may use. text/template is fine here: tests are not linked
// into the agent.
func TestSummary_rendersAsTextTemplate(t *testing.T) {
	t.Parallel()
	templates := map[string]string{
		"text_only":          "plain text, no actions",
		"every_field":        "{{.Rule}}|{{.Metric}}|{{.Value}}|{{.Threshold}}|{{.Op}}|{{.Resolved}}",
		"the_data":           "{{.}}",
		"labels":             "{{.Labels.mountpoint}} on {{.Labels.device}}",
		"missing_label":      "[{{.Labels.nope}}]",
		"label_map":          "{{.Labels}}",
		"percent_duration":   "{{percent .Value}} after {{duration .Threshold}}",
		"piped":              "{{.Value | percent}} {{.Labels.kind | printf \"%q\"}} {{.Value | printf \"%.1f\" | len}}",
		"printf":             `{{printf "%.2f per CPU (%s)" .Value .Rule}}`,
		"print_println":      `{{print "a" 1 .Value true}}{{println .Rule .Resolved}}`,
		"if_else":            "{{if .Resolved}}ok again{{else}}broken{{end}}",
		"else_if":            `{{if eq .Labels.kind "https"}}web{{else if eq .Labels.kind "dns"}}name{{else}}other{{end}}`,
		"with_rebinds_dot":   "{{with .Labels.step}} in step {{.}}{{end}}{{with .Labels.nope}}never{{else}} none{{end}}",
		"else_with":          "{{with .Labels.nope}}a{{else with .Labels.kind}}b={{.}}{{end}}",
		"root_in_with":       "{{with .Labels.kind}}{{$.Rule}}/{{.}}/{{$.Labels.device}}{{end}}",
		"and_or_not":         `{{or .Labels.state "not ACTIVE"}} {{and .Labels.kind .Labels.device}} {{and .Labels.nope .Labels.kind}} {{not .Resolved}} {{or .Labels.nope ""}}`,
		"comparisons":        `{{gt .Value 0.5}} {{lt .Value .Threshold}} {{ge .Threshold 0.9}} {{le .Value 0.1}} {{ne .Op ">"}} {{eq .Op "<" ">"}} {{eq .Resolved false}} {{lt .Labels.kind "z"}}`,
		"len_index":          `{{len .Labels}} {{len .Rule}} {{index .Labels "kind"}}[{{index .Labels "nope"}}]`,
		"parenthesised":      "{{(.Labels).kind}} {{(printf \"%s-%s\" .Rule .Metric)}} {{percent (.Value)}}",
		"comments_and_trims": "a {{- /* a comment */ -}} b {{- .Labels.kind -}} c {{/* kept space */}} d",
		"numbers":            `{{print 3 2.5 -1 0x10 1e3 'a'}}`,
		"if_on_values":       "{{if .Value}}v{{end}}{{if .Labels}}l{{end}}{{if .Labels.nope}}n{{end}}{{if 0}}z{{end}}{{if \"\"}}e{{end}}{{if .Op}}o{{end}}",
	}
	data := []SummaryData{
		{Rule: "probe_failed", Metric: "probe_success", Value: 0.934, Threshold: 0.9, Op: OpGreater,
			Labels: map[string]string{"kind": "https", "device": "/dev/sda1", "mountpoint": "/var", "step": "collect", "state": "FAILED"}},
		{Rule: "disk", Metric: "disk_used_ratio", Value: 0, Threshold: 0, Op: OpLess, Resolved: true, Labels: map[string]string{}},
		{Rule: "cpu", Metric: "cpu_utilisation_ratio", Value: 1e9, Threshold: 3600, Op: OpGreaterEqual, Labels: map[string]string{"kind": "dns"}},
	}
	funcs := template.FuncMap{"percent": percent, "duration": humanSeconds}
	for name, text := range templates {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(text)
			if err != nil {
				t.Fatalf("text/template: %v", err)
			}
			got, err := parseSummary(Rule{Name: name, Summary: text, Op: OpGreater})
			if err != nil {
				t.Fatalf("parseSummary: %v", err)
			}
			for _, d := range data {
				var b strings.Builder
				if err := want.Execute(&b, d); err != nil {
					t.Fatalf("text/template on %+v: %v", d, err)
				}
				out, err := got.execute(&d)
				if err != nil {
					t.Fatalf("execute on %+v: %v", d, err)
				}
				if out != b.String() {
					t.Errorf("on %+v:\n got %q\nwant %q", d, out, b.String())
				}
			}
		})
	}
}

// TestSummary_refusedWhenLoaded: what a summary may not do fails when the rule is
// loaded, also in a branch the probe run does not take.
func TestSummary_refusedWhenLoaded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"unknown_field", "{{.Nope}}", "can't evaluate field Nope in type alert.SummaryData"},
		{"field_of_a_label", "{{.Labels.kind.name}}", "can't evaluate field name in type string"},
		{"unknown_function", "{{html .Rule}}", `function "html" not defined`},
		{"unclosed_action", "{{if .Resolved}}ok", "unexpected EOF"},
		{"range", "{{range .Labels}}{{.}}{{end}}", "{{range .Labels}}{{.}}{{end}} is not supported in a summary"},
		{"range_in_an_untaken_branch", "{{if .Resolved}}{{range .Labels}}x{{end}}{{end}}", "is not supported in a summary"},
		{"template", `{{template "x"}}`, "is not supported in a summary"},
		{"define", `{{define "x"}}y{{end}}{{.Rule}}`, "define and block are not supported"},
		{"variable_declaration", "{{$x := .Rule}}{{$x}}", "variables are not supported"},
		{"variable_in_an_untaken_branch", "{{if .Resolved}}{{with $x := .Rule}}{{end}}{{end}}", "variables are not supported"},
		{"argument_to_a_field", "{{.Rule 1}}", "can't give argument to non-function .Rule"},
		{"piped_into_a_field", "{{.Rule | .Metric}}", "can't give argument to non-function .Metric"},
		{"too_few_arguments", "{{printf}}", "wrong number of args for printf: want at least 1 got 0"},
		{"too_many_arguments", "{{percent .Value .Threshold}}", "wrong number of args for percent: want 1 got 2"},
		{"percent_of_a_string", "{{percent .Rule}}", "error calling percent: wrong type for value; expected a number; got string"},
		{"compare_string_and_number", "{{eq .Rule 1}}", "incompatible types for comparison"},
		{"format_not_a_string", "{{printf .Value}}", "the format is a float64, not a string"},
		{"index_a_string", `{{index .Rule "x"}}`, "can't index string with string"},
		{"complex_number", "{{print 1i}}", "the number 1i is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseSummary(Rule{Name: "r", Summary: tt.text, Op: OpGreater})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseSummary(%q) = %v, want an error with %q", tt.text, err, tt.want)
			}
		})
	}
}

// TestSummary_failingRenderStillSays: a template that fails only on some data (here a
// label that is not a number) still yields a line, and the error.
func TestSummary_failingRenderStillSays(t *testing.T) {
	t.Parallel()
	r := Rule{Name: "r", Metric: "disk_used_ratio", Threshold: 0.9, Op: OpGreater,
		Summary: `{{if .Labels.ratio}}{{percent (index .Labels "ratio")}}{{end}}`}
	s, err := parseSummary(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(s, r, map[string]string{"ratio": "0.5"}, 0.95, false)
	if err == nil || !strings.Contains(err.Error(), "r:1:") {
		t.Errorf("render error = %v, want one that names the template and its line", err)
	}
	if want := "disk_used_ratio is 0.95 (alert when > 0.9)"; got != want {
		t.Errorf("render = %q, want %q", got, want)
	}
}
