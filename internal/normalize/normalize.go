// Package normalize turns the raw API pages of a collect run into clean NDJSON rows for
// the staging layer, one part per raw page, and reports schema drift on the way.
package normalize

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// Options tune a normalize run. The zero value is ready to use.
type Options struct {
	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Part describes one clean NDJSON part.
type Part struct {
	// Name is the file name within the clean run directory, e.g. part-00001.ndjson.
	Name  string `json:"name"`
	Rows  int    `json:"rows"`
	Bytes int64  `json:"bytes"`
	// SHA256 is the hex digest of the part's bytes.
	SHA256 string `json:"sha256"`
}

// QuarantinedPage is a raw page that could not be parsed as a job-search response.
type QuarantinedPage struct {
	// Page is the raw page number.
	Page int `json:"page"`
	// Object is the lake name of the quarantined copy of the page.
	Object string `json:"object"`
	Reason string `json:"reason"`
	// Records is the page's record count in the raw manifest: rows the clean data lacks.
	Records int `json:"records"`
}

// CleanManifest is written after a run's clean parts, as their commit marker.
type CleanManifest struct {
	Table string `json:"table"`
	RunID string `json:"run_id"`
	DT    string `json:"dt"`
	// SourceManifest is the lake name of the raw manifest normalized.
	SourceManifest    string            `json:"source_manifest"`
	NormalizerVersion string            `json:"normalizer_version"`
	Parts             []Part            `json:"parts"`
	Rows              int               `json:"rows"`
	Quarantined       []QuarantinedPage `json:"quarantined"`
	Drift             []Drift           `json:"drift"`
	// RawRecords is the raw manifest's record count. It equals Rows plus the records
	// of the quarantined pages.
	RawRecords int `json:"raw_records"`
}

// ReadCleanManifest reads the clean manifest stored at name.
func ReadCleanManifest(ctx context.Context, s lake.Store, name string) (CleanManifest, error) {
	obj, err := s.Get(ctx, name)
	if err != nil {
		return CleanManifest{}, fmt.Errorf("read clean manifest: %w", err)
	}
	var m CleanManifest
	if err := json.Unmarshal(obj.Data, &m); err != nil {
		return CleanManifest{}, fmt.Errorf("read clean manifest %s: %w", name, err)
	}
	return m, nil
}

// Result is what one normalize run did.
type Result struct {
	Table string
	RunID string
	DT    string
	Rows  int
	Parts []Part
	// Quarantined pages do not fail the run; the caller decides what they mean.
	Quarantined []QuarantinedPage
	Drift       []Drift
	RawRecords  int
	// CleanPrefix is the lake name of the run's clean directory; Manifest the lake
	// name of its clean manifest.
	CleanPrefix string
	Manifest    string
}
