package normalize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/trends"
)

const (
	// TrendsSource is the Google Trends source's name in the lake.
	TrendsSource = "trends"
	// TrendsTable is the clean table trend points normalize into.
	TrendsTable = "google_trends"
	// TrendsVersion identifies the rules TrendsRun applies.
	TrendsVersion = "trends/1"
)

// trendRow is one term at one period of one batch, in the shape of
// sql/staging/google_trends.schema.json (a test holds them together).
type trendRow struct {
	RunID        string     `json:"run_id"`
	Page         int64      `json:"page"`
	BatchTerms   []string   `json:"batch_terms"`
	Keyword      *string    `json:"keyword"`
	Anchor       string     `json:"anchor"`
	IsAnchor     bool       `json:"is_anchor"`
	PointTime    *Timestamp `json:"point_time"`
	PointDate    *Date      `json:"point_date"`
	Resolution   *string    `json:"resolution"`
	InterestRaw  *int64     `json:"interest_raw"`
	HasData      bool       `json:"has_data"`
	IsPartial    bool       `json:"is_partial"`
	Interest     *float64   `json:"interest"`
	AnchorMean   *float64   `json:"anchor_mean"`
	TimeRange    string     `json:"time_range"`
	Geo          string     `json:"geo"`
	RescaleError *string    `json:"rescale_error"`
	ParseErrors  []string   `json:"parse_errors"`
}

// TrendsRun normalizes the committed Google Trends collect run whose raw manifest is
// manifestName: every term of every period of every batch becomes a row, rescaled onto
// the anchor's common scale within its batch (see the trends package). A page that is
// not a multiline response is quarantined.
func TrendsRun(ctx context.Context, store lake.Store, manifestName string, opts Options) (Result, error) {
	return runPages(ctx, store, manifestName, opts, pageCodec{
		source: TrendsSource, table: TrendsTable, version: TrendsVersion, kind: "a Trends multiline response",
		encode: encodeTrendPage,
	})
}

func encodeTrendPage(m lake.Manifest, page int, pe lake.PageEntry, data []byte) ([]byte, int, error) {
	var terms []string
	if err := json.Unmarshal([]byte(pe.Params["terms"]), &terms); err != nil || len(terms) == 0 {
		return nil, 0, fmt.Errorf("raw manifest entry %s has no terms parameter; re-collect the run", pe.Name)
	}
	anchor := pe.Params["anchor"]
	if anchor == "" {
		anchor = terms[0] // batches always start with the anchor
	}
	tl, err := trends.DecodeMultiline(data, terms)
	var bad *trends.MalformedError
	switch {
	case errors.As(err, &bad):
		return nil, 0, &pageError{reason: bad.Error()}
	case err != nil:
		return nil, 0, &pageError{reason: err.Error()}
	}
	rs, err := trends.Rescale(tl, anchor)
	if err != nil {
		return nil, 0, &pageError{reason: "rescale: " + err.Error()}
	}
	resolution := trendResolution(tl.Points)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, p := range rs.Points {
		row := trendRow{
			RunID: m.RunID, Page: int64(page), BatchTerms: terms, Keyword: ptr(p.Term), Anchor: anchor,
			IsAnchor: strings.EqualFold(strings.TrimSpace(p.Term), strings.TrimSpace(anchor)),
			HasData:  p.HasData, IsPartial: p.Partial, Interest: p.Interest, Resolution: resolution,
			TimeRange: pe.Params["time"], Geo: pe.Params["geo"], ParseErrors: []string{},
		}
		if !p.Time.IsZero() {
			row.PointTime = &Timestamp{p.Time.UTC()}
			row.PointDate = ptr(DateOf(p.Time.In(kst)))
		} else {
			row.ParseErrors = append(row.ParseErrors, "time: missing or not Unix seconds")
		}
		if p.HasData {
			row.InterestRaw = ptr(int64(p.Raw))
		}
		if rs.AnchorMean > 0 {
			row.AnchorMean = ptr(rs.AnchorMean)
		}
		if rs.Reason != "" {
			row.RescaleError = ptr(rs.Reason)
		}
		if err := enc.Encode(row); err != nil {
			return nil, 0, fmt.Errorf("encode row: %w", err)
		}
	}
	return buf.Bytes(), len(rs.Points), nil
}

// trendResolution names the spacing of a timeline's points; nil with fewer than two.
func trendResolution(points []trends.Point) *string {
	if len(points) < 2 {
		return nil
	}
	switch d := points[1].Time.Sub(points[0].Time); {
	case d <= time.Hour:
		return ptr("HOUR")
	case d <= 24*time.Hour:
		return ptr("DAY")
	case d <= 7*24*time.Hour:
		return ptr("WEEK")
	}
	return ptr("MONTH")
}
