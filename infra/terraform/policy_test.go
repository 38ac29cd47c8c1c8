package terraform_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// The policy checks run on the module and on snippets that break them, so that a
// check that can never fail is caught too.
type policy struct {
	name  string
	check func(m *module) []string
}

var policies = []policy{
	{"no_basic_roles", checkNoBasicRoles},
	{"no_public_principals", checkNoPublicPrincipals},
	{"iam_member_only", checkIAMMemberOnly},
	{"buckets_private", checkBucketsPrivate},
	{"no_secret_values", checkNoSecretValues},
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	for _, p := range policies {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range p.check(m) {
				t.Error(v)
			}
		})
	}
}

func TestPoliciesCatchViolations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		src    string
		want   bool // a violation is expected
	}{
		{"owner_role", "no_basic_roles", `resource "google_project_iam_member" "x" { role = "roles/owner" }`, true},
		{"editor_role_in_a_local", "no_basic_roles", `locals { roles = ["roles/editor"] }`, true},
		{"viewer_role", "no_basic_roles", `resource "google_project_iam_member" "x" { role = "roles/viewer" }`, true},
		{"predefined_viewer_role", "no_basic_roles", `resource "google_project_iam_member" "x" { role = "roles/bigquery.dataViewer" }`, false},
		{"all_users_member", "no_public_principals", `resource "google_storage_bucket_iam_member" "x" { member = "allUsers" }`, true},
		{"all_authenticated_users_default", "no_public_principals", `variable "v" { default = ["allAuthenticatedUsers"] }`, true},
		{"all_users_in_a_comment", "no_public_principals", "# never allUsers\nresource \"x\" \"y\" { a = 1 }", false},
		{"all_users_in_a_validation_message", "no_public_principals", `variable "v" {
  description = "Never allUsers."
  validation {
    error_message = "allUsers is refused."
  }
}`, false},
		{"iam_binding", "iam_member_only", `resource "google_project_iam_binding" "x" {}`, true},
		{"iam_policy", "iam_member_only", `resource "google_storage_bucket_iam_policy" "x" {}`, true},
		{"dataset_access_block", "iam_member_only", `resource "google_bigquery_dataset" "x" {
  access {
    role = "READER"
  }
}`, true},
		{"bucket_acl", "iam_member_only", `resource "google_storage_bucket_acl" "x" {}`, true},
		{"iam_member", "iam_member_only", `resource "google_project_iam_member" "x" {}`, false},
		{"bucket_without_uniform_access", "buckets_private", `resource "google_storage_bucket" "b" { public_access_prevention = "enforced" }`, true},
		{"bucket_with_inherited_prevention", "buckets_private", `resource "google_storage_bucket" "b" {
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
}`, true},
		{"private_bucket", "buckets_private", `resource "google_storage_bucket" "b" {
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}`, false},
		{"secret_version", "no_secret_values", `resource "google_secret_manager_secret_version" "v" { secret_data = "x" }`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := parseSource(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(policies, func(p policy) bool { return p.name == tt.policy })
			if i < 0 {
				t.Fatalf("no policy %q", tt.policy)
			}
			if got := policies[i].check(m); (len(got) > 0) != tt.want {
				t.Errorf("%s on %q: violations %q, want violation = %v", tt.policy, tt.src, got, tt.want)
			}
		})
	}
}

func checkNoBasicRoles(m *module) []string {
	var out []string
	for _, l := range m.policyLiterals() {
		switch strings.TrimSpace(l.text) {
		case "roles/owner", "roles/editor", "roles/viewer":
			out = append(out, fmt.Sprintf("%s: basic role %q; grant a predefined role instead", l.rng, l.text))
		}
	}
	return out
}

func checkNoPublicPrincipals(m *module) []string {
	var out []string
	for _, l := range m.policyLiterals() {
		if strings.Contains(l.text, "allUsers") || strings.Contains(l.text, "allAuthenticatedUsers") {
			out = append(out, fmt.Sprintf("%s: public principal in %q", l.rng, l.text))
		}
	}
	return out
}

// policyLiterals are the string literals that can become configuration: everything
// outside variable blocks, and variable defaults. A variable's description and
// validation messages are prose.
func (m *module) policyLiterals() []located {
	out := m.stringLiterals()
	var prose []located
	for _, b := range m.variables {
		for name, a := range b.Body.Attributes {
			if name != "default" {
				prose = append(prose, literalsIn(a.Expr)...)
			}
		}
		for _, v := range nested(b.Body, "validation") {
			for _, a := range v.Body.Attributes {
				prose = append(prose, literalsIn(a.Expr)...)
			}
		}
	}
	return slices.DeleteFunc(out, func(l located) bool {
		return slices.ContainsFunc(prose, func(p located) bool { return p.rng == l.rng })
	})
}

func literalsIn(e hclsyntax.Expression) []located {
	var out []located
	_ = hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if lit, ok := n.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
			out = append(out, located{lit.Val.AsString(), lit.SrcRange})
		}
		return nil
	})
	return out
}

func checkIAMMemberOnly(m *module) []string {
	var out []string
	for addr, typ := range m.resourceTypes() {
		switch {
		case strings.HasSuffix(typ, "_iam_binding"), strings.HasSuffix(typ, "_iam_policy"):
			out = append(out, fmt.Sprintf("%s: authoritative IAM; use the _iam_member resource", addr))
		case strings.HasSuffix(typ, "_acl"):
			out = append(out, fmt.Sprintf("%s: ACLs are off (uniform bucket-level access); use _iam_member", addr))
		case typ == "google_bigquery_dataset" && len(nested(m.resources[addr].Body, "access")) > 0:
			out = append(out, fmt.Sprintf("%s: an access block owns the dataset's whole access list; use google_bigquery_dataset_iam_member", addr))
		}
	}
	sort.Strings(out)
	return out
}

func checkBucketsPrivate(m *module) []string {
	var out []string
	for _, addr := range m.ofType("google_storage_bucket") {
		body := m.resources[addr].Body
		if v, ok := literal(body.Attributes["uniform_bucket_level_access"]); !ok || !v.Equals(cty.True).True() {
			out = append(out, addr+": uniform_bucket_level_access must be true")
		}
		if v, _ := literalString(body.Attributes["public_access_prevention"]); v != "enforced" {
			out = append(out, addr+`: public_access_prevention must be "enforced"`)
		}
	}
	return out
}

func checkNoSecretValues(m *module) []string {
	var out []string
	for addr, typ := range m.resourceTypes() {
		if typ == "google_secret_manager_secret_version" || typ == "data.google_secret_manager_secret_version" {
			out = append(out, addr+": secret values stay out of Terraform and its state; add versions with gcloud")
		}
	}
	for _, b := range m.blocks {
		_ = hclsyntax.VisitAll(b, func(n hclsyntax.Node) hcl.Diagnostics {
			if a, ok := n.(*hclsyntax.Attribute); ok && (a.Name == "secret_data" || a.Name == "secret_data_wo") {
				out = append(out, fmt.Sprintf("%s: %s puts a secret value in the configuration", a.SrcRange, a.Name))
			}
			return nil
		})
	}
	return out
}
