package qnettest

import (
	"encoding/binary"
	"hash/fnv"
	"math"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

// Exam codes the fake knows by name; every other code is generated too, unless listed
// as uncovered.
const (
	CodeEngineer           = "1320" // 정보처리기사
	CodeIndustrialEngineer = "2290" // 정보처리산업기사
	CodeCraftsman          = "6921" // 정보처리기능사
)

// refYear anchors the growth curves.
const refYear = 2020

// profile shapes one exam's synthetic history.
type profile struct {
	name string
	// written is the written test's applicants in refYear; growth the yearly factor.
	written float64
	growth  float64
	// writtenPass and practicalPass are pass-rate ranges; practicalShare the range of
	// practical applicants as a share of written applicants (retakers included).
	writtenPass, practicalPass, practicalShare [2]float64
}

// profileFor returns the named exams' shapes from their public magnitudes, and a
// seeded plausible one for any other code.
func profileFor(seed int64, code string) profile {
	switch code {
	case CodeEngineer:
		return profile{name: "정보처리기사", written: 100_000, growth: 1.05,
			writtenPass: [2]float64{0.45, 0.70}, practicalShare: [2]float64{0.70, 0.85}, practicalPass: [2]float64{0.20, 0.45}}
	case CodeIndustrialEngineer:
		return profile{name: "정보처리산업기사", written: 14_000, growth: 0.99,
			writtenPass: [2]float64{0.35, 0.60}, practicalShare: [2]float64{0.55, 0.70}, practicalPass: [2]float64{0.25, 0.50}}
	case CodeCraftsman:
		return profile{name: "정보처리기능사", written: 22_000, growth: 1.01,
			writtenPass: [2]float64{0.45, 0.65}, practicalShare: [2]float64{0.80, 0.95}, practicalPass: [2]float64{0.35, 0.60}}
	}
	u := func(field string) float64 { return unit(seed, code, "profile", 0, field) }
	wlo, plo := 0.25+0.25*u("written_pass"), 0.20+0.25*u("practical_pass")
	shareLo := 0.50 + 0.30*u("share")
	return profile{
		name:           "종목 " + code,
		written:        2_000 + 38_000*u("size"),
		growth:         0.96 + 0.10*u("growth"),
		writtenPass:    [2]float64{wlo, wlo + 0.20},
		practicalShare: [2]float64{shareLo, shareLo + 0.10},
		practicalPass:  [2]float64{plo, plo + 0.20},
	}
}

// counts is one year's tally of one stage.
type counts struct{ registrants, applicants, passers int64 }

// generate is deterministic in (seed, code, stage, year).
func generate(seed int64, code string, stage qnet.Stage, year int) counts {
	p := profileFor(seed, code)
	u := func(field string) float64 { return unit(seed, code, string(stage), year, field) }
	between := func(r [2]float64, field string) float64 { return r[0] + (r[1]-r[0])*u(field) }

	// Written applicants follow the trend with ±7% noise; the practical stage draws
	// from the written one (its own passers plus retakers).
	written := p.written * math.Pow(p.growth, float64(year-refYear)) *
		(0.93 + 0.14*unit(seed, code, string(qnet.StageWritten), year, "applicants"))
	applicants, pass, noShow := written, between(p.writtenPass, "pass"), 0.15+0.15*u("no_show")
	if stage == qnet.StagePractical {
		applicants = written * between(p.practicalShare, "share")
		pass, noShow = between(p.practicalPass, "pass"), 0.08+0.10*u("no_show")
	}
	a := int64(math.Round(max(applicants, 1)))
	return counts{
		applicants:  a,
		passers:     int64(math.Round(float64(a) * pass)),
		registrants: int64(math.Round(float64(a) / (1 - noShow))),
	}
}

// unit is a uniform number in [0, 1) derived from its arguments alone.
func unit(seed int64, code, stage string, year int, field string) float64 {
	h := fnv.New64a()
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], uint64(seed))
	binary.LittleEndian.PutUint64(buf[8:], uint64(int64(year)))
	h.Write(buf[:])
	for _, s := range []string{code, stage, field} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return float64(splitmix(h.Sum64())>>11) / (1 << 53)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
