package monitor_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobpulse/jobpulse/monitor/alert"
)

// TestDefaultRules_runbooksExist: every default rule links a runbook that exists in the
// repository and says what to do.
func TestDefaultRules_runbooksExist(t *testing.T) {
	t.Parallel()
	for _, r := range alert.DefaultRules() {
		t.Run(r.Name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(r.Runbook, "://") {
				t.Skipf("runbook %s is a URL", r.Runbook)
			}
			data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(r.Runbook)))
			if err != nil {
				t.Fatalf("rule %s links a runbook that is not in the repository: %v", r.Name, err)
			}
			if !strings.HasPrefix(string(data), "# ") {
				t.Errorf("%s does not start with a title", r.Runbook)
			}
		})
	}
}

// TestDocs_alertsTable: docs/monitor.md lists every default rule with its runbook.
func TestDocs_alertsTable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "docs", "monitor.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, r := range alert.DefaultRules() {
		rb := strings.TrimPrefix(r.Runbook, "docs/")
		if !strings.Contains(doc, "| `"+r.Name+"` |") || !strings.Contains(doc, "("+rb+")") {
			t.Errorf("docs/monitor.md's alerts table lacks %s or its runbook %s", r.Name, rb)
		}
	}
}
