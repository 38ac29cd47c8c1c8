package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatCPU(t *testing.T) {
	t.Parallel()
	tail := " S 1 2 3 0 -1 4194560 10 0 0 0 %s 0 0 20 0 9 0 12345"
	tests := []struct {
		name    string
		stat    string
		want    uint64
		wantErr string
	}{
		{name: "plain_comm", stat: "7 (bash)" + strings.Replace(tail, "%s", "30 12", 1), want: 42},
		{name: "comm_with_spaces_and_parens", stat: "7 (a) b (c)" + strings.Replace(tail, "%s", "1 2", 1), want: 3},
		{name: "no_closing_paren", stat: "7 bash S 1", wantErr: "no ')'"},
		{name: "truncated", stat: "7 (bash) S 1 2 3", wantErr: "fields after the command name"},
		{name: "non_numeric_utime", stat: "7 (bash)" + strings.Replace(tail, "%s", "x 2", 1), wantErr: "parse utime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatCPU([]byte(tt.stat))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseStatCPU() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseStatCPU() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("parseStatCPU() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseStatusMemory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  string
		want    map[string]uint64
		wantErr string
	}{
		{
			name:   "all_present",
			status: "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nRssAnon:\t 300 kB\nRssFile:\t 724 kB\nRssShmem:\t0 kB\n",
			want:   map[string]uint64{"VmHWM": 2048, "VmRSS": 1024, "RssAnon": 300, "RssFile": 724},
		},
		{
			name:   "old_kernel_without_split",
			status: "VmHWM:\t2048 kB\nVmRSS:\t1024 kB\n",
			want:   map[string]uint64{"VmHWM": 2048, "VmRSS": 1024},
		},
		{name: "kernel_thread_has_none", status: "Name:\tkthreadd\nThreads:\t1\n", wantErr: "no VmRSS/VmHWM"},
		{name: "other_unit", status: "VmHWM:\t2 MB\nVmRSS:\t1 MB\n", wantErr: "want kB"},
		{name: "bad_number", status: "VmHWM:\tlots kB\nVmRSS:\t1 kB\n", wantErr: "parse VmHWM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatusMemory([]byte(tt.status))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseStatusMemory() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseStatusMemory() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseStatusMemory() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProcFSUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pid     int
		want    usage
		wantErr string
	}{
		{
			name: "fixture_process",
			pid:  4242,
			// utime 350 + stime 125; schedstat 4.0 s + 1.5 s over two threads; 1 ms slack.
			want: usage{cpuTicks: 475, rssKiB: 17408, hwmKiB: 20480, anonKiB: 8000, fileKiB: 9408, runNs: 5_500_000_000, haveRunNs: true, timerSlackNs: 1_000_000},
		},
		{name: "missing_process", pid: 99, wantErr: "read cpu time of pid 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := procFS{root: "testdata/proc"}.usage(tt.pid)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("usage() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("usage() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(usage{})); diff != "" {
				t.Errorf("usage() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
