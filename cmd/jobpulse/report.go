package main

import (
	"fmt"
	"io"
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
	headline := map[string]string{
		lake.OutcomeSuccess:        fmt.Sprintf("collected %d postings (%d distinct) in %d pages", r.Records, r.DistinctIDs, r.Pages),
		lake.OutcomeNoNewPostings:  "no new postings since " + kst(r.Window.From),
		lake.OutcomeQuotaExhausted: fmt.Sprintf("daily quota exhausted after %d pages (%d postings); resumes after midnight KST", r.Pages, r.Records),
		pipeline.OutcomeFailed:     fmt.Sprintf("FAILED after %d pages; nothing was committed", r.Pages),
	}[r.Outcome]
	if r.Outcome == pipeline.OutcomeFailed && r.Manifest != "" {
		headline = fmt.Sprintf("FAILED after the manifest was written (%d pages committed); the watermark did not move", r.Pages)
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
	if r.Manifest != "" {
		fmt.Fprintf(w, "  manifest   %s\n", r.Manifest)
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
}

func kst(t time.Time) string { return t.In(saramin.KST).Format("2006-01-02 15:04:05 KST") }
