package main

import (
	"bufio"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const unitFile = "../../infra/systemd/jobpulse-monitor.service"

// unit is a parsed systemd unit: section → key → values, in order (a key may repeat).
type unit map[string]map[string][]string

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSystemdUnit_hardening(t *testing.T) {
	t.Parallel()
	svc := parseUnit(t, unitFile)["Service"]
	if svc == nil {
		t.Fatal("no [Service] section")
	}
	for key, want := range map[string]string{
		"Type":                    "simple",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "read-only",
		"StateDirectory":          "jobpulse-monitor",
		"ReadWritePaths":          "/var/lib/jobpulse-monitor",
		"PrivateTmp":              "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectControlGroups":    "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX AF_NETLINK",
		"CapabilityBoundingSet":   "",
		"SystemCallFilter":        "@system-service",
		// The agent and, while it runs, the probe with DuckDB (≈ 85 MB peak).
		"MemoryMax":       "256M",
		"EnvironmentFile": "-/etc/jobpulse-monitor/env",
		"Restart":         "on-failure",
		// Fewer wake-ups of the runtime's sysmon; tools/monitorbench measures with it.
		"TimerSlackNSec": "1ms",
	} {
		if diff := cmp.Diff([]string{want}, svc[key]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
	if svc["DynamicUser"] == nil && svc["User"] == nil {
		t.Error("the unit runs as root: set DynamicUser=yes or User=")
	}
	if ro := svc["ReadOnlyPaths"]; len(ro) != 1 || !strings.Contains(ro[0], "/var/lib/jobpulse/data") {
		t.Errorf("ReadOnlyPaths = %q, want the DuckDB warehouse's directory", ro)
	}
}

// TestSystemdUnit_letsTheAgentStartItsProbe: the sandbox must not stop the agent from
// executing /usr/local/bin/jobpulse (the default pipeline.command, found in PATH) or
// the probe from running: no exec restrictions over it, no filter that removes the
// process calls, and room for the probe in the memory limit.
func TestSystemdUnit_letsTheAgentStartItsProbe(t *testing.T) {
	t.Parallel()
	svc := parseUnit(t, unitFile)["Service"]
	for _, key := range []string{"NoExecPaths", "ExecPaths", "InaccessiblePaths", "TemporaryFileSystem", "RootDirectory", "RootImage", "ProtectProc", "ProcSubset", "TasksMax"} {
		if v := svc[key]; v != nil {
			t.Errorf("%s=%q: check it leaves /usr/local/bin/jobpulse executable and the probe room to run, then adjust this test", key, v)
		}
	}
	for _, f := range svc["SystemCallFilter"] {
		if strings.HasPrefix(f, "~") && (strings.Contains(f, "@process") || strings.Contains(f, "execve") || strings.Contains(f, "@default")) {
			t.Errorf("SystemCallFilter=%s denies what starting the probe needs (execve, clone, wait4)", f)
		}
	}
	for _, p := range svc["ReadWritePaths"] {
		if strings.Contains(p, "/usr/local/bin") {
			t.Errorf("ReadWritePaths=%s: the agent must not be able to replace its probe", p)
		}
	}
	if env := svc["Environment"]; env != nil {
		for _, e := range env {
			if strings.HasPrefix(e, "PATH=") && !strings.Contains(e, "/usr/local/bin") {
				t.Errorf("Environment=%s: PATH must hold /usr/local/bin, where jobpulse is installed", e)
			}
		}
	}
}

// TestSystemdUnit_execStart: the command line of ExecStart is one the binary accepts.
func TestSystemdUnit_execStart(t *testing.T) {
	t.Parallel()
	exec := parseUnit(t, unitFile)["Service"]["ExecStart"]
	if len(exec) != 1 {
		t.Fatalf("ExecStart = %q, want one", exec)
	}
	args := strings.Fields(exec[0])
	if args[0] != "/usr/local/bin/jobpulse-monitor" {
		t.Errorf("ExecStart runs %s, want /usr/local/bin/jobpulse-monitor (docs/monitor.md installs it there)", args[0])
	}
	root := newRootCmd(func(string) string { return "" }, io.Discard, io.Discard)
	cmd, rest, err := root.Find(args[1:])
	if err != nil {
		t.Fatalf("ExecStart's command: %v", err)
	}
	if cmd.Name() != "run" {
		t.Errorf("ExecStart runs %q, want run", cmd.Name())
	}
	for _, a := range rest {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			if cmd.Flags().Lookup(name) == nil {
				t.Errorf("ExecStart passes --%s, which %q does not have", name, cmd.CommandPath())
			}
		}
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("ExecStart's flags do not parse: %v", err)
	}
}
