package notify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's limits on one message (Block Kit reference).
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
)

// What fits on a phone screen; the rest of a list becomes "… and N more".
const (
	maxSourcesShown  = 8
	maxChecksShown   = 10
	maxSkillsShown   = 10
	maxKeywordsShown = 20
	maxErrorRunes    = 300
	maxCheckMsgRunes = 200
	maxSampleRunes   = 200
	maxNameRunes     = 100
	// maxTextRunes bounds the fallback text, which notifications and the console show.
	maxTextRunes = 8000
)

// Renderer turns a RunSummary or an Alert into a message. The zero value links
// runbooks as repository-relative paths, shows times in UTC and redacts nothing.
type Renderer struct {
	// RunbookBaseURL, when set, turns a repository-relative runbook path into a link,
	// e.g. "https://github.com/jobpulse/jobpulse/blob/main".
	RunbookBaseURL string
	// Redact, when set, sees every text that comes from the summary before it is
	// formatted, and every finished text once more.
	Redact func(string) string
	// Location is the time zone of the times in messages; nil means UTC.
	Location *time.Location
}

// Render builds the Slack message for s with the zero Renderer.
func Render(s RunSummary) slack.WebhookMessage { return Renderer{}.Render(s) }

// Render builds the Block Kit message for s: a header, a context line and sections,
// within Slack's limits, with Text set to a plain fallback.
func (r Renderer) Render(s RunSummary) slack.WebhookMessage {
	s = r.redactSummary(s)
	d := r.compose(s, mrkdwn)
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(r.redact(d.header), maxHeaderText), true, false)),
	}
	if d.context != "" {
		blocks = append(blocks, slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, truncate(r.redact(d.context), maxSectionText), false, false)))
	}
	sections := d.sections
	// The lists are cut already; this only guards against a summary with many
	// kinds of content at once.
	if room := maxBlocks - len(blocks); len(sections) > room {
		more := len(sections) - room + 1
		sections = append(sections[:room-1:room-1], "… and "+groupInt(int64(more))+" more")
	}
	for _, text := range sections {
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, truncate(r.redact(text), maxSectionText), false, false), nil, nil))
	}
	return slack.WebhookMessage{
		Text:   r.text(s, slackText),
		Blocks: &slack.Blocks{BlockSet: blocks},
	}
}

// Text renders s as plain text: the same content as the Slack message, for a console.
func (r Renderer) Text(s RunSummary) string {
	return r.text(r.redactSummary(s), plain)
}

func (r Renderer) text(s RunSummary, st style) string {
	d := r.compose(s, st)
	parts := []string{d.header}
	if d.context != "" {
		parts = append(parts, d.context)
	}
	text := strings.Join(parts, "\n")
	if len(d.sections) > 0 {
		text += "\n\n" + strings.Join(d.sections, "\n\n")
	}
	return truncate(r.redact(text), maxTextRunes)
}

// draft is a message before it becomes blocks or text.
type draft struct {
	header   string // plain text
	context  string
	sections []string
}

func (r Renderer) compose(s RunSummary, st style) draft {
	d := draft{header: title(s)}
	d.context = strings.Join(r.contextParts(s, st), " · ")
	add := func(text string) {
		if text != "" {
			d.sections = append(d.sections, text)
		}
	}
	switch s.Kind {
	case KindFailure:
		add(errorSection(s, st))
	case KindNoNewPostings:
		if s.Since.IsZero() {
			add("💤 No new postings in this window.\nNothing to process: an outcome, not an error.")
		} else {
			add("💤 No new postings since " + st.bold(r.time(s.Since)) + ".\nNothing to process: an outcome, not an error.")
		}
	case KindQuotaExhausted:
		add(r.quotaSection(s, st))
	case KindFailedKeywords:
		add(keywordsSection(s, st))
	default:
		if s.Kind != KindSuccess && (s.ErrorClass != "" || s.ErrorMessage != "") {
			add(errorSection(s, st))
		}
	}
	for _, text := range checkSections(s, st) {
		add(text)
	}
	for _, text := range sourceSections(s, st) {
		add(text)
	}
	add(totalsSection(s, st))
	add(skillsSection(s, st))
	add(r.nextSection(s, st))
	return d
}

func title(s RunSummary) string {
	var t string
	switch s.Kind {
	case KindSuccess:
		t = "✅ jobpulse run succeeded"
	case KindFailure:
		t = "🔴 jobpulse run failed"
	case KindNoNewPostings:
		t = "💤 jobpulse: no new postings"
	case KindQuotaExhausted:
		t = "⛔ jobpulse: API quota exhausted"
	case KindFailedKeywords:
		t = "⚠️ jobpulse: trend keywords failed"
	default:
		t = "ℹ️ jobpulse run: " + oneLine(string(s.Kind))
	}
	if s.Demo {
		t += " (demo)"
	}
	return t
}

func (r Renderer) contextParts(s RunSummary, st style) []string {
	var parts []string
	if s.RunID != "" {
		parts = append(parts, "run "+st.code(truncate(s.RunID, maxNameRunes)))
	}
	if !s.StartedAt.IsZero() {
		parts = append(parts, r.time(s.StartedAt))
	}
	if !s.StartedAt.IsZero() && !s.FinishedAt.IsZero() && !s.FinishedAt.Before(s.StartedAt) {
		parts = append(parts, "took "+formatDuration(s.FinishedAt.Sub(s.StartedAt)))
	}
	if s.Demo {
		parts = append(parts, "🧪 synthetic demo data")
	}
	return parts
}

func errorSection(s RunSummary, st style) string {
	var lines []string
	if s.FailedStep != "" {
		lines = append(lines, st.bold("Failed step:")+" "+st.code(truncate(s.FailedStep, maxNameRunes)))
	}
	if s.ErrorClass != "" {
		lines = append(lines, st.bold("Error:")+" "+st.code(truncate(s.ErrorClass, maxNameRunes)))
	}
	if s.ErrorMessage != "" {
		lines = append(lines, st.quote(truncate(oneLine(s.ErrorMessage), maxErrorRunes)))
	}
	return strings.Join(lines, "\n")
}

func (r Renderer) quotaSection(s RunSummary, st style) string {
	var exhausted, limited []SourceStats
	for _, src := range s.Sources {
		if src.QuotaLimit > 0 {
			limited = append(limited, src)
			if src.QuotaUsed >= src.QuotaLimit {
				exhausted = append(exhausted, src)
			}
		}
	}
	if len(exhausted) == 0 {
		exhausted = limited
	}
	lines := []string{"⛔ The daily API quota is used up."}
	items := make([]string, len(exhausted))
	for i, src := range exhausted {
		items[i] = "• " + st.bold(truncate(oneLine(src.Source), maxNameRunes)) + ": " +
			groupInt(int64(src.QuotaUsed)) + " / " + groupInt(int64(src.QuotaLimit)) + " calls today"
	}
	shown, more := fit(items, maxSourcesShown, len("\n"))
	lines = append(lines, shown...)
	if more > 0 {
		lines = append(lines, andMore(more, "sources"))
	}
	if s.ResumesAt.IsZero() {
		lines = append(lines, "Collection stopped before running out; it resumes when the quota resets.")
	} else {
		lines = append(lines, "Collection stopped before running out; it resumes at "+st.bold(r.time(s.ResumesAt))+".")
	}
	if s.ErrorMessage != "" {
		lines = append(lines, st.quote(truncate(oneLine(s.ErrorMessage), maxErrorRunes)))
	}
	return strings.Join(lines, "\n")
}

func keywordsSection(s RunSummary, st style) string {
	n := len(s.FailedKeywords)
	lines := []string{"⚠️ " + st.bold(groupInt(int64(n))+" trend "+plural(n, "keyword", "keywords")+" failed")}
	kws := make([]string, len(s.FailedKeywords))
	for i, k := range s.FailedKeywords {
		kws[i] = st.code(truncate(k, maxNameRunes))
	}
	shown, more := fit(kws, maxKeywordsShown, len(", "))
	if len(shown) > 0 {
		line := strings.Join(shown, ", ")
		if more > 0 {
			line += " " + andMore(more, "")
		}
		lines = append(lines, line)
	}
	if s.ErrorClass != "" {
		lines = append(lines, st.bold("Error:")+" "+st.code(truncate(s.ErrorClass, maxNameRunes)))
	}
	if s.ErrorMessage != "" {
		lines = append(lines, st.quote(truncate(oneLine(s.ErrorMessage), maxErrorRunes)))
	}
	return strings.Join(lines, "\n")
}

// checkSections lists the failing checks, errors first, one section each.
func checkSections(s RunSummary, st style) []string {
	if len(s.Failures) == 0 {
		return nil
	}
	fs := slices.Clone(s.Failures)
	slices.SortStableFunc(fs, func(a, b CheckFailure) int { return severityRank(a.Severity) - severityRank(b.Severity) })
	heading := "Failing checks"
	if s.Kind != KindFailure && !slices.ContainsFunc(fs, func(f CheckFailure) bool { return severityRank(f.Severity) == 0 }) {
		heading = "Check warnings"
	}
	var out []string
	shown, more := cut(fs, maxChecksShown)
	for i, f := range shown {
		head := severityMarker(f.Severity) + " " + st.bold(truncate(oneLine(f.Name), maxNameRunes))
		if f.Layer != "" {
			head += " · " + st.esc(truncate(oneLine(f.Layer), maxNameRunes))
		}
		if f.Severity != "" {
			head += " · " + st.esc(truncate(oneLine(f.Severity), maxNameRunes))
		}
		lines := []string{head}
		if i == 0 {
			lines = []string{st.bold(heading) + " (" + groupInt(int64(len(fs))) + ")", head}
		}
		detail := "Observed " + groupInt(f.Observed)
		if f.Message != "" {
			detail += " · " + st.esc(truncate(oneLine(f.Message), maxCheckMsgRunes))
		}
		lines = append(lines, detail)
		if f.Sample != "" {
			lines = append(lines, "Sample: "+st.code(truncate(oneLine(f.Sample), maxSampleRunes)))
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	if more > 0 {
		out = append(out, andMore(more, plural(more, "failing check", "failing checks")))
	}
	return out
}

func severityRank(sev string) int {
	switch strings.ToLower(sev) {
	case "error":
		return 0
	case "warn", "warning":
		return 1
	}
	return 2
}

func severityMarker(sev string) string {
	switch severityRank(sev) {
	case 0:
		return "🔴"
	case 1:
		return "🟡"
	}
	return "⚪"
}

func sourceSections(s RunSummary, st style) []string {
	shown, more := cut(s.Sources, maxSourcesShown)
	var out []string
	for _, src := range shown {
		lines := []string{st.bold(truncate(oneLine(src.Source), maxNameRunes))}
		if src.Collected+src.New+src.Updated+src.Rejected > 0 {
			lines = append(lines, "• "+groupInt(int64(src.Collected))+" collected · "+groupInt(int64(src.New))+" new · "+
				groupInt(int64(src.Updated))+" updated · "+groupInt(int64(src.Rejected))+" rejected")
		}
		var second []string
		if src.Pages > 0 {
			second = append(second, groupInt(int64(src.Pages))+" "+plural(src.Pages, "page", "pages"))
		}
		if src.QuotaLimit > 0 {
			second = append(second, "quota "+groupInt(int64(src.QuotaUsed))+" / "+groupInt(int64(src.QuotaLimit)))
		} else if src.QuotaUsed > 0 {
			second = append(second, groupInt(int64(src.QuotaUsed))+" API calls")
		}
		if len(second) > 0 {
			lines = append(lines, "• "+strings.Join(second, " · "))
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	if more > 0 {
		out = append(out, andMore(more, plural(more, "source", "sources")))
	}
	return out
}

func totalsSection(s RunSummary, st style) string {
	var lines []string
	if s.ChecksPassed+s.ChecksWarned+s.ChecksFailed > 0 {
		lines = append(lines, st.bold("Checks:")+" ✔️ "+groupInt(int64(s.ChecksPassed))+" passed · ⚠️ "+
			groupInt(int64(s.ChecksWarned))+" warned · ❌ "+groupInt(int64(s.ChecksFailed))+" failed")
	}
	if s.BytesProcessed > 0 {
		lines = append(lines, st.bold("Processed:")+" "+formatBytes(s.BytesProcessed))
	}
	return strings.Join(lines, "\n")
}

func skillsSection(s RunSummary, st style) string {
	if len(s.TopNewSkills) == 0 {
		return ""
	}
	items := make([]string, len(s.TopNewSkills))
	for i, sk := range s.TopNewSkills {
		items[i] = strconv.Itoa(i+1) + ". " + st.esc(truncate(oneLine(sk.Skill), maxNameRunes)) + " · " +
			groupInt(int64(sk.Postings)) + " " + plural(sk.Postings, "posting", "postings")
	}
	shown, more := fit(items, maxSkillsShown, len("\n"))
	lines := append([]string{st.bold("Top new skills")}, shown...)
	if more > 0 {
		lines = append(lines, andMore(more, ""))
	}
	return strings.Join(lines, "\n")
}

func (r Renderer) nextSection(s RunSummary, st style) string {
	if s.Runbook == "" {
		return ""
	}
	return st.bold("What to do next") + "\n📖 Read " + st.link(r.runbookURL(s.Runbook), s.Runbook)
}

// runbookURL is the address of a runbook: absolute URLs as they are, repository
// paths under RunbookBaseURL when it is set, else the path itself.
func (r Renderer) runbookURL(path string) string {
	if strings.Contains(path, "://") || r.RunbookBaseURL == "" {
		return path
	}
	return strings.TrimRight(r.RunbookBaseURL, "/") + "/" + strings.TrimLeft(path, "/")
}

func (r Renderer) time(t time.Time) string {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func (r Renderer) redact(s string) string {
	if r.Redact == nil {
		return s
	}
	return r.Redact(s)
}

// redactSummary passes every text of s through Redact before formatting, so that a
// secret is removed whole, before truncation or escaping could split or change it.
func (r Renderer) redactSummary(s RunSummary) RunSummary {
	if r.Redact == nil {
		return s
	}
	s.RunID = r.Redact(s.RunID)
	s.FailedStep = r.Redact(s.FailedStep)
	s.ErrorClass = r.Redact(s.ErrorClass)
	s.ErrorMessage = r.Redact(s.ErrorMessage)
	s.Runbook = r.Redact(s.Runbook)
	s.Sources = slices.Clone(s.Sources)
	for i := range s.Sources {
		s.Sources[i].Source = r.Redact(s.Sources[i].Source)
	}
	s.Failures = slices.Clone(s.Failures)
	for i, f := range s.Failures {
		s.Failures[i] = CheckFailure{
			Layer: r.Redact(f.Layer), Name: r.Redact(f.Name), Severity: r.Redact(f.Severity),
			Message: r.Redact(f.Message), Observed: f.Observed, Sample: r.Redact(f.Sample),
		}
	}
	s.TopNewSkills = slices.Clone(s.TopNewSkills)
	for i := range s.TopNewSkills {
		s.TopNewSkills[i].Skill = r.Redact(s.TopNewSkills[i].Skill)
	}
	s.FailedKeywords = slices.Clone(s.FailedKeywords)
	for i := range s.FailedKeywords {
		s.FailedKeywords[i] = r.Redact(s.FailedKeywords[i])
	}
	return s
}

// style is how text is marked up: Slack mrkdwn in blocks, escaped plain text in the
// Slack fallback (Slack still parses <…> there), raw plain text on a console.
type style struct{ markup, escape bool }

var (
	mrkdwn    = style{markup: true, escape: true}
	slackText = style{escape: true}
	plain     = style{}
)

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc makes data inert: Slack would otherwise read "<!channel>" in a posting title or
// an error message as a mention.
func (st style) esc(s string) string {
	if st.escape {
		return slackEscaper.Replace(s)
	}
	return s
}

func (st style) bold(s string) string {
	if st.markup {
		return "*" + st.esc(s) + "*"
	}
	return st.esc(s)
}

func (st style) code(s string) string {
	s = st.esc(oneLine(s))
	if st.markup {
		return "`" + strings.ReplaceAll(s, "`", "'") + "`"
	}
	return s
}

func (st style) quote(s string) string {
	if st.markup {
		return "> " + st.esc(s)
	}
	return st.esc(s)
}

func (st style) link(url, label string) string {
	if !st.markup {
		return url
	}
	if url == label {
		return st.code(label)
	}
	// A link's URL ends at '|' or '>'; neither belongs in a runbook address.
	url = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url)
	return "<" + url + "|" + st.esc(label) + ">"
}

// cut returns the first n items and how many were left off.
func cut[T any](items []T, n int) ([]T, int) {
	if len(items) <= n {
		return items, 0
	}
	return items[:n], len(items) - n
}

// listBudget is the room a list may take in one section, leaving some for the
// section's other lines and for "… and N more".
const listBudget = maxSectionText - 600

// fit returns the leading items that number at most n and together, with sepLen
// between them, fit in listBudget runes; and how many were left off.
func fit(items []string, n, sepLen int) ([]string, int) {
	used := 0
	for i, it := range items {
		if i == n {
			return items[:i], len(items) - i
		}
		used += utf8.RuneCountInString(it)
		if i > 0 {
			used += sepLen
		}
		if used > listBudget {
			return items[:i], len(items) - i
		}
	}
	return items, 0
}

func andMore(n int, what string) string {
	if what == "" {
		return "… and " + groupInt(int64(n)) + " more"
	}
	return "… and " + groupInt(int64(n)) + " more " + what
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine collapses runs of whitespace, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// groupInt formats n with thousands separators: 1,234,567.
func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return groupInt(n) + " B"
	}
	v, exp := float64(n)/unit, 0
	for v >= unit && exp < 4 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[exp])
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}
