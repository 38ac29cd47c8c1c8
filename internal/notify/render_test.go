package notify

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// flatBlock is a block reduced to its type and its text (context elements joined).
type flatBlock struct {
	Type, Text string
}

// flatten reads a message the way Slack does: from its JSON.
func flatten(t *testing.T, msg slack.WebhookMessage) []flatBlock {
	t.Helper()
	raw, err := json.Marshal(msg)
	if err != nil {
		t.Fatalf("marshal message: %v", err)
	}
	var m struct {
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
			Elements []struct {
				Text string `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("unmarshal message: %v", err)
	}
	var out []flatBlock
	for _, b := range m.Blocks {
		fb := flatBlock{Type: b.Type}
		if b.Text != nil {
			fb.Text = b.Text.Text
		}
		for _, e := range b.Elements {
			fb.Text += e.Text
		}
		out = append(out, fb)
	}
	return out
}

func allText(blocks []flatBlock) string {
	var parts []string
	for _, b := range blocks {
		parts = append(parts, b.Text)
	}
	return strings.Join(parts, "\n")
}

func TestRender_golden(t *testing.T) {
	t.Parallel()
	demo := successSummary()
	demo.Demo = true
	unknownSince := noNewPostingsSummary()
	unknownSince.Since = time.Time{}
	tests := []struct {
		name string
		s    RunSummary
	}{
		{"success", successSummary()},
		{"success_demo", demo},
		{"failure", failureSummary()},
		{"no_new_postings", noNewPostingsSummary()},
		{"no_new_postings_unknown_since", unknownSince},
		{"quota_exhausted", quotaSummary()},
		{"failed_keywords", failedKeywordsSummary()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Render(tt.s)
			blocks, err := json.MarshalIndent(msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".txt", Renderer{}.Text(tt.s)+"\n")
			golden(t, tt.name+".slack.json", string(blocks)+"\n")
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestRender_content(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		s          RunSummary
		wantHeader string
		// want are lines of the Block Kit text; wantText the same in the fallback.
		want     []string
		wantText []string
	}{
		{
			name:       "success_per_source_stats_and_top_skills",
			s:          successSummary(),
			wantHeader: "✅ jobpulse run succeeded",
			want: []string{
				"run `20261121T103000Z-saramin-3f9a1c` · 2026-11-21 10:30 UTC · took 1m 52s",
				"*saramin*\n• 1,040 collected · 812 new · 205 updated · 2 rejected\n• 11 pages · quota 11 / 500",
				"*Checks:* ✔️ 42 passed · ⚠️ 1 warned · ❌ 0 failed\n*Processed:* 12.3 MiB",
				"*Top new skills*\n1. Python · 120 postings\n2. Java · 98 postings\n3. React · 61 postings\n4. AWS · 1 posting",
				"*Check warnings* (1)\n🟡 *saramin_postings_relationships_industry_code* · external · warn\nObserved 1 · 1 violating rows\nSample: `{\"id\":\"49213377\",\"industry_code\":\"999\"}`",
			},
			wantText: []string{"saramin\n• 1,040 collected · 812 new · 205 updated · 2 rejected", "1. Python · 120 postings"},
		},
		{
			name:       "failure_step_class_checks_and_runbook",
			s:          failureSummary(),
			wantHeader: "🔴 jobpulse run failed",
			want: []string{
				"*Failed step:* `staging`\n*Error:* `check_failed`\n> staging checks failed, promotion stopped: [reconcile_raw_staging]",
				"*Failing checks* (1)\n🔴 *reconcile_raw_staging* · staging · error\nObserved 1,234 · 1 of 1 assertion rows are not ok\n" +
					"Sample: `{\"raw_records\":1040,\"staging_rows\":1039,\"ok\":false}`",
				"*What to do next*\n📖 Read `docs/runbooks/check-failed.md`",
				"took 590ms",
			},
			wantText: []string{"Failed step: staging\nError: check_failed", "Observed 1,234", "Read docs/runbooks/check-failed.md"},
		},
		{
			name:       "no_new_postings_since",
			s:          noNewPostingsSummary(),
			wantHeader: "💤 jobpulse: no new postings",
			want:       []string{"💤 No new postings since *2026-11-21 09:30 UTC*.\nNothing to process: an outcome, not an error."},
			wantText:   []string{"No new postings since 2026-11-21 09:30 UTC."},
		},
		{
			name:       "quota_exhausted_resumes_at",
			s:          quotaSummary(),
			wantHeader: "⛔ jobpulse: API quota exhausted",
			want: []string{
				"⛔ The daily API quota is used up.\n• *saramin*: 500 / 500 calls today\n" +
					"Collection stopped before running out; it resumes at *2026-11-22 00:00 UTC*.\n> stopped before call 501 of the day",
				"📖 Read `docs/runbooks/quota-exhausted.md`",
			},
			wantText: []string{"it resumes at 2026-11-22 00:00 UTC."},
		},
		{
			name:       "failed_keywords_listed",
			s:          failedKeywordsSummary(),
			wantHeader: "⚠️ jobpulse: trend keywords failed",
			want: []string{
				"⚠️ *3 trend keywords failed*\n`쿠버네티스`, `Rust`, `데이터 엔지니어`\n*Error:* `rate_limited`\n> trends answered 429 three times",
			},
			wantText: []string{"3 trend keywords failed\n쿠버네티스, Rust, 데이터 엔지니어"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Render(tt.s)
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
			if diff := cmp.Diff(msg.Text, Renderer{}.Text(tt.s)); diff != "" {
				t.Errorf("console text differs from the Slack fallback (-slack +console):\n%s", diff)
			}
		})
	}
}

func TestRender_limits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가<&>`x ", 20_000)
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	failures := func(n int) []CheckFailure {
		out := make([]CheckFailure, n)
		for i := range out {
			out[i] = CheckFailure{Layer: "external", Name: fmt.Sprintf("check_%03d", i), Severity: "error",
				Message: long, Observed: int64(i) * 1000, Sample: long}
		}
		return out
	}
	skills := func(n int, suffix string) []SkillCount {
		out := make([]SkillCount, n)
		for i := range out {
			out[i] = SkillCount{Skill: fmt.Sprintf("skill-%d", i) + suffix, Postings: n - i}
		}
		return out
	}
	sources := func(n int) []SourceStats {
		out := make([]SourceStats, n)
		for i := range out {
			out[i] = SourceStats{Source: fmt.Sprintf("source_%02d", i), Collected: 1, QuotaUsed: 5, QuotaLimit: 5}
		}
		return out
	}
	tests := []struct {
		name     string
		s        RunSummary
		wantMore []string
	}{
		{
			name:     "200_failing_checks",
			s:        RunSummary{Kind: KindFailure, RunID: "r", FailedStep: "external", ErrorClass: "check_failed", ErrorMessage: long, Failures: failures(200)},
			wantMore: []string{"… and 190 more failing checks", "*Failing checks* (200)\n🔴 *check_000*"},
		},
		{
			name:     "500_skills",
			s:        RunSummary{Kind: KindSuccess, RunID: "r", TopNewSkills: skills(500, "")},
			wantMore: []string{"… and 490 more"},
		},
		{
			name:     "300_long_keywords",
			s:        RunSummary{Kind: KindFailedKeywords, FailedKeywords: many(300, func(i int) string { return long[:400] })},
			wantMore: []string{"more"},
		},
		{
			name:     "40_sources_out_of_quota",
			s:        RunSummary{Kind: KindQuotaExhausted, Sources: sources(40)},
			wantMore: []string{"… and 32 more sources"},
		},
		{
			name: "everything_at_once",
			s: RunSummary{
				Kind: KindFailure, RunID: long, FailedStep: long, ErrorClass: long, ErrorMessage: long, Runbook: long,
				Failures: failures(200), TopNewSkills: skills(500, long[:200]), Sources: sources(40), FailedKeywords: many(300, func(int) string { return long }),
			},
			wantMore: []string{"… and 190 more failing checks", "… and 32 more sources", "… and 49"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Render(tt.s)
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
			if msg.Text == "" || utf8.RuneCountInString(msg.Text) > maxTextRunes {
				t.Errorf("Text has %d characters, want 1..%d", utf8.RuneCountInString(msg.Text), maxTextRunes)
			}
			text := allText(blocks)
			for _, w := range tt.wantMore {
				if !strings.Contains(text, w) {
					t.Errorf("blocks lack %q", w)
				}
			}
		})
	}
}

func TestRender_escapes_slack_markup_in_data(t *testing.T) {
	t.Parallel()
	s := failureSummary()
	s.ErrorMessage = "title <!channel> & <https://evil.example|click>"
	msg := Render(s)
	text := allText(flatten(t, msg))
	for _, bad := range []string{"<!channel>", "<https://evil"} {
		if strings.Contains(text, bad) || strings.Contains(msg.Text, bad) {
			t.Errorf("message contains live markup %q", bad)
		}
	}
	want := "title &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"
	if !strings.Contains(text, want) || !strings.Contains(msg.Text, want) {
		t.Errorf("message lacks escaped %q:\n%s\n%s", want, text, msg.Text)
	}
	if console := (Renderer{}).Text(s); !strings.Contains(console, s.ErrorMessage) {
		t.Errorf("console text should keep the raw message:\n%s", console)
	}
}

func TestRender_redact_sees_every_text(t *testing.T) {
	t.Parallel()
	const secret = "sk-LIVE-0123456789"
	s := failureSummary()
	s.ErrorMessage = "auth failed with key " + secret
	// Long enough to be truncated right through the secret.
	s.Failures[0].Sample = strings.Repeat("x", maxSampleRunes-8) + secret
	s.Failures[0].Message = secret
	s.FailedKeywords = []string{secret}
	s.TopNewSkills = []SkillCount{{Skill: secret, Postings: 1}}
	s.Sources = []SourceStats{{Source: secret}}
	r := Renderer{Redact: func(x string) string { return strings.ReplaceAll(x, secret, "[redacted]") }}
	msg := r.Render(s)
	raw, _ := json.Marshal(msg)
	for name, got := range map[string]string{"message": string(raw), "console": r.Text(s)} {
		if strings.Contains(got, secret) || strings.Contains(got, secret[:8]) {
			t.Errorf("%s contains the secret:\n%s", name, got)
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("%s lacks the redaction marker", name)
		}
	}
}

func TestRender_runbook_link(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, runbook, want, wantText string
	}{
		{"repository_path", "", "docs/runbooks/check-failed.md", "📖 Read `docs/runbooks/check-failed.md`", "Read docs/runbooks/check-failed.md"},
		{"base_url", "https://github.com/jobpulse/jobpulse/blob/main/", "docs/runbooks/check-failed.md",
			"📖 Read <https://github.com/jobpulse/jobpulse/blob/main/docs/runbooks/check-failed.md|docs/runbooks/check-failed.md>",
			"Read https://github.com/jobpulse/jobpulse/blob/main/docs/runbooks/check-failed.md"},
		{"absolute_runbook", "https://example.com", "https://wiki.example.com/jobpulse", "📖 Read `https://wiki.example.com/jobpulse`",
			"Read https://wiki.example.com/jobpulse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := failureSummary()
			s.Runbook = tt.runbook
			r := Renderer{RunbookBaseURL: tt.base}
			msg := r.Render(s)
			if text := allText(flatten(t, msg)); !strings.Contains(text, tt.want) {
				t.Errorf("blocks lack %q:\n%s", tt.want, text)
			}
			if !strings.Contains(msg.Text, tt.wantText) {
				t.Errorf("Text lacks %q:\n%s", tt.wantText, msg.Text)
			}
		})
	}
}

func TestRender_location(t *testing.T) {
	t.Parallel()
	kst := time.FixedZone("KST", 9*60*60)
	msg := Renderer{Location: kst}.Render(noNewPostingsSummary())
	if want := "since *2026-11-21 18:30 KST*"; !strings.Contains(allText(flatten(t, msg)), want) {
		t.Errorf("blocks lack %q", want)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"group_int_small", groupInt(999), "999"},
		{"group_int_thousands", groupInt(1040), "1,040"},
		{"group_int_millions", groupInt(-1234567), "-1,234,567"},
		{"bytes_small", formatBytes(512), "512 B"},
		{"bytes_mib", formatBytes(12_900_000), "12.3 MiB"},
		{"bytes_gib", formatBytes(3 << 30), "3.0 GiB"},
		{"duration_ms", formatDuration(590 * time.Millisecond), "590ms"},
		{"duration_seconds", formatDuration(12300 * time.Millisecond), "12.3s"},
		{"duration_minutes", formatDuration(112 * time.Second), "1m 52s"},
		{"duration_hours", formatDuration(62 * time.Minute), "1h 02m"},
		{"truncate_short", truncate("abc", 3), "abc"},
		{"truncate_runes", truncate("가나다라", 3), "가나…"},
		{"one_line", oneLine(" a\n\tb  c "), "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
