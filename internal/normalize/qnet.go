package normalize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

const (
	// QnetSource is the Q-Net source's name in the lake.
	QnetSource = "qnet"
	// QnetTable is the clean table Q-Net statistics normalize into.
	QnetTable = "certifications"
	// QnetVersion identifies the rules QnetRun applies.
	QnetVersion = "qnet/1"
)

// certRow is one exam stage's tally for one year, in the shape of
// sql/staging/certifications.schema.json (a test holds them together).
type certRow struct {
	RunID       string   `json:"run_id"`
	Page        int64    `json:"page"`
	ExamCode    *string  `json:"exam_code"`
	ExamName    *string  `json:"exam_name"`
	Stage       *string  `json:"stage"`
	Year        *int64   `json:"year"`
	BaseYear    int64    `json:"base_year"`
	Applicants  *int64   `json:"applicants"`
	Passers     *int64   `json:"passers"`
	PassRate    *float64 `json:"pass_rate"`
	ParseErrors []string `json:"parse_errors"`
}

// QnetRun normalizes the committed Q-Net collect run whose raw manifest is manifestName:
// each response's five-year window becomes five rows, one per year. An answer for an
// exam the service does not cover holds no rows; a page that is not a statistics
// response is quarantined.
func QnetRun(ctx context.Context, store lake.Store, manifestName string, opts Options) (Result, error) {
	return runPages(ctx, store, manifestName, opts, pageCodec{
		source: QnetSource, table: QnetTable, version: QnetVersion, kind: "a Q-Net statistics response",
		encode: encodeQnetPage,
	})
}

func encodeQnetPage(m lake.Manifest, page int, pe lake.PageEntry, data []byte) ([]byte, int, error) {
	stage, err := qnet.ParseStage(pe.Params["operation"])
	if err != nil {
		return nil, 0, fmt.Errorf("raw manifest entry %s: %w; re-collect the run", pe.Name, err)
	}
	exam := pe.Params["jmCd"]
	baseYear, err := strconv.Atoi(pe.Params["baseYY"])
	if exam == "" || err != nil {
		return nil, 0, fmt.Errorf("raw manifest entry %s lacks jmCd or baseYY; re-collect the run", pe.Name)
	}
	stats, name, err := qnet.Decode(data, stage, exam, baseYear)
	switch {
	case errors.Is(err, qnet.ErrNotCovered):
		return nil, 0, nil // kept in raw as evidence; the collector warned
	case err != nil:
		return nil, 0, &pageError{reason: err.Error()}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, s := range stats {
		row := certRow{
			RunID: m.RunID, Page: int64(page), ExamCode: &exam, Stage: ptr(string(s.Stage)), Year: ptr(int64(s.Year)), BaseYear: int64(baseYear),
			Applicants: s.Applicants, Passers: s.Passers, PassRate: s.PassRate(), ParseErrors: []string{},
		}
		if name != "" {
			row.ExamName = &name
		}
		if err := enc.Encode(row); err != nil {
			return nil, 0, fmt.Errorf("encode row: %w", err)
		}
	}
	return buf.Bytes(), len(stats), nil
}
