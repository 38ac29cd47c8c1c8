package watchconfig

import (
	"strings"
	"testing"
	"time"
)

func TestValidate_reportsEveryProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{name: "ledger_defaults", err: Ledger{}.Validate()},
		{name: "ledger_bad", err: Ledger{Sources: []string{"Saramin", "qnet", "qnet"}, Window: -time.Hour, Timeout: -time.Second}.Validate(),
			want: []string{`"Saramin"`, `"qnet" is listed twice`, "ledger window", "ledger timeout"}},
		{name: "functions_ok", err: Functions{Project: "my-project-1", Region: "asia-northeast3"}.Validate()},
		{name: "functions_bad", err: Functions{Project: "P", Region: "seoul", Functions: []string{"ProcessRun", "processrun", "a,b", " "}, Timeout: -1}.Validate(),
			want: []string{`project "P"`, `region "seoul"`, `"processrun" is listed twice`, `"a,b"`, `" "`, "functions timeout"}},
		{name: "functions_empty_list", err: Functions{Project: "my-project-1", Region: "asia-northeast3", Functions: []string{}}.Validate(),
			want: []string{"list at least one function"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if len(tt.want) == 0 {
				if tt.err != nil {
					t.Fatalf("Validate() = %v, want nil", tt.err)
				}
				return
			}
			if tt.err == nil {
				t.Fatal("Validate() = nil, want errors")
			}
			for _, w := range tt.want {
				if !strings.Contains(tt.err.Error(), w) {
					t.Errorf("errors %q lack %q", tt.err, w)
				}
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	t.Parallel()
	l := Ledger{}.WithDefaults()
	if len(l.Sources) != 3 || l.Window != DefaultWindow || l.Timeout != DefaultLedgerTimeout {
		t.Errorf("ledger defaults %+v", l)
	}
	f := Functions{}.WithDefaults()
	if len(f.Functions) != 4 || f.Timeout != DefaultFunctionsTimeout || f.Enabled() {
		t.Errorf("functions defaults %+v (enabled %v)", f, f.Enabled())
	}
	if !(Functions{Project: "p"}).Enabled() {
		t.Error("a project enables the watcher")
	}
}
