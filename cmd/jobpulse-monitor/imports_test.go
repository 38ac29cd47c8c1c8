package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports_agentStaysSmall: the agent links no warehouse and no Google Cloud client.
// Linking them costs resident memory at start whether or not they are used (the
// Functions client with gRPC ≈ 12 MiB, BigQuery ≈ 14 MiB, DuckDB ≈ 50 MiB); they belong
// in `jobpulse monitor-probe`, which the agent starts as a child process.
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
	forbidden := []string{"cloud.google.com/go/", "google.golang.org/grpc", "github.com/duckdb/", "github.com/apache/arrow"}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("jobpulse-monitor imports %s: keep it in the probe (cmd/jobpulse monitor-probe)", dep)
			}
		}
	}
}
