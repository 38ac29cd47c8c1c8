package notify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// alertFor returns an alert of rule with the given status, firing 5 minutes after
// `started` and resolving an hour later.
func alertFor(rule string, status AlertStatus) Alert {
	a := Alert{
		Status: status, Rule: rule, Severity: "critical", Summary: "Disk / is 93% full (alert above 90%)",
		Labels: map[string]string{"mountpoint": "/", "device": "/dev/sda1", "fstype": "ext4"}, Value: 0.9312, Threshold: 0.9,
		Host: "vm-1", StartedAt: started, FiredAt: started.Add(5 * time.Minute), At: started.Add(5 * time.Minute),
		Runbook: "docs/runbooks/host-disk-full.md", Fingerprint: "fp-" + rule,
	}
	switch status {
	case AlertRepeat:
		a.At = a.FiredAt.Add(4*time.Hour + 30*time.Second)
	case AlertResolved:
		a.Summary, a.Value = "Disk / is 80% full (alert above 90%)", 0.8
		a.ResolvedAt = a.FiredAt.Add(time.Hour + 7*time.Minute)
		a.At = a.ResolvedAt
	}
	return a
}

func firingAlert() Alert   { return alertFor("host_disk_full", AlertFiring) }
func repeatAlert() Alert   { return alertFor("host_disk_full", AlertRepeat) }
func resolvedAlert() Alert { return alertFor("host_disk_full", AlertResolved) }

func TestRenderAlert_golden(t *testing.T) {
	t.Parallel()
	noData := resolvedAlert()
	noData.Note = "no data for 1h 00m: the series stopped reporting, so the alert resolved without a value on the ok side"
	noData.Value = 0.95
	warning := firingAlert()
	warning.Rule, warning.Severity, warning.Labels, warning.Host = "host_cpu_high", "warning", nil, ""
	warning.Summary = "CPU utilisation is 97% (alert above 90%)"
	tests := []struct {
		name string
		a    Alert
	}{
		{"alert_firing", firingAlert()},
		{"alert_firing_warning_no_labels", warning},
		{"alert_repeat", repeatAlert()},
		{"alert_resolved", resolvedAlert()},
		{"alert_resolved_no_data", noData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Renderer{}.RenderAlert(tt.a)
			blocks, err := json.MarshalIndent(msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".txt", Renderer{}.AlertText(tt.a)+"\n")
			golden(t, tt.name+".slack.json", string(blocks)+"\n")
		})
	}
}

func TestRenderAlert_content(t *testing.T) {
	t.Parallel()
	base := "https://github.com/jobpulse/jobpulse/blob/main"
	link := "📖 Read <" + base + "/docs/runbooks/host-disk-full.md|docs/runbooks/host-disk-full.md>"
	tests := []struct {
		name       string
		a          Alert
		wantHeader string
		want       []string
		wantText   []string
	}{
		{
			name:       "firing",
			a:          firingAlert(),
			wantHeader: "🔴 Firing: host_disk_full on vm-1",
			want: []string{
				"*CRITICAL* · host `vm-1` · alert `fp-host_disk_full`",
				"Disk / is 93% full (alert above 90%)",
				"*Value:* 0.9312 · *threshold:* 0.9\n*Labels:* `device=/dev/sda1` `fstype=ext4` `mountpoint=/`\n" +
					"*Firing since:* 2026-11-21 10:35 UTC · condition true since 2026-11-21 10:30 UTC",
				"*What to do next*\n" + link,
			},
			wantText: []string{"Firing since: 2026-11-21 10:35 UTC", "Read " + base + "/docs/runbooks/host-disk-full.md"},
		},
		{
			name:       "repeat_says_for_how_long",
			a:          repeatAlert(),
			wantHeader: "🔁 Still firing: host_disk_full on vm-1",
			want:       []string{"*Firing since:* 2026-11-21 10:35 UTC · for 4h 01m", "*What to do next*\n" + link},
		},
		{
			name:       "resolved_says_when_it_fired_and_resolved",
			a:          resolvedAlert(),
			wantHeader: "✅ Resolved: host_disk_full on vm-1",
			want: []string{
				"*Fired:* 2026-11-21 10:35 UTC · *resolved:* 2026-11-21 11:42 UTC · lasted 1h 07m",
				"*Runbook*\n" + link,
			},
			wantText: []string{"Fired: 2026-11-21 10:35 UTC · resolved: 2026-11-21 11:42 UTC · lasted 1h 07m"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Renderer{RunbookBaseURL: base}
			msg := r.RenderAlert(tt.a)
			blocks := flatten(t, msg)
			if diff := cmp.Diff(flatBlock{Type: "header", Text: tt.wantHeader}, blocks[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			text := allText(blocks)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("blocks lack %q; they are:\n%s", w, text)
				}
			}
			if !strings.HasPrefix(msg.Text, tt.wantHeader+"\n") {
				t.Errorf("Text does not start with the header: %q", msg.Text)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg.Text, w) {
					t.Errorf("Text lacks %q; it is:\n%s", w, msg.Text)
				}
			}
			if diff := cmp.Diff(msg.Text, r.AlertText(tt.a)); diff != "" {
				t.Errorf("console text differs from the Slack fallback (-slack +console):\n%s", diff)
			}
		})
	}
}

func TestRenderAlert_limits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가<&>`x ", 20_000)
	a := firingAlert()
	a.Rule, a.Summary, a.Note, a.Host, a.Runbook, a.Fingerprint = long, long, long, long, long, long
	a.Labels = map[string]string{}
	for i := range 300 {
		a.Labels[strings.Repeat("k", i%40)+string(rune('a'+i%26))+strings.Repeat("z", i)] = long[:500]
	}
	msg := Renderer{}.RenderAlert(a)
	raw, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	blocks := flatten(t, msg)
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, want ≤ %d", len(blocks), maxBlocks)
	}
	for i, b := range blocks {
		n := utf8.RuneCountInString(b.Text)
		switch {
		case b.Type == "header" && n > maxHeaderText:
			t.Errorf("header has %d characters, want ≤ %d", n, maxHeaderText)
		case n > maxSectionText:
			t.Errorf("block %d (%s) has %d characters, want ≤ %d", i, b.Type, n, maxSectionText)
		}
	}
	if n := utf8.RuneCountInString(msg.Text); n == 0 || n > maxTextRunes {
		t.Errorf("Text has %d characters, want 1..%d", n, maxTextRunes)
	}
	if !strings.Contains(allText(blocks), "more labels") {
		t.Error("the labels are not cut with \"… and N more labels\"")
	}
	if bytes.Contains(raw, []byte("<&>")) {
		t.Error("data markup is not escaped")
	}
}

func TestRenderAlert_escapes_and_redacts(t *testing.T) {
	t.Parallel()
	const secret = "sk-LIVE-0123456789"
	a := firingAlert()
	a.Summary = "probe <!channel> failed: GET https://api.example.com/?key=" + secret
	a.Labels = map[string]string{"target": "https://api.example.com/?key=" + secret, secret: "label name"}
	a.Note, a.Host = "note "+secret, "host-"+secret
	r := Renderer{Redact: func(s string) string { return strings.ReplaceAll(s, secret, "[redacted]") }}
	msg := r.RenderAlert(a)
	raw, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"message": string(raw), "console": r.AlertText(a)} {
		if strings.Contains(got, secret) || strings.Contains(got, secret[:8]) {
			t.Errorf("%s contains the secret:\n%s", name, got)
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("%s lacks the redaction marker", name)
		}
	}
	text := allText(flatten(t, msg))
	if strings.Contains(text, "<!channel>") || strings.Contains(msg.Text, "<!channel>") {
		t.Error("the summary's markup is live")
	}
	if !strings.Contains(text, "&lt;!channel&gt;") {
		t.Errorf("the summary is not escaped:\n%s", text)
	}
}

func TestRenderAlert_location(t *testing.T) {
	t.Parallel()
	kst := time.FixedZone("KST", 9*60*60)
	msg := Renderer{Location: kst}.RenderAlert(resolvedAlert())
	if want := "*Fired:* 2026-11-21 19:35 KST · *resolved:* 2026-11-21 20:42 KST"; !strings.Contains(allText(flatten(t, msg)), want) {
		t.Errorf("blocks lack %q", want)
	}
}

func TestFormatValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"ratio", 0.93123, "0.9312"},
		{"ratio_round", 0.9, "0.9"},
		{"zero", 0, "0"},
		{"small_negative", -0.00001, "0"},
		{"load", 1.5, "1.5"},
		{"seconds", 10800, "10800"},
		{"large", 12345.678, "12346"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := formatValue(tt.in); got != tt.want {
				t.Errorf("formatValue(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
