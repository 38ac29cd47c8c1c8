package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"
)

// defaultNodeExporter is where Debian's prometheus-node-exporter package installs it.
const defaultNodeExporter = "/usr/bin/prometheus-node-exporter"

// nodeExporterPackage is the Debian package that holds it.
const nodeExporterPackage = "prometheus-node-exporter"

// nodeExporterCollectors is the collector set comparable to the agent's host collectors:
// cpu and stat (CPU time, boot time → uptime, processes forked), meminfo, filesystem
// (bytes and inodes), loadavg, netdev, processes (counts by state), time (with stat's
// boot time, the uptime; node_exporter 1.5 has no uptime collector). The agent's
// reachability probes have no counterpart here: that is blackbox_exporter's job.
var nodeExporterCollectors = []string{
	"cpu", "meminfo", "filesystem", "loadavg", "netdev", "stat", "time", "processes",
}

// nodeExporterArgs are node_exporter's flags: only the comparable collectors, on listen.
// Its own Go and process metrics stay on, as the agent serves them too.
func nodeExporterArgs(listen string) []string {
	args := []string{"--web.listen-address=" + listen, "--collector.disable-defaults"}
	for _, c := range nodeExporterCollectors {
		args = append(args, "--collector."+c)
	}
	return args
}

// runner runs a command and returns its combined output; tests replace it.
type runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// execRunner is the real runner, running commands in environ; the output goes to log
// as it arrives too, so a slow apt-get shows progress.
func execRunner(log io.Writer, environ []string) runner {
	return func(ctx context.Context, name string, args ...string) ([]byte, error) {
		var out strings.Builder
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdout = io.MultiWriter(&out, log)
		cmd.Stderr = cmd.Stdout
		cmd.Env = append(childEnv(environ), "DEBIAN_FRONTEND=noninteractive")
		err := cmd.Run()
		return []byte(out.String()), err
	}
}

// ensureNodeExporter makes sure the binary at path exists, installing the Debian package
// with apt-get when allowed and running as root. The error says how to get it otherwise.
func ensureNodeExporter(ctx context.Context, path string, install bool, euid int, run runner, logger *slog.Logger) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if !install {
		return fmt.Errorf("%s not found and -install=false: install it with apt-get install %s or pass -node-exporter PATH", path, nodeExporterPackage)
	}
	if path != defaultNodeExporter {
		return fmt.Errorf("%s not found: the %s package installs %s; give that path or an existing binary", path, nodeExporterPackage, defaultNodeExporter)
	}
	if euid != 0 {
		return fmt.Errorf("%s not found and not running as root: install it with sudo apt-get install %s", path, nodeExporterPackage)
	}
	logger.Info("installing node_exporter with apt-get", "package", nodeExporterPackage)
	install1 := func() error {
		_, err := run(ctx, "apt-get", "install", "-y", "--no-install-recommends", nodeExporterPackage)
		return err
	}
	if err := install1(); err != nil {
		// A fresh machine has no package lists yet.
		if _, uerr := run(ctx, "apt-get", "update"); uerr != nil {
			return fmt.Errorf("install %s: apt-get update: %w", nodeExporterPackage, uerr)
		}
		if err := install1(); err != nil {
			return fmt.Errorf("install %s: apt-get install: %w", nodeExporterPackage, err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("install %s: %s still missing: %w", nodeExporterPackage, path, err)
	}
	return nil
}

// programVersion runs binary with args and returns the first line it prints, e.g.
// "node_exporter, version 1.5.0 (branch: debian/sid, revision: 1.5.0-1+b6)".
func programVersion(ctx context.Context, run runner, binary string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := run(ctx, binary, args...)
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if err != nil {
		return "", fmt.Errorf("ask %s its version: %w", binary, err)
	}
	if line == "" {
		return "", errors.New("ask " + binary + " its version: it printed nothing")
	}
	return strings.TrimSpace(line), nil
}
