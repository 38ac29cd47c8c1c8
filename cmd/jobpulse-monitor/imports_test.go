package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports_agentStaysSmall: the agent links no warehouse, no Google Cloud client and
// no command-line framework. Linking them costs resident memory at start whether or not
// they are used (the Functions client with gRPC ≈ 12 MiB, BigQuery ≈ 14 MiB, DuckDB ≈
// 50 MiB); they belong in `jobpulse monitor-probe`, which the agent starts as a child
// process. cobra and pflag cost pages of the binary for a command line the standard
// library's flag package serves. text/template calls methods by reflection, which makes
// the linker keep every exported method of every type: 3.1 MB of binary and 1.7 MiB of
// RSS; alert summaries are evaluated by monitor/alert itself.
func TestImports_agentStaysSmall(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), out)
	}
	forbidden := map[string]string{
		"cloud.google.com/go/":    "keep it in the probe (cmd/jobpulse monitor-probe)",
		"google.golang.org/grpc":  "keep it in the probe (cmd/jobpulse monitor-probe)",
		"github.com/duckdb/":      "keep it in the probe (cmd/jobpulse monitor-probe)",
		"github.com/apache/arrow": "keep it in the probe (cmd/jobpulse monitor-probe)",
		"github.com/spf13/":       "the command line uses the standard library's flag package",
	}
	// Only the executors: text/template/parse, which monitor/alert uses, calls nothing by
	// reflection.
	reflective := "calls methods by reflection, which keeps every exported method in the binary; see monitor/alert/summary.go"
	forbiddenExactly := map[string]string{"text/template": reflective, "html/template": reflective}
	for _, dep := range deps {
		if why, ok := forbiddenExactly[dep]; ok {
			t.Errorf("jobpulse-monitor imports %s: %s", dep, why)
		}
		for prefix, why := range forbidden {
			if strings.HasPrefix(dep, prefix) {
				t.Errorf("jobpulse-monitor imports %s: %s", dep, why)
			}
		}
	}
}
