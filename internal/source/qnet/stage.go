package qnet

import (
	"fmt"
	"time"
)

// Stage is one stage of a national technical qualification exam: the written test
// (필기) or the practical test (실기). Q-Net publishes each under its own operation.
type Stage string

const (
	// StageWritten is the written test (필기), operation getEventYearPiList.
	StageWritten Stage = "written"
	// StagePractical is the practical test (실기), operation getEventYearSiList.
	StagePractical Stage = "practical"
)

// Operation names of the InquiryStatSVC service.
const (
	OperationWritten   = "getEventYearPiList"
	OperationPractical = "getEventYearSiList"
)

// Operation is the service operation that serves s, or "" for an unknown stage.
func (s Stage) Operation() string {
	switch s {
	case StageWritten:
		return OperationWritten
	case StagePractical:
		return OperationPractical
	}
	return ""
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s.Operation() != "" }

// ParseStage reads a stage name ("written", "practical") or an operation name
// (getEventYearPiList, getEventYearSiList), as stored in run manifests.
func ParseStage(v string) (Stage, error) {
	switch v {
	case string(StageWritten), OperationWritten:
		return StageWritten, nil
	case string(StagePractical), OperationPractical:
		return StagePractical, nil
	}
	return "", fmt.Errorf("unknown qnet stage %q: want %q or %q", v, StageWritten, StagePractical)
}

// KST is Korea Standard Time, the calendar the statistics are tallied in.
var KST = time.FixedZone("KST", 9*60*60)

// DefaultBaseYear is the newest year worth asking for at now: last year in KST, because
// the current year is not tallied until it is over.
func DefaultBaseYear(now time.Time) int { return now.In(KST).Year() - 1 }

// WindowYears is how many years one answer covers: baseYY and the four before it.
const WindowYears = 5

// minBaseYear bounds requests from below; Q-Net's statistics start decades later, so
// anything earlier is a configuration mistake rather than a question.
const minBaseYear = 1970
