package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// printCollect writes the human summary of a collect run to stdout.
func printCollect(w io.Writer, r pipeline.CollectResult, demo bool) {
	src := r.Source
	if demo {
		src += " (demo, synthetic)"
	}
	unit := map[string]string{pipeline.SourceTrends: "points", pipeline.SourceQnet: "exam-year tallies"}[r.Source]
	if unit == "" {
		unit = "postings"
	}
	headline := map[string]string{
		lake.OutcomeSuccess:        fmt.Sprintf("collected %d %s (%d distinct keys) in %d pages", r.Records, unit, r.DistinctIDs, r.Pages),
		lake.OutcomeNoNewPostings:  "no new postings since " + kst(r.Window.From),
		lake.OutcomeQuotaExhausted: fmt.Sprintf("daily quota exhausted after %d pages (%d %s); resumes after midnight KST", r.Pages, r.Records, unit),
		pipeline.OutcomeFailed:     fmt.Sprintf("FAILED after %d pages; nothing was committed", r.Pages),
		pipeline.OutcomeNotDue:     fmt.Sprintf("fresh (last complete pass %s); next pass due %s", kst(r.Watermark), kst(r.NextDue)),
		outcomeSkipped:             "skipped (QNET_SERVICE_KEY is not set)",
	}[r.Outcome]
	switch {
	case r.Outcome == pipeline.OutcomeFailed && r.ManifestURL != "":
		headline = fmt.Sprintf("FAILED after the manifest was written (%d pages committed); the watermark did not move", r.Pages)
	case r.Outcome == lake.OutcomeNoNewPostings && r.Source != pipeline.SourceSaramin:
		headline = "nothing landed"
	case r.Outcome == lake.OutcomeQuotaExhausted && r.Source == pipeline.SourceTrends:
		headline = fmt.Sprintf("rate limited by Google after %d pages (%d points); %d keywords wait for the next run", r.Pages, r.Records, len(r.FailedItems))
	}
	fmt.Fprintf(w, "%s: %s\n", src, headline)
	if r.RunID == "" {
		return
	}
	fmt.Fprintf(w, "  run        %s (%d API calls)\n", r.RunID, r.Calls)
	if !r.Window.To.IsZero() {
		fmt.Fprintf(w, "  window     %s .. %s\n", kst(r.Window.From), kst(r.Window.To))
	}
	if r.Pages > 0 {
		fmt.Fprintf(w, "  landed in  %s\n", r.RunURL)
	}
	if r.ManifestURL != "" {
		fmt.Fprintf(w, "  manifest   %s\n", r.ManifestURL)
	}
	if !r.Watermark.IsZero() {
		state := "unchanged"
		if r.WatermarkAdvanced {
			state = "advanced"
		}
		fmt.Fprintf(w, "  watermark  %s (%s)\n", kst(r.Watermark), state)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning    %s\n", warn)
	}
	for _, f := range r.FailedItems {
		fmt.Fprintf(w, "  backlog    %s\n", f)
	}
}

func kst(t time.Time) string { return t.In(saramin.KST).Format("2006-01-02 15:04:05 KST") }

// coreTable is each source's main mart, whose rows the process summary shows.
var coreTable = map[string]string{pipeline.SourceSaramin: "recruit", pipeline.SourceTrends: "google_trend", pipeline.SourceQnet: "certification"}

// printProcess writes the per-layer summary of a processed run.
func printProcess(w io.Writer, r pipeline.ProcessResult) {
	if r.RunID == "" {
		return
	}
	c := r.Counts
	fmt.Fprintf(w, "process %s:\n", r.RunID)
	fmt.Fprintf(w, "  normalize  %d rows from %d raw records (%d quarantined pages, %d drift findings)\n", r.CleanRows, r.RawRecords, r.Quarantined, len(r.Drift))
	layerLine := map[string]string{
		"meta":     "seeds and ledger tables",
		"staging":  fmt.Sprintf("%d rows", c.StagingRows),
		"external": fmt.Sprintf("%d upserted, %d rejected, %d in-batch duplicates (%d postings in total)", c.ExternalUpserts, c.RejectedRows, c.DuplicateRows, c.ExternalRows),
		"core":     fmt.Sprintf("%d rows in core.%s", c.CoreRows, coreTable[r.Source]),
	}
	for _, l := range r.Layers {
		passed, warned, failed := pipeline.Tally(l.Checks)
		fmt.Fprintf(w, "  %-9s  %s; checks %d passed, %d warned, %d failed (%s)\n", l.Layer, layerLine[l.Layer], passed, warned, failed, l.Duration.Round(time.Millisecond))
		for _, ch := range l.Checks {
			if ch.Failed() {
				fmt.Fprintf(w, "    %-5s %s: %s (observed %d)\n", strings.ToUpper(ch.Check.Severity), ch.Check.Name, ch.Message, ch.Observed)
			}
		}
	}
	passed, warned, failed := pipeline.Tally(r.Checks())
	fmt.Fprintf(w, "  checks     %d passed, %d warned, %d failed\n", passed, warned, failed)
	if r.FailedStep != "" {
		fmt.Fprintf(w, "  FAILED at  %s: promotion stopped; raw and clean data are kept, re-run with `jobpulse process --run %s` after a fix\n", r.FailedStep, r.RunID)
	}
	fmt.Fprintf(w, "  duration   %s, %d bytes processed\n", r.Duration.Round(time.Millisecond), r.Bytes)
}
