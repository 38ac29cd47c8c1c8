package terraform_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The GitHub Actions workflows cannot run here; these tests hold them to valid YAML of
// the expected shape: CI runs .ci/run, and deploy authenticates with Workload Identity
// Federation and applies only on main.

const workflowsDir = "../../.github/workflows"

type workflow struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency map[string]any    `yaml:"concurrency"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Name           string            `yaml:"name"`
	If             string            `yaml:"if"`
	Environment    any               `yaml:"environment"`
	RunsOn         string            `yaml:"runs-on"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Defaults       map[string]any    `yaml:"defaults"`
	Env            map[string]string `yaml:"env"`
	Steps          []step            `yaml:"steps"`
}

type step struct {
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	With             map[string]string `yaml:"with"`
	WorkingDirectory string            `yaml:"working-directory"`
}

func loadWorkflow(t *testing.T, name string) (workflow, []byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(workflowsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	dec.KnownFields(true) // a misspelt key is an error, not a silently ignored field
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if w.Name == "" || len(w.On) == 0 || len(w.Jobs) == 0 {
		t.Fatalf("%s: want name, on and jobs", name)
	}
	for id, j := range w.Jobs {
		if j.RunsOn == "" || len(j.Steps) == 0 {
			t.Errorf("%s: job %s has no runs-on or no steps", name, id)
		}
		if j.TimeoutMinutes <= 0 {
			t.Errorf("%s: job %s has no timeout-minutes", name, id)
		}
		for _, s := range j.Steps {
			if (s.Uses == "") == (s.Run == "") {
				t.Errorf("%s: job %s step %q must have exactly one of uses and run", name, id, s.Name)
			}
			if s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+(\.\d+)*$`).MatchString(s.Uses) {
				t.Errorf("%s: job %s step %q: %q is not pinned to a release", name, id, s.Name, s.Uses)
			}
		}
	}
	return w, src
}

// steps returns every step of every job, in order.
func (w workflow) steps() []step {
	var out []step
	for _, id := range slices.Sorted(mapKeys(w.Jobs)) {
		out = append(out, w.Jobs[id].Steps...)
	}
	return out
}

func usesAction(s step, action string) bool {
	return strings.HasPrefix(s.Uses, action+"@")
}

func TestWorkflowCI(t *testing.T) {
	t.Parallel()
	w, _ := loadWorkflow(t, "ci.yml")
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"runs_on_push_and_pull_request", func(t *testing.T) {
			for _, ev := range []string{"push", "pull_request"} {
				if _, ok := w.On[ev]; !ok {
					t.Errorf("ci.yml does not run on %s", ev)
				}
			}
		}},
		{"sets_up_go_1_26_and_node", func(t *testing.T) {
			var goOK, nodeOK bool
			for _, s := range w.steps() {
				goOK = goOK || usesAction(s, "actions/setup-go") && s.With["go-version"] == "1.26"
				nodeOK = nodeOK || usesAction(s, "actions/setup-node") && s.With["node-version"] != ""
			}
			if !goOK || !nodeOK {
				t.Errorf("setup-go 1.26: %v, setup-node: %v", goOK, nodeOK)
			}
		}},
		{"runs_ci_run_after_checkout", func(t *testing.T) {
			var found bool
			for id, j := range w.Jobs {
				i := slices.IndexFunc(j.Steps, func(s step) bool { return strings.TrimSpace(s.Run) == "bash .ci/run" })
				if i < 0 {
					continue
				}
				found = true
				if !slices.ContainsFunc(j.Steps[:i], func(s step) bool { return usesAction(s, "actions/checkout") }) {
					t.Errorf("job %s runs .ci/run before checking out", id)
				}
			}
			if !found {
				t.Error("no step runs `bash .ci/run`")
			}
			if _, err := os.Stat("../../.ci/run"); err != nil {
				t.Error(err)
			}
		}},
		{"only_reads_the_repository", func(t *testing.T) {
			if want := map[string]string{"contents": "read"}; !maps.Equal(w.Permissions, want) {
				t.Errorf("permissions %v, want %v", w.Permissions, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}

func TestWorkflowDeploy(t *testing.T) {
	t.Parallel()
	w, src := loadWorkflow(t, "deploy.yml")
	if len(w.Jobs) != 1 {
		t.Fatalf("deploy.yml has %d jobs, want 1", len(w.Jobs))
	}
	var j job
	for _, only := range w.Jobs {
		j = only
	}
	find := func(pred func(step) bool) int { return slices.IndexFunc(j.Steps, pred) }
	runs := func(cmd string) func(step) bool {
		return func(s step) bool { return strings.HasPrefix(strings.TrimSpace(s.Run), cmd) }
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"runs_only_for_main", func(t *testing.T) {
			for ev := range w.On {
				if ev != "push" && ev != "workflow_dispatch" {
					t.Errorf("deploy.yml runs on %s; want push to main and workflow_dispatch only", ev)
				}
			}
			push, _ := w.On["push"].(map[string]any)
			if branches, _ := push["branches"].([]any); !slices.Equal(branches, []any{"main"}) {
				t.Errorf("push branches %v, want [main]", push["branches"])
			}
			if !strings.Contains(j.If, "github.ref == 'refs/heads/main'") {
				t.Errorf("job if %q: want it limited to refs/heads/main (workflow_dispatch can pick any branch)", j.If)
			}
		}},
		{"authenticates_with_workload_identity_federation", func(t *testing.T) {
			if w.Permissions["id-token"] != "write" {
				t.Error("permissions lack id-token: write, which Workload Identity Federation needs")
			}
			i := find(func(s step) bool { return usesAction(s, "google-github-actions/auth") })
			if i < 0 {
				t.Fatal("no google-github-actions/auth step")
			}
			with := j.Steps[i].With
			for _, k := range []string{"workload_identity_provider", "service_account"} {
				if !strings.HasPrefix(with[k], "${{ vars.") {
					t.Errorf("auth %s = %q, want a repository variable", k, with[k])
				}
			}
			if _, ok := with["credentials_json"]; ok {
				t.Error("auth uses credentials_json: a service account key, not Workload Identity Federation")
			}
			if init := find(runs("terraform init")); init < i {
				t.Error("terraform init runs before authentication")
			}
		}},
		{"plans_and_applies_in_infra_terraform", func(t *testing.T) {
			run, _ := j.Defaults["run"].(map[string]any)
			if run["working-directory"] != "infra/terraform" {
				t.Errorf("defaults.run.working-directory = %v, want infra/terraform", run["working-directory"])
			}
			if find(func(s step) bool { return usesAction(s, "hashicorp/setup-terraform") }) < 0 {
				t.Error("no hashicorp/setup-terraform step")
			}
			init, plan, apply := find(runs("terraform init")), find(runs("terraform plan")), find(runs("terraform apply"))
			if init < 0 || plan < 0 || apply < 0 || !(init < plan && plan < apply) {
				t.Fatalf("want terraform init, plan and apply in that order; at %d, %d, %d", init, plan, apply)
			}
			if !strings.Contains(j.Steps[init].Run, "-backend-config=") {
				t.Error("terraform init has no -backend-config: the state would be local to the runner")
			}
			if !strings.Contains(j.Steps[plan].Run, "project_id=${{ vars.GCP_PROJECT_ID }}") {
				t.Errorf("terraform plan does not set project_id from vars.GCP_PROJECT_ID: %q", j.Steps[plan].Run)
			}
			if s := j.Steps[apply]; !strings.Contains(s.If, "github.ref == 'refs/heads/main'") {
				t.Errorf("terraform apply runs with if %q; want it limited to refs/heads/main", s.If)
			}
			// The plan that was shown is the plan that is applied.
			if !strings.Contains(j.Steps[plan].Run, "-out=tfplan") || strings.TrimSpace(j.Steps[apply].Run) != "terraform apply tfplan" {
				t.Error("want terraform plan -out=tfplan and terraform apply tfplan")
			}
		}},
		{"checks_the_configuration_first", func(t *testing.T) {
			test := find(func(s step) bool { return strings.Contains(s.Run, "go test") })
			if test < 0 || test > find(runs("terraform init")) {
				t.Error("want the Go tests of infra/terraform before terraform init")
			}
		}},
		{"documents_every_repository_variable", func(t *testing.T) {
			header, body := splitHeader(string(src))
			used := regexp.MustCompile(`vars\.([A-Z0-9_]+)`).FindAllStringSubmatch(body, -1)
			if len(used) == 0 {
				t.Fatal("deploy.yml uses no repository variables")
			}
			for _, u := range used {
				if !regexp.MustCompile(`(?m)^#\s+` + u[1] + `\s`).MatchString(header) {
					t.Errorf("vars.%s is used but not documented in the comment at the top", u[1])
				}
			}
		}},
		{"holds_no_secrets", func(t *testing.T) {
			if strings.Contains(string(src), "secrets.") {
				t.Error("deploy.yml reads GitHub secrets; it needs only repository variables and WIF")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}

// splitHeader splits a file into its leading comment block and the rest.
func splitHeader(src string) (header, body string) {
	lines := strings.SplitAfter(src, "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], "#") {
		i++
	}
	return strings.Join(lines[:i], ""), strings.Join(lines[i:], "")
}
