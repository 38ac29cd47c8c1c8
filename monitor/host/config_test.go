package host

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestConfig_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		// want are substrings, one per expected problem; none means valid.
		want []string
	}{
		{name: "zero_config_is_valid", cfg: Config{}},
		{
			name: "full_valid_config",
			cfg: Config{
				Paths:              Paths{ProcPath: "/host/proc", SysPath: "/host/sys", RootFS: "/host"},
				MountPointExcludes: []string{"/mnt/backup"},
				StatTimeout:        2 * time.Second,
				Targets: []Target{
					{Name: "saramin", Kind: KindHTTPS, Address: "https://oapi.saramin.co.kr/job-search"},
					{Name: "saramin_dns", Kind: KindDNS, Address: "oapi.saramin.co.kr"},
					{Name: "db", Kind: KindTCP, Address: "10.0.0.5:5432", Timeout: time.Second},
				},
				Processes: []ProcessMatch{{Name: "cron", Comm: "cron"}, {Name: "collector", CmdlinePattern: `jobpulse collect`, Min: 1}},
			},
		},
		{
			name: "every_problem_at_once",
			cfg: Config{
				Paths:              Paths{ProcPath: "proc"},
				MountPointExcludes: []string{"mnt"},
				StatTimeout:        -time.Second,
				ProbeTimeout:       -time.Second,
				Targets: []Target{
					{Name: "", Kind: KindDNS, Address: "a.example"},
					{Name: "a", Kind: "ping", Address: "a.example"},
					{Name: "a", Kind: KindTCP, Address: "db.internal"},
					{Name: "b", Kind: KindDNS, Address: "https://b.example/"},
					{Name: "c", Kind: KindHTTPS, Address: "c.example/health", Timeout: -1},
				},
				Processes: []ProcessMatch{
					{Name: "", Comm: "cron"},
					{Name: "p", Comm: "jobpulse-monitor"},
					{Name: "p", CmdlinePattern: "("},
					{Name: "q"},
					{Name: "r", Comm: "cron", Min: -1},
				},
			},
			want: []string{
				`proc_path "proc" is not an absolute path`,
				`mount_point_excludes: "mnt" is not an absolute path`,
				"stat_timeout -1s is negative",
				"probe_timeout -1s is negative",
				"targets[0]: name is empty",
				`targets[1] "a": kind "ping" is not one of dns, tcp, https`,
				`targets[2] "a": name is used twice`,
				`targets[2] "a": a tcp probe's address must be host:port`,
				`targets[3] "b": a dns probe's address must be a bare hostname`,
				`targets[4] "c": timeout -1ns is negative`,
				`targets[4] "c": an https probe's address must be an absolute https://`,
				"processes[0]: name is empty",
				`processes[1] "p": comm "jobpulse-monitor" can never match`,
				`processes[2] "p": name is used twice`,
				`processes[2] "p": cmdline_pattern: error parsing regexp`,
				`processes[3] "q": set comm`,
				`processes[4] "r": min -1 is negative`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted an invalid config")
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("no problem mentions %q in:\n%s", w, err)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		want    []string
		wantErr bool
	}{
		{
			name: "without_targets_no_network",
			cfg:  Config{},
			want: []string{"cpu", "memory", "load", "uptime", "disk", "netdev", "processes"},
		},
		{
			name: "with_targets",
			cfg:  Config{Targets: []Target{{Name: "dns", Kind: KindDNS, Address: "example.com"}}},
			want: []string{"cpu", "memory", "load", "uptime", "disk", "netdev", "processes", "network"},
		},
		{
			name:    "invalid_config",
			cfg:     Config{Processes: []ProcessMatch{{Name: "x"}}},
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cs, err := New(tc.cfg, Deps{})
			if tc.wantErr {
				if err == nil {
					t.Fatal("New accepted an invalid config")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cs {
				names = append(names, c.Name())
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("collectors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountCPUList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, list string
		want       int
		wantErr    bool
	}{
		{"single", "0", 1, false},
		{"range", "0-3", 4, false},
		{"ranges_and_singles", "0-3,6,8-9", 7, false},
		{"empty", "", 0, true},
		{"backwards_range", "3-1", 0, true},
		{"garbage", "zero", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := countCPUList([]byte(tc.list))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("countCPUList(%q) = %d, %v; want %d, error %v", tc.list, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestConfig_yaml: the agent's config file decodes into Config, durations as Go strings.
func TestConfig_yaml(t *testing.T) {
	t.Parallel()
	const doc = `
proc_path: /host/proc
sys_path: /host/sys
root_fs: /host
mount_point_excludes: [/mnt/backup]
stat_timeout: 3s
probe_timeout: 4s
targets:
  - {name: saramin, kind: https, address: "https://oapi.saramin.co.kr/", timeout: 2s}
processes:
  - {name: collector, comm: jobpulse, cmdline_pattern: "jobpulse collect", min: 1}
`
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	var got Config
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Paths:              Paths{ProcPath: "/host/proc", SysPath: "/host/sys", RootFS: "/host"},
		MountPointExcludes: []string{"/mnt/backup"},
		StatTimeout:        3 * time.Second,
		ProbeTimeout:       4 * time.Second,
		Targets:            []Target{{Name: "saramin", Kind: KindHTTPS, Address: "https://oapi.saramin.co.kr/", Timeout: 2 * time.Second}},
		Processes:          []ProcessMatch{{Name: "collector", Comm: "jobpulse", CmdlinePattern: "jobpulse collect", Min: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded config (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
}
