package monitor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

func TestSampleFamilies(t *testing.T) {
	t.Parallel()
	s := func(name string, v float64, kv ...string) sample.Sample {
		var labels map[string]string
		if len(kv) > 0 {
			labels = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				labels[kv[i]] = kv[i+1]
			}
		}
		return sample.Sample{Name: name, Labels: labels, Value: v}
	}
	tests := []struct {
		name    string
		results []sample.Result
		want    string
		wantErr []string
	}{
		{
			name: "sorted_by_name_then_label_values",
			results: []sample.Result{
				{Collector: "disk", Samples: []sample.Sample{
					s("disk_used_ratio", 0.5, "mountpoint", "/var"),
					s("disk_used_ratio", 0.25, "mountpoint", "/"),
					s("disk_used_ratio", 0.75, "mountpoint", "/var/lib"),
				}},
				{Collector: "cpu", Samples: []sample.Sample{s("cpu_count", 2)}},
			},
			want: `# HELP jobpulse_cpu_count cpu_count as the cpu collector saw it in the last tick.
# TYPE jobpulse_cpu_count gauge
jobpulse_cpu_count 2
# HELP jobpulse_disk_used_ratio disk_used_ratio as the disk collector saw it in the last tick.
# TYPE jobpulse_disk_used_ratio gauge
jobpulse_disk_used_ratio{mountpoint="/"} 0.25
jobpulse_disk_used_ratio{mountpoint="/var"} 0.5
jobpulse_disk_used_ratio{mountpoint="/var/lib"} 0.75
`,
		},
		{
			name: "one_name_from_two_collectors_takes_the_first_and_the_union_of_labels",
			results: []sample.Result{
				{Collector: "network", Samples: []sample.Sample{s("probe_success", 1, "target", "slack", "kind", "https")}},
				{Collector: "pipeline", Samples: []sample.Sample{s("probe_success", 0, "target", "bq")}},
			},
			want: `# HELP jobpulse_probe_success probe_success as the network collector saw it in the last tick.
# TYPE jobpulse_probe_success gauge
jobpulse_probe_success{kind="",target="bq"} 0
jobpulse_probe_success{kind="https",target="slack"} 1
`,
		},
		{
			name: "a_repeated_series_is_kept_once_with_its_first_value",
			results: []sample.Result{{Collector: "load", Samples: []sample.Sample{
				s("load1", 0.5), s("load1", 9),
			}}},
			want: `# HELP jobpulse_load1 load1 as the load collector saw it in the last tick.
# TYPE jobpulse_load1 gauge
jobpulse_load1 0.5
`,
		},
		{
			name: "a_series_with_a_non_utf8_value_is_left_out_alone",
			results: []sample.Result{{Collector: "disk", Samples: []sample.Sample{
				s("disk_free_bytes", 1, "mountpoint", "/mnt/\xff"),
				s("disk_free_bytes", 2, "mountpoint", "/"),
			}}},
			want: `# HELP jobpulse_disk_free_bytes disk_free_bytes as the disk collector saw it in the last tick.
# TYPE jobpulse_disk_free_bytes gauge
jobpulse_disk_free_bytes{mountpoint="/"} 2
`,
			wantErr: []string{`jobpulse_disk_free_bytes: label mountpoint="/mnt/\xff" is not UTF-8: the series is left out`},
		},
		{
			name: "bad_names_leave_their_family_out",
			results: []sample.Result{{Collector: "x", Samples: []sample.Sample{
				s("bad-name", 1), s("ok", 1, "bad-label", "v"), s("uptime_seconds", 3),
			}}},
			want: `# HELP jobpulse_uptime_seconds uptime_seconds as the x collector saw it in the last tick.
# TYPE jobpulse_uptime_seconds gauge
jobpulse_uptime_seconds 3
`,
			wantErr: []string{
				`"jobpulse_bad-name" is not a valid metric name: its 1 series are left out`,
				`jobpulse_ok: "bad-label" is not a valid label name: the family is left out`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fams, err := sampleFamilies(tt.results)
			var b strings.Builder
			for _, f := range fams {
				if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
					t.Fatalf("encode %s: %v", f.GetName(), err)
				}
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("families mismatch (-want +got):\n%s", diff)
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Errorf("error = %v, want none", err)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}
