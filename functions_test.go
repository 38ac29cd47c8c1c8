package jobpulse

import (
	"bufio"
	"bytes"
	"context"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/jobpulse/jobpulse/functions/environ"
)

// The Go buildpack builds the package at the module root: one package name among all
// its .go files, tests included, and not main.
func TestRootPackage_has_one_package_name(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		names[af.Name.Name] = append(names[af.Name.Name], f)
	}
	if len(names) != 1 || names["jobpulse"] == nil {
		t.Errorf("package names at the module root: %v; want only jobpulse (a _test package or main breaks the buildpack)", names)
	}
}

// goList runs `go list` on the root package with extra environment.
func goList(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// The deployed zip builds with BigQuery only: nothing in the root package's import
// graph may need cgo (the embedded warehouse adapter does, so this keeps it out).
func TestRootPackage_needs_no_cgo(t *testing.T) {
	t.Parallel()
	deps := goList(t, nil, "-deps", "-f", "{{.ImportPath}}", ".")
	if n := strings.Count(deps, "\n"); n < 50 {
		t.Fatalf("go list -deps printed %d packages; the check would prove nothing", n)
	}
	if strings.Contains(deps, "jobpulse/internal/warehouse/duck") {
		t.Errorf("the embedded warehouse adapter is in the root package's import graph")
	}

	// Outside the standard library (whose cgo files have pure-Go fallbacks), no package
	// may have cgo files.
	cgo := goList(t, []string{"CGO_ENABLED=1"}, "-deps", "-f", "{{if not .Standard}}{{if .CgoFiles}}{{.ImportPath}}{{end}}{{end}}", ".")
	if s := strings.TrimSpace(cgo); s != "" {
		t.Errorf("packages with cgo files in the root package's import graph:\n%s", s)
	}
	// And with cgo off, every package still has Go files to build.
	broken := goList(t, []string{"CGO_ENABLED=0"}, "-e", "-deps", "-f", "{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}{{if .DepsErrors}}{{.ImportPath}}: {{.DepsErrors}}{{end}}", ".")
	if s := strings.TrimSpace(broken); s != "" {
		t.Errorf("the root package does not build with CGO_ENABLED=0:\n%s", s)
	}
}

var entryPointRE = regexp.MustCompile(`entry_point\s*=\s*"([^"]+)"`)

// Every registered function must be deployed under its name: Terraform's entry_point
// selects a registered name, and a typo deploys a function that serves nothing.
func TestEntryPoints_match_terraform(t *testing.T) {
	t.Parallel()
	var registered []string
	for _, e := range entryPoints(environ.Default()) {
		registered = append(registered, e.name)
	}
	if want := []string{"CollectSaramin", "CollectTrends", "CollectCertifications", "ProcessRun"}; !slices.Equal(registered, want) {
		t.Errorf("registered %v, want %v", registered, want)
	}

	files, err := filepath.Glob(filepath.Join("infra", "terraform", "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no infra/terraform/*.tf yet: the entry-point check runs once the Terraform files exist")
	}
	deployed := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range entryPointRE.FindAllSubmatch(stripComments(data), -1) {
			deployed[string(m[1])] = true
		}
	}
	for _, name := range registered {
		if !deployed[name] {
			t.Errorf("function %s is registered but no infra/terraform/*.tf has entry_point = %q", name, name)
		}
		delete(deployed, name)
	}
	for name := range deployed {
		t.Errorf("infra/terraform deploys entry_point %q, which the root package does not register", name)
	}
}

// stripComments drops whole-line # and // comments, so a commented-out resource does
// not count as deployed.
func stripComments(data []byte) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		out.WriteString(sc.Text() + "\n")
	}
	return out.Bytes()
}

// Each entry point has exactly one handler of the kind its trigger needs, and the
// handlers are reachable without init (which must run only once per process).
func TestEntryPoints_are_wired(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := environ.Env{Getenv: func(string) string { return "" }, Stdout: &out}
	kinds := map[string]string{}
	for _, e := range entryPoints(env) {
		switch {
		case e.http != nil && e.cloudEvent == nil:
			kinds[e.name] = "http"
			// Unconfigured, a handler answers without touching anything.
			rec := httptest.NewRecorder()
			e.http(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s: GET answered %d, want 405", e.name, rec.Code)
			}
		case e.cloudEvent != nil && e.http == nil:
			kinds[e.name] = "cloudevent"
			ev := event.New()
			ev.SetID("wiring")
			ev.SetType("com.example.unrelated")
			if err := e.cloudEvent(context.Background(), ev); err != nil {
				t.Errorf("%s: an unrelated event returned %v, want nil", e.name, err)
			}
		default:
			t.Errorf("%s: want exactly one of an HTTP and a CloudEvent handler", e.name)
		}
	}
	want := map[string]string{"CollectSaramin": "http", "CollectTrends": "http", "CollectCertifications": "http", "ProcessRun": "cloudevent"}
	if !maps.Equal(kinds, want) {
		t.Errorf("entry point kinds %v, want %v", kinds, want)
	}
	if !strings.Contains(out.String(), `"severity"`) {
		t.Errorf("the handlers did not log JSON with a severity:\n%s", out.String())
	}
}
