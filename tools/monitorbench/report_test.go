package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUpdateDoc(t *testing.T) {
	t.Parallel()
	block := func(body string) string { return resultsBegin + "\n" + body + "\n" + resultsEnd }
	tests := []struct {
		name, doc, body, want string
		wantErr               string
	}{
		{
			name: "empty_file_gets_the_section",
			body: "table\n",
			want: sectionHeading + "\n\n" + block("table") + "\n",
		},
		{
			name: "no_markers_appends_the_section",
			doc:  "# Benchmarks\n\n## Other\n\ntext",
			body: "table",
			want: "# Benchmarks\n\n## Other\n\ntext\n\n" + sectionHeading + "\n\n" + block("table") + "\n",
		},
		{
			name: "markers_replace_only_the_block",
			doc:  "# B\n\n" + sectionHeading + "\n\nprose before\n\n" + block("old\ntable") + "\n\nprose after\n\n## Next\n",
			body: "new table\n\n",
			want: "# B\n\n" + sectionHeading + "\n\nprose before\n\n" + block("new table") + "\n\nprose after\n\n## Next\n",
		},
		{
			name:    "begin_without_end_is_an_error",
			doc:     "x\n" + resultsBegin + "\nold\n",
			body:    "t",
			wantErr: "no end marker",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := updateDoc(tt.doc, tt.body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("updateDoc() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("updateDoc() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("updateDoc() mismatch (-want +got):\n%s", diff)
			}
			if again, _ := updateDoc(got, tt.body); again != got {
				t.Errorf("updateDoc() is not idempotent:\n%s", again)
			}
		})
	}
}

func TestWriteDoc(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := os.WriteFile(path, []byte("# Benchmarks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first", "second"} {
		if err := writeDoc(path, body); err != nil {
			t.Fatalf("writeDoc(%q) error = %v", body, err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Benchmarks\n\n" + sectionHeading + "\n\n" + resultsBegin + "\nsecond\n" + resultsEnd + "\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("file mismatch (-want +got):\n%s", diff)
	}
}

func TestReportMarkdown(t *testing.T) {
	t.Parallel()
	mb := func(m float64) uint64 { return uint64(m * 1024) }
	base := report{
		date:     time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		command:  "go run ./tools/monitorbench -ticks 20",
		machine:  machine{cpuModel: "AMD EPYC", cores: 2, memTotal: "23.5 GiB", kernel: "6.1", loadStart: "1.00 1.00 1.00", loadEnd: "1.10 1.00 1.00"},
		interval: 15 * time.Second,
		ticks:    20,
		clkTck:   100,
	}
	ne := measurement{name: nodeExporterName, version: "1.5.0", ticks: 20, scrapes: 20, scrapeBytes: 26 * 1024,
		first: usage{cpuTicks: 100, rssKiB: mb(17), hwmKiB: mb(18), runNs: 1e9, haveRunNs: true},
		last:  usage{cpuTicks: 120, rssKiB: mb(19), hwmKiB: mb(19.5), anonKiB: mb(9), fileKiB: mb(10), runNs: 1.19e9, haveRunNs: true, timerSlackNs: 1e6}}
	agentOK := measurement{name: agentName, version: "dev", ticks: 20, scrapes: 20, scrapeBytes: 8 * 1024,
		first: usage{cpuTicks: 10, rssKiB: mb(10), hwmKiB: mb(11)},
		last:  usage{cpuTicks: 13, rssKiB: mb(11), hwmKiB: mb(12)}}
	agentFat := agentOK
	agentFat.last = usage{cpuTicks: 60, rssKiB: mb(30), hwmKiB: mb(31)}
	// Three clock ticks say 1.50 ms per tick; the threads' nanoseconds say 2.13.
	agentSched := agentOK
	agentSched.first.runNs, agentSched.first.haveRunNs = 5e8, true
	agentSched.last.runNs, agentSched.last.haveRunNs = 5e8+42.6e6, true

	tests := []struct {
		name     string
		results  []measurement
		assumed  bool
		slack    time.Duration
		notes    []string
		want     []string
		wantNone []string
	}{
		{
			name:    "agent_meets_targets_and_beats_node_exporter",
			results: []measurement{ne, agentOK},
			slack:   time.Millisecond,
			want: []string{
				"each process started with the TimerSlackNSec= of infra/systemd/jobpulse-monitor.service (1ms), so the agent runs as installed",
				"Measured 2026-11-22 10:00 UTC on AMD EPYC (2 cores, 23.5 GiB RAM, Linux 6.1)",
				"Command: `go run ./tools/monitorbench -ticks 20` — 20 ticks of 15s",
				"| node_exporter | 1.5.0 | 1ms | 17.0 | 19.0 | 19.5 | **10.00** | 200 | 9.50 | 9.0 / 10.0 | 26.0 | 0 of 20 |",
				"| jobpulse-monitor | dev | n/a | 10.0 | 11.0 | 12.0 | **1.50** | 30 | n/a | n/a | 8.0 | 0 of 20 |",
				"RSS ≤ 15 MiB: met (end 11.0, peak 12.0 MiB = 12.6 MB); ≤ 2 ms CPU per tick: met (1.50 ms, utime+stime)",
				"Below node_exporter: peak RSS met (12.0 vs 19.5 MiB), CPU met (1.50 vs 9.50 ms per tick, utime+stime vs schedstat)",
				"CLK_TCK = 100 from getconf",
				"±0.50 ms over 20 ticks",
			},
		},
		{
			name:    "agent_misses_targets",
			results: []measurement{ne, agentFat},
			want: []string{
				"RSS ≤ 15 MiB: **missed** (end 30.0, peak 31.0 MiB = 32.5 MB); ≤ 2 ms CPU per tick: **missed** (25.00 ms, utime+stime)",
				"peak RSS **missed** (31.0 vs 19.5 MiB), CPU **missed** (25.00 vs 9.50 ms per tick, utime+stime vs schedstat)",
			},
		},
		{
			name:    "verdict_uses_schedstat_when_there",
			results: []measurement{ne, agentSched},
			want: []string{
				"| jobpulse-monitor | dev | n/a | 10.0 | 11.0 | 12.0 | **1.50** | 30 | 2.13 | n/a | 8.0 | 0 of 20 |",
				"≤ 2 ms CPU per tick: **missed** (2.13 ms, schedstat)",
				"CPU met (2.13 vs 9.50 ms per tick, schedstat)",
			},
		},
		{
			name:     "node_exporter_alone_has_no_verdict",
			results:  []measurement{ne},
			assumed:  true,
			want:     []string{"CLK_TCK assumed 100 (getconf CLK_TCK failed)", "each process started with the harness's own, not the TimerSlackNSec="},
			wantNone: []string{"Targets:"},
		},
		{
			name:     "agent_alone_with_note",
			results:  []measurement{agentOK},
			slack:    5 * time.Millisecond,
			notes:    []string{"node_exporter was not measured: not installed."},
			want:     []string{"RSS ≤ 15 MiB: met", "node_exporter was not measured: not installed.", "each process started with 5ms, not the TimerSlackNSec= of"},
			wantNone: []string{"Below node_exporter"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := base
			r.results, r.clkTckAssumed, r.timerSlack, r.notes = tt.results, tt.assumed, tt.slack, tt.notes
			got := r.markdown()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("markdown() lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(got, w) {
					t.Errorf("markdown() has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestReadMachine(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"cpuinfo":              "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n",
		"meminfo":              "MemTotal:       24641536 kB\nMemFree:  1 kB\n",
		"loadavg":              "0.52 0.61 0.70 1/123 4567\n",
		"sys/kernel/osrelease": "6.1.0-18-amd64\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := machine{cpuModel: "AMD EPYC 7B13", cores: 2, memTotal: "23.5 GiB", kernel: "6.1.0-18-amd64", loadStart: "0.52 0.61 0.70"}
	if diff := cmp.Diff(want, readMachine(root), cmp.AllowUnexported(machine{})); diff != "" {
		t.Errorf("readMachine() mismatch (-want +got):\n%s", diff)
	}
}
